"""Cancellations both ways, and fulfilment that respects TikTok's one-hour hold."""

from __future__ import annotations

import threading

from tests.support.orders import FakeStore, World, wait_until


def test_tiktok_cancellation_cancels_the_store_order(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Created")
    world.sandbox.move(tid, "CANCELLED", cancellation_initiator="BUYER", cancel_reason="Changed my mind")
    world.wait_status(tid, "Cancelled")
    assert store.orders[tid].cancelled and len(world.commands("order.cancel")) == 1


def test_cancellation_before_the_store_picks_it_up_withdraws_the_command(world: World) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])  # no store polling yet
    wait_until(lambda: world.commands("order.create"), what="command")
    world.sandbox.move(tid, "CANCELLED")
    world.wait_status(tid, "Cancelled")
    world.settle()
    store = FakeStore(world.client).start()
    try:
        store.looked()  # the store asked for work and was given nothing: the command was withdrawn
        assert store.orders == {} and store.received == []
    finally:
        store.close(wake=world.wake_store)


def test_cancellation_racing_the_creation_cancels_once_created(world: World, store: FakeStore) -> None:
    store.hold = threading.Event()
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    assert store.holding.wait(20)  # the store has the command and is creating the order
    world.sandbox.move(tid, "CANCELLED")
    wait_until(lambda: "while the store was creating" in (world.order(tid)["reason"] or ""), what="cancel noted")
    store.hold.set()
    world.wait_status(tid, "Cancelled")
    assert store.orders[tid].cancelled and len(store.orders) == 1


def test_store_cancellation_cancels_on_tiktok(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Created")
    store.send("order.cancelled", tiktok_order_id=tid, platform_order_id=store.orders[tid].number,
               reason="Out of stock")
    world.wait_status(tid, "Cancelled")
    assert world.sandbox.order(tid)["status"] == "CANCELLED"
    # the UK "out of stock" key for a paid order (TikTok refuses the non-UK key with 25001021)
    assert world.sandbox.order(tid)["cancel_reason"] == "seller_cancel_reason_out_of_stock_uk"
    assert world.commands("order.cancel") == []  # not echoed back to the store


def test_store_cancellation_during_the_hold_cancels_on_tiktok(world: World, store: FakeStore) -> None:
    world.set_settings(import_at="immediately")
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}], status="ON_HOLD")
    world.wait_status(tid, "Created")
    store.send("order.cancelled", tiktok_order_id=tid, platform_order_id=store.orders[tid].number,
               reason="Out of stock")
    world.wait_status(tid, "Cancelled")
    cancelled = world.sandbox.order(tid)
    assert cancelled["status"] == "CANCELLED" and cancelled["cancel_reason"] == "seller_cancel_reason_out_of_stock_uk"


def test_store_cancellation_after_shipping_explains_tiktok_refuses(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Created")
    world.sandbox.move(tid, "IN_TRANSIT")
    store.send("order.cancelled", tiktok_order_id=tid, platform_order_id=store.orders[tid].number, reason="x")
    order = wait_until(lambda: (o := world.order(tid))["reason_code"] == "TIKTOK_CANCEL_REFUSED" and o)
    assert "shipped" in order["reason"] and world.sandbox.order(tid)["status"] == "IN_TRANSIT"


def test_fulfilment_waits_for_the_hold_then_ships_with_the_mapped_carrier(world: World, store: FakeStore) -> None:
    world.set_settings(import_at="immediately")
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 2}], status="ON_HOLD")
    world.wait_status(tid, "Created")
    store.send("order.fulfilled", tiktok_order_id=tid, platform_order_id=store.orders[tid].number,
               tracking_number="JD0002213456789", carrier="DPD", shipped_at="2026-11-27T10:00:00Z")
    wait_until(lambda: (world.order(tid)["fulfilment"] or {}).get("status") == "waiting_hold", what="held")
    assert world.sandbox.order(tid)["status"] == "ON_HOLD" and world.sandbox.order(tid)["tracking_number"] == ""
    world.sandbox.move(tid, "AWAITING_SHIPMENT")
    wait_until(lambda: (world.order(tid)["fulfilment"] or {}).get("status") == "shipped", what="shipped")
    shipped = world.sandbox.order(tid)
    assert shipped["status"] == "AWAITING_COLLECTION" and shipped["tracking_number"] == "JD0002213456789"
    assert shipped["shipping_provider"] == "DPD UK"


def test_fulfilment_after_the_hold_ships_at_once_and_unknown_carriers_fail(world: World, store: FakeStore) -> None:
    first = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    second = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}])
    world.wait_status(first, "Created")
    world.wait_status(second, "Created")
    store.send("order.fulfilled", tiktok_order_id=first, platform_order_id=store.orders[first].number,
               tracking_number="RM123456785GB", carrier="Royal Mail", shipped_at="2026-11-27T10:00:00Z")
    store.send("order.fulfilled", tiktok_order_id=second, platform_order_id=store.orders[second].number,
               tracking_number="PIGEON1", carrier="Pigeon Post", shipped_at="2026-11-27T10:00:00Z")
    wait_until(lambda: (world.order(first)["fulfilment"] or {}).get("status") == "shipped", what="shipped")
    assert world.sandbox.order(first)["shipping_provider"] == "Royal Mail"
    failed = wait_until(lambda: (f := world.order(second)["fulfilment"] or {}).get("status") == "failed" and f)
    assert "Pigeon Post" in failed["reason"] and "Evri" in failed["reason"]
    assert world.sandbox.order(second)["status"] == "AWAITING_SHIPMENT"


def test_a_shipment_tiktok_could_not_take_is_retried_and_a_fixed_carrier_is_sent_by_sync(
        world: World, store: FakeStore) -> None:
    """TikTok answering 5xx delays a shipment, never loses it; after mapping an unknown carrier, Sync sends it."""
    from hub.sync.orders.handoff import retry_order

    first = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    second = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}])
    world.wait_status(first, "Created")
    world.wait_status(second, "Created")
    world.sandbox.control("POST", "/faults", {"endpoint": "POST /fulfillment/202309/orders/{order_id}/packages",
                                              "kind": "5xx", "count": 1})
    store.send("order.fulfilled", tiktok_order_id=first, platform_order_id=store.orders[first].number,
               tracking_number="RM123456785GB", carrier="Royal Mail", shipped_at="2026-11-27T10:00:00Z")
    waiting = wait_until(lambda: (f := world.order(first)["fulfilment"] or {}).get("reason") and f, what="retry note")
    assert waiting["status"] == "queued" and "sent again automatically" in waiting["reason"]
    shipped = wait_until(lambda: (f := world.order(first)["fulfilment"] or {}).get("status") == "shipped" and f,
                         timeout=30, what="shipped on the automatic retry")
    assert world.sandbox.order(first)["tracking_number"] == "RM123456785GB" and shipped["tiktok_package_id"]

    store.send("order.fulfilled", tiktok_order_id=second, platform_order_id=store.orders[second].number,
               tracking_number="PIGEON2", carrier="Pigeon Post", shipped_at="2026-11-27T10:00:00Z")
    wait_until(lambda: (world.order(second)["fulfilment"] or {}).get("status") == "failed", what="carrier failure")
    world.set_settings(carriers={"Pigeon Post": "Evri"})
    with world.runtime.db.session_scope() as session:
        assert retry_order(session, world.store["store_id"], second).status == "created"
    wait_until(lambda: (world.order(second)["fulfilment"] or {}).get("status") == "shipped", what="shipped after Sync")
    assert world.sandbox.order(second)["shipping_provider"] == "Evri"
    assert world.order(second)["status"] == "Created"  # the store order was not made twice
    assert len(world.commands("order.create")) == 2


def test_tiktok_refusing_access_parks_imports_and_shipments_until_the_merchant_reconnects(
        world: World, store: FakeStore) -> None:
    from sqlalchemy import select

    from hub.models import ActivityEntry, TikTokShop
    from hub.models.tiktok_shops import BROKEN
    from hub.sync import policy
    from hub.tiktok.connection import connect

    shipped = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(shipped, "Created")
    world.sandbox.control("POST", "/tokens/expire", {"refresh_tokens": True})  # access revoked
    store.send("order.fulfilled", tiktok_order_id=shipped, platform_order_id=store.orders[shipped].number,
               tracking_number="JD0002", carrier="DPD")
    waiting = wait_until(lambda: (f := world.order(shipped)["fulfilment"] or {}).get("status") == "queued"
                         and "TikTok connection" in (f.get("reason") or "") and f, what="shipment parked")
    new = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}])
    hook = wait_until(lambda: (hooks := world.sandbox.webhooks(new)) and hooks[0], what="webhook sent")
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from hub.sync.orders.importer import job_id

    key = Job.key_for(job_id(hook["shop_id"]))

    def parked() -> bool:
        """The fetch job ended parked, never failed (the catch-up sweep may run the same job id again)."""
        assert world.runtime.redis.hget(key, "status") != b"failed"
        if world.runtime.redis.hget(key, "status") != b"finished":
            return False
        try:  # a later fetch of the shop's next waiting orders may replace the finished job meanwhile
            result = Job.fetch(job_id(hook["shop_id"]), connection=world.runtime.redis).return_value() or {}
        except NoSuchJobError:
            return False
        return result.get("outcome") == policy.PARKED

    wait_until(parked, what="import job ended parked")
    assert world.order(new) is None and new not in store.orders and waiting["status"] == "queued"
    with world.runtime.db.session_scope() as session:
        assert session.scalar(select(TikTokShop)).status == BROKEN
        assert session.scalar(select(ActivityEntry).where(ActivityEntry.kind == "tiktok.parked")) is not None

    with world.runtime.db.session_scope() as session:  # the merchant reconnects
        connect(world.runtime, session, world.sandbox.control("POST", "/oauth/code", {})["code"],
                world.store["merchant_id"])
    policy.resume_parked(world.runtime, world.store["merchant_id"])
    wait_until(lambda: (world.order(shipped)["fulfilment"] or {}).get("status") == "shipped", what="shipped")
    world.poll_now()  # the periodic order search finds what the parked import left
    world.wait_status(new, "Created")


def test_carriers_as_uk_tracking_plugins_store_them_reach_tiktok_providers() -> None:
    """Slugs and spellings of WooCommerce Shipment Tracking / Advanced Shipment Tracking, against TikTok's UK list."""
    import json
    from pathlib import Path

    from hub.errors import DataError
    from hub.merchant_settings import DEFAULT_CARRIERS
    from hub.sync.orders.fulfilment import resolve_carrier

    fixture = Path(__file__).resolve().parents[2] / "sandbox" / "fixtures" / "uk_shop.json"
    providers = json.loads(fixture.read_text())["shipping_providers"]
    name = {p["id"]: p["name"] for p in providers}
    expected = {
        "royal-mail": "Royal Mail", "Royal Mail Tracked 48": "Royal Mail", "DPD.co.uk": "DPD UK",
        "dpd-co-uk": "DPD UK", "dpd-local": "DPD UK", "hermes": "Evri", "hermes-uk": "Evri", "myHermes": "Evri",
        "evri": "Evri", "ParcelForce": "Parcelforce Worldwide", "parcel-force": "Parcelforce Worldwide",
        "yodel": "Yodel", "dhl-parcel-uk": "DHL UK", "DHL": "DHL UK", "ups": "UPS", "UPS UK": "UPS",
    }
    for carrier, provider in expected.items():
        assert name[resolve_carrier(providers, carrier, DEFAULT_CARRIERS)] == provider, carrier
    # The merchant's own mapping wins, also over a name the table knows.
    assert name[resolve_carrier(providers, "royal-mail", {"Royal Mail": "Parcelforce"})] == "Parcelforce Worldwide"
    # A carrier TikTok does not offer for the order is still refused, naming what it offers.
    for carrier in ("fedex", "Pigeon Post"):
        try:
            resolve_carrier(providers, carrier, DEFAULT_CARRIERS)
        except DataError as exc:
            assert "Royal Mail" in exc.fix
        else:
            raise AssertionError(f"{carrier} should not map to a provider")
