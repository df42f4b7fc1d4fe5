"""`hub worker`: an RQ worker on every queue in priority order, that outlives Redis outages, with the
hub's own scheduler for delayed and periodic jobs.

It is a SimpleWorker: jobs run in the worker process itself instead of a fork per job. A forked
work-horse re-imports the sync modules (image, HTML and TikTok code: seconds per job) and opens new
database and Redis connections every time; in-process jobs keep all of that warm, which is what keeps
price and stock propagation within a second. Job time limits still apply (RQ's signal-based timeout).
The job modules are imported once at start so the first job is as fast as the rest.

RQ's worker quits on the first Redis error ("found an unhandled exception, quitting"). `run_worker`
supervises it instead: when Redis goes away it logs the outage once, waits for Redis (starting the
embedded server again on its fixed address if that is the one in use), checks every `RECONNECT_MAX`
seconds at most, then runs the catch-up sweep (hub/sync/catchup.py) and a fresh RQ worker. Delayed
jobs are moved onto their queues by `HubScheduler` (hub/jobs/scheduler.py), not RQ's scheduler, so a
killed worker stops them for seconds, not ten minutes.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from typing import Any, Sequence

import redis
from rq import SimpleWorker

from hub.jobs import orders, products, stock, stores, tiktok_notifications
from hub.heap import freeze_startup_heap
from hub.jobs.scheduler import HubScheduler
from hub.queues import (ORDERS, PRICE, PRIORITY, STOCK, STOCK_BULK, STOCK_BULK_LANES, all_queues, lanes_of,
                        position_of)
from hub.runtime import Runtime

JOB_MODULES = (products, stock, orders, tiktok_notifications, stores)
RECONNECT_MAX = 2.0  # seconds between Redis checks during an outage: work resumes within this of its end
SWEEP_EVERY = 60.0  # the catch-up sweep also runs this often, for jobs lost without an outage (a SIGKILL)

log = logging.getLogger("hub.jobs.worker")


PUSH_LANES = (STOCK, STOCK_BULK, PRICE)


def look_order(after: str, next_bulk: int = 0) -> list[str]:
    """The RQ queues a worker looks at, in order, for its next job after one from queue `after`.

    Orders and the push lanes take turns (`HubWorker`); the bulk lanes are looked at starting with lane
    `next_bulk`, the one after the lane of the worker's last bulk job, so storming stores take turns.
    """
    position = position_of(after)
    if position == ORDERS:
        names = [*PUSH_LANES, ORDERS]
    elif position in PUSH_LANES:
        names = [ORDERS, *PUSH_LANES]
    else:
        names = []
    start = next_bulk % len(STOCK_BULK_LANES)
    bulk = [*STOCK_BULK_LANES[start:], *STOCK_BULK_LANES[:start]]
    positions = names + [name for name in PRIORITY if name not in names]
    return [name for p in positions for name in (bulk if p == STOCK_BULK else lanes_of(p))]


def next_bulk_after(queue_name: str, current: int = 0) -> int:
    """Where the worker's next look at the bulk lanes starts: after the lane it just took a job from."""
    if queue_name in STOCK_BULK_LANES:
        return (STOCK_BULK_LANES.index(queue_name) + 1) % len(STOCK_BULK_LANES)
    return current


class HubWorker(SimpleWorker):
    """Queues in priority order, except that orders and price/stock pushes take turns, and so do the
    bulk lanes.

    Strict priority let a burst of orders starve every push: 100 waiting order jobs held a stock change
    back for 54 s, long enough to oversell. After an order job the push lanes come first for the next
    job, and after a push the orders do, so neither waits behind more than one job of the other; the
    rest (details, new listings, maintenance) still waits for both. After a job from bulk lane i the
    next look at the bulk lanes starts at lane i+1: two storming stores (on lanes of their own,
    hub/sync/stock/lanes.py) get one job each in turn, so both their TikTok shops' budgets are used.
    """

    stop_signalled = False
    next_bulk = 0

    def request_stop(self, signum: Any, frame: Any) -> None:
        """SIGTERM/SIGINT end the worker for good: RQ returns from `work` the same way when Redis went
        away, and only this flag tells the supervisor not to start the loop again (an idle worker's
        stop sets none of RQ's own flags)."""
        self.stop_signalled = True
        super().request_stop(signum, frame)

    def reorder_queues(self, reference_queue: Any) -> None:
        self.next_bulk = next_bulk_after(reference_queue.name, self.next_bulk)
        by_name = {q.name: q for q in self.queues}
        self._ordered_queues = [by_name[name] for name in look_order(reference_queue.name, self.next_bulk)
                                if name in by_name]


def preload() -> None:
    """The job modules are imported with this module, so a missing one fails `hub worker` at start."""


def start_periodic_jobs(runtime: Runtime) -> None:
    """Periodic jobs reschedule themselves under time-slot ids, so every worker may call this (the hub
    scheduler does, every few seconds) and exactly one chain of each runs."""
    from hub.jobs import alerts, orders, products, stock, stores
    from hub.jobs.orders import schedule_polling

    schedule_polling(runtime)
    products.ensure_periodic(runtime)  # listing planner, review poll
    stock.ensure_periodic(runtime)  # price/stock reconciliation
    stores.ensure_periodic(runtime)  # hosted stores: "changed since" sweep
    orders.ensure_retention(runtime)  # buyer data erased, handled records pruned
    alerts.ensure_periodic(runtime)  # e-mail digest of new alerts


def catch_up(runtime: Runtime) -> None:
    """Enqueue what the database still calls for; one worker at a time does it (a short Redis lock)."""
    from hub.sync.catchup import sweep

    lock = runtime.redis.lock("hub:catchup", timeout=120, blocking=False)
    if not lock.acquire():
        return
    try:
        sweep(runtime)
    finally:
        try:
            lock.release()
        except redis.RedisError:
            pass


def chains_and_sweep(runtime: Runtime) -> None:
    """What the scheduler holder checks every few seconds: the periodic chains, and now and then the sweep."""
    start_periodic_jobs(runtime)
    last = runtime.cache.get("catchup_at", 0.0)
    if time.monotonic() - last >= SWEEP_EVERY:
        runtime.cache["catchup_at"] = time.monotonic()
        catch_up(runtime)


def wait_for_redis(runtime: Runtime, stopping: threading.Event) -> bool:
    """Block until Redis answers (True) or the worker is asked to stop (False)."""
    delay = 0.25
    while not stopping.is_set():
        if runtime.redis_reachable(restart=True):
            return True
        stopping.wait(delay)
        delay = min(delay * 2, RECONNECT_MAX)
    return False


def _watch(runtime: Runtime, stopping: threading.Event) -> None:
    """Ping Redis every second: starts the embedded server again if it died while RQ sat in its own
    reconnect loop, and sweeps once Redis is back after an outage."""
    while not stopping.wait(1.0):
        was_down = runtime.outage.down
        if runtime.redis_reachable(restart=True) and was_down:
            try:
                start_periodic_jobs(runtime)
                catch_up(runtime)
            except Exception:  # noqa: BLE001 - Redis went again, or a bad row: the next recovery retries
                log.exception("The catch-up sweep after the Redis outage failed")


def run_worker(runtime: Runtime, *, burst: bool = False, with_scheduler: bool = True,
               queues: Sequence[str] = ()) -> bool:
    """Work the hub's queues in priority order: all of them, or only `queues` (a worker host per queue)."""
    from hub.stores.registry import load

    load()  # hosted connectors from their entry points, before the first job needs one
    preload()
    if burst:
        worker = HubWorker(_listened(runtime, queues), connection=runtime.redis)
        return worker.work(burst=True, with_scheduler=with_scheduler, logging_level="INFO")
    freeze_startup_heap()  # a process that works until stopped (hub/heap.py)
    return _supervise(runtime, with_scheduler=with_scheduler, queues=queues)


def _listened(runtime: Runtime, queues: Sequence[str]) -> list[Any]:
    """The RQ queues of the named priority positions (`stock-bulk`: every bulk lane), or all of them."""
    return all_queues(runtime.redis, queues or PRIORITY)


def _supervise(runtime: Runtime, *, with_scheduler: bool, queues: Sequence[str] = ()) -> bool:
    stopping = threading.Event()

    def stop(*_: Any) -> None:
        stopping.set()
        raise SystemExit(0)

    scheduler = HubScheduler(runtime, chains_and_sweep) if with_scheduler else None
    threading.Thread(target=_watch, args=(runtime, stopping), name="redis watch", daemon=True).start()
    worked = False
    try:
        while not stopping.is_set():
            signal.signal(signal.SIGTERM, stop)  # RQ puts in its own handlers while it works
            signal.signal(signal.SIGINT, stop)
            if not wait_for_redis(runtime, stopping):
                break
            try:
                if scheduler is not None:
                    start_periodic_jobs(runtime)
                    scheduler.start()
                catch_up(runtime)
                runtime.cache["catchup_at"] = time.monotonic()
                worker = HubWorker(_listened(runtime, queues), connection=runtime.redis)
                worker.max_connection_wait_time = int(RECONNECT_MAX)
                worked = worker.work(burst=False, with_scheduler=False, logging_level="INFO") or worked
                if worker.stop_signalled or worker._stop_requested:
                    break
            except (redis.ConnectionError, redis.TimeoutError) as error:
                runtime.outage.failed(error)
            if not runtime.redis_reachable():
                log.warning("The worker lost Redis; it waits for it and starts again")
            stopping.wait(1.0)  # whatever ended RQ's loop, never restart it in a tight loop
    except SystemExit:
        pass
    finally:
        stopping.set()
        if scheduler is not None:
            scheduler.stop()
    sys.stdout.flush()
    return worked
