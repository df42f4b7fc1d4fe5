"""Signatures and session tokens checked against values Shopify's own Node library computes at test
time (`@shopify/shopify-api` 15.0.0), plus tampered, stale and foreign inputs refused."""

from __future__ import annotations

import time

import pytest
import requests

from plugins.shopify import auth
from plugins.shopify.config import ShopifyConfig
from tests.shopify import node_lib
from tests.shopify.conftest import CLIENT_ID, CLIENT_SECRET, SHOP, World

CONFIG = ShopifyConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, previous_client_secret=None,
                       admin_url="https://{shop}", scopes=("read_products",), embedded=True)


def _lib(op: str, **args: object) -> object:
    return node_lib.run({"op": op, "client_id": CLIENT_ID, "secret": CLIENT_SECRET, **args})[0]


def test_the_install_hmac_is_the_one_shopifys_library_computes() -> None:
    now = str(int(time.time()))
    params = {"code": "0907a61c0c8d55e99db179b68161bc00", "host": "YWNtZS10ZWVzLm15c2hvcGlmeS5jb20vYWRtaW4",
              "shop": SHOP, "state": "a b~c*d/é", "timestamp": now}
    expected = _lib("query_hmac", params=params)
    assert auth.sign_query(CLIENT_SECRET, params.items()) == expected
    signed = [*params.items(), ("hmac", expected)]
    auth.verify_query([CLIENT_SECRET], signed)  # accepted
    assert _lib("validate_query", params=dict(signed)) is True  # and the library accepts what the hub accepts

    with pytest.raises(auth.InvalidSignature):
        auth.verify_query([CLIENT_SECRET], [(k, "other-shop.myshopify.com" if k == "shop" else v) for k, v in signed])
    with pytest.raises(auth.InvalidSignature):
        auth.verify_query(["not-the-secret"], signed)
    stale = {**params, "timestamp": str(int(time.time()) - 91)}
    stale_signed = [*stale.items(), ("hmac", _lib("query_hmac", params=stale))]
    assert "outside of the tolerance" in str(_lib("validate_query", params=dict(stale_signed)))
    with pytest.raises(auth.InvalidSignature, match="90 s"):
        auth.verify_query([CLIENT_SECRET], stale_signed)


def test_session_tokens_minted_by_shopifys_library_are_accepted_and_bad_ones_refused() -> None:
    token = _lib("session_token", shop="acme-tees")
    assert _lib("decode_session_token", token=token)["dest"] == f"https://{SHOP}"
    assert auth.decode_session_token(str(token), CONFIG).shop == SHOP

    tampered = str(token)[:-4] + ("AAAA" if not str(token).endswith("AAAA") else "BBBB")
    assert "error" in _lib("decode_session_token", token=tampered)  # type: ignore[operator]
    with pytest.raises(auth.InvalidSignature):
        auth.decode_session_token(tampered, CONFIG)

    now = time.time()
    expired = _lib("session_token", shop="acme-tees", overrides={"exp": now - 60, "nbf": now - 120})
    assert "error" in _lib("decode_session_token", token=expired)  # type: ignore[operator]
    with pytest.raises(auth.InvalidSignature, match="expired"):
        auth.decode_session_token(str(expired), CONFIG)

    other_app = _lib("session_token", shop="acme-tees", overrides={"aud": "another-app"})
    with pytest.raises(auth.InvalidSignature):
        auth.decode_session_token(str(other_app), CONFIG)
    not_a_shop = _lib("session_token", shop="acme-tees", overrides={"dest": "https://evil.example"})
    with pytest.raises(auth.InvalidSignature):
        auth.decode_session_token(str(not_a_shop), CONFIG)
    signed_elsewhere = node_lib.run({"op": "session_token", "client_id": CLIENT_ID, "secret": "another-secret-32-bytes-long-0123",
                                     "shop": "acme-tees"})[0]
    with pytest.raises(auth.InvalidSignature):
        auth.decode_session_token(str(signed_elsewhere), CONFIG)
    rotated = ShopifyConfig(**{**CONFIG.__dict__, "client_secret": "shpss_the-new-secret-0123456789abcdef",
                               "previous_client_secret": CLIENT_SECRET})
    assert auth.decode_session_token(str(token), rotated).shop == SHOP  # signed before the rotation


def test_the_admin_page_refuses_tampered_stale_and_unsigned_visits(world: World) -> None:
    app_url = f"{world.hub_url}/stores/shopify/app"
    now = time.time()
    expired = world.fake.session_token(SHOP, exp=int(now) - 30, nbf=int(now) - 120)
    refused = requests.get(world.fake.admin_page(SHOP, app_url, token=expired), timeout=10)
    assert refused.status_code == 401 and "Overview" not in refused.text
    assert world.fake.used_session_tokens == []  # nothing was exchanged for it
    forged = world.fake.session_token(SHOP, _secret="not-the-app-secret-but-32-bytes-long")
    assert requests.get(world.fake.admin_page(SHOP, app_url, token=forged), timeout=10).status_code == 401
    unsigned = requests.get(f"{app_url}?shop={SHOP}&timestamp={int(now)}", timeout=10)
    assert unsigned.status_code == 401
    assert world.open_app().status_code == 200  # the genuine admin still gets in


def test_the_authorization_code_install_checks_hmac_and_state(world: World) -> None:
    landing = world.install_from_hub()
    assert "Overview" in landing.text
    credential = world.credential()
    assert credential.status == "connected" and credential.access_token_expires_at is not None
    from hub.models import Store

    with world.runtime.db.session_scope() as session:
        assert session.get(Store, credential.store_id).merchant_id == world.merchant_id  # the logged-in merchant
    callback = f"{world.hub_url}/stores/shopify/auth/callback"
    params = {"code": "whatever", "shop": SHOP, "state": "never-issued", "timestamp": str(int(time.time()))}
    params["hmac"] = auth.sign_query(world.fake.client_secret, params.items())
    assert requests.get(callback, params=params, timeout=10).status_code == 400  # a state the hub never made
    params["hmac"] = auth.sign_query("not-the-secret", params.items())
    assert requests.get(callback, params=params, timeout=10).status_code == 401
    bad_shop = world.browser().post_form("/stores/", "/stores/install/shopify", {"shop": "not a shop!"})
    assert bad_shop.status_code == 422 and "myshopify address" in bad_shop.text


def test_an_expiring_token_is_refreshed_before_it_lapses(world: World) -> None:
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select

    from hub.models import StoreCredential

    world.open_app()
    world.work()
    with world.runtime.db.session_scope() as session:
        credential = session.scalar(select(StoreCredential).where(StoreCredential.shop_id == SHOP))
        credential.access_token_expires_at = datetime.now(timezone.utc) + timedelta(seconds=60)
        old = credential.refresh_token_encrypted
    from tests.shopify.conftest import tee

    world.fake.save_product(SHOP, tee(901, world.fake))
    world.wait(lambda: world.snapshot("901"), "product read with a refreshed token")
    assert world.credential().refresh_token_encrypted != old  # rotated
    assert world.fake.calls.count(f"POST /{SHOP}/admin/oauth/access_token") == 2  # the exchange, one refresh


def test_a_signed_visit_without_a_session_token_installs_through_the_authorize_page(world: World) -> None:
    """A non-embedded start from Shopify (the app URL with Shopify's HMAC, no session token): the hub
    sends the merchant to Shopify's authorize page with its state; the callback installs the app."""
    params = {"shop": SHOP, "timestamp": str(int(time.time()))}
    params["hmac"] = auth.sign_query(world.fake.client_secret, params.items())
    first = requests.get(f"{world.hub_url}/stores/shopify/app", params=params, timeout=10, allow_redirects=False)
    assert first.status_code == 302 and first.headers["Location"].startswith(f"{world.fake.url}/{SHOP}/admin/oauth/authorize?")
    assert "state=" in first.headers["Location"] and "read_fulfillments" in requests.utils.unquote(first.headers["Location"])
    landing = requests.get(first.headers["Location"], timeout=30)
    assert landing.status_code == 200 and "Overview" in landing.text
    assert world.credential().status == "connected"
    again = requests.get(f"{world.hub_url}/stores/shopify/app", params=params, timeout=10, allow_redirects=False)
    assert again.status_code == 302 and "frame=" in again.headers["Location"]  # installed: straight to the page
