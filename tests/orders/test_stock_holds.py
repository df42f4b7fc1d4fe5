"""Units TikTok has sold are never written back by a push before the store's own stock shows the sale.

TikTok lowers its stock when the buyer orders; the store's only once it has created the order and
reported its new quantity. Every push in between subtracts the units of those orders
(hub.sync.stock.holds), whichever of "created" and the stock report reaches the hub first.
"""

from __future__ import annotations

import time
from typing import Any

from hub.models import SkuBinding
from hub.sync.stock.holds import held_units
from hub.sync.stock.preview import preview
from hub.sync.stock.reconcile import reconcile_store
from plugins.hub_client.client import new_event
from tests.support.orders import FakeStore, World, wait_until


def _tiktok(world: World, seller_sku: str) -> int:
    product = world.sandbox.control("GET", f"/products/{world.product['id']}")
    return next(s["stock"] for s in product["skus"] if s["seller_sku"] == seller_sku)


def _held(world: World) -> dict[tuple[str, str], int]:
    with world.runtime.db.session_scope() as session:
        return held_units(session, world.store["store_id"])


def _pushed(world: World, variant_id: str) -> int | None:
    with world.runtime.db.session_scope() as session:
        return session.query(SkuBinding).filter_by(variant_id=variant_id).one().pushed_quantity


def _store_stock(world: World, variant_id: str, quantity: int, **extra: Any) -> None:
    """The store reports a variant's stock (a newer version than anything before)."""
    world.client.send_events([new_event("inventory.update", items=[{
        "product_id": "88", "variant_id": variant_id, "quantity": quantity, "price": extra.get("price"),
        "version": time.time_ns() // 1000}])])


def _settled(world: World, variant_id: str, seller_sku: str, quantity: int) -> None:
    """TikTok holds `quantity` and the hub knows it (its push, if one was needed, has been confirmed)."""
    wait_until(lambda: _tiktok(world, seller_sku) == quantity and _pushed(world, variant_id) == quantity, 30,
               what=f"TikTok stock {quantity} (now {_tiktok(world, seller_sku)}, pushed {_pushed(world, variant_id)})")


def _quiet(world: World) -> None:
    """Every job the hub enqueued so far has run (an observable end state, not a pause)."""
    from rq.registry import StartedJobRegistry

    from hub.queues import all_queues

    queues = all_queues(world.runtime.redis)
    wait_until(lambda: not any(q.count or StartedJobRegistry(queue=q).count for q in queues if q.name != "maintenance"),
               30, what="the hub's jobs to finish")


def _create_command(world: World, tid: str) -> dict[str, Any]:
    def poll() -> dict[str, Any] | None:
        for command in world.client.poll_commands(wait=1, limit=10):
            if command["type"] == "order.create" and command["payload"]["order"]["tiktok_order_id"] == tid:
                return command
        return None
    return wait_until(poll, 30, what=f"order.create for {tid}")


def _inventory_calls(world: World) -> int:
    calls = world.sandbox.control("GET", "/state")["calls"]
    return int(calls.get("POST /product/202309/products/{product_id}/inventory/update", 0))


def test_a_store_push_during_tiktoks_hold_keeps_the_sold_units_off(world: World, store: FakeStore) -> None:
    before = _inventory_calls(world)
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 2}], status="ON_HOLD")
    assert _tiktok(world, "SOCK-M") == 498
    world.wait_status(tid, "Pending")
    wait_until(lambda: _held(world) == {("88", "91"): 2}, 20, what="the order's units held")
    _quiet(world)
    # TikTok took the units off the figure the hub last pushed: the hub knows it holds 498, sends nothing.
    assert _pushed(world, "91") == 498 and _inventory_calls(world) == before

    with store.lock:                     # a delivery: the store's stock goes 500 -> 510
        store.stock[("88", "91")] = 510
    _store_stock(world, "91", 510)
    _settled(world, "91", "SOCK-M", 508)  # 510 in the store, 2 of them already sold on TikTok
    with world.runtime.db.session_scope() as session:    # the settings page says why
        row = next(r for r in preview(session, world.store["store_id"], "88") if r["variant_id"] == "91")
    assert (row["store_quantity"], row["held_by_tiktok_orders"], row["tiktok_quantity"]) == (510, 2, 508)
    assert "2 unit(s) sold on TikTok and not yet in the store's stock" in " ".join(row["stock_rule"])

    world.sandbox.move(tid, "AWAITING_SHIPMENT")   # the hold ends: imported, created in the store
    world.wait_status(tid, "Created")
    assert store.stock[("88", "91")] == 508
    wait_until(lambda: _held(world) == {}, 20, what="hold released once the store's stock shows the sale")
    _settled(world, "91", "SOCK-M", 508)


def test_reconciliation_never_hands_back_units_in_tiktoks_hold(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 3}], status="ON_HOLD")
    world.wait_status(tid, "Pending")
    wait_until(lambda: _held(world) == {("88", "92"): 3}, 20, what="the order's units held")
    for _ in range(2):  # a lower TikTok figure seen twice would otherwise be "repaired"
        report = reconcile_store(world.runtime, world.store["store_id"])
        assert (report.stock_drift, report.waiting_low) == (0, 0), report.as_dict()
    _quiet(world)
    assert _tiktok(world, "SOCK-L") == 497


def test_created_reported_before_the_stock_report(world: World) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 3}])
    command = _create_command(world, tid)
    # The store creates the order (its stock 500 -> 497) and says so before its stock report is sent.
    world.client.report_result(command["id"], {"status": "done", "platform_order_id": "5001"})
    world.wait_status(tid, "Created")
    assert _held(world) == {("88", "92"): 3}        # the store's figure (500) does not show the sale yet
    for _ in range(2):                               # TikTok's 497 is right, not a lower figure to repair
        assert reconcile_store(world.runtime, world.store["store_id"]).as_dict()["repushed"] == []
    _quiet(world)
    assert _tiktok(world, "SOCK-L") == 497           # nothing wrote 500 back
    _store_stock(world, "92", 497)
    wait_until(lambda: _held(world) == {}, 20, what="hold released by the stock report")
    _settled(world, "92", "SOCK-L", 497)


def test_stock_report_before_created(world: World) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 3}])
    command = _create_command(world, tid)
    _store_stock(world, "92", 497)                   # the store's new stock arrives first
    _settled(world, "92", "SOCK-L", 494)             # counted twice for a moment: fewer, never more
    world.client.report_result(command["id"], {"status": "done", "platform_order_id": "5002"})
    world.wait_status(tid, "Created")
    _settled(world, "92", "SOCK-L", 497)             # "created" releases the hold and pushes again
    assert _held(world) == {}


def test_a_failed_hand_off_keeps_the_units_off_until_it_is_resolved(world: World, store: FakeStore) -> None:
    store.fail_with = {"status": "failed", "reason": "OUT_OF_STOCK", "message": "none left", "retryable": False}
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Failed")
    _store_stock(world, "91", 505)
    _settled(world, "91", "SOCK-M", 504)
    world.sandbox.move(tid, "CANCELLED")             # the merchant cancels it on TikTok: the unit comes back
    world.wait_status(tid, "Cancelled")
    wait_until(lambda: _held(world) == {}, 20, what="hold released by the cancellation")
    _settled(world, "91", "SOCK-M", 505)


def test_an_untracked_variant_is_released_when_the_store_creates_the_order(world: World, store: FakeStore) -> None:
    # The store does not track SOCK-L's stock: creating an order changes nothing there, no report follows.
    world.client.upsert_products([{
        "id": "88", "version": 2, "status": "active", "title": "Men's Cotton Ankle Socks 5 Pack",
        "description_html": "<p>Socks</p>", "url": "https://store.example/p/88", "brand": "Acme",
        "categories": [], "images": [], "attributes": {}, "weight": {"value": "0.25", "unit": "kg"},
        "dimensions": None,
        "variants": [{"id": vid, "sku": sku, "price": "9.99", "compare_at_price": None, "currency": "GBP",
                      "quantity": 500, "manage_stock": vid == "91", "options": {"Size": size}, "barcode": None,
                      "barcode_type": None, "image_url": None, "weight": None, "dimensions": None}
                     for vid, sku, size in (("91", "SOCK-M", "M"), ("92", "SOCK-L", "L"))]}])
    with store.lock:
        store.stock.pop(("88", "92"))
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 2}])
    world.wait_status(tid, "Created")
    wait_until(lambda: _held(world) == {}, 20, what="hold released at creation")
    _settled(world, "92", "SOCK-L", 500)   # TikTok offers the store's figure again
