"""One signed, rate-limited HTTP client per TikTok shop connection.

Every request goes through `ShopClient.request`, which is where the wire contract is kept once:
the JSON body is serialised once and those exact bytes are both signed and sent; `shop_cipher` is
added or left out according to the endpoint; one `content-type` header (TikTok rejects duplicates
with `36009022`); a timeout on every call; and each answer is turned into `data` or a classified
error. The typed API areas (`client.products`, `client.orders`, ...) are thin layers on top.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from hub.errors import AuthError, DataError, HubError, RateLimitedError
from hub.tiktok.endpoint import Endpoint
from hub.tiktok.errors import (StaleTimestampError, TokenExpiredError, TokenInvalidError, decode_envelope,
                               network_error)
from hub.tiktok.signing import sign

if TYPE_CHECKING:
    from hub.tiktok.authorization import AuthorizationApi
    from hub.tiktok.cancellations import CancellationsApi
    from hub.tiktok.catalog import CatalogApi
    from hub.tiktok.fulfillment import FulfillmentApi
    from hub.tiktok.logistics import LogisticsApi
    from hub.tiktok.orders import OrdersApi
    from hub.tiktok.products import ProductsApi
    from hub.tiktok.ratelimit import RateLimiter
    from hub.tiktok.returns import ReturnsApi

log = logging.getLogger("hub.tiktok")

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read: TikTok answers in well under a second when healthy


class TokenSource(Protocol):
    """Where the client gets its access token, and who fixes it when TikTok refuses it."""

    def access_token(self) -> str: ...

    def after_auth_failure(self, error: AuthError, used_token: str) -> str | None:
        """A token to retry with (refreshed, or refreshed meanwhile by another worker), or None."""


class StaticToken:
    """A fixed token (shop discovery right after the code exchange, scripts, benchmarks)."""

    def __init__(self, token: str):
        self._token = token

    def access_token(self) -> str:
        return self._token

    def after_auth_failure(self, error: AuthError, used_token: str) -> str | None:
        return None


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_json(body: Mapping[str, Any]) -> bytes:
    """The one serialisation of a body: compact, UTF-8, key order as given."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def environment_session(url: str) -> requests.Session:
    """A session that has read the environment's proxy settings for `url` once, now.

    `requests` otherwise reads every proxy variable, walks `NO_PROXY` and looks for a `.netrc` again on
    each call, which was a sizeable share of a price/stock push's CPU. Every call of a client goes to
    the one host of `url`, so what `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` say for it is
    decided here: an operator behind a proxy is honoured as before, as the environment stood when the
    client was built.
    """
    session = requests.Session()
    scheme = urlsplit(url).scheme
    found = requests.utils.get_environ_proxies(url)
    session.proxies.update({key: found[key] for key in (scheme, "all") if found.get(key)})
    session.trust_env = False
    return session


class ShopClient:
    def __init__(self, *, api_base: str, app_key: str, app_secret: str, tokens: TokenSource,
                 shop_cipher: str | None = None, shop_key: str | None = None,
                 limiter: "RateLimiter | None" = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 session: requests.Session | None = None, clock: Callable[[], float] = time.time,
                 max_rate_limit_retries: int = 3):
        if not app_key or not app_secret:
            raise AuthError("The TikTok app key and secret are not configured (HUB_TIKTOK_APP_KEY, "
                            "HUB_TIKTOK_APP_SECRET)", code="tiktok_app_credentials")
        self.api_base = api_base.rstrip("/")
        self.app_key = app_key
        self._app_secret = app_secret
        self.tokens = tokens
        self.shop_cipher = shop_cipher
        self.shop_key = shop_key or shop_cipher or "-"
        self.limiter = limiter
        self.timeout = timeout
        self.session = session or environment_session(self.api_base)
        self.clock = clock
        self.max_rate_limit_retries = max_rate_limit_retries

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "ShopClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- API areas ---------------------------------------------------------------------------------
    @property
    def authorization(self) -> "AuthorizationApi":
        from hub.tiktok.authorization import AuthorizationApi
        return AuthorizationApi(self)

    @property
    def catalog(self) -> "CatalogApi":
        from hub.tiktok.catalog import CatalogApi
        return CatalogApi(self)

    @property
    def products(self) -> "ProductsApi":
        from hub.tiktok.products import ProductsApi
        return ProductsApi(self)

    @property
    def logistics(self) -> "LogisticsApi":
        from hub.tiktok.logistics import LogisticsApi
        return LogisticsApi(self)

    @property
    def orders(self) -> "OrdersApi":
        from hub.tiktok.orders import OrdersApi
        return OrdersApi(self)

    @property
    def fulfillment(self) -> "FulfillmentApi":
        from hub.tiktok.fulfillment import FulfillmentApi
        return FulfillmentApi(self)

    @property
    def cancellations(self) -> "CancellationsApi":
        from hub.tiktok.cancellations import CancellationsApi
        return CancellationsApi(self)

    @property
    def returns(self) -> "ReturnsApi":
        from hub.tiktok.returns import ReturnsApi
        return ReturnsApi(self)

    # ---- transport ---------------------------------------------------------------------------------
    def request(self, endpoint: Endpoint, *, path_params: Mapping[str, str] | None = None,
                query: Mapping[str, Any] | None = None, body: Mapping[str, Any] | None = None,
                files: Mapping[str, Any] | None = None, form: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Send one API call and return its `data` object, or raise a classified `HubError`.

        Retries happen here only where the cure is certain and immediate: one retry after a token
        refresh, one with a fresh timestamp, and waiting out a 429's `Retry-After` (bounded by the
        rate limiter). 5xx and timeouts are raised as `RetryableError` for the job layer's backoff,
        because a lost answer to a POST may mean the change was already made.
        """
        if endpoint.cipher == "required" and not self.shop_cipher:
            raise DataError(f"{endpoint.key} needs the shop cipher, and this connection has none",
                            code="invalid_request")
        path = endpoint.path(**(path_params or {}))
        # An object without keys is never sent: TikTok's own signing code (official Node SDK,
        # utils/generate-sign.ts) leaves such a body out of the signature, so whether `{}` is signed or
        # not is a guess either way. No body at all cannot be mis-signed.
        raw_body = encode_json(body) if body and not endpoint.multipart else None
        extra = {k: _query_value(v) for k, v in (query or {}).items() if v is not None and v != ""}
        auth_retried = timestamp_retried = False
        rate_retries = 0
        while True:
            if self.limiter is not None:
                self.limiter.acquire(self.shop_key, endpoint.key)
            token = self.tokens.access_token()
            try:
                return self._send(endpoint, path, extra, raw_body, files, form, token)
            except (TokenExpiredError, TokenInvalidError) as error:
                if auth_retried:
                    raise
                auth_retried = True
                fresh = self.tokens.after_auth_failure(error, token)
                if not fresh:
                    raise
                log.info("TikTok refused the access token for %s; retrying once with a refreshed one",
                         endpoint.key)
            except StaleTimestampError:
                if timestamp_retried:
                    raise
                timestamp_retried = True
            except RateLimitedError as error:
                if self.limiter is not None:
                    self.limiter.pause(self.shop_key, endpoint.key, error.retry_after)
                rate_retries += 1
                if self.limiter is None or rate_retries > self.max_rate_limit_retries:
                    raise
                log.info("TikTok answered 429 for %s; waiting %ss", endpoint.key, error.retry_after)

    def _send(self, endpoint: Endpoint, path: str, extra: dict[str, str], raw_body: bytes | None,
              files: Mapping[str, Any] | None, form: Mapping[str, str] | None, token: str) -> dict[str, Any]:
        params = {"app_key": self.app_key, "timestamp": str(int(self.clock()))}
        if self.shop_cipher and endpoint.cipher != "forbidden":
            params["shop_cipher"] = self.shop_cipher
        params.update(extra)
        params["sign"] = sign(self._app_secret, path, params, raw_body, multipart=endpoint.multipart)
        # The session's own headers, then ours: what `Session.prepare_request` would merge, without its
        # per-call settings merge (the session carries no auth, and no environment is read per call).
        headers = CaseInsensitiveDict(self.session.headers)
        headers["x-tts-access-token"] = token
        prepared = requests.PreparedRequest()
        if endpoint.multipart:
            # requests writes the one Content-Type header itself, with the boundary.
            prepared.prepare(method=endpoint.method, url=self.api_base + path, params=params, headers=headers,
                             files=dict(files or {}), data=dict(form or {}), cookies=self.session.cookies,
                             hooks=self.session.hooks)
        else:
            headers["Content-Type"] = "application/json"
            prepared.prepare(method=endpoint.method, url=self.api_base + path, params=params, headers=headers,
                             data=raw_body, cookies=self.session.cookies, hooks=self.session.hooks)
        try:
            response = self.session.send(prepared, timeout=self.timeout, allow_redirects=False)
            content = response.content
        except requests.RequestException as exc:
            raise network_error(exc, endpoint.key) from None  # the library's message prints the signed URL
        try:
            return decode_envelope(response.status_code, content, response.headers, endpoint.key)
        except HubError as error:
            log.warning("TikTok %s failed: %s (%s)", endpoint.key, error.message, error.code)
            raise
