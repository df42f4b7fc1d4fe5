"""Running and watching the hub's RQ jobs: in the test process (burst workers) or in `hub worker`s.

"The jobs are done" is the end state most tests wait for; it is defined once here: no job queued,
deferred, running or scheduled on any queue, leaving out the periodic chains (the maintenance ticks
and the next order search), which always have their next run scheduled.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rq import SimpleWorker
from rq.registry import DeferredJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from hub.queues import MAINTENANCE, all_queues

if TYPE_CHECKING:
    from hub.runtime import Runtime


def _periodic(job_id: str) -> bool:
    from hub.jobs.orders import POLL_JOB_ID

    return job_id.startswith(POLL_JOB_ID)


def pending_jobs(runtime: "Runtime") -> int:
    """Jobs still to run or running, periodic chains left out."""
    total = 0
    for q in all_queues(runtime.redis):
        total += q.count + StartedJobRegistry(queue=q).count + DeferredJobRegistry(queue=q).count
        if q.name != MAINTENANCE:
            total += sum(1 for job_id in ScheduledJobRegistry(queue=q).get_job_ids() if not _periodic(job_id))
    return total


def work(runtime: "Runtime") -> None:
    """Run every queued job in this process until the queues are empty (RQ's burst mode, no scheduler)."""
    SimpleWorker(all_queues(runtime.redis), connection=runtime.redis).work(
        burst=True, with_scheduler=False, logging_level="WARNING")


def drain(runtime: "Runtime", timeout: float = 30.0) -> None:
    """Run a real RQ worker (burst, with its scheduler) in this process until no job is waiting,
    running or scheduled: retries and delayed follow-ups included."""
    deadline = time.monotonic() + timeout
    queues = all_queues(runtime.redis)
    while True:
        SimpleWorker(queues, connection=runtime.redis).work(burst=True, with_scheduler=True, logging_level="WARNING")
        left = pending_jobs(runtime)
        if not left:
            return
        assert time.monotonic() < deadline, f"jobs still pending after {timeout} s: {left}"
        time.sleep(0.1)
