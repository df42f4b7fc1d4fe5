"""A burst of orders is read from TikTok in batches (the order detail call takes up to 50 ids), so an
order storm costs a handful of calls against the shop's rate limit instead of one call per order."""

from __future__ import annotations

from pathlib import Path

from tests.support.orders import SANDBOX_OPTIONS, FakeStore, build_world
from tests.support.sandbox import SandboxPool
from tests.support.waiting import wait_until

DETAIL = "GET /order/202309/orders"


def test_sixty_orders_in_a_burst_are_fetched_in_two_calls_and_each_made_once(
        tmp_path: Path, redis_url: str, database_url: str, sandboxes: SandboxPool) -> None:
    world = build_world(tmp_path, redis_url, workers=0, database_url=database_url, sku_stock=200,
                        sandbox=sandboxes.fresh(**SANDBOX_OPTIONS))
    store = FakeStore(world.client, {("88", "91"): 200}).start()
    try:
        placed = [world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}]) for _ in range(60)]
        wait_until(lambda: len(world.notifications()) >= 3 * len(placed), 60,
                   what="every order's three notifications stored")
        world.start_workers(1)
        wait_until(lambda: all(tid in store.orders for tid in placed), 120, what="every order made in the store")
        # The store records an order before its result reaches the hub: wait for the hub's end state.
        wait_until(lambda: {o["status"] for o in world.orders().values()} == {"Created"}, 60,
                   what="every order Created in the hub")
        world.settle(60)
        assert world.sandbox.calls(DETAIL) <= 2
        assert len(world.commands("order.create")) == 60 and len(store.orders) == 60
    finally:
        store.close(wake=world.wake_store)
        world.close()



def test_a_batch_of_notifications_starts_the_shops_fetch_once_with_all_its_orders(runtime) -> None:  # noqa: ANN001
    """The notification job starts the shop's fetch job after it has added every order of its batch (a
    second worker taking the fetch job at once would read them one or two at a time), and it starts it
    even when the batch ends in an error, so no added order is left without a reader."""
    import pytest
    from rq import Queue

    from hub.sync.orders import batches

    fetches = Queue("orders", connection=runtime.redis)
    with batches.one_fetch_per_shop(runtime):
        for n in range(120):
            batches.request(runtime, "7494105515082810525", [f"5764863169484{n:05d}"])
        assert fetches.job_ids == []
    assert fetches.job_ids == ["order-fetch-7494105515082810525"]
    assert batches.claim(runtime.redis, "7494105515082810525") == (
        [f"5764863169484{n:05d}" for n in range(50)], 70)

    with pytest.raises(RuntimeError), batches.one_fetch_per_shop(runtime):
        batches.request(runtime, "1111", ["576486316948400001"])
        raise RuntimeError("the next notification failed")
    assert "order-fetch-1111" in fetches.job_ids


def test_one_read_of_a_shop_at_a_time_unless_a_full_batch_waits(runtime) -> None:  # noqa: ANN001
    """Fetch jobs started during a read step aside (what they would read is read next, together) unless
    50 orders wait; the reader then starts the fetch job for what arrived meanwhile."""
    from rq import Queue

    from hub.sync.orders import batches

    shop = "7494105515082810525"
    fetches = Queue("orders", connection=runtime.redis)
    with batches.reading(runtime, shop) as first:
        assert first
        runtime.redis.zadd(batches.waiting_key(shop), {f"5764863169484{n:05d}": n for n in range(49)})
        with batches.reading(runtime, shop) as second:
            assert not second
        runtime.redis.zadd(batches.waiting_key(shop), {"576486316948400049": 49})
        with batches.reading(runtime, shop) as third:
            assert third  # a full batch: read in parallel
        assert fetches.job_ids == []
    assert fetches.job_ids == ["order-fetch-7494105515082810525"]
    with batches.reading(runtime, shop) as after:
        assert after
