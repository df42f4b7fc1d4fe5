"""A BigCommerce store's whole life against the fake BigCommerce and the TikTok sandbox:

install → product webhook → product at the hub → TikTok listing → TikTok order → exactly one BigCommerce
order (also when its job runs twice, and when BigCommerce's answer is lost) → stock moved by the order
back to TikTok → shipment with tracking → tracking at TikTok; uninstall; reinstall (nothing listed twice).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from hub.models import CategoryDefaults, Command, Listing, SkuBinding
from hub.stores import commands
from tests.bigcommerce.conftest import APP_ID, STORE, World, tee


def _listing(world: World, product_id: str) -> Listing | None:
    with world.runtime.db.session_scope() as session:
        row = session.scalar(select(Listing).where(Listing.store_id == world.store_id(), Listing.product_id == product_id))
        if row is not None:
            session.expunge(row)
        return row


def _connect_tiktok(world: World) -> None:
    from hub.tiktok.connection import connect

    with world.runtime.db.session_scope() as session:
        connect(world.runtime, session, world.control("POST", "/oauth/code", {})["code"], world.merchant_id)


def _map_category(world: World) -> None:
    from hub.sync.products.categories import find_leaf, map_category
    from hub.sync.products.schedule import enqueue_listings
    from hub.tiktok.connection import client_for_merchant

    store_id = world.store_id()
    with world.runtime.db.session_scope() as session:
        with client_for_merchant(session, world.merchant_id, world.runtime) as client:
            version, name = find_leaf(client, "601226")
        session.add(CategoryDefaults(store_id=store_id, tiktok_category_id="601226", attributes={},
                                     size_chart={"image_url": f"{world.fake.image_url}/chart.jpg"}))
        _mapping, affected = map_category(session, store_id, "Clothing > T-shirts", "601226", version=version, name=name)
    enqueue_listings(world.runtime, store_id, affected)


def _hub_order(world: World, tiktok_order_id: str) -> dict[str, Any] | None:
    from hub.sync.orders.status import list_orders

    with world.runtime.db.session_scope() as session:
        return next((o for o in list_orders(session, world.store_id()) if o["tiktok_order_id"] == tiktok_order_id), None)


def _bc_orders(world: World, tiktok_order_id: str) -> list[dict[str, Any]]:
    return [o for o in world.fake.stores[STORE].orders.values() if o["external_order_id"] == tiktok_order_id]


def _sku_stock(world: World, tiktok_product_id: str, seller_sku: str) -> int | None:
    for sku in world.control("GET", f"/products/{tiktok_product_id}")["skus"]:
        if sku["seller_sku"] == seller_sku:
            return sum(int(i["quantity"]) for i in sku["inventory"])
    return None


def test_install_to_listing_to_order_to_tracking_then_uninstall_and_reinstall(world_each_db: World) -> None:
    world = world_each_db
    _connect_tiktok(world)
    world.installed(from_hub=True)
    store_id = world.store_id()

    # The merchant saves a product in BigCommerce: its light webhook makes the connector read it.
    world.fake.save_product(STORE, tee(501, image=f"{world.fake.image_url}/tee.jpg"))
    product = world.wait(lambda: world.snapshot(501), "product at the hub")
    assert product["title"] == "Organic Cotton Crew Neck T-shirt 501"
    assert [v["options"] for v in product["variants"]] == [{"Size": "M"}, {"Size": "L"}]
    assert product["categories"] == [{"id": "23", "name": "T-shirts", "path": ["Clothing", "T-shirts"]}]
    assert product["weight"] == {"value": "0.25", "unit": "kg"} and product["brand"] == "Acme"

    _map_category(world)
    listing = world.wait(lambda: (row := _listing(world, "501")) is not None and row.status == "Active" and row,
                         "listing active on TikTok", timeout=60,
                         detail=lambda: (row := _listing(world, "501")) and (row.status, row.reason))
    tiktok_product = world.control("GET", f"/products/{listing.tiktok_product_id}")
    assert {s["seller_sku"] for s in tiktok_product["skus"]} == {"TEE-501-M", "TEE-501-L"}

    # A TikTok buyer orders: exactly one BigCommerce order, carrying the TikTok order id and the app id.
    tid = world.control("POST", "/orders", {"lines": [{"seller_sku": "TEE-501-M", "quantity": 2}],
                                            "status": "AWAITING_SHIPMENT"})["id"]
    order = world.wait(lambda: (o := _hub_order(world, tid)) is not None and o["status"] == "Created" and o,
                       "order created in BigCommerce", timeout=60, detail=lambda: _hub_order(world, tid))
    [made] = _bc_orders(world, tid)
    assert order["store_order_number"] == str(made["id"])
    assert made["external_source"] == f"{APP_ID} TikTok Shop" and made["status_id"] == 11
    assert made["products"][0]["variant_id"] == 5011 and made["products"][0]["quantity"] == 2
    # The job running again (a replay, a second worker) creates nothing.
    assert commands.run(world.runtime, store_id) == {"done": 0, "failed": 0, "parked": 0}
    with world.runtime.db.session_scope() as session:
        command = session.scalar(select(Command).where(Command.store_id == store_id, Command.type == "order.create"))
        assert command is not None
        command.status, command.leased_until = "pending", None  # handed out again, as after a lost result
    assert commands.run(world.runtime, store_id)["done"] == 1
    world.work()
    assert len(_bc_orders(world, tid)) == 1
    # The order took 2 from BigCommerce's stock; its inventory webhook brings TikTok down to 8.
    world.wait(lambda: _sku_stock(world, listing.tiktok_product_id, "TEE-501-M") == 8, "stock after the order",
               detail=lambda: _sku_stock(world, listing.tiktok_product_id, "TEE-501-M"))

    # The merchant ships it in BigCommerce with tracking: TikTok gets the tracking number.
    world.fake.ship(STORE, made["id"], "JD0002213456789", tracking_carrier="dpd-uk")
    shipped = world.wait(lambda: (o := world.control("GET", f"/orders/{tid}"))["tracking_number"] and o,
                         "shipment on TikTok", timeout=60)
    assert shipped["tracking_number"] == "JD0002213456789" and shipped["shipping_provider"] == "DPD UK"

    # Uninstall: the token goes, the hooks go, the store's work stops.
    world.fake.uninstall(STORE)
    world.wait(lambda: world.credential().status == "uninstalled", "uninstalled")
    assert world.credential().access_token_encrypted is None and world.fake.stores[STORE].hooks == {}

    # Changes made meanwhile reach the hub after the reinstall (no webhook was subscribed to say so).
    world.fake.save_product(STORE, tee(501, price=14.0, image=f"{world.fake.image_url}/tee.jpg"), notify=False)
    world.installed(from_hub=True)
    assert world.store_id() == store_id and world.credential().status == "connected"
    world.wait(lambda: (world.snapshot(501) or {}).get("variants", [{}])[0].get("price") == "14.00",
               "the change made while uninstalled", timeout=60)
    with world.runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Listing).where(Listing.store_id == store_id)) == 1


def test_an_order_whose_answer_was_lost_is_created_once(world: World) -> None:
    """BigCommerce creates the order but its answer is cut off: the command job tries again after its
    backoff, finds the order by `external_order_id` and records it; one BigCommerce order, one command."""
    world.installed(from_hub=True)
    world.fake.save_product(STORE, tee(601))
    world.wait(lambda: world.snapshot(601), "product at the hub")
    store_id = world.store_id()
    with world.runtime.db.session_scope() as session:
        for variant, sku in ((6011, "TEE-601-M"), (6012, "TEE-601-L")):
            session.add(SkuBinding(store_id=store_id, product_id="601", variant_id=str(variant),
                                   tiktok_product_id="1729000000000000601", tiktok_sku_id=f"17290000000006{variant}",
                                   seller_sku=sku, pushed_quantity=10))
    from hub.models import Order
    from hub.sync.orders.handoff import hand_off

    world.fake.cut_next_order_answer = True
    with world.runtime.db.session_scope() as session:
        order = Order(merchant_id=world.merchant_id, store_id=store_id, tiktok_shop_id="shop-1",
                      tiktok_order_id="576000000000000777", status="pending")
        session.add(order)
        session.flush()
        hand_off(session, order, {"tiktok_order_id": "576000000000000777", "lines": [
            {"product_id": "601", "variant_id": "6011", "sku": "TEE-601-M", "quantity": 1, "unit_price": "12.50"}],
            "buyer": {"name": "A Buyer", "email": "buyer@example.com"},
            "shipping_address": {"name": "A Buyer", "line1": "1 High St", "city": "Leeds", "postal_code": "LS1 1AA",
                                 "country_code": "GB"},
            "totals": {"total": "12.50", "tax": "2.08", "shipping": "0.00"}})
    world.work()
    assert len(_bc_orders(world, "576000000000000777")) == 1  # made, but the hub never heard
    assert _hub_order(world, "576000000000000777")["status"] == "Pending"
    world.wait(lambda: _hub_order(world, "576000000000000777")["status"] == "Created", "order recorded after backoff")
    assert len(_bc_orders(world, "576000000000000777")) == 1
    with world.runtime.db.session_scope() as session:
        [command] = session.scalars(select(Command).where(Command.store_id == store_id)).all()
        assert command.status == "done" and command.attempts == 2
