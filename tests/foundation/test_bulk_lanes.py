"""Storming stores take turns on the bulk lanes: two stores that storm at once are on different lanes,
and a worker alternates between them, so neither shop's TikTok budget sits idle behind the other's
backlog. Real Redis, real RQ workers and the real push job (hub/jobs/stock.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any
from pathlib import Path

import redis

from hub.jobs.stock import BATCH_MAX
from hub.jobs.worker import HubWorker
from hub.queues import ORDERS, STOCK, STOCK_BULK, STOCK_BULK_LANES, all_queues, queue
from hub.sync.stock.lanes import HOLDERS_KEY
from hub.sync.stock.schedule import enqueue_pushes, push_job_id, push_job_prefix
from tests.support.hub import ROOT, close_runtime, hub_environ, make_runtime

CALLS_KEY = "test:bulk-lanes:calls"


def record(tag: str, redis_url: str) -> None:
    redis.Redis.from_url(redis_url).rpush(CALLS_KEY, tag)


def _lanes_of(runtime, store_id: str) -> dict[str, int]:  # noqa: ANN001
    """Bulk lane → how many of the store's push jobs wait on it."""
    prefix = push_job_prefix(store_id)
    found = {name: sum(1 for j in queue(name, runtime.redis).job_ids if j.startswith(prefix))
             for name in STOCK_BULK_LANES}
    return {name: n for name, n in found.items() if n}


def _one_worker(runtime, jobs: int) -> None:  # noqa: ANN001
    HubWorker(all_queues(runtime.redis), connection=runtime.redis).work(
        burst=True, max_jobs=jobs, with_scheduler=False, logging_level="WARNING")


def _two_storms(runtime: Any) -> tuple[str, str]:  # noqa: ANN401
    """300 pushes of store A, then 300 of store B, each enough for a storm: the lanes they got."""
    enqueue_pushes(runtime, "st_a", [f"p{i:03}" for i in range(300)])
    enqueue_pushes(runtime, "st_b", [f"p{i:03}" for i in range(300)])
    [lane_a] = _lanes_of(runtime, "st_a")
    [lane_b] = _lanes_of(runtime, "st_b")
    return lane_a, lane_b


def test_two_storming_stores_get_their_own_bulk_lanes_and_a_quiet_store_stays_live(
        tmp_path: Path, redis_url: str) -> None:
    runtime = make_runtime(tmp_path, redis_url)
    try:
        enqueue_pushes(runtime, "st_a", [f"p{i}" for i in range(300)])
        enqueue_pushes(runtime, "st_b", [f"p{i}" for i in range(300)])
        enqueue_pushes(runtime, "st_c", ["88"])
        [(lane_a, count_a)] = _lanes_of(runtime, "st_a").items()
        [(lane_b, count_b)] = _lanes_of(runtime, "st_b").items()
        assert lane_a != lane_b and count_a == count_b == 300
        assert queue(STOCK, runtime.redis).job_ids == [push_job_id("st_c", "88")]

        # Store A's lane is given up (its storm ended a while ago) and another store takes it; when A
        # storms again, the changes to products still waiting on the old lane go into those jobs.
        runtime.redis.delete(HOLDERS_KEY)
        enqueue_pushes(runtime, "st_d", [f"p{i}" for i in range(300)])
        enqueue_pushes(runtime, "st_a", [f"p{i}" for i in range(400)])
        lanes_a = _lanes_of(runtime, "st_a")
        assert lanes_a[lane_a] == 300 and sum(lanes_a.values()) == 400  # one job per product, no duplicate
        assert set(_lanes_of(runtime, "st_d")).isdisjoint(lanes_a)
    finally:
        close_runtime(runtime)


def test_a_worker_alternates_between_storming_stores(tmp_path: Path, redis_url: str) -> None:
    """Store A's 300 pushes are enqueued before store B's 300: B's first push runs second, not after A's
    backlog; the push job's batch (hub/jobs/stock.py) takes the stores' lanes in turn."""
    runtime = make_runtime(tmp_path, redis_url)
    try:
        lane_a, lane_b = _two_storms(runtime)
        _one_worker(runtime, 1)  # A's first push job, and the pushes it runs after its own
        done_a = 300 - _lanes_of(runtime, "st_a").get(lane_a, 0)
        done_b = 300 - _lanes_of(runtime, "st_b").get(lane_b, 0)
        assert push_job_id("st_b", "p000") not in queue(lane_b, runtime.redis).job_ids
        assert done_b >= 1 and done_a - done_b in (0, 1)  # A, B, A, B, ...: never two of A's in a row
        assert 300 - done_a >= 300 - BATCH_MAX  # most of A's backlog is still waiting
        assert queue(lane_a, runtime.redis).job_ids[0] == push_job_id("st_a", f"p{done_a:03}")  # in their order
    finally:
        close_runtime(runtime)


def test_between_jobs_a_worker_starts_at_the_bulk_lane_after_its_last_one(tmp_path: Path, redis_url: str) -> None:
    """Waiting orders end each push job's batch at once; the worker still alternates the storming stores."""
    runtime = make_runtime(tmp_path, redis_url)
    try:
        lane_a, lane_b = _two_storms(runtime)
        for n in range(3):
            queue(ORDERS, runtime.redis).enqueue(record, f"order {n}", redis_url, job_id=f"order-{n}")
        _one_worker(runtime, 4)  # a push, an order, a push, an order
        assert _lanes_of(runtime, "st_a") == {lane_a: 299} and _lanes_of(runtime, "st_b") == {lane_b: 299}
        assert redis.Redis.from_url(redis_url).lrange(CALLS_KEY, 0, -1) == [b"order 0", b"order 1"]
    finally:
        close_runtime(runtime)


def test_a_lone_storming_store_still_runs_its_next_pushes_in_one_job(tmp_path: Path, redis_url: str) -> None:
    runtime = make_runtime(tmp_path, redis_url)
    try:
        enqueue_pushes(runtime, "st_a", [f"p{i}" for i in range(300)])
        _one_worker(runtime, 1)
        assert sum(_lanes_of(runtime, "st_a").values()) < 299
    finally:
        close_runtime(runtime)


def test_hub_worker_for_the_bulk_queue_works_every_bulk_lane_and_status_counts_them(
        tmp_path: Path, redis_url: str) -> None:
    runtime = make_runtime(tmp_path, redis_url)
    try:
        for n, lane in enumerate(STOCK_BULK_LANES):
            queue(lane, runtime.redis).enqueue("hub.jobs.stock.push_stock", "st_gone", f"p{n}", job_id=f"lane-{n}")
        queue(STOCK, runtime.redis).enqueue("hub.jobs.stock.push_stock", "st_gone", "live", job_id="live-1")

        report = _hub(runtime, "status", "--json")
        rows = {q["queue"]: q for q in json.loads(report.stdout)["queues"]}
        assert rows[STOCK_BULK]["waiting"] == len(STOCK_BULK_LANES)
        assert rows[STOCK_BULK]["lanes"] == {lane: 1 for lane in STOCK_BULK_LANES}
        assert not set(STOCK_BULK_LANES[1:]) & set(rows)  # one row for the bulk lanes, not one per lane

        done = _hub(runtime, "worker", "--burst", "--no-scheduler", "--queue", STOCK_BULK)
        assert done.returncode == 0, done.stderr
        assert all(queue(lane, runtime.redis).count == 0 for lane in STOCK_BULK_LANES)
        assert queue(STOCK, runtime.redis).job_ids == ["live-1"]  # not this worker's queue
    finally:
        close_runtime(runtime)


def _hub(runtime, *args: str) -> subprocess.CompletedProcess[str]:  # noqa: ANN001
    out = subprocess.run([sys.executable, "-m", "hub.cli", *args], env=hub_environ(runtime),
                         capture_output=True, text=True, timeout=120, cwd=str(ROOT))
    assert out.returncode == 0, out.stderr
    return out


def test_a_push_retry_scheduled_on_a_bulk_lane_comes_back_to_that_lane(tmp_path: Path, redis_url: str) -> None:
    """A push that failed on a storming store's lane waits in that lane's scheduled registry; the hub's
    scheduler puts it back on the lane when its time comes."""
    from datetime import datetime, timedelta, timezone

    from hub.jobs.scheduler import HubScheduler

    runtime = make_runtime(tmp_path, redis_url)
    try:
        lane = queue(STOCK_BULK_LANES[-1], runtime.redis)
        lane.enqueue_at(datetime.now(timezone.utc) - timedelta(seconds=1), "hub.jobs.stock.push_stock", "st_a", "p1",
                        job_id=push_job_id("st_a", "p1"))
        assert lane.count == 0 and lane.scheduled_job_registry.count == 1
        HubScheduler(runtime, lambda _runtime: None).tick()
        assert lane.job_ids == [push_job_id("st_a", "p1")]
    finally:
        close_runtime(runtime)
