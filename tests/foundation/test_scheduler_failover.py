"""Delayed and periodic jobs resume within 30 s of the worker running the scheduler dying (issue: "the
safety net is off for 10–14 minutes after a crash": RQ's scheduler lock outlived its holder and other
workers looked for it every 10 minutes)."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

from rq.registry import ScheduledJobRegistry

from hub.jobs.scheduler import holder
from hub.queues import ORDERS, queue
from hub.runtime import Runtime
from tests.support.hub import Workers
from tests.support.waiting import wait_until


def test_a_delayed_job_runs_within_30_s_of_the_scheduler_holder_being_killed(runtime: Runtime) -> None:
    workers = Workers(runtime).start(2)
    try:
        pids = {p.pid: p for p in workers.processes}
        running = wait_until(lambda: holder(runtime.redis), 30, what="a worker running the scheduler")
        victim = int(running.split(":")[1])
        assert victim in pids
        # The periodic chains are in place before the kill, so there is something to lose.
        wait_until(lambda: any(j.startswith("order-poll-") for j in ScheduledJobRegistry(
            queue=queue(ORDERS, runtime.redis)).get_job_ids()), 30, what="the order-search chain scheduled")

        os.killpg(victim, signal.SIGKILL)
        killed = time.monotonic()
        delayed = queue(ORDERS, runtime.redis).enqueue_in(timedelta(seconds=1), "hub.jobs.orders.poll_orders", False)
        wait_until(lambda: delayed.get_status(refresh=True) == "finished", 60, what="the delayed job run")
        assert time.monotonic() - killed < 30
        survivor = holder(runtime.redis)
        assert survivor is not None and int(survivor.split(":")[1]) != victim
        # Exactly one order-search chain is still scheduled.
        chain = [j for j in ScheduledJobRegistry(queue=queue(ORDERS, runtime.redis)).get_job_ids()
                 if j.startswith("order-poll-") and not j.startswith("order-poll-now-")]
        assert len(chain) == 1, chain
    finally:
        workers.close()


def test_sigterm_stops_a_supervised_worker_idle_or_busy(runtime: Runtime) -> None:
    """Riding out Redis outages must not make a worker deaf to SIGTERM: an idle worker (RQ sets none of
    its own stop flags then) once restarted its loop and lived on, taking other runs' jobs."""
    import subprocess
    import sys

    from rq import Worker

    from tests.support.hub import hub_environ

    process = subprocess.Popen([sys.executable, "-m", "hub.cli", "worker", "--no-scheduler"],
                               env=hub_environ(runtime), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        wait_until(lambda: len(Worker.all(connection=runtime.redis)) >= 1, 60, what="the worker registered")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
