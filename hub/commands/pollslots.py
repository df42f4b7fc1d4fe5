"""How many command long-polls may wait at once: per store (across every web process) and per process.

A waiting long-poll holds a web thread for up to 30 s. Without a limit, one store opening a hundred
polls (a misconfigured cron, a plugin stuck in a loop) took every thread of the web process, and other
stores' calls, TikTok's webhooks and the settings page queued behind them for tens of seconds. Now:

- **per store**, at most `long_polls_per_store` (2) wait at once, counted in Redis so every web
  process shares the count. Entries carry their own end time, so a process that died mid-poll frees
  its place when that time passes;
- **per process**, at most `long_polls_per_process` wait at once (`hub serve --gunicorn` sets it to half
  the threads), so the other threads are always free for everything else.

A poll over either limit is answered at once with no commands and a retry hint (`Retry-After` and
`retry_after`, `RETRY_AFTER_SECONDS`): the store's other polls are already waiting and receive any new
command the moment it exists, so nothing is delayed by the refusal. docs/extension-api.md, rule 5.
"""

from __future__ import annotations

import secrets
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

import redis

if TYPE_CHECKING:
    from hub.runtime import Runtime

RETRY_AFTER_SECONDS = 5
MARGIN_SECONDS = 15  # a poll's entry outlives its wait by this much (slow answers), then it is dropped


def _process_slots(runtime: "Runtime") -> threading.BoundedSemaphore:
    slots = runtime.cache.get("long_poll_slots")
    if slots is None:
        slots = runtime.cache.setdefault("long_poll_slots",
                                         threading.BoundedSemaphore(max(runtime.settings.long_polls_per_process, 0) or 1))
    return slots


def _key(store_id: str) -> str:
    return f"hub:longpoll:{store_id}"


def _take_store_place(connection: redis.Redis, store_id: str, token: str, wait: float, limit: int) -> bool:
    now = time.time()
    until = now + wait + MARGIN_SECONDS
    pipe = connection.pipeline(transaction=True)
    pipe.zremrangebyscore(_key(store_id), "-inf", now)
    pipe.zadd(_key(store_id), {token: until})
    pipe.zcard(_key(store_id))
    pipe.expire(_key(store_id), int(wait + MARGIN_SECONDS) + 1)
    _, _, waiting, _ = pipe.execute()
    if int(waiting) <= limit:
        return True
    connection.zrem(_key(store_id), token)
    return False


@contextmanager
def long_poll_place(runtime: "Runtime", store_id: str, wait: float) -> Iterator[bool]:
    """Yields True when this poll may wait (holding its places until the block ends), else False."""
    settings = runtime.settings
    if settings.long_polls_per_process <= 0 or settings.long_polls_per_store <= 0:
        yield False
        return
    slots = _process_slots(runtime)
    if not slots.acquire(blocking=False):
        yield False
        return
    token = secrets.token_hex(8)
    held_store_place = False
    try:
        try:
            held_store_place = _take_store_place(runtime.redis, store_id, token, wait, settings.long_polls_per_store)
            allowed = held_store_place
        except redis.RedisError:
            allowed = True  # no count without Redis; the per-process limit still protects the threads
        yield allowed
    finally:
        slots.release()
        if held_store_place:
            try:
                runtime.redis.zrem(_key(store_id), token)
            except redis.RedisError:
                pass  # the entry ends by itself at its end time


def waiting(runtime: "Runtime", store_id: str) -> int:
    """Long-polls of `store_id` waiting now (for operators and tests)."""
    return int(runtime.redis.zcount(_key(store_id), time.time(), "+inf"))
