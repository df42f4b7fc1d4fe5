"""Connecting a shop end to end: code → tokens (encrypted at rest) → shop discovery; refresh; the CLI."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from hub.errors import AuthError
from hub.models import TikTokShop
from hub.security.crypto import SecretUnreadable, derive_key
from hub.tiktok import oauth
from hub.cli.tiktok import tiktok
from hub.tiktok.connection import ShopConnection, client_for_merchant, connect
from tests.tiktok.conftest import APP_KEY, APP_SECRET, tiktok_runtime


def test_connect_stores_the_shop_and_encrypted_tokens(runtime, merchant_id, sandbox) -> None:  # noqa: ANN001
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
        fixture_shop = sandbox.state()["shops"][0]
        assert (shop.shop_id, shop.shop_cipher, shop.region, shop.currency) == \
            (fixture_shop["id"], fixture_shop["cipher"], "GB", "GBP")
        assert shop.status == "connected"
        assert shop.access_token_expires_at > datetime.now(timezone.utc)
        assert "seller.product.write" in shop.granted_scopes
        access = runtime.secrets.decrypt(shop.access_token_encrypted)
        refresh = runtime.secrets.decrypt(shop.refresh_token_encrypted)
        raw = session.execute(text("SELECT access_token_encrypted, refresh_token_encrypted FROM tiktok_shops")).one()
    assert access.startswith("ROW_") and refresh.startswith("ROW_")
    assert access not in raw[0] and refresh not in raw[1] and "ROW_" not in raw[0] + raw[1]
    # The stored token is the one TikTok accepts.
    with runtime.db.session_scope() as session:
        client = client_for_merchant(session, merchant_id, runtime)
    assert client.authorization.shops()["shops"]


def test_a_code_works_once(runtime, sandbox) -> None:  # noqa: ANN001
    code = sandbox.code()
    oauth.exchange_code(runtime.settings, code)
    with pytest.raises(AuthError) as caught:
        oauth.exchange_code(runtime.settings, code)
    assert caught.value.details.get("tiktok_code")


def test_authorize_url_carries_a_single_use_state(runtime) -> None:  # noqa: ANN001
    state = oauth.new_state(runtime.redis, "m_123")
    url = oauth.authorize_url(runtime.settings.with_overrides(tiktok_service_id="7203"), state)
    query = parse_qs(urlsplit(url).query)
    assert query == {"service_id": ["7203"], "state": [state]}
    assert oauth.consume_state(runtime.redis, state) == "m_123"
    assert oauth.consume_state(runtime.redis, state) is None
    assert oauth.consume_state(runtime.redis, "forged") is None


def test_authorize_links_are_the_ones_tiktok_documents(runtime, sandbox) -> None:  # noqa: ANN001
    """Service id: services host, /open/authorize. No service id: the legacy app-key link on the auth host."""
    import requests

    with_service = oauth.authorize_url(runtime.settings.with_overrides(
        tiktok_service_id="7203", tiktok_authorize_url="https://services.tiktokshop.com/open/authorize",
        tiktok_auth_base="https://auth.tiktok-shops.com"), "s1")
    assert with_service == "https://services.tiktokshop.com/open/authorize?service_id=7203&state=s1"
    legacy = oauth.authorize_url(runtime.settings.with_overrides(
        tiktok_service_id=None, tiktok_authorize_url="https://services.tiktokshop.com/open/authorize",
        tiktok_auth_base="https://auth.tiktok-shops.com"), "s2")
    assert legacy == f"https://auth.tiktok-shops.com/oauth/authorize?app_key={APP_KEY}&state=s2"
    # Against the sandbox (both hosts on one address): each link opens TikTok's page; the app key on the
    # services host does not.
    for settings in (runtime.settings.with_overrides(tiktok_service_id="7203"),
                     runtime.settings.with_overrides(tiktok_service_id=None)):
        page = requests.get(oauth.authorize_url(settings, "s3"), timeout=5, allow_redirects=False)
        assert page.status_code == 200 and 'id="authorize"' in page.text
    wrong = requests.get(f"{sandbox.url}/open/authorize?app_key={APP_KEY}&state=s4", timeout=5)
    assert wrong.status_code == 400


def test_tokens_stay_readable_after_key_rotation(tmp_path, redis_url, runtime, merchant_id, sandbox) -> None:  # noqa: ANN001
    old_key = derive_key(runtime.settings.secret_key)
    rotated = tiktok_runtime(tmp_path, redis_url, sandbox.url,
                             encryption_keys=(Fernet.generate_key().decode(), old_key))
    try:
        with rotated.db.session_scope() as session:
            client = client_for_merchant(session, merchant_id, rotated)
        assert client.logistics.warehouses()["warehouses"]
        sandbox.control("POST", "/tokens/expire", {})
        assert client.logistics.warehouses()["warehouses"]  # refreshed tokens are written with the new key
        with rotated.db.session_scope() as session:
            shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
            with pytest.raises(SecretUnreadable):
                runtime.secrets.decrypt(shop.access_token_encrypted)
            assert rotated.secrets.decrypt(shop.access_token_encrypted).startswith("ROW_")
    finally:
        rotated.close()


def test_two_workers_refreshing_at_once_refresh_once(runtime, merchant_id, sandbox) -> None:  # noqa: ANN001
    sandbox.control("POST", "/tokens/expire", {})
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
        stale = runtime.secrets.decrypt(shop.access_token_encrypted)
    workers = [ShopConnection(runtime, shop) for _ in range(4)]
    results: list[str] = []
    barrier = threading.Barrier(len(workers))

    def refresh(connection: ShopConnection) -> None:
        barrier.wait()
        results.append(connection.after_auth_failure(AuthError("expired"), stale))

    threads = [threading.Thread(target=refresh, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(set(results)) == 1 and stale not in results
    assert sandbox.state()["calls"]["GET /api/v2/token/refresh"] == 1


def test_cli_connect_and_status(tmp_path, runtime, sandbox) -> None:  # noqa: ANN001
    settings = runtime.settings
    env = {"HUB_DATA_DIR": str(settings.data_dir), "HUB_DATABASE_URL": settings.database_url,
           "HUB_REDIS_URL": runtime.redis_url, "HUB_SECRET_KEY": settings.secret_key,
           "HUB_TIKTOK_API_BASE": sandbox.url, "HUB_TIKTOK_AUTH_BASE": sandbox.url,
           "HUB_TIKTOK_APP_KEY": APP_KEY, "HUB_TIKTOK_APP_SECRET": APP_SECRET}
    runner = CliRunner()
    result = runner.invoke(tiktok, ["connect", "--code", sandbox.code(), "--merchant", "Acme Socks", "--json"], env=env)
    assert result.exit_code == 0, result.output
    connected = json.loads(result.output)
    assert connected["region"] == "GB" and connected["status"] == "connected"

    status = runner.invoke(tiktok, ["status", "--json"], env=env)
    assert status.exit_code == 0, status.output
    document = json.loads(status.output)
    assert [c["shop_id"] for c in document["connections"]] == [connected["shop_id"]]
    assert "ROW_" not in status.output  # never a token

    reused = runner.invoke(tiktok, ["connect", "--code", "ROW_not_a_code"], env=env)
    assert reused.exit_code != 0
    assert "error:" in reused.output


def test_a_shop_cannot_be_taken_over_by_another_merchant(runtime, merchant_id, sandbox) -> None:  # noqa: ANN001
    from hub.errors import DataError
    from hub.merchants import find_or_create_merchant

    with runtime.db.session_scope() as session:
        other = find_or_create_merchant(session, "Someone Else")
        with pytest.raises(DataError, match="already connected"):
            connect(runtime, session, sandbox.code(), other.id)


def test_a_token_close_to_expiry_is_refreshed_before_the_call(runtime, sandbox) -> None:  # noqa: ANN001
    from hub.merchants import find_or_create_merchant

    sandbox.control("PUT", "/tokens", {"access_token_ttl": 600})  # inside the one-hour refresh margin
    with runtime.db.session_scope() as session:
        merchant = find_or_create_merchant(session, "Early Bird Ltd")
        connect(runtime, session, sandbox.code(), merchant.id)
        client = client_for_merchant(session, merchant.id, runtime)
    assert client.logistics.warehouses()["warehouses"]
    calls = sandbox.state()["calls"]
    assert calls["GET /api/v2/token/refresh"] == 1
    assert calls["GET /logistics/202309/warehouses"] == 1  # no refused call: refreshed first
