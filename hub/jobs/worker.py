"""`hub worker`: an RQ worker on every queue in priority order, with RQ's scheduler for delayed jobs."""

from __future__ import annotations

from rq import Worker

from hub.jobs.queues import all_queues
from hub.runtime import Runtime


def run_worker(runtime: Runtime, *, burst: bool = False, with_scheduler: bool = True) -> bool:
    worker = Worker(all_queues(runtime.redis), connection=runtime.redis)
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")
