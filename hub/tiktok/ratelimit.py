"""Per shop and endpoint request budget shared by every worker process (docs/architecture.md).

TikTok counts requests per app + shop + API (default 50/s) and answers 429 beyond that. Many RQ
workers on many machines call the same shop, so the budget lives in Redis: a `limits` moving window
for the steady rate, plus a pause key that a 429 sets for `Retry-After` seconds so that every worker
backs off together instead of each discovering the limit on its own. Callers *wait* for capacity
(bounded by `max_wait`), because a short wait is cheaper than failing a job and retrying it later.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import redis
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from hub.errors import RateLimitedError

PAUSE_PREFIX = "hub:tiktok:pause"
# Per hour (UTC, "%Y%m%d%H"), a hash of `<shop>:waits`, `<shop>:waited` (seconds) and `<shop>:429s`, kept
# two days: what `hub status` shows an operator about the budget (docs/operations.md).
WAITS_PREFIX = "hub:tiktok:waits"
WAITS_TTL = 2 * 24 * 3600


def waits_key(at: float | None = None) -> str:
    return f"{WAITS_PREFIX}:{time.strftime('%Y%m%d%H', time.gmtime(time.time() if at is None else at))}"


def record_wait(connection: redis.Redis, shop: str, seconds: float = 0.0, *, refused: bool = False) -> None:
    """Count a wait for the budget (or a 429): one small pipeline, only when there was one."""
    key = waits_key()
    pipe = connection.pipeline(transaction=False)
    if refused:
        pipe.hincrby(key, f"{shop}:429s", 1)
    else:
        pipe.hincrby(key, f"{shop}:waits", 1)
        pipe.hincrbyfloat(key, f"{shop}:waited", round(seconds, 3))
    pipe.expire(key, WAITS_TTL)
    pipe.execute()


def rate_item(per_second: float) -> RateLimitItem:
    """A `limits` item for a possibly fractional rate (TikTok's dynamic limits can go below 1/s)."""
    if per_second <= 0:
        raise ValueError("The TikTok rate limit must be positive")
    if per_second >= 1 and float(per_second).is_integer():
        return RateLimitItemPerSecond(int(per_second), 1, namespace="TIKTOK")
    # e.g. 0.2/s -> 1 per 5 s; 2.5/s -> 5 per 2 s (smallest whole window that keeps the exact rate).
    for window in range(1, 61):
        amount = per_second * window
        if amount >= 1 and math.isclose(amount, round(amount), rel_tol=1e-9):
            return RateLimitItemPerSecond(int(round(amount)), window, namespace="TIKTOK")
    return RateLimitItemPerSecond(max(1, int(per_second * 60)), 60, namespace="TIKTOK")


@dataclass
class RateLimiter:
    """Blocking acquire on a Redis-backed moving window; one instance may serve many shops."""

    connection: redis.Redis
    per_second: float = 50.0
    max_wait: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    per_endpoint: dict[str, float] | None = None

    def __post_init__(self) -> None:
        pool = self.connection.connection_pool
        self._storage = RedisStorage("redis://", connection_pool=pool, key_prefix="hub:tiktok:rl")
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._items: dict[str, RateLimitItem] = {}

    def _item(self, endpoint: str) -> RateLimitItem:
        rate = (self.per_endpoint or {}).get(endpoint, self.per_second)
        key = repr(rate)
        if key not in self._items:
            self._items[key] = rate_item(rate)
        return self._items[key]

    @staticmethod
    def _pause_key(shop: str, endpoint: str) -> str:
        return f"{PAUSE_PREFIX}:{shop}:{endpoint}"

    def acquire(self, shop: str, endpoint: str) -> float:
        """Wait until this shop may call this endpoint; returns the seconds waited.

        Raises `RateLimitedError` (with the remaining wait as `retry_after`) when capacity does not come
        within `max_wait`, so the job is rescheduled instead of holding a worker for minutes.
        """
        item = self._item(endpoint)
        started = time.monotonic()
        deadline = started + self.max_wait
        slept = False
        while True:
            pause_ms = self.connection.pttl(self._pause_key(shop, endpoint))
            if pause_ms and pause_ms > 0:
                wait = pause_ms / 1000.0
            elif self._limiter.hit(item, shop, endpoint):
                waited = time.monotonic() - started
                if slept:
                    record_wait(self.connection, shop, waited)
                return waited
            else:
                reset = self._limiter.get_window_stats(item, shop, endpoint).reset_time
                wait = min(max(reset - time.time(), 0.001), float(item.get_expiry()))
            remaining = deadline - time.monotonic()
            if wait > remaining:
                record_wait(self.connection, shop, time.monotonic() - started)
                raise RateLimitedError(f"TikTok request budget for {endpoint} is used up",
                                       retry_after=round(wait, 3), code="tiktok_rate_limited",
                                       details={"endpoint": endpoint, "waited": round(self.max_wait - remaining, 3)})
            self.sleep(wait)
            slept = True

    def pause(self, shop: str, endpoint: str, seconds: float | None) -> None:
        """Feed a 429 back: every worker holds this shop+endpoint until `Retry-After` has passed."""
        seconds = 1.0 if seconds is None else max(float(seconds), 0.05)
        record_wait(self.connection, shop, refused=True)
        key = self._pause_key(shop, endpoint)
        ms = int(seconds * 1000)
        # Never shorten a longer pause another worker already set.
        current = self.connection.pttl(key)
        if current is None or current < ms:
            self.connection.set(key, "1", px=ms)

    def paused_for(self, shop: str, endpoint: str) -> float:
        ms = self.connection.pttl(self._pause_key(shop, endpoint))
        return ms / 1000.0 if ms and ms > 0 else 0.0
