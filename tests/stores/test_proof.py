"""A new platform is a connector package plus its registration: the whole life of a hosted store,
driven through the hub's unchanged core against the TikTok sandbox and a platform on loopback.

install → webhook → product at the hub → TikTok listing → TikTok order → order created in the store
through the connector (exactly once, even when its job runs twice or the answer is lost) →
fulfilment back to TikTok.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.models import CategoryDefaults, Command, Listing, ProductSnapshot, SkuBinding
from hub.stores import commands
from tests.stores.conftest import World, tee


def _snapshot(world: World, product_id: str) -> dict[str, Any] | None:
    with world.runtime.db.session_scope() as session:
        row = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == world.store_id(),
                                                          ProductSnapshot.product_id == product_id))
        return dict(row.data) if row is not None else None


def _listing(world: World, product_id: str) -> Listing | None:
    with world.runtime.db.session_scope() as session:
        row = session.scalar(select(Listing).where(Listing.store_id == world.store_id(),
                                                  Listing.product_id == product_id))
        if row is not None:
            session.expunge(row)
        return row


def _map_category(world: World) -> None:
    """What the merchant does on the Categories page (as `hub category map` does)."""
    from hub.sync.products.categories import find_leaf, map_category
    from hub.sync.products.schedule import enqueue_listings
    from hub.tiktok.connection import client_for_merchant

    store_id = world.store_id()
    with world.runtime.db.session_scope() as session:
        with client_for_merchant(session, world.merchant_id, world.runtime) as client:
            version, name = find_leaf(client, "601226")
        session.add(CategoryDefaults(store_id=store_id, tiktok_category_id="601226", attributes={},
                                     size_chart={"image_url": f"{world.platform.url}/img/chart.jpg"}))
        _mapping, affected = map_category(session, store_id, "Clothing > T-shirts", "601226", version=version,
                                          name=name)
    enqueue_listings(world.runtime, store_id, affected)


def _connect_tiktok(world: World) -> None:
    from hub.tiktok.connection import connect

    with world.runtime.db.session_scope() as session:
        connect(world.runtime, session, world.control("POST", "/oauth/code", {})["code"], world.merchant_id)


def _platform_orders(world: World, tiktok_order_id: str) -> list[dict[str, Any]]:
    return [o for o in world.platform.shops["acme"].orders.values() if o["external_id"] == tiktok_order_id]


def _hub_order(world: World, tiktok_order_id: str) -> dict[str, Any] | None:
    from hub.sync.orders.status import list_orders

    with world.runtime.db.session_scope() as session:
        return next((o for o in list_orders(session, world.store_id()) if o["tiktok_order_id"] == tiktok_order_id),
                    None)


def test_a_hosted_store_lists_on_tiktok_and_takes_tiktok_orders_through_its_connector(world: World) -> None:
    _connect_tiktok(world)
    world.install()
    world.wait(lambda: world.platform.shops["acme"].webhook_url, "webhooks subscribed at install")
    store_id = world.store_id()

    # A product saved in the store reaches the hub through the platform's webhook and the connector.
    image = f"{world.platform.url}/img/tee.jpg"
    world.platform.save_product("acme", tee(501, image=image))
    product = world.wait(lambda: _snapshot(world, "501"), "product at the hub")
    assert product["title"] == "Organic Cotton Crew Neck T-shirt 501"
    assert [v["options"] for v in product["variants"]] == [{"Size": "M"}, {"Size": "L"}]

    # ... and is listed on TikTok by the hub's own listing engine.
    _map_category(world)
    listing = world.wait(lambda: (row := _listing(world, "501")) is not None and row.status == "Active" and row,
                         "listing active on TikTok", timeout=60,
                         detail=lambda: (row := _listing(world, "501")) and (row.status, row.reason))
    tiktok_product = world.control("GET", f"/products/{listing.tiktok_product_id}")
    assert {s["seller_sku"] for s in tiktok_product["skus"]} == {"TEE-501-M", "TEE-501-L"}

    # A TikTok order is created in the store through the connector, once.
    tid = world.control("POST", "/orders", {"lines": [{"seller_sku": "TEE-501-M", "quantity": 2}],
                                            "status": "AWAITING_SHIPMENT"})["id"]
    order = world.wait(lambda: (o := _hub_order(world, tid)) is not None and o["status"] == "Created" and o,
                       "order created in the store", timeout=60)
    [made] = _platform_orders(world, tid)
    assert order["store_order_number"] == str(made["id"])
    assert made["line_items"] == [{"variant_id": 5011, "quantity": 2, "price": made["line_items"][0]["price"]}]
    # The job running again (a second worker, a replay) finds nothing left to do.
    assert commands.run(world.runtime, store_id) == {"done": 0, "failed": 0, "parked": 0}
    world.work()
    assert len(_platform_orders(world, tid)) == 1
    # The store's stock went down with the order, and the platform said so: TikTok follows.
    world.wait(lambda: _sku_stock(world, listing.tiktok_product_id, "TEE-501-M") == 8, "stock after the order")

    # The merchant ships it in the store; the tracking number goes back to TikTok.
    world.platform.fulfil("acme", made["id"], "JD0002213456789", "DPD")
    shipped = world.wait(lambda: (o := world.control("GET", f"/orders/{tid}"))["tracking_number"] and o,
                         "shipment on TikTok")
    assert shipped["tracking_number"] == "JD0002213456789" and shipped["shipping_provider"] == "DPD UK"


def _sku_stock(world: World, tiktok_product_id: str, seller_sku: str) -> int | None:
    product = world.control("GET", f"/products/{tiktok_product_id}")
    for sku in product["skus"]:
        if sku["seller_sku"] == seller_sku:
            return sum(int(i["quantity"]) for i in sku["inventory"])
    return None


def test_an_order_whose_answer_was_lost_is_created_once(world: World) -> None:
    """The platform creates the order but its answer is cut off: the job tries again after its backoff,
    the connector finds the order it made, and the hub records it; one store order, one command."""
    _connect_tiktok(world)
    world.install()
    world.platform.save_product("acme", tee(601))
    world.wait(lambda: _snapshot(world, "601"), "product at the hub")
    store_id = world.store_id()
    with world.runtime.db.session_scope() as session:
        for variant, sku in ((6011, "TEE-601-M"), (6012, "TEE-601-L")):
            session.add(SkuBinding(store_id=store_id, product_id="601", variant_id=str(variant),
                                   tiktok_product_id="1729000000000000601", tiktok_sku_id=f"17290000000006{variant}",
                                   seller_sku=sku, pushed_quantity=10))
    from hub.sync.orders.handoff import hand_off
    from hub.models import Order

    world.platform.cut_next_order_answer = True
    with world.runtime.db.session_scope() as session:
        order = Order(merchant_id=world.merchant_id, store_id=store_id, tiktok_shop_id="shop-1",
                      tiktok_order_id="576000000000000777", status="pending")
        session.add(order)
        session.flush()
        hand_off(session, order, {"tiktok_order_id": "576000000000000777", "lines": [
            {"product_id": "601", "variant_id": "6011", "sku": "TEE-601-M", "quantity": 1, "unit_price": "12.50"}],
            "shipping_address": {"name": "A Buyer", "postal_code": "LS1 1AA", "country_code": "GB"},
            "totals": {"total": "12.50"}})
    world.work()
    assert len(_platform_orders(world, "576000000000000777")) == 1  # made, but the hub never heard
    assert _hub_order(world, "576000000000000777")["status"] == "Pending"
    world.wait(lambda: _hub_order(world, "576000000000000777")["status"] == "Created", "order recorded after backoff")
    assert len(_platform_orders(world, "576000000000000777")) == 1
    with world.runtime.db.session_scope() as session:
        [command] = session.scalars(select(Command).where(Command.store_id == store_id)).all()
        assert command.status == "done" and command.attempts == 2
