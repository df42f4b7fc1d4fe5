"""Periodic jobs on RQ's scheduler, one chain per job however many workers start.

Each run is scheduled for the next time slot (`<name>-<slot number>`): every worker may ask for the
next run at start-up and every run schedules its successor, yet the fixed id per slot means exactly
one job per slot exists.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from rq.exceptions import NoSuchJobError
from rq.job import Job

from hub.queues import MAINTENANCE, queue

if TYPE_CHECKING:
    from hub.runtime import Runtime


def schedule_next_slot(runtime: "Runtime", name: str, func: str, interval: float) -> str:
    """Schedule `func(interval)` at the start of the next slot unless it is already; returns the job id."""
    slot = int(time.time() // interval) + 1
    job_id = f"{name}-{slot}"
    try:
        Job.fetch(job_id, connection=runtime.redis)
        return job_id
    except NoSuchJobError:
        pass
    at = datetime.fromtimestamp(slot * interval, tz=timezone.utc)
    queue(MAINTENANCE, runtime.redis).enqueue_at(at, func, interval, job_id=job_id, result_ttl=int(interval) * 2,
                                                 failure_ttl=7 * 24 * 3600)
    return job_id
