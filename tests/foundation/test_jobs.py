"""Jobs on a real Redis-compatible server: priority order, coalescing and the embedded server's lifecycle."""

from __future__ import annotations

import redis
from rq import SimpleWorker

from hub.embedded import EmbeddedRedis
from hub.jobs.queues import PRIORITY, all_queues, enqueue_coalesced

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
