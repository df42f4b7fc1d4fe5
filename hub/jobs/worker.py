"""`hub worker`: an RQ worker on every queue in priority order, with RQ's scheduler for delayed jobs.

It is a SimpleWorker: jobs run in the worker process itself instead of a fork per job. A forked
work-horse re-imports the sync modules (image, HTML and TikTok code: seconds per job) and opens new
database and Redis connections every time; in-process jobs keep all of that warm, which is what keeps
price and stock propagation within a second. Job time limits still apply (RQ's signal-based timeout).
The job modules are imported once at start so the first job is as fast as the rest.
"""

from __future__ import annotations

from typing import Sequence

from rq import SimpleWorker

from hub.jobs import orders, products, stock, stores, tiktok_notifications
from hub.queues import all_queues
from hub.runtime import Runtime

JOB_MODULES = (products, stock, orders, tiktok_notifications, stores)


def preload() -> None:
    """The job modules are imported with this module, so a missing one fails `hub worker` at start."""


def start_periodic_jobs(runtime: Runtime) -> None:
    """Periodic jobs reschedule themselves; each start call coalesces on a fixed job id, so every
    worker may call it and exactly one chain runs."""
    from hub.jobs import alerts, orders, products, stock, stores
    from hub.jobs.orders import schedule_polling

    schedule_polling(runtime, delay=0)
    products.ensure_periodic(runtime)  # listing planner, review poll
    stock.ensure_periodic(runtime)  # price/stock reconciliation
    stores.ensure_periodic(runtime)  # hosted stores: "changed since" sweep
    orders.ensure_retention(runtime)  # buyer data erased, handled records pruned
    alerts.ensure_periodic(runtime)  # e-mail digest of new alerts


def run_worker(runtime: Runtime, *, burst: bool = False, with_scheduler: bool = True,
               queues: Sequence[str] = ()) -> bool:
    """Work the hub's queues in priority order: all of them, or only `queues` (a worker host per queue)."""
    from hub.stores.registry import load

    load()  # hosted connectors from their entry points, before the first job needs one
    preload()
    if with_scheduler and not burst:
        start_periodic_jobs(runtime)
    listened = [q for q in all_queues(runtime.redis) if not queues or q.name in queues]
    worker = SimpleWorker(listened, connection=runtime.redis)
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")
