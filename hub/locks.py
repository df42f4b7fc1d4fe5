"""A Redis lock that stays short-lived however long the work under it runs.

A lock held by a process that is killed must free itself soon, or the work it guards stops for as long
as its time-to-live; a short time-to-live alone would expire under a long run. So the holder renews it
from a thread every third of its life: if the holder dies, the lock is gone within `ttl` seconds.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

import redis


@contextmanager
def renewed_lock(connection: redis.Redis, key: str, *, ttl: float = 15.0,
                 blocking_timeout: float | None = None) -> Iterator[bool]:
    """Hold `key` while the block runs; yields False (and runs the block unlocked) if it could not be
    taken within `blocking_timeout` (None: wait as long as it takes), so the caller decides."""
    # thread_local=False: the renewing thread must see the token the acquiring thread got.
    lock = connection.lock(key, timeout=ttl, blocking=blocking_timeout != 0,
                           blocking_timeout=blocking_timeout, thread_local=False)
    if not lock.acquire():
        yield False
        return
    done = threading.Event()

    def renew() -> None:
        while not done.wait(ttl / 3):
            try:
                lock.reacquire()
            except redis.RedisError:
                return  # lost (expired or Redis gone): the guarded work finishes; others may start

    keeper = threading.Thread(target=renew, name=f"lock {key}", daemon=True)
    keeper.start()
    try:
        yield True
    finally:
        done.set()
        try:
            lock.release()
        except redis.RedisError:
            pass  # already expired or Redis gone: nothing to release
