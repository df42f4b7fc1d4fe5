"""The platform HTTP client: one `request()` path per store connection, built as the TikTok client is.

Every call to a store platform goes through `PlatformClient.request`: a timeout on every call, the
access token from the connection (refreshed once and retried when the platform answers 401), the
shared rate limiter before the call and the platform's own budget read after it, and every failure
turned into one of the hub's error kinds (`hub.errors`), so the job layer knows whether to retry, wait,
park the connection or show a reason.

The budget is the platform's, not ours: Shopify reports a leaky bucket of query cost in the GraphQL
answer, BigCommerce counts requests per 30-second window in `X-Rate-Limit-*` headers. The connector
supplies a `BudgetReader` that turns an answer into a `Budget`; when the budget is nearly spent the
limiter holds every worker calling that shop until it has refilled. A worker waits for a short hold
(at most `max_wait`), and a longer one raises `RateLimitedError` with `retry_after`, so the job is
retried later instead of sleeping a worker through a whole window.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

import redis
import requests
from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from hub.errors import AuthError, DataError, RateLimitedError, RetryableError

log = logging.getLogger("hub.stores.http")

DEFAULT_TIMEOUT = (5.0, 30.0)
HOLD_PREFIX = "hub:stores:hold"


@dataclass(frozen=True)
class Budget:
    """What is left of the platform's budget after an answer, and when it is whole again."""

    remaining: float  # requests, or cost points, still available now
    reset_after: float | None = None  # seconds until enough is available again (None: unknown)


class BudgetReader(Protocol):
    def __call__(self, response: requests.Response, body: Any) -> Budget | None: ...


class ThrottleReader(Protocol):
    """For platforms that refuse over budget with a 2xx (Shopify's THROTTLED): seconds to wait, or None."""

    def __call__(self, response: requests.Response, body: Any) -> float | None: ...


class TokenSource(Protocol):
    def access_token(self) -> str: ...

    def after_auth_failure(self, error: AuthError, used_token: str) -> str | None: ...


def header_budget(remaining: str, reset_ms: str | None = None, reset_seconds: str | None = None) -> BudgetReader:
    """A reader for platforms that put the budget in headers (e.g. BigCommerce's
    `X-Rate-Limit-Requests-Left` and `X-Rate-Limit-Time-Reset-Ms`)."""

    def read(response: requests.Response, body: Any) -> Budget | None:
        left = response.headers.get(remaining)
        if left is None:
            return None
        try:
            after: float | None = None
            if reset_ms and response.headers.get(reset_ms) is not None:
                after = float(response.headers[reset_ms]) / 1000.0
            elif reset_seconds and response.headers.get(reset_seconds) is not None:
                after = float(response.headers[reset_seconds])
            return Budget(float(left), after)
        except ValueError:
            return None

    return read


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class PlatformLimiter:
    """Per shop budget shared by every worker (Redis): a steady-rate ceiling and the platform's holds."""

    def __init__(self, connection: redis.Redis, *, namespace: str, per_second: int = 10, max_wait: float = 2.0,
                 low_water: float = 1.0, sleep: Callable[[float], None] = time.sleep):
        self.connection = connection
        self.namespace = namespace
        self.max_wait = max_wait
        self.low_water = low_water
        self.sleep = sleep
        storage = RedisStorage("redis://", connection_pool=connection.connection_pool,
                               key_prefix=f"hub:stores:rl:{namespace}")
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerSecond(per_second, 1, namespace=namespace.upper())

    def _hold_key(self, key: str) -> str:
        return f"{HOLD_PREFIX}:{self.namespace}:{key}"

    def held_for(self, key: str) -> float:
        ms = self.connection.pttl(self._hold_key(key))
        return ms / 1000.0 if ms and ms > 0 else 0.0

    def acquire(self, key: str) -> float:
        """Wait for a short hold or a free slot; raise `RateLimitedError` rather than wait long."""
        started = time.monotonic()
        while True:
            wait = self.held_for(key)
            if not wait:
                if self._limiter.hit(self._item, key):
                    return time.monotonic() - started
                reset = self._limiter.get_window_stats(self._item, key).reset_time
                wait = min(max(reset - time.time(), 0.001), 1.0)
            waited = time.monotonic() - started
            if waited + wait > self.max_wait:
                raise RateLimitedError(f"The {self.namespace} request budget of this store is used up for now",
                                       retry_after=round(wait, 3), code="store_rate_limited",
                                       details={"platform": self.namespace, "retry_after": round(wait, 3)})
            self.sleep(wait)

    def hold(self, key: str, seconds: float) -> None:
        """Every worker holds calls to this shop for `seconds` (never shortening a longer hold)."""
        ms = max(int(seconds * 1000), 50)
        current = self.connection.pttl(self._hold_key(key))
        if current is None or current < ms:
            self.connection.set(self._hold_key(key), "1", px=ms)

    def observe(self, key: str, budget: Budget | None) -> None:
        if budget is not None and budget.remaining <= self.low_water and budget.reset_after:
            self.hold(key, budget.reset_after)


class PlatformClient:
    """One configured client per store connection (`ctx.http(...)` builds it)."""

    def __init__(self, *, name: str, base_url: str, key: str = "-", limiter: PlatformLimiter | None = None,
                 tokens: TokenSource | None = None, auth_headers: Callable[[str], Mapping[str, str]] | None = None,
                 budget: BudgetReader | None = None, throttled: ThrottleReader | None = None,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, session: requests.Session | None = None,
                 max_throttle_retries: int = 2, on_answer: Callable[[], None] | None = None):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.limiter = limiter
        self.tokens = tokens
        self.auth_headers = auth_headers or (lambda token: {"Authorization": f"Bearer {token}"})
        self.budget = budget
        self.throttled = throttled
        self.timeout = timeout
        self.session = session or requests.Session()
        self.max_throttle_retries = max_throttle_retries
        # Called after every successful answer: the platform is there (the hub counts it as the store's
        # contact, hub.sync.stock.away). Its failure never fails the call.
        self.on_answer = on_answer

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "PlatformClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                json_body: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        """Send one call; return the decoded JSON body (None for an empty one) or raise a hub error.

        Retried here only where the cure is certain: once with a refreshed token after a 401, and
        after a short throttle hold. 5xx, timeouts and cut-off answers are `RetryableError` for the
        job's backoff, because a lost answer to a POST may mean the change was made.
        """
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"
        raw = json.dumps(json_body, separators=(",", ":")).encode() if json_body is not None else None
        auth_retried = False
        throttles = 0
        while True:
            if self.limiter is not None:
                self.limiter.acquire(self.key)
            token = self.tokens.access_token() if self.tokens is not None else None
            try:
                body = self._send(method, url, params, raw, headers, token)
            except AuthError as error:
                if auth_retried or self.tokens is None or token is None:
                    raise
                auth_retried = True
                if not self.tokens.after_auth_failure(error, token):
                    raise
            except RateLimitedError as error:
                throttles += 1
                if self.limiter is not None:
                    self.limiter.hold(self.key, error.retry_after or 1.0)
                if self.limiter is None or throttles > self.max_throttle_retries:
                    raise
            else:
                if self.on_answer is not None:
                    try:
                        self.on_answer()
                    except Exception:  # noqa: BLE001 - bookkeeping; the answer itself is good
                        log.exception("Could not record the contact of %s", self.name)
                return body

    def _send(self, method: str, url: str, params: Mapping[str, Any] | None, raw: bytes | None,
              headers: Mapping[str, str] | None, token: str | None) -> Any:
        sent = {"Accept": "application/json", **(dict(self.auth_headers(token)) if token else {}),
                **dict(headers or {})}
        if raw is not None:
            sent["Content-Type"] = "application/json"
        where = f"{method} {url.split('?')[0]}"
        try:
            response = self.session.request(method, url, params=params, data=raw, headers=sent,
                                            timeout=self.timeout, allow_redirects=False)
            content = response.content
        except requests.Timeout as exc:
            raise RetryableError(f"{self.name} did not answer in time ({where})", code="store_timeout") from exc
        except requests.RequestException as exc:
            raise RetryableError(f"{self.name} could not be reached ({where}): {type(exc).__name__}",
                                 code="store_unreachable") from exc
        body: Any = None
        decoded = True
        if content:
            try:
                body = json.loads(content)
            except ValueError:
                decoded = False
        details = {"platform": self.name, "http_status": response.status_code, "call": where}
        if self.limiter is not None and self.budget is not None:
            self.limiter.observe(self.key, self.budget(response, body))
        status = response.status_code
        wait = self.throttled(response, body) if self.throttled is not None and status < 300 else None
        if status == 429 or wait is not None:
            if wait is None:
                budget = self.budget(response, body) if self.budget is not None else None
                wait = retry_after(response) or (budget.reset_after if budget else None) or 1.0
            raise RateLimitedError(f"{self.name} asked the hub to slow down ({where})", retry_after=wait,
                                   code="store_rate_limited", details=details)
        said = _message(body) if decoded else None
        if status == 401:
            raise AuthError(f"{self.name} refused the app's access token" + (f": {said}" if said else ""),
                            code="store_unauthorized", details=details)
        if status == 403:
            raise AuthError(f"{self.name} refused access" + (f": {said}" if said else "") +
                            " (the app may lack a permission)", code="store_forbidden", details=details)
        if status >= 500 or status in (408, 502, 503, 504):
            raise RetryableError(f"{self.name} failed with HTTP {status} ({where})", code="store_unavailable",
                                 details=details)
        if status >= 400:
            # The platform's own answer goes with the error, so a connector can tell its refusals apart
            # (which field, which product) without parsing the message.
            raise DataError(said or f"{self.name} refused the request with HTTP {status} ({where})",
                            code="store_not_found" if status == 404 else "store_refused",
                            details={**details, "answer": body})
        if not decoded:
            raise RetryableError(f"{self.name} sent an answer that is not JSON or was cut off ({where})",
                                 code="store_bad_answer", details=details)
        return body


def _message(body: Any) -> str | None:
    """The platform's own words for a refusal, from the usual places (an object, or a list of error
    objects as BigCommerce's v2 API answers)."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        said = [m for m in (_message(item) for item in body[:5]) if m]
        return "; ".join(said)[:500] or None
    if isinstance(body, dict):
        for key in ("message", "error_description", "title", "detail", "error", "errors"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:500]
            if isinstance(value, (list, dict)) and value:
                return json.dumps(value)[:500]
    return None
