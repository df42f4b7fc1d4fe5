"""Every TikTok answer becomes one classified error, including answers that are not TikTok-shaped.

The unexpected shapes (HTML error pages, cut JSON, envelopes without `code`) come from a tiny real
HTTP server in this file that answers like a broken proxy in front of TikTok would.
"""

from __future__ import annotations

import threading
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from hub.errors import AuthError, DataError, RateLimitedError, RetryableError
from hub.tiktok.client import ShopClient, StaticToken
from hub.tiktok.errors import (AppCredentialsError, StaleTimestampError, TokenExpiredError, TokenInvalidError,
                               classify, loads, retry_after_seconds)


@pytest.mark.parametrize("code, message, status, kind", [
    (36009002, "Too many requests.", 429, RateLimitedError),
    (12052109, "number of requests from merchants over limit", 200, RateLimitedError),
    (36009003, "Internal error. Please try again.", 500, RetryableError),
    (36009007, "Request timeout. The request to the endpoint timed out.", 504, RetryableError),
    (105002, "Expired credentials. The `x-tts-access-token` header has expired.", 401, TokenExpiredError),
    (106001, "Invalid credentials. The `sign` query parameter is invalid.", 401, AppCredentialsError),
    (105005, "Access denied. The app is not authorized to access the endpoint", 403, AuthError),
    (101000, "Invalid query or header.", 401, AuthError),
    (36004004, "Invalid auth code.", 400, AuthError),
    (106013, "Missing identifier. The `shop_cipher` query parameter is required", 400, DataError),
    (36009009, "Invalid path.", 404, DataError),
    (12052024, "Category is not final category", 200, DataError),
    (21001008, "System process error, please try again later.", 200, RetryableError),
])
def test_codes_map_to_the_taxonomy(code: int, message: str, status: int, kind: type) -> None:
    error = classify(http_status=status, code=code, message=message, request_id="2022")
    assert type(error) is kind or (kind is AuthError and isinstance(error, AuthError) and
                                   not isinstance(error, (TokenExpiredError, TokenInvalidError)))
    assert error.details["tiktok_code"] == code


def test_business_errors_keep_tiktoks_words_for_the_merchant() -> None:
    error = classify(http_status=200, code=12052230, message="Category ID is not a leaf category")
    assert isinstance(error, DataError)
    assert error.message == "Category ID is not a leaf category"
    assert error.code == "tiktok_12052230"


@pytest.mark.parametrize("message, kind", [
    ("Invalid timestamp. The value of the `timestamp` query parameter must not be earlier than 5 minutes "
     "before the current time.", StaleTimestampError),
    ("Invalid credentials. The `x-tts-access-token` header is invalid.", TokenInvalidError),
    ("Invalid credentials. The `access_token` header is invalid.", TokenInvalidError),
    ("Invalid credentials. Invalid `app_key` query parameter.", AppCredentialsError),
    ("Missing credentials. The request does not include a required signature in the query.", AppCredentialsError),
    ("Unexpected identifier. The `shop_cipher` query parameter is not required for this request.", DataError),
    ("invalid param error", DataError),
])
def test_36009004_is_told_apart_by_its_message(message: str, kind: type) -> None:
    assert type(classify(http_status=400, code=36009004, message=message)) is kind


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert retry_after_seconds("3") == 3.0
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 <= retry_after_seconds(format_datetime(later, usegmt=True)) <= 31
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_ids_sent_as_json_numbers_become_exact_strings() -> None:
    raw = (b'{"type":5,"shop_id":"7494049642642441621","data":{"product_id":576486316948490001,'
           b'"sku_ids":[1729592969712207013],"update_time":1644412885,"ratio":0.5}}')
    parsed = loads(raw)
    assert parsed["data"]["product_id"] == "576486316948490001"
    assert parsed["data"]["sku_ids"] == ["1729592969712207013"]
    assert parsed["data"]["update_time"] == 1644412885
    assert parsed["data"]["ratio"] == 0.5
    assert loads(b'{"product_id": 5.7648631694849e17}')["product_id"] == "5.7648631694849e17"


# ---- a broken proxy in front of TikTok ------------------------------------------------------------

ANSWERS = {
    "/html": (502, "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "/truncated": (200, "application/json", b'{"code":0,"message":"Success","data":{"products":[{"id":"17'),
    "/no-code": (200, "application/json", b'{"message":"Success","data":{}}'),
    "/html-401": (401, "text/html", b"<html>Unauthorized</html>"),
    "/html-429": (429, "text/html", b"<html>Slow down</html>"),
    "/data-list": (200, "application/json", b'{"code":0,"message":"Success","data":[1,2]}'),
    "/business": (200, "application/json",
                  b'{"code":12052024,"message":"Category is not final category","data":null,"request_id":"r1"}'),
}


@pytest.fixture(scope="module")
def broken_tiktok() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            path = self.path.split("?", 1)[0]
            status, ctype, body = ANSWERS[path]
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if status == 429:
                self.send_header("Retry-After", "7")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _call(base: str, path: str) -> Exception:
    from hub.tiktok.endpoint import Endpoint

    client = ShopClient(api_base=base, app_key="k", app_secret="s", tokens=StaticToken("t"), shop_cipher="ROW_x")
    with pytest.raises(Exception) as caught:
        client.request(Endpoint("GET", path))
    return caught.value


@pytest.mark.parametrize("path, kind", [
    ("/html", RetryableError), ("/truncated", RetryableError), ("/no-code", RetryableError),
    ("/html-401", AuthError), ("/data-list", RetryableError), ("/business", DataError),
])
def test_unexpected_answers_are_classified_not_crashes(broken_tiktok: str, path: str, kind: type) -> None:
    error = _call(broken_tiktok, path)
    assert isinstance(error, kind), repr(error)


def test_html_429_still_carries_retry_after(broken_tiktok: str) -> None:
    error = _call(broken_tiktok, "/html-429")
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 7.0


def test_nothing_listening_is_retryable() -> None:
    error = _call("http://127.0.0.1:9", "/anything")
    assert isinstance(error, RetryableError)
    assert error.code == "tiktok_network"
