"""Reading a Shopify catalogue: the first catalogue through one bulk operation (JSONL), products with
more variants than a page, stock at the chosen locations, `store.update` from the shop (a non-GBP shop
gets the currency stop), `catalog.resend`, and a framed page that shows that shop only."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import select

from hub.models import ProductSnapshot, Store
from tests.shopify.conftest import SHOP, World, tee


def _snapshots(world: World, shop: str = SHOP) -> dict[str, dict[str, Any]]:
    with world.runtime.db.session_scope() as session:
        return {r.product_id: dict(r.data) for r in session.scalars(
            select(ProductSnapshot).where(ProductSnapshot.store_id == world.store_id(shop)))}


def _big(world: World, product_id: int, variants: int) -> dict[str, Any]:
    location = world.fake.shops[SHOP].locations[1]["id"]
    return {"id": str(product_id), "title": f"Socks in {variants} colours", "status": "ACTIVE", "vendor": "Acme",
            "category": {"id": "aa-1-13", "fullName": "Apparel & Accessories > Clothing > Socks"},
            "options": [{"name": "Colour", "values": [f"C{n}" for n in range(variants)]}],
            "images": [{"url": world.fake.image("socks")}],
            "variants": [{"id": f"{product_id}{n:03d}", "sku": f"SOCK-{n}", "price": "4.99",
                          "options": {"Colour": f"C{n}"}, "levels": {location: {"available": n}}}
                         for n in range(variants)]}


def test_the_first_catalogue_comes_through_one_bulk_operation(world: World) -> None:
    for n in range(1, 26):
        world.fake.save_product(SHOP, tee(1000 + n, world.fake), notify=False)
    world.fake.save_product(SHOP, _big(world, 2000, 45), notify=False)
    world.open_app()
    world.wait(lambda: len(_snapshots(world)) == 26, "the whole catalogue at the hub")
    assert world.fake.documents.count("BulkProducts") == 1
    assert "Product" not in world.fake.documents  # not one product was paged through
    socks = _snapshots(world)["2000"]
    assert len(socks["variants"]) == 45 and socks["variants"][44]["quantity"] == 44
    assert socks["categories"][0]["path"] == ["Apparel & Accessories", "Clothing", "Socks"]
    with world.runtime.db.session_scope() as session:
        store = session.get(Store, world.store_id())
        assert store is not None and store.currency == "GBP"

    # A product with more variants than one page holds, read through its webhook: paged, complete.
    world.fake.save_product(SHOP, _big(world, 3000, 65))
    world.wait(lambda: "3000" in _snapshots(world), "a 65-variant product at the hub")
    assert len(_snapshots(world)["3000"]["variants"]) == 65
    assert world.fake.documents.count("ProductVariants") == 2

    # catalog.resend with ids reads those products again (one is gone from Shopify by now).
    world.fake.shops[SHOP].products.pop("1001")
    from hub.commands.outbox import create_command, notify

    with world.runtime.db.session_scope() as session:
        create_command(session, world.store_id(), "catalog.resend", {"product_ids": ["1002", "1001"]}, "resend-1")
    notify(world.runtime.redis, world.store_id())
    world.wait(lambda: _deleted(world, "1001"), "the product gone from Shopify is deleted at the hub")


def _deleted(world: World, product_id: str) -> bool:
    with world.runtime.db.session_scope() as session:
        row = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == world.store_id(),
                                                          ProductSnapshot.product_id == product_id))
        return row is None or row.deleted


def test_tiktok_is_offered_the_stock_of_the_locations_the_merchant_chose(world: World) -> None:
    """Shopify reports stock per location; the hub offers TikTok the sum of the chosen ones."""
    from hub.sync.stock.locations import described, set_selling_locations

    world.open_app()
    world.work()
    shop = world.fake.shops[SHOP]
    locations = [loc["id"] for loc in shop.locations]
    with world.runtime.db.session_scope() as session:
        store = session.get(Store, world.store_id())
        assert store is not None
        assert {(loc["id"], loc["name"]) for loc in described(store)} == \
            {(locations[0], "Warehouse"), (locations[1], "High Street shop")}  # announced by store.update
    product = tee(4001, world.fake)
    product["variants"][0]["levels"] = {locations[0]: {"available": 6}, locations[1]: {"available": 50}}
    world.fake.save_product(SHOP, product)
    world.wait(lambda: _stock(world, "40011") == 56, "every location sells while none is chosen")
    assert _snapshots(world)["4001"]["variants"][0]["locations"] == [
        {"id": locations[0], "name": "Warehouse", "quantity": 6},
        {"id": locations[1], "name": "High Street shop", "quantity": 50}]
    # The merchant sells only the warehouse's stock on TikTok (Stores → Stock locations).
    set_selling_locations(world.runtime, world.store_id(), [locations[0]])
    assert _stock(world, "40011") == 6
    world.fake.set_stock(SHOP, "40011", locations[1], 70)  # the shop's shelf: not offered on TikTok
    world.fake.set_stock(SHOP, "40011", locations[0], 9)
    world.wait(lambda: _stock(world, "40011") == 9, "the warehouse's new stock")
    world.work()
    assert _stock(world, "40011") == 9


def _stock(world: World, variant_id: str) -> int | None:
    from hub.models import VariantStock

    with world.runtime.db.session_scope() as session:
        row = session.scalar(select(VariantStock).where(VariantStock.store_id == world.store_id(),
                                                        VariantStock.variant_id == variant_id))
        return row.quantity if row is not None else None


def test_a_shop_selling_in_euros_gets_the_currency_stop(world: World) -> None:
    world.fake.shops[SHOP].currency = "EUR"
    world.fake.save_product(SHOP, tee(5001, world.fake), notify=False)
    world.open_app()
    world.connect_tiktok()
    world.wait(lambda: "5001" in _snapshots(world), "catalogue read")
    from hub.sync.policy import sync_blocked_reason

    with world.runtime.db.session_scope() as session:
        store = session.get(Store, world.store_id())
        assert store is not None and store.currency == "EUR"
        assert "EUR" in (sync_blocked_reason(session, store) or "")


def test_the_framed_page_shows_this_shop_only(world: World) -> None:
    world.fake.save_product("other-shop.myshopify.com", {**tee(6001, world.fake, shop="other-shop.myshopify.com"),
                                                        "title": "The other shop's tee"}, notify=False)
    world.fake.save_product(SHOP, tee(6002, world.fake), notify=False)
    world.open_app("other-shop.myshopify.com")
    landing = world.open_app()
    world.wait(lambda: "6002" in _snapshots(world) and "6001" in _snapshots(world, "other-shop.myshopify.com"),
               "both catalogues read")
    bare = requests.Session()
    token = landing.url.split("frame=")[1].split("&")[0]
    page = bare.get(f"{world.hub_url}/products/?frame={token}", timeout=10)
    assert page.status_code == 200 and "T-shirt 6002" in page.text and "other shop" not in page.text
    assert page.headers["Content-Security-Policy"].count(f"frame-ancestors https://{SHOP} https://admin.shopify.com")
    assert "X-Frame-Options" not in page.headers and not bare.cookies
    other = world.store_id("other-shop.myshopify.com")
    assert bare.get(f"{world.hub_url}/products/{other}/6001?frame={token}", timeout=10).status_code == 404


def test_a_throttled_query_waits_for_shopifys_bucket_then_succeeds(world: World) -> None:
    """Shopify refuses a query its cost bucket cannot pay for (HTTP 200, THROTTLED); the app reads the
    bucket from `extensions.cost`, holds for the refill and asks again."""
    import time as clock

    from hub.stores.context import for_store
    from plugins.shopify import queries
    from plugins.shopify.admin import AdminApi

    world.open_app()
    world.fake.save_product(SHOP, tee(7001, world.fake), notify=False)
    with world.runtime.db.session_scope() as session:
        ctx = for_store(world.runtime, session, world.connector, world.store_id())
    bucket = world.fake.shops[SHOP].bucket
    bucket.restore_rate = 500.0
    with AdminApi(ctx, world.connector.config) as api:
        bucket.available, bucket.updated = 0.0, clock.monotonic()  # spent by other work a moment ago
        started = clock.monotonic()
        product = api.run(queries.PRODUCT, {"id": "gid://shopify/Product/7001"})["product"]
    assert product["title"].endswith("7001")
    assert world.fake.throttled >= 1
    assert clock.monotonic() - started >= 0.5  # it waited for points to come back instead of failing


def test_products_say_whether_the_shops_prices_include_tax(world: World) -> None:
    """Shopify's `taxesIncluded`: a shop entering prices without VAT sends `prices_include_tax: false`."""
    world.fake.shops[SHOP].taxes_included = False
    world.fake.save_product(SHOP, tee(5101, world.fake), notify=False)
    world.open_app()
    world.wait(lambda: "5101" in _snapshots(world), "catalogue read")
    assert _snapshots(world)["5101"]["prices_include_tax"] is False
    world.fake.shops[SHOP].taxes_included = True
    world.fake.save_product(SHOP, tee(5102, world.fake))  # through its webhook
    world.wait(lambda: "5102" in _snapshots(world), "a product through its webhook")
    assert _snapshots(world)["5102"]["prices_include_tax"] is True
