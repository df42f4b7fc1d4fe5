"""The shop client against the sandbox over loopback HTTP: each error class and what the hub does about it."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from hub.errors import AuthError, DataError, RateLimitedError, RetryableError
from hub.models import TikTokShop
from hub.tiktok.client import ShopClient, StaticToken
from hub.tiktok.connection import client_for_merchant
from hub.tiktok.endpoint import Endpoint
from hub.tiktok.errors import AppCredentialsError, StaleTimestampError
from hub.tiktok.ratelimit import RateLimiter
from tests.tiktok.conftest import APP_KEY

WAREHOUSES = "GET /logistics/202309/warehouses"


def _stored_access_token(runtime, merchant_id: str) -> str:  # noqa: ANN001
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
        return runtime.secrets.decrypt(shop.access_token_encrypted)


def _raw_client(shop_client: ShopClient, **changes) -> ShopClient:  # noqa: ANN003
    options = dict(api_base=shop_client.api_base, app_key=APP_KEY, app_secret=shop_client._app_secret,
                   tokens=StaticToken(shop_client.tokens.access_token()), shop_cipher=shop_client.shop_cipher)
    options.update(changes)
    return ShopClient(**options)


def test_a_signed_call_returns_the_data_object(shop_client: ShopClient) -> None:
    warehouses = shop_client.logistics.warehouses()["warehouses"]
    assert any(w["type"] == "SALES_WAREHOUSE" and w["effect_status"] == "ENABLED" for w in warehouses)
    assert all(isinstance(w["id"], str) for w in warehouses)


def test_wrong_app_secret_is_an_app_credentials_error(shop_client: ShopClient) -> None:
    client = _raw_client(shop_client, app_secret="not-the-secret")
    with pytest.raises(AppCredentialsError) as caught:
        client.logistics.warehouses()
    assert caught.value.details["tiktok_code"] == 106001
    assert "HUB_TIKTOK_APP_SECRET" in caught.value.message


def test_a_stale_clock_is_retried_once_with_a_fresh_timestamp(shop_client: ShopClient, sandbox) -> None:  # noqa: ANN001
    stamps = iter([time.time() - 600])
    client = _raw_client(shop_client, clock=lambda: next(stamps, time.time()))
    assert client.logistics.warehouses()["warehouses"]
    assert sandbox.state()["calls"][WAREHOUSES] == 2


def test_a_clock_that_stays_wrong_is_a_retryable_error(shop_client: ShopClient) -> None:
    client = _raw_client(shop_client, clock=lambda: time.time() - 600)
    with pytest.raises(StaleTimestampError) as caught:
        client.logistics.warehouses()
    assert isinstance(caught.value, RetryableError)
    assert "timestamp" in caught.value.message


def test_expired_token_is_refreshed_and_the_call_retried_once(runtime, merchant_id, shop_client, sandbox) -> None:  # noqa: ANN001
    before = _stored_access_token(runtime, merchant_id)
    sandbox.control("POST", "/tokens/expire", {})
    assert shop_client.logistics.warehouses()["warehouses"]
    after = _stored_access_token(runtime, merchant_id)
    assert after != before
    calls = sandbox.state()["calls"]
    assert calls["GET /api/v2/token/refresh"] == 1
    assert calls[WAREHOUSES] == 2


def test_refused_refresh_marks_the_connection_broken(runtime, merchant_id, shop_client, sandbox) -> None:  # noqa: ANN001
    sandbox.control("POST", "/tokens/expire", {"refresh_tokens": True})
    with pytest.raises(AuthError):
        shop_client.logistics.warehouses()
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
        assert shop.status == "broken"
        assert "Reconnect" in shop.status_reason
        with pytest.raises(AuthError, match="reconnect"):
            client_for_merchant(session, merchant_id, runtime)


def test_missing_shop_cipher_is_caught_before_sending(shop_client: ShopClient, sandbox) -> None:  # noqa: ANN001
    client = _raw_client(shop_client, shop_cipher=None)
    with pytest.raises(DataError, match="shop cipher"):
        client.logistics.warehouses()
    assert WAREHOUSES not in sandbox.state()["calls"]


def test_tiktoks_missing_shop_cipher_answer_is_a_data_error(shop_client: ShopClient) -> None:
    client = _raw_client(shop_client, shop_cipher=None)
    with pytest.raises(DataError) as caught:
        client.request(Endpoint("GET", "/logistics/202309/warehouses", cipher="optional"))
    assert caught.value.details["tiktok_code"] == 106013


def test_shop_cipher_is_left_out_where_tiktok_forbids_it(shop_client: ShopClient) -> None:
    assert shop_client.shop_cipher
    assert shop_client.authorization.shops()["shops"][0]["cipher"] == shop_client.shop_cipher
    with pytest.raises(DataError, match="Unexpected identifier"):
        shop_client.request(Endpoint("GET", "/authorization/202309/shops", cipher="required"))


def test_429_waits_for_retry_after_and_pauses_every_worker(runtime, shop_client, sandbox) -> None:  # noqa: ANN001
    sandbox.fault(WAREHOUSES, "429", retry_after=1)
    assert shop_client.logistics.warehouses()["warehouses"]
    state = sandbox.state()
    assert state["throttled"][WAREHOUSES] == 1
    assert state["calls"][WAREHOUSES] == 2
    # The pause was shared through Redis: another process's limiter sees it while it lasts.
    other = RateLimiter(runtime.redis, per_second=50)
    sandbox.fault(WAREHOUSES, "429", retry_after=30)
    impatient = _raw_client(shop_client, limiter=RateLimiter(runtime.redis, per_second=50, max_wait=2),
                            shop_key=shop_client.shop_key)
    with pytest.raises(RateLimitedError) as caught:
        impatient.logistics.warehouses()
    assert caught.value.retry_after and caught.value.retry_after > 2
    assert other.paused_for(shop_client.shop_key, WAREHOUSES) > 20


def test_5xx_is_retryable_and_the_next_call_works(shop_client: ShopClient, sandbox) -> None:  # noqa: ANN001
    sandbox.fault(WAREHOUSES, "5xx", status=503)
    with pytest.raises(RetryableError) as caught:
        shop_client.logistics.warehouses()
    assert caught.value.details["http_status"] == 503
    assert shop_client.logistics.warehouses()["warehouses"]


def test_timeout_is_retryable(shop_client: ShopClient, sandbox) -> None:  # noqa: ANN001
    sandbox.fault(WAREHOUSES, "timeout", seconds=2)
    client = _raw_client(shop_client, timeout=(2.0, 0.5))
    with pytest.raises(RetryableError) as caught:
        client.logistics.warehouses()
    assert caught.value.code == "tiktok_network"


def test_lost_response_is_retryable(shop_client: ShopClient, sandbox) -> None:  # noqa: ANN001
    sandbox.fault(WAREHOUSES, "lost_response")
    with pytest.raises(RetryableError):
        shop_client.logistics.warehouses()


def test_shared_limit_prevents_429s_across_clients(runtime, shop_client, sandbox) -> None:  # noqa: ANN001
    """Three clients (as three workers would) share one Redis budget of 4/s: TikTok never says 429."""
    sandbox.control("PUT", "/rate-limits", {"default_per_second": 4})
    errors: list[Exception] = []

    def worker() -> None:
        client = _raw_client(shop_client, limiter=RateLimiter(runtime.redis, per_second=4),
                             shop_key=shop_client.shop_key)
        for _ in range(4):
            try:
                client.logistics.warehouses()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = sandbox.state()
    assert errors == []
    assert state["calls"][WAREHOUSES] == 12
    assert state["throttled"].get(WAREHOUSES, 0) == 0


# ---- an operator behind an HTTP proxy ------------------------------------------------------------

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture()
def forwarding_proxy(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """A real forwarding HTTP proxy on loopback that notes every request it carries; the environment
    starts without proxy settings."""
    import http.client
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlsplit

    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    carried: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            carried.append(f"{self.command} {self.path}")
            target = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "host")}
            upstream.request(self.command, f"{target.path}?{target.query}", body=body or None, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            upstream.close()

        do_GET = do_POST = do_PUT = _forward

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", carried
    server.shutdown()
    server.server_close()


def test_calls_go_through_the_proxy_the_environment_names(runtime, merchant_id, forwarding_proxy,  # noqa: ANN001
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    proxy_url, carried = forwarding_proxy
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    with runtime.db.session_scope() as session:
        client = client_for_merchant(session, merchant_id, runtime)
    with client:
        assert client.logistics.warehouses()["warehouses"]
        assert client.logistics.warehouses()["warehouses"]
    assert len(carried) == 2 and all(line.startswith(f"GET {runtime.settings.tiktok_api_base}/logistics/")
                                     for line in carried)


def test_a_host_in_no_proxy_is_called_directly(runtime, merchant_id, forwarding_proxy,  # noqa: ANN001
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    proxy_url, carried = forwarding_proxy
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    with runtime.db.session_scope() as session:
        client = client_for_merchant(session, merchant_id, runtime)
    with client:
        assert client.logistics.warehouses()["warehouses"]
    assert carried == []
