"""Orders cannot starve price/stock pushes, one order search runs at a time, and notifications left
`received` (their jobs lost with Redis) are replayed (issue items "during an order burst no price or
stock push ran for 54 s" and "after an outage, orders stay missing")."""

from __future__ import annotations

import time
from pathlib import Path

import requests
from rq.job import Job

from hub.queues import ORDERS, STOCK, queue
from plugins.hub_client.client import new_event
from hub.tiktok.signing import webhook_signature
from tests.support.orders import APP_KEY, APP_SECRET, SANDBOX_OPTIONS, World, build_world
from tests.support.sandbox import SandboxPool
from tests.support.waiting import wait_until


def _tiktok_stock(world: World, seller_sku: str) -> int:
    product = world.sandbox.control("GET", f"/products/{world.product['id']}")
    return next(s["stock"] for s in product["skus"] if s["seller_sku"] == seller_sku)


def _place_orders(world: World, count: int) -> list[str]:
    return [world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}]) for _ in range(count)]


def _notify_shops(world: World, count: int) -> None:
    """One order notification from each of `count` shops: one notification job each (a shop's burst is
    one job, so many waiting order jobs mean many shops). The hub knows none of them: each job is quick."""
    for n in range(count):
        body = ('{"type":1,"tts_notification_id":"77%05d","shop_id":"90000%05d","timestamp":1,'
                '"data":{"order_id":"5764863169484%05d","order_status":"AWAITING_SHIPMENT","update_time":1}}'
                % (n, n, n)).encode()
        r = requests.post(f"{world.hub_url}/tiktok/webhooks", data=body, timeout=10,
                          headers={"Authorization": webhook_signature(APP_KEY, APP_SECRET, body)})
        assert r.status_code == 200


def test_a_stock_push_completes_while_100_order_jobs_wait(tmp_path: Path, redis_url: str,
                                                         sandboxes: SandboxPool) -> None:
    world = build_world(tmp_path, redis_url, workers=0, sandbox=sandboxes.fresh(**SANDBOX_OPTIONS))
    try:
        orders = queue(ORDERS, world.runtime.redis)
        _notify_shops(world, 100)
        wait_until(lambda: orders.count >= 100, 60, what=f"100 order jobs waiting (now {orders.count})")
        world.client.send_events([new_event("inventory.update", items=[{
            "product_id": "88", "variant_id": "91", "quantity": 321, "price": None,
            "version": time.time_ns() // 1000}])])
        wait_until(lambda: queue(STOCK, world.runtime.redis).count == 1, 10, what="the push waiting")
        world.start_workers(1)
        wait_until(lambda: _tiktok_stock(world, "SOCK-M") == 321, 60, what="the push on TikTok")
        waiting = orders.count
        assert waiting >= 90, f"the push waited for {100 - waiting} order jobs"
        world.settle(120)
        assert [n["status"] for n in world.notifications()] == ["unhandled"] * 100  # every job ran
    finally:
        world.close()


def test_one_order_search_at_a_time_and_one_chain(tmp_path: Path, redis_url: str, sandboxes: SandboxPool) -> None:
    world = build_world(tmp_path, redis_url, workers=3, sandbox=sandboxes.fresh(**SANDBOX_OPTIONS))
    try:
        _place_orders(world, 20)
        searches = [queue(ORDERS, world.runtime.redis).enqueue("hub.jobs.orders.poll_orders", False)
                    for _ in range(4)]
        wait_until(lambda: all(j.get_status(refresh=True) == "finished" for j in searches), 90,
                   what="four order searches")
        spans = sorted((float(r["search_started"]), float(r["search_ended"]))
                       for r in (Job.fetch(s.id, connection=world.runtime.redis).return_value() for s in searches))
        for (_, ended), (started, _) in zip(spans, spans[1:]):
            assert started >= ended, f"two order searches overlapped: {spans}"
        chains = [j for j in world.runtime.redis.zrange(f"rq:scheduled:{ORDERS}", 0, -1)
                  if j.decode().startswith("order-poll-") and not j.decode().startswith("order-poll-now-")]
        assert len(chains) == 1, chains
    finally:
        world.close()


def test_notifications_whose_jobs_were_lost_are_replayed(tmp_path: Path, redis_url: str,
                                                        sandboxes: SandboxPool) -> None:
    world = build_world(tmp_path, redis_url, workers=0, sandbox=sandboxes.fresh(**SANDBOX_OPTIONS))
    try:
        placed = _place_orders(world, 5)
        wait_until(lambda: len(world.notifications()) >= 5, 30, what="the order notifications stored")
        # Redis restarts empty: every queued job is gone, the notifications stay `received`.
        world.runtime.redis.flushdb()
        assert {n["status"] for n in world.notifications()} == {"received"}
        world.start_workers(1)  # a worker (re)connecting sweeps the database for lost work
        wait_until(lambda: all(n["status"] == "processed" for n in world.notifications()), 60,
                   what=f"every notification processed (now {world.notifications()})")
        wait_until(lambda: all(world.order(tid) is not None for tid in placed), 60, what="every order imported")
    finally:
        world.close()
