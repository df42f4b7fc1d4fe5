"""RQ queues by priority and coalescing enqueue with deterministic job ids (design §8).

Workers listen to the queues in `PRIORITY` order, so orders and stock never wait behind a big batch
of new listings. `enqueue_coalesced` turns a burst of changes to one product into one job that reads
the latest state when it runs; a change that lands while that job is already running gets exactly one
follow-up job, so no change is ever missed.
"""

from __future__ import annotations

import secrets
from typing import Any, Callable

import redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

ORDERS, STOCK, PRICE, DETAILS, LISTINGS, MAINTENANCE = "orders", "stock", "price", "details", "listings", "maintenance"
PRIORITY = (ORDERS, STOCK, PRICE, DETAILS, LISTINGS, MAINTENANCE)

_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def queue(name: str, connection: redis.Redis) -> Queue:
    if name not in PRIORITY:
        raise ValueError(f"Unknown queue {name!r}")
    return Queue(name, connection=connection)


def all_queues(connection: redis.Redis) -> list[Queue]:
    return [Queue(name, connection=connection) for name in PRIORITY]


def _status(job_id: str, connection: redis.Redis) -> JobStatus | None:
    try:
        return Job.fetch(job_id, connection=connection).get_status(refresh=True)
    except NoSuchJobError:
        return None


def enqueue_coalesced(queue_name: str, func: Callable[..., Any] | str, job_id: str, *args: Any,
                      connection: redis.Redis, **options: Any) -> Job:
    """Enqueue `func` under `job_id` unless an identical job is already waiting.

    While a job with that id is running, the follow-up goes under `<job_id>-next` (itself coalesced).
    A short Redis lock makes the check-and-enqueue atomic across web processes and workers.
    """
    q = queue(queue_name, connection)
    with connection.lock(f"hub:coalesce:{job_id}", timeout=10, blocking_timeout=10):
        for candidate in (job_id, f"{job_id}-next"):
            status = _status(candidate, connection)
            if status in _WAITING:
                return Job.fetch(candidate, connection=connection)
            if status == JobStatus.STARTED:
                continue
            if status is not None:
                Job.fetch(candidate, connection=connection).delete()
            return q.enqueue(func, *args, job_id=candidate, **options)
        # Both the job and its follow-up are running and either may have read state older than this
        # change: a uniquely named extra run is the rare price of never missing it.
        return q.enqueue(func, *args, job_id=f"{job_id}-{secrets.token_hex(4)}", **options)
