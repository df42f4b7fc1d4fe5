"""Jobs on a real Redis-compatible server: priority order, coalescing and the embedded server's lifecycle."""

from __future__ import annotations

import redis
from rq import SimpleWorker
from rq.job import Job

from hub.embedded import EmbeddedRedis
from hub.queues import PRIORITY, all_queues, enqueue_coalesced

CALLS_KEY = "test:calls"


def record(tag: str, redis_url: str) -> None:
    redis.Redis.from_url(redis_url).rpush(CALLS_KEY, tag)


def test_burst_of_changes_coalesces_into_one_job(redis_url: str) -> None:
    conn = redis.Redis.from_url(redis_url)
    for _ in range(50):
        enqueue_coalesced("stock", record, "stock-s1-88", "stock-88", redis_url, connection=conn)
    assert sum(q.count for q in all_queues(conn)) == 1
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True)
    assert conn.lrange(CALLS_KEY, 0, -1) == [b"stock-88"]
    # after it ran, the next change gets a new job under the same id
    enqueue_coalesced("stock", record, "stock-s1-88", "stock-88b", redis_url, connection=conn)
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True)
    assert conn.lrange(CALLS_KEY, 0, -1) == [b"stock-88", b"stock-88b"]


def test_change_during_a_running_job_gets_one_follow_up(redis_url: str) -> None:
    conn = redis.Redis.from_url(redis_url)
    job = enqueue_coalesced("stock", record, "stock-s1-9", "first", redis_url, connection=conn)
    job.set_status("started")  # as a worker does when it picks the job up
    follow = [enqueue_coalesced("stock", record, "stock-s1-9", "again", redis_url, connection=conn) for _ in range(3)]
    assert {f.id for f in follow} == {"stock-s1-9-next"}


def test_workers_take_orders_before_new_listings(redis_url: str) -> None:
    conn = redis.Redis.from_url(redis_url)
    queues = {q.name: q for q in all_queues(conn)}
    queues["listings"].enqueue(record, "listing", redis_url)
    queues["price"].enqueue(record, "price", redis_url)
    queues["orders"].enqueue(record, "order", redis_url)
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True)
    assert conn.lrange(CALLS_KEY, 0, -1) == [b"order", b"price", b"listing"]
    assert PRIORITY[0] == "orders"


def test_embedded_server_is_shared_and_stops_with_its_last_user(tmp_path) -> None:  # noqa: ANN001
    first, second = EmbeddedRedis(tmp_path), EmbeddedRedis(tmp_path)
    url = first.acquire()
    assert second.acquire() == url  # a second process of the same data dir reuses it
    client = redis.Redis.from_url(url)
    client.set("k", "v")
    # both registrations belong to this one test process, so releasing once leaves it in use
    # only if another live pid is registered: simulate a second process with our parent's pid
    import os

    (tmp_path / "redis" / "clients" / str(os.getppid())).touch()
    first.release()
    assert client.get("k") == b"v"
    (tmp_path / "redis" / "clients" / str(os.getppid())).unlink()
    second.release()
    try:
        client.ping()
        alive = True
    except redis.ConnectionError:
        alive = False
    assert not alive


def test_bulk_enqueue_coalesces_like_the_single_one(redis_url: str) -> None:
    """A storm batch: many ids at once, each ending in exactly one waiting job, in call order."""
    from hub.queues import enqueue_coalesced_many

    conn = redis.Redis.from_url(redis_url)
    for round_ in range(20):
        enqueue_coalesced_many("stock", record, [(f"stock-s1-{i}", (f"p{i}", redis_url)) for i in range(30)],
                               connection=conn, result_ttl=0)
    assert sum(q.count for q in all_queues(conn)) == 30
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True)
    assert conn.lrange(CALLS_KEY, 0, -1) == [f"p{i}".encode() for i in range(30)]
    # finished jobs leave nothing behind, so the next change gets a new job under the same id
    enqueue_coalesced_many("stock", record, [("stock-s1-3", ("p3 again", redis_url))], connection=conn, result_ttl=0)
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True)
    assert conn.lrange(CALLS_KEY, -1, -1) == [b"p3 again"]
    assert not conn.keys("hub:coalesce:*")  # every lock released


def test_bulk_enqueue_gives_a_running_job_one_follow_up_and_respects_other_cases(redis_url: str) -> None:
    from hub.queues import enqueue_coalesced_many

    conn = redis.Redis.from_url(redis_url)
    running = enqueue_coalesced("stock", record, "stock-s1-1", "first", redis_url, connection=conn)
    running.set_status("started")
    kept = enqueue_coalesced("stock", record, "stock-s1-2", "kept", redis_url, connection=conn)
    kept.set_status("failed")  # a failed job kept for inspection is replaced, not left to block the id
    conn.lrem(all_queues(conn)[1].key, 0, "stock-s1-2")
    conn.set("hub:coalesce:stock-s1-3", "another-process", px=300)  # someone else is enqueueing this id
    for _ in range(3):
        enqueue_coalesced_many("stock", record, [("stock-s1-1", ("again", redis_url)), ("stock-s1-2", ("new", redis_url)),
                                                 ("stock-s1-3", ("third", redis_url))], connection=conn)
    waiting = set(all_queues(conn)[1].job_ids)
    assert waiting == {"stock-s1-1", "stock-s1-1-next", "stock-s1-2", "stock-s1-3"}
    assert Job.fetch("stock-s1-2", connection=conn).args == ("new", redis_url)
    assert Job.fetch("stock-s1-1-next", connection=conn).args == ("again", redis_url)


def test_a_storming_store_goes_to_the_bulk_lane_ahead_of_which_another_stores_change_runs(
        redis_url: str, tmp_path) -> None:  # noqa: ANN001
    """Store A sends 300 changes at once; store B then sends one: B's push waits only behind live changes."""
    from hub.queues import STOCK, STOCK_BULK, queue
    from hub.sync.stock.schedule import STORM_PUSHES, enqueue_pushes, push_job_id
    from tests.conftest import make_runtime

    runtime = make_runtime(tmp_path, redis_url)
    try:
        enqueue_pushes(runtime, "st_a", [f"p{i}" for i in range(STORM_PUSHES // 2)])  # a busy store, not a storm
        assert queue(STOCK, runtime.redis).count == STORM_PUSHES // 2
        enqueue_pushes(runtime, "st_a", [f"p{i}" for i in range(300)])  # now it is a storm
        enqueue_pushes(runtime, "st_b", ["88"])
        live, bulk = queue(STOCK, runtime.redis), queue(STOCK_BULK, runtime.redis)
        assert bulk.count == 300 - STORM_PUSHES // 2  # the storm's new products wait in the bulk lane
        assert live.job_ids[-1] == push_job_id("st_b", "88")
        assert not any(j.startswith("stock-st_b") for j in bulk.job_ids)
        # workers take every live change before any bulk one
        assert [q.name for q in all_queues(runtime.redis)].index(STOCK) < \
            [q.name for q in all_queues(runtime.redis)].index(STOCK_BULK)
    finally:
        runtime.close()


def test_every_job_the_hub_enqueues_by_name_is_a_function() -> None:
    """Jobs are enqueued by dotted path (the sync engine sits below the job layer); a renamed or
    removed job function must fail here, not in a worker that silently drops the work."""
    import importlib
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "hub"
    paths = {match for source in root.rglob("*.py")
             for match in re.findall(r"""["'](hub\.jobs\.[a-z_]+\.[A-Za-z_]+)["']""", source.read_text())}
    assert len(paths) >= 10, paths  # the grep finds the hub's job names
    for path in sorted(paths):
        module_name, _, name = path.rpartition(".")
        target = getattr(importlib.import_module(module_name), name, None)
        assert callable(target), f"{path} is enqueued by the hub but is not a function"


def test_a_push_job_takes_the_same_stores_next_push_only_when_the_worker_would_run_it_next(
        redis_url: str, tmp_path) -> None:  # noqa: ANN001
    """A push job runs the store's following pushes itself, in the order the worker would, and a change
    arriving after one was taken gets a job of its own (it is never absorbed by the taken one)."""
    from hub.queues import ORDERS, STOCK, claim_next, queue
    from hub.sync.stock.schedule import PUSH_JOB, enqueue_pushes, push_job_id, push_job_prefix
    from tests.conftest import make_runtime

    runtime = make_runtime(tmp_path, redis_url)
    conn = runtime.redis
    try:
        enqueue_pushes(runtime, "st_a", ["p1", "p2"])
        enqueue_pushes(runtime, "st_b", ["p3"])
        enqueue_pushes(runtime, "st_a", ["p4"])
        stock = queue(STOCK, conn)

        def take(store_id: str) -> tuple[str, tuple] | None:
            found = claim_next([STOCK], PUSH_JOB, push_job_prefix(store_id), ahead=[ORDERS], connection=conn)
            return None if found is None else found[1:]

        queue(ORDERS, conn).enqueue(record, "order", redis_url, job_id="order-1")
        assert take("st_a") is None  # the worker runs the waiting order next, not another push
        Job.fetch("order-1", connection=conn).delete()

        assert take("st_a") == (push_job_id("st_a", "p1"), ("st_a", "p1"))
        assert not conn.exists(Job.key_for(push_job_id("st_a", "p1")))
        assert take("st_a") == (push_job_id("st_a", "p2"), ("st_a", "p2"))
        assert take("st_a") is None  # st_b's push is next in line: it is not jumped over
        assert stock.job_ids == [push_job_id("st_b", "p3"), push_job_id("st_a", "p4")]

        enqueue_pushes(runtime, "st_a", ["p1"])  # a change to a product whose push was taken
        assert stock.job_ids[-1] == push_job_id("st_a", "p1")

        stock.enqueue(record, "not a push", redis_url, job_id="stock-st_b-lookalike", at_front=True)
        assert take("st_b") is None  # only push jobs are taken, whatever their id says
        assert stock.job_ids[0] == "stock-st_b-lookalike"
    finally:
        runtime.close()


def test_a_change_still_gets_a_job_when_the_waiting_one_vanishes_while_it_is_read(redis_url: str) -> None:
    """A waiting job can be deleted between the reads of a coalescing enqueue (a finished job deleted at
    once, or taken by a worker's push batch): the change must still get a job. It raised instead, and
    the product waited for its next change or the periodic reconciliation with a stale stock level."""
    conn = redis.Redis.from_url(redis_url)
    job = enqueue_coalesced("stock", record, "stock-s1-77", "first", redis_url, connection=conn)
    conn.hdel(job.key, "status")  # what a status read sees once the job is gone, after its hash was read
    enqueue_coalesced("stock", record, "stock-s1-77", "second", redis_url, connection=conn)
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True)
    assert b"second" in conn.lrange(CALLS_KEY, 0, -1)


def test_jobs_enqueued_alike_are_stored_as_rq_stores_them_and_run(redis_url: str) -> None:
    """The batch writer behind every push a store batch creates (hub.queues.enqueue_alike) keeps RQ's
    own storage: the same fields and values as RQ's `enqueue_many` (bar the moments of creation), the
    same queue order, and a worker runs them with their own arguments."""
    from hub.queues import enqueue_alike, queue
    from hub.sync.stock.schedule import JOB_OPTIONS, RETRY

    conn = redis.Redis.from_url(redis_url)
    options = {k: v for k, v in JOB_OPTIONS.items() if k != "job_timeout"}
    jobs = [(f"alike-{n}", (f"tag-{n}", redis_url)) for n in range(3)]
    theirs = queue("stock", conn)
    pipe = conn.pipeline()
    theirs.enqueue_many([theirs.prepare_data(record, args, job_id=job_id, timeout=JOB_OPTIONS["job_timeout"],
                                             retry=RETRY, **options) for job_id, args in jobs], pipeline=pipe)
    pipe.execute()
    stored_by_rq = {job_id: conn.hgetall(f"rq:job:{job_id}") for job_id, _ in jobs}
    order_by_rq = conn.lrange(theirs.key, 0, -1)
    conn.flushdb()

    pipe = conn.pipeline()
    enqueue_alike(queue("stock", conn), record, jobs, pipeline=pipe, timeout=JOB_OPTIONS["job_timeout"], retry=RETRY,
                  **options)
    pipe.execute()
    moments = {b"created_at", b"enqueued_at"}
    for job_id, _ in jobs:
        ours = conn.hgetall(f"rq:job:{job_id}")
        assert set(ours) == set(stored_by_rq[job_id])
        assert {k: v for k, v in ours.items() if k not in moments} == \
            {k: v for k, v in stored_by_rq[job_id].items() if k not in moments}, job_id
        assert conn.ttl(f"rq:job:{job_id}") == -1  # kept until it runs, as RQ keeps it
    assert conn.lrange(queue("stock", conn).key, 0, -1) == order_by_rq
    assert conn.smembers("rq:queues") == {queue("stock", conn).key.encode()}
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True)
    assert conn.lrange(CALLS_KEY, 0, -1) == [b"tag-0", b"tag-1", b"tag-2"]
