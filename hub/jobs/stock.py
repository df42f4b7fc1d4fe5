"""Price/stock jobs: push one product, reconcile one store, and the periodic reconciliation tick.

Thin by design: load the runtime, call the sync role, return its outcome (kept as the job result for
operators). Retryable errors propagate so RQ's retry with backoff handles them; data and auth
problems are recorded by the role and end the job normally.

The periodic tick re-schedules itself under a time-slot id (`reconcile-all-<slot>`), so any number of
workers calling `ensure_periodic` at start-up schedule it once, and a worker restart never loses it.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any


from rq import get_current_job

from hub.jobs.periodic import schedule_next_slot
from hub.queues import STOCK_BULK_LANES, claim_next, enqueue_coalesced
from hub.sync.stock.schedule import (JOB_OPTIONS, PUSH_ID_PREFIX, PUSH_JOB, RETRY, push_job_id,
                                     push_job_prefix)

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.jobs.stock")

RECONCILE_INTERVAL = 300.0
TICK_JOB = "hub.jobs.stock.reconcile_tick"


# After its own product, a push job also runs the push jobs that the worker would take next anyway, for
# at most this long and this many: each costs one Redis round trip instead of RQ's two dozen, over the
# shop's kept TikTok connection. Bounded so that orders and other lanes, which are looked at before
# every one of them, never wait longer than this behind a storm.
BATCH_SECONDS = 2.0
BATCH_MAX = 100


def push_stock(store_id: str, product_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.stock.pusher import push_product

    runtime = current()
    outcome = push_product(runtime, store_id, product_id)
    _log_problems(store_id, product_id, outcome)
    result = outcome.as_dict()
    job = get_current_job()
    if job is not None and job.origin:
        result["then_pushed"] = push_waiting(runtime, store_id, job.origin)
    return result


def _log_problems(store_id: str, product_id: str, outcome: Any) -> None:
    if outcome.problems:
        log.warning("Product %s of store %s: %s", product_id, store_id,
                    "; ".join(p.message for p in outcome.problems))


def _next_in_line(queue_name: str, store_id: str) -> tuple[list[str], list[str], str]:
    """After a push from `queue_name`: the queues that must be empty (looked at first), the queues whose
    head the worker would take next, in order, and the id prefix of the pushes that may be taken.

    On `stock` and `price` that is the same store's next push on the same queue. On a bulk lane it is
    the head of the next non-empty bulk lane after this one, whichever storming store's it is: the
    worker takes the lanes in turn (hub/jobs/worker.py), and so does the batch, so two storming shops'
    pushes alternate within one job as they would between jobs.
    """
    from hub.jobs.worker import look_order, next_bulk_after

    order = look_order(queue_name, next_bulk_after(queue_name))
    if queue_name in STOCK_BULK_LANES:
        first = next(i for i, name in enumerate(order) if name in STOCK_BULK_LANES)
        return order[:first], [name for name in order if name in STOCK_BULK_LANES], PUSH_ID_PREFIX
    ahead = order[:order.index(queue_name)] if queue_name in order else order
    return ahead, [queue_name], push_job_prefix(store_id)


def push_waiting(runtime: "Runtime", store_id: str, queue_name: str) -> list[str]:
    """Run the push jobs the worker would take next after this one here, while nothing else is due first.

    Each is taken out of RQ before its product is read (`claim_next`), so a change arriving meanwhile
    enqueues a new job: coalescing is as for a job RQ runs. A product another run holds, or one that
    fails, goes back to a job of its own on its queue (with RQ's retries) and ends the batch. A worker
    killed mid-run leaves its products to the catch-up sweep, which finds their pushed version behind
    the store's as for any lost job (hub/sync/catchup.py). Returns the job ids run.
    """
    from hub.sync.stock.pusher import push_product

    done: list[str] = []
    deadline = time.monotonic() + BATCH_SECONDS
    lane = queue_name
    while len(done) < BATCH_MAX and time.monotonic() < deadline:
        ahead, candidates, prefix = _next_in_line(lane, store_id)
        claimed = claim_next(candidates, PUSH_JOB, prefix, ahead=ahead, connection=runtime.redis)
        if claimed is None:
            break
        lane, job_id, args = claimed
        other_store, product_id = str(args[0]), str(args[1])
        try:
            outcome = push_product(runtime, other_store, product_id, wait=False)
        except Exception as error:  # noqa: BLE001 - it runs again as a job of its own, with RQ's retries
            log.info("Push of product %s of store %s runs again as its own job: %s", product_id, other_store, error)
            enqueue_coalesced(lane, PUSH_JOB, push_job_id(other_store, product_id), other_store, product_id,
                              connection=runtime.redis, retry=RETRY, **JOB_OPTIONS)
            break
        _log_problems(other_store, product_id, outcome)
        done.append(job_id)
    return done


def reconcile_store_job(store_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.stock.reconcile import reconcile_store

    return reconcile_store(current(), store_id).as_dict()


def reconcile_merchant_job(merchant_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.stock.reconcile import reconcile_merchant

    return {store_id: report.as_dict()
            for store_id, report in reconcile_merchant(current(), merchant_id, in_slices=True).items()}


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
