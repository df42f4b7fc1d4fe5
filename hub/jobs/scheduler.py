"""The hub's scheduler: moves due delayed jobs (retries, periodic ticks, the next order search) onto
their queues, run by exactly one worker at a time, taken over within seconds when that worker dies.

RQ's own scheduler holds a lock for 61 s and other workers look for a free lock only every 10 minutes,
so a SIGKILL of the worker holding it stopped every retry and periodic job for 10–14 minutes. Here
every `hub worker` runs this loop in a thread; the one holding `hub:scheduler:lock` (10 s, renewed
every second) enqueues due jobs with RQ's own code, and every few seconds makes sure each periodic
chain has its next run scheduled (a chain whose job died with its worker is started again). Another
worker takes the lock within `LOCK_TTL` + `TICK` seconds of the holder's death.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from typing import TYPE_CHECKING, Callable

import redis
from rq.scheduler import RQScheduler

from hub.queues import QUEUE_NAMES

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.jobs.scheduler")

LOCK_KEY = "hub:scheduler:lock"
LOCK_TTL = 10.0
TICK = 1.0
CHAINS_EVERY = 10.0
# Take the lock if it is free, renew it if it is ours; 1 when we hold it afterwards.
_HOLD = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def holder(connection: redis.Redis) -> str | None:
    """`host:pid:token` of the process now running the scheduler (operators and tests ask)."""
    value = connection.get(LOCK_KEY)
    return value.decode() if isinstance(value, bytes) else value


class HubScheduler:
    def __init__(self, runtime: "Runtime", ensure_chains: Callable[["Runtime"], None]):
        self.runtime = runtime
        self.ensure_chains = ensure_chains
        self.token = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rq: RQScheduler | None = None
        self._chains_at = 0.0
        self.holding = False

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="hub scheduler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        try:
            self.runtime.redis.eval(_RELEASE, 1, LOCK_KEY, self.token)
        except redis.RedisError:
            pass

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as error:  # noqa: BLE001 - Redis away or a bad job: keep the loop alive
                if not isinstance(error, redis.RedisError):
                    log.exception("Scheduler tick failed")
                self.holding = False
            self._stop.wait(TICK)

    def tick(self) -> None:
        connection = self.runtime.redis
        held = bool(connection.eval(_HOLD, 1, LOCK_KEY, self.token, int(LOCK_TTL * 1000)))
        if held and not self.holding:
            log.info("This worker now runs the scheduler (%s)", self.token)
        self.holding = held
        if not held:
            return
        if self._rq is None:
            self._rq = RQScheduler(list(QUEUE_NAMES), connection=connection)  # every bulk lane too
            self._rq.prepare_registries(list(QUEUE_NAMES))
        self._rq.enqueue_scheduled_jobs()
        if time.monotonic() - self._chains_at >= CHAINS_EVERY:
            self.ensure_chains(self.runtime)
            self._chains_at = time.monotonic()
