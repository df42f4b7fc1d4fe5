"""The whole life of a Shopify store, against the fake Shopify (Shopify's real Admin schema) and the
TikTok sandbox: install → product webhook → TikTok listing → TikTok order → exactly one `orderCreate`
(job run twice, and after a lost answer) → fulfilment → tracking at TikTok; uninstall; reinstall."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import func, select

from hub.models import CategoryDefaults, Command, Listing, Store
from hub.stores import commands
from tests.shopify.conftest import SHOP, World, tee


def _map_category(world: World) -> None:
    from hub.sync.products.categories import find_leaf, map_category
    from hub.sync.products.schedule import enqueue_listings
    from hub.tiktok.connection import client_for_merchant

    store_id = world.store_id()
    with world.runtime.db.session_scope() as session:
        with client_for_merchant(session, world.merchant_id, world.runtime) as client:
            version, name = find_leaf(client, "601226")
        session.add(CategoryDefaults(store_id=store_id, tiktok_category_id="601226", attributes={"Material": "Cotton"},
                                     size_chart={"image_url": world.fake.image("chart")}))
        _mapping, affected = map_category(session, store_id, "Clothing > T-shirts", "601226", version=version,
                                          name=name)
    enqueue_listings(world.runtime, store_id, affected)


def _hub_order(world: World, tiktok_order_id: str) -> dict[str, Any] | None:
    from hub.sync.orders.status import list_orders

    with world.runtime.db.session_scope() as session:
        return next((o for o in list_orders(session, world.store_id()) if o["tiktok_order_id"] == tiktok_order_id),
                    None)


def _shopify_orders(world: World, tiktok_order_id: str) -> list[dict[str, Any]]:
    return [o for o in world.fake.shops[SHOP].orders.values() if o["sourceIdentifier"] == tiktok_order_id]


def _sku_stock(world: World, tiktok_product_id: str, seller_sku: str) -> int | None:
    for sku in world.control("GET", f"/products/{tiktok_product_id}")["skus"]:
        if sku["seller_sku"] == seller_sku:
            return sum(int(i["quantity"]) for i in sku["inventory"])
    return None


def test_a_shopify_store_lists_on_tiktok_and_takes_tiktok_orders(world: World) -> None:
    # Shopify-managed installation: the admin opens the app with a session token, exchanged once.
    landing = world.open_app()
    world.connect_tiktok()
    assert landing.status_code == 200 and "Overview" in landing.text
    assert landing.headers["Content-Security-Policy"].count(f"frame-ancestors https://{SHOP} https://admin.shopify.com")
    assert len(world.fake.used_session_tokens) == 1
    credential = world.credential()
    assert credential.status == "connected" and credential.refresh_token_encrypted
    assert not any(token in (credential.access_token_encrypted or "") for token in world.fake.tokens)
    store_id = world.store_id()

    # The merchant saves a product in Shopify: products/create reaches the hub, the product is read.
    world.fake.save_product(SHOP, tee(501, world.fake, barcode="5012345678900"))
    product = world.wait(lambda: world.snapshot("501"), "product at the hub")
    assert product["title"] == "Organic Cotton Crew Neck T-shirt 501"
    assert [v["options"] for v in product["variants"]] == [{"Size": "M"}, {"Size": "L"}]
    assert product["variants"][0]["weight"] == {"value": "250", "unit": "g"}
    assert product["variants"][0]["barcode"] == "5012345678900" and product["variants"][0]["quantity"] == 10
    assert product["categories"][0]["path"] == ["Clothing", "T-shirts"]

    _map_category(world)
    listing = world.wait(lambda: (row := world.listing("501")) is not None and row.status == "Active" and row,
                         "listing active on TikTok", timeout=60,
                         detail=lambda: (row := world.listing("501")) and (row.status, row.reason))
    assert {s["seller_sku"] for s in world.control("GET", f"/products/{listing.tiktok_product_id}")["skus"]} == \
        {"TEE-501-M", "TEE-501-L"}

    # Stock changed in Shopify: inventory_levels/update → TikTok.
    location = world.fake.shops[SHOP].locations[0]["id"]
    world.fake.set_stock(SHOP, "5011", location, 7)
    world.wait(lambda: _sku_stock(world, listing.tiktok_product_id, "TEE-501-M") == 7, "new stock at TikTok")

    # A TikTok order: created in Shopify once, even when the job runs twice.
    tid = world.control("POST", "/orders", {"lines": [{"seller_sku": "TEE-501-M", "quantity": 2}],
                                            "status": "AWAITING_SHIPMENT"})["id"]
    order = world.wait(lambda: (o := _hub_order(world, tid)) is not None and o["status"] == "Created" and o,
                       "order created in Shopify", timeout=60)
    assert commands.run(world.runtime, store_id) == {"done": 0, "failed": 0, "parked": 0}
    world.work()
    [made] = _shopify_orders(world, tid)
    assert world.fake.documents.count("OrderCreate") == 1
    assert order["store_order_number"] == made["id"]
    sent = made["input"]
    assert sent["lineItems"][0]["variantId"] == "gid://shopify/ProductVariant/5011"
    assert sent["lineItems"][0]["quantity"] == 2 and sent["sourceName"] == "tiktok_shop"
    assert f"tiktok-{tid}" in made["tags"] and "TikTok Shop" in made["tags"]
    assert made["options"]["inventoryBehaviour"] == "DECREMENT_OBEYING_POLICY"
    assert sent["transactions"][0]["gateway"] == "TikTok Shop" and sent["financialStatus"] == "PAID"
    # Shopify took the units from stock and said so: TikTok follows with the absolute figure.
    world.wait(lambda: _sku_stock(world, listing.tiktok_product_id, "TEE-501-M") == 5, "stock after the order")

    # The merchant ships it in Shopify: the tracking number reaches TikTok.
    world.fake.fulfil(SHOP, made["id"], "JD0002213456789", "DPD")
    shipped = world.wait(lambda: (o := world.control("GET", f"/orders/{tid}"))["tracking_number"] and o,
                         "shipment on TikTok")
    assert shipped["tracking_number"] == "JD0002213456789" and shipped["shipping_provider"] == "DPD UK"

    # Uninstall: tokens gone, work stops; the framed session ends.
    token = parse_qs(urlsplit(landing.url).query)["frame"][0]
    world.fake.uninstall(SHOP)
    world.wait(lambda: world.credential().status == "uninstalled", "uninstalled")
    assert world.credential().access_token_encrypted is None and world.credential().refresh_token_encrypted is None
    assert requests.get(f"{world.hub_url}/?frame={token}", timeout=10).status_code == 401
    calls = len(world.fake.calls)
    world.fake.save_product(SHOP, tee(501, world.fake, price="15.00"))
    world.work()
    assert world.snapshot("501")["variants"][0]["price"] == "12.50"
    assert [c for c in world.fake.calls[calls:] if "graphql" in c] == []

    # Reinstall: the same store, the change made meanwhile arrives, nothing listed twice.
    assert world.open_app().status_code == 200
    world.wait(lambda: world.snapshot("501")["variants"][0]["price"] == "15.00", "change caught up after reinstall")
    assert world.store_id() == store_id
    with world.runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Store).where(Store.platform == "shopify")) == 1
        assert session.scalar(select(func.count()).select_from(Listing).where(Listing.store_id == store_id)) == 1
    assert len(world.control("GET", "/state")["products"]) == 1


def test_an_order_whose_answer_was_lost_is_found_by_its_tag_not_created_again(world: World) -> None:
    world.open_app()
    world.fake.save_product(SHOP, tee(601, world.fake))
    world.wait(lambda: world.snapshot("601"), "product at the hub")
    store_id = world.store_id()
    from hub.models import Order, SkuBinding
    from hub.sync.orders.handoff import hand_off

    with world.runtime.db.session_scope() as session:
        for variant, sku in (("6011", "TEE-601-M"), ("6012", "TEE-601-L")):
            session.add(SkuBinding(store_id=store_id, product_id="601", variant_id=variant,
                                   tiktok_product_id="1729000000000000601", tiktok_sku_id=f"1729000000000{variant}",
                                   seller_sku=sku, pushed_quantity=10))
    world.fake.cut_next_order_answer = True
    with world.runtime.db.session_scope() as session:
        order = Order(merchant_id=world.merchant_id, store_id=store_id, tiktok_shop_id="shop-1",
                      tiktok_order_id="576000000000000777", status="pending")
        session.add(order)
        session.flush()
        hand_off(session, order, {"tiktok_order_id": "576000000000000777", "currency": "GBP", "lines": [
            {"product_id": "601", "variant_id": "6011", "sku": "TEE-601-M", "quantity": 1, "unit_price": "12.50"}],
            "shipping_address": {"name": "A Buyer", "line1": "1 High St", "city": "Leeds", "postal_code": "LS1 1AA",
                                 "country_code": "GB", "phone": "+447700900123"},
            "buyer": {"name": "A Buyer", "email": "orders@acme.example", "phone": "+447700900123"},
            "totals": {"subtotal": "12.50", "shipping": "0.00", "tax": "2.08", "discount": "0.00", "total": "12.50"}})
    world.work()
    assert len(_shopify_orders(world, "576000000000000777")) == 1  # made, but the answer never arrived
    assert _hub_order(world, "576000000000000777")["status"] == "Pending"
    world.wait(lambda: _hub_order(world, "576000000000000777")["status"] == "Created", "recorded after the backoff")
    assert len(_shopify_orders(world, "576000000000000777")) == 1
    assert world.fake.documents.count("OrderCreate") == 1 and "OrdersByTag" in world.fake.documents
    with world.runtime.db.session_scope() as session:
        [command] = session.scalars(select(Command).where(Command.store_id == store_id)).all()
        assert command.status == "done" and command.attempts == 2


def test_an_out_of_stock_order_fails_with_a_reason_and_a_fix(world: World) -> None:
    world.open_app()
    world.fake.save_product(SHOP, tee(701, world.fake, stock=(1, 0)))
    world.wait(lambda: world.snapshot("701"), "product at the hub")
    result = world.connector.create_order(_ctx(world), {
        "tiktok_order_id": "576000000000000888", "currency": "GBP",
        "lines": [{"product_id": "701", "variant_id": "7012", "sku": "TEE-701-L", "quantity": 1, "unit_price": "9.00"}],
        "shipping_address": {"name": "A Buyer", "line1": "1 High St", "city": "Leeds", "postal_code": "LS1 1AA",
                             "country_code": "GB"}, "totals": {"total": "9.00"}})
    assert result["status"] == "failed" and result["reason"] == "OUT_OF_STOCK" and "TEE-701-L" in result["message"]
    deleted = world.connector.create_order(_ctx(world), {
        "tiktok_order_id": "576000000000000889", "currency": "GBP",
        "lines": [{"product_id": "9", "variant_id": "99999", "sku": "GONE", "quantity": 1, "unit_price": "9.00"}],
        "shipping_address": {"name": "A Buyer", "line1": "1 High St", "city": "Leeds", "postal_code": "LS1 1AA",
                             "country_code": "GB"}, "totals": {"total": "9.00"}})
    assert deleted["reason"] == "PRODUCT_DELETED"
    no_postcode = world.connector.create_order(_ctx(world), {
        "tiktok_order_id": "576000000000000890", "currency": "GBP",
        "lines": [{"product_id": "701", "variant_id": "7011", "sku": "TEE-701-M", "quantity": 1, "unit_price": "9.00"}],
        "shipping_address": {"name": "A Buyer", "line1": "1 High St", "city": "Leeds", "country_code": "GB"},
        "totals": {"total": "9.00"}})
    assert no_postcode["reason"] == "INVALID_ADDRESS"
    assert world.fake.shops[SHOP].orders == {}


def test_cancel_cancels_once(world: World) -> None:
    world.open_app()
    world.fake.save_product(SHOP, tee(801, world.fake))
    world.wait(lambda: world.snapshot("801"), "product at the hub")
    made = world.connector.create_order(_ctx(world), {
        "tiktok_order_id": "576000000000000999", "currency": "GBP",
        "lines": [{"product_id": "801", "variant_id": "8011", "sku": "TEE-801-M", "quantity": 1, "unit_price": "9.00"}],
        "shipping_address": {"name": "A Buyer", "line1": "1 High St", "city": "Leeds", "postal_code": "LS1 1AA",
                             "country_code": "GB"}, "totals": {"total": "9.00"}})
    assert made["status"] == "done"
    payload = {"tiktok_order_id": "576000000000000999", "platform_order_id": made["platform_order_id"],
               "reason": "Buyer cancelled"}
    assert world.connector.cancel_order(_ctx(world), payload)["status"] == "done"
    assert world.fake.shops[SHOP].orders[made["platform_order_id"]]["cancelledAt"]
    assert world.connector.cancel_order(_ctx(world), payload)["status"] == "done"  # already cancelled: done too
    assert world.fake.documents.count("OrderCancel") == 1


def _ctx(world: World) -> Any:
    from hub.stores.context import for_store

    with world.runtime.db.session_scope() as session:
        return for_store(world.runtime, session, world.connector, world.store_id())
