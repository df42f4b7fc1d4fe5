"""Price/stock jobs: push one product, reconcile one store, and the periodic reconciliation tick.

Thin by design: load the runtime, call the sync role, return its outcome (kept as the job result for
operators). Retryable errors propagate so RQ's retry with backoff handles them; data and auth
problems are recorded by the role and end the job normally.

The periodic tick re-schedules itself under a time-slot id (`reconcile-all-<slot>`), so any number of
workers calling `ensure_periodic` at start-up schedule it once, and a worker restart never loses it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any


from hub.jobs.periodic import schedule_next_slot

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.jobs.stock")

RECONCILE_INTERVAL = 300.0
TICK_JOB = "hub.jobs.stock.reconcile_tick"


def push_stock(store_id: str, product_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.stock.pusher import push_product

    outcome = push_product(current(), store_id, product_id)
    if outcome.problems:
        log.warning("Product %s of store %s: %s", product_id, store_id,
                    "; ".join(p.message for p in outcome.problems))
    return outcome.as_dict()


def reconcile_store_job(store_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.stock.reconcile import reconcile_store

    return reconcile_store(current(), store_id).as_dict()


def reconcile_merchant_job(merchant_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.stock.reconcile import reconcile_merchant

    return {store_id: report.as_dict() for store_id, report in reconcile_merchant(current(), merchant_id).items()}


def _interval(runtime: "Runtime") -> float:
    return float(getattr(runtime.settings, "reconcile_interval_seconds", None) or RECONCILE_INTERVAL)


def schedule_next_tick(runtime: "Runtime", interval: float | None = None) -> str:
    """Schedule the tick for the next time slot unless it is scheduled already; returns its job id."""
    return schedule_next_slot(runtime, "reconcile-all", TICK_JOB, interval or _interval(runtime))


def reconcile_tick(interval: float | None = None) -> int:
    """Fan out one reconciliation per store, and always schedule the next tick."""
    from hub.runtime import current
    from hub.sync.stock.reconcile import reconcile_all

    runtime = current()
    try:
        return reconcile_all(runtime)
    finally:
        schedule_next_tick(runtime, interval)


def away_check_tick(interval: float | None = None) -> list[str]:
    """Mark stores that went silent or were disconnected away, and always schedule the next check."""
    from hub.runtime import current
    from hub.sync.stock import away

    runtime = current()
    try:
        return away.check_all(runtime)
    finally:
        schedule_next_slot(runtime, "store-away-check", away.CHECK_JOB, interval or away.CHECK_INTERVAL)


def store_away_job(store_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.stock import away

    return away.take_off_sale(current(), store_id)


def store_back_job(store_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.stock import away

    return away.restore(current(), store_id)


def warm_up() -> None:
    """Import what the jobs need in the worker's main process.

    RQ's default worker forks a work horse per job; modules the parent has not imported are imported
    again in every horse (about a second here), which alone would break "within seconds" latency.
    """
    import hub.sync.stock.pusher  # noqa: F401
    import hub.sync.stock.reconcile  # noqa: F401
    import hub.tiktok.connection  # noqa: F401
    import hub.tiktok.products  # noqa: F401


def ensure_periodic(runtime: "Runtime") -> str:
    """Called by `hub worker` at start-up: warm the job imports and schedule the reconciliation tick."""
    from hub.sync.stock import away

    warm_up()
    schedule_next_slot(runtime, "store-away-check", away.CHECK_JOB, away.CHECK_INTERVAL)
    return schedule_next_tick(runtime)
