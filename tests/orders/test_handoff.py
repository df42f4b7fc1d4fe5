"""Failures with reasons, retries, and exactly one store order when the extension crashes."""

from __future__ import annotations

import time

from hub.sync.orders.handoff import retry_order
from tests.support.orders import FakeStore, World, wait_until


def test_crash_after_creating_finds_the_existing_order_on_redelivery(world: World, store: FakeStore) -> None:
    store.crash_next_after_create = True
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    order = world.wait_status(tid, "Created", timeout=30)  # after the 3 s lease ran out
    assert len(store.orders) == 1 and order["store_order_number"] == store.orders[tid].number
    [command] = world.commands("order.create")
    assert command["attempts"] == 2 and command["status"] == "done"


def test_unlinked_sku_fails_with_reason_and_sync_retries_after_the_fix(world: World, store: FakeStore) -> None:
    from sqlalchemy import delete

    from hub.models import SkuBinding

    with world.runtime.db.session_scope() as session:
        binding = session.query(SkuBinding).filter_by(variant_id="92").one()
        saved = dict(store_id=binding.store_id, product_id="88", variant_id="92",
                     tiktok_product_id=binding.tiktok_product_id, tiktok_sku_id=binding.tiktok_sku_id)
        session.execute(delete(SkuBinding).where(SkuBinding.id == binding.id))
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}])
    failed = world.wait_status(tid, "Failed")
    assert failed["reason_code"] == "SKU_NOT_LINKED" and "SOCK-L" in failed["reason"] and "Sync" in failed["fix"]
    # The merchant fixes the link once the hub is done with the order's news from TikTok (its three
    # status webhooks), then presses Sync: only Sync hands the order off again.
    world.settle()
    assert world.order(tid)["status"] == "Failed" and world.commands("order.create") == []
    with world.runtime.db.session_scope() as session:
        session.add(SkuBinding(**saved))
    with world.runtime.db.session_scope() as session:
        retry_order(session, world.store["store_id"], tid)
    world.wait_status(tid, "Created")
    assert [c["dedupe_key"] for c in world.commands("order.create")] == [f"order.create:{tid}"]


def test_deleted_product_fails(world: World, store: FakeStore) -> None:
    store.send("product.delete", product_id="88")
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    failed = world.wait_status(tid, "Failed")
    assert failed["reason_code"] == "PRODUCT_DELETED" and "deleted from the store" in failed["reason"]
    assert world.commands("order.create") == []


def test_address_and_phone_problems_fail_with_the_field(world: World, store: FakeStore) -> None:
    cases = {"INVALID_POSTCODE": {"postal_code": "NOT A CODE"}, "MISSING_ADDRESS": {"address_line1": ""},
             "MISSING_PHONE": {"phone_number": ""}}
    placed = {code: world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}], address=address)
              for code, address in cases.items()}
    for code, tid in placed.items():
        assert world.wait_status(tid, "Failed")["reason_code"] == code
    assert world.commands("order.create") == [] and store.orders == {}


def test_currency_mismatch_stops_orders(world: World, store: FakeStore) -> None:
    store.send("store.update", store={"currency": "EUR"})
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    failed = world.wait_status(tid, "Failed")
    assert failed["reason_code"] == "CURRENCY_MISMATCH" and "EUR" in failed["reason"]


def test_store_refusal_fails_then_sync_makes_a_fresh_command(world: World, store: FakeStore) -> None:
    store.fail_with = {"status": "failed", "reason": "OUT_OF_STOCK", "message": "SOCK-M has 0 left",
                       "retryable": False}
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    failed = world.wait_status(tid, "Failed")
    assert failed["reason_code"] == "OUT_OF_STOCK" and "SOCK-M has 0 left" in failed["reason"]
    assert "Restock" in failed["fix"]
    store.fail_with = None
    with world.runtime.db.session_scope() as session:
        retry_order(session, world.store["store_id"], tid)
    world.wait_status(tid, "Created")
    keys = sorted(c["dedupe_key"] for c in world.commands("order.create"))
    assert keys == [f"order.create:{tid}", f"order.create:{tid}:retry-1"] and len(store.orders) == 1


def test_retryable_store_failure_is_retried_after_a_delay(world: World, store: FakeStore) -> None:
    store.fail_with = {"status": "failed", "reason": "PLATFORM_ERROR", "message": "database busy", "retryable": True}
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    wait_until(lambda: "database busy" in ((world.order(tid) or {}).get("reason") or ""), what="retry note")
    assert world.order(tid)["status"] == "Pending"
    store.fail_with = None
    world.wait_status(tid, "Created", timeout=30)
    [command] = world.commands("order.create")
    assert command["attempts"] == 2 and len(store.orders) == 1


def test_bad_orders_from_tiktok_end_in_a_clear_status(world: World) -> None:
    from sqlalchemy import select

    from hub.models import TikTokShop
    from hub.sync.orders.importer import apply_order

    base = {"status": "AWAITING_SHIPMENT", "update_time": int(time.time()), "create_time": int(time.time()),
            "recipient_address": {"name": "A B", "address_line1": "1 High St", "post_town": "Leeds",
                                  "postal_code": "LS1 1AA", "region_code": "GB", "phone_number": "(+44)7***1234"},
            "line_items": [{"id": "1", "sku_id": world.sku("SOCK-M"), "seller_sku": "SOCK-M", "sale_price": "9.99"}]}
    cases = {
        "INVALID_TOTALS": {**base, "id": "900001", "payment": {"currency": "GBP", "sub_total": "9.99",
                                                                "total_amount": "-5.00"}},
        "NO_ITEMS": {**base, "id": "900002", "line_items": [], "payment": {"currency": "GBP"}},
        "SKU_NOT_LINKED": {**base, "id": "900003", "payment": {"currency": "GBP", "total_amount": "1.00"},
                           "line_items": [{"id": "2", "sku_id": "123", "seller_sku": "GHOST", "sale_price": "1"}]},
    }
    with world.runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop))
        for raw in cases.values():
            apply_order(session, shop, raw)
    orders = world.orders()
    assert {code: orders[raw["id"]]["reason_code"] for code, raw in cases.items()} == {c: c for c in cases}
    assert all(orders[raw["id"]]["status"] == "Failed" for raw in cases.values())
    assert world.commands() == []


def test_store_reasons_for_a_disabled_product_and_a_refused_address_reach_the_order(world: World,
                                                                                      store: FakeStore) -> None:
    cases = {"PRODUCT_DISABLED": ("SOCK-M is disabled in Magento", "Enable the product"),
             "ADDRESS_REFUSED": ("Magento does not allow the country US", "countries it ships to")}
    for code, (message, fix) in cases.items():
        store.fail_with = {"status": "failed", "reason": code, "message": message, "retryable": False}
        tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
        failed = world.wait_status(tid, "Failed")
        assert failed["reason_code"] == code and message in failed["reason"] and fix in failed["fix"]
    assert store.orders == {}
