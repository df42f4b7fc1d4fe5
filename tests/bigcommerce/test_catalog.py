"""Products read from the Catalog API v3 as the merchant sees them at the hub: variants and options,
identifier codes, stock by tracking mode, sale prices, the store's own units, visibility, deletes, the
currency stop for a store that is not in pounds, and `catalog.resend`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.models import Command, ProductSnapshot, Store
from plugins.bigcommerce.fake import make_product
from tests.bigcommerce.conftest import STORE, World, tee


def _store(world: World) -> Store:
    with world.runtime.db.session_scope() as session:
        store = session.get(Store, world.store_id())
        assert store is not None
        session.expunge(store)
        return store


def _deleted(world: World, product_id: str) -> bool:
    with world.runtime.db.session_scope() as session:
        row = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == world.store_id(),
                                                          ProductSnapshot.product_id == product_id))
        return bool(row is not None and row.deleted)


def test_variants_options_codes_prices_and_store_units(world: World) -> None:
    world.fake.stores[STORE].weight_units = "Grams"
    world.fake.stores[STORE].dimension_units = "Inches"
    world.installed()
    world.fake.save_product(STORE, make_product(
        700, "Linen Shirt", price=30.0, sale_price=24.0, weight=450, dimensions=(12, 8, 2), upc="036000291452",
        custom_fields={"Fabric": "Linen", "Care": "Cool wash"}, mpn="LS-700", categories=[23], brand_id=36,
        images=[f"{world.fake.image_url}/a.jpg", f"{world.fake.image_url}/b.jpg"],
        variants=[{"options": {"Size": "S", "Colour": "Sand"}, "sku": "LS-S-SAND", "stock": 3, "gtin": "5012345678900"},
                  {"options": {"Size": "M", "Colour": "Sand"}, "sku": "LS-M-SAND", "stock": 0, "price": 32.0,
                   "sale_price": 0, "weight": 500}]))
    product: dict[str, Any] = world.wait(lambda: world.snapshot(700), "product at the hub")
    small, medium = product["variants"]
    assert small["options"] == {"Size": "S", "Colour": "Sand"} and small["sku"] == "LS-S-SAND"
    assert (small["barcode"], small["barcode_type"]) == ("5012345678900", "GTIN")
    assert (medium["barcode"], medium["barcode_type"]) == ("036000291452", "UPC")  # the product's UPC
    assert (small["price"], small["compare_at_price"]) == ("24.00", "30.00")  # on sale
    assert (medium["price"], medium["compare_at_price"]) == ("24.00", "32.00")  # the product's sale price
    assert (small["quantity"], medium["quantity"]) == (3, 0) and small["manage_stock"] is True
    assert product["weight"] == {"value": "450", "unit": "g"}
    assert medium["weight"] == {"value": "500", "unit": "g"}
    assert product["dimensions"] == {"length": "12", "width": "8", "height": "2", "unit": "in"}
    assert product["attributes"] == {"MPN": "LS-700", "Fabric": "Linen", "Care": "Cool wash"}
    assert [i["url"] for i in product["images"]] == [f"{world.fake.image_url}/a.jpg", f"{world.fake.image_url}/b.jpg"]
    assert product["url"] == f"https://{STORE}.example/product-700/" and product["status"] == "active"
    store = _store(world)
    assert (store.currency, store.weight_unit, store.dimension_unit) == ("GBP", "g", "in")


def test_stock_follows_the_tracking_mode_and_disabled_purchasing(world: World) -> None:
    world.installed()
    world.fake.save_product(STORE, make_product(710, "Candle", sku="CANDLE-1", tracking="product", stock=7,
                                                 dimensions=(0, 0, 0)))
    world.fake.save_product(STORE, make_product(711, "Gift card", sku="GIFT-1", tracking="none"))
    world.fake.save_product(STORE, make_product(712, "Mug", variants=[
        {"options": {"Colour": "Blue"}, "sku": "MUG-B", "stock": 5, "purchasing_disabled": True},
        {"options": {"Colour": "Red"}, "sku": "MUG-R", "stock": 6}]))
    candle = world.wait(lambda: world.snapshot(710), "product-tracked product")
    gift = world.wait(lambda: world.snapshot(711), "untracked product")
    mug = world.wait(lambda: world.snapshot(712), "variant-tracked product")
    assert [(v["options"], v["quantity"], v["manage_stock"]) for v in candle["variants"]] == [({}, 7, True)]
    assert candle["dimensions"] is None  # BigCommerce's 0 x 0 x 0: not given, not zero-sized
    assert gift["variants"][0]["manage_stock"] is False
    assert [v["quantity"] for v in mug["variants"]] == [0, 6]  # purchasing disabled: none to sell
    # Product-tracked stock changes fire product/inventory/updated: the hub follows.
    world.fake.set_stock(STORE, 710, 2)
    world.wait(lambda: world.snapshot(710)["variants"][0]["quantity"] == 2, "product-level stock change")


def test_hidden_and_deleted_products(world: World) -> None:
    world.installed()
    world.fake.save_product(STORE, tee(720))
    world.wait(lambda: world.snapshot(720), "product at the hub")
    world.fake.save_product(STORE, {**tee(720), "is_visible": False})
    world.wait(lambda: world.snapshot(720)["status"] == "draft", "hidden product is a draft")
    world.fake.delete_product(STORE, 720)
    world.wait(lambda: _deleted(world, "720"), "product deleted at the hub")


def test_a_store_not_in_pounds_reports_its_currency_and_stops(world: World) -> None:
    from hub.sync.policy import sync_blocked_reason
    from hub.tiktok.connection import connect

    with world.runtime.db.session_scope() as session:
        connect(world.runtime, session, world.control("POST", "/oauth/code", {})["code"], world.merchant_id)
    world.fake.stores[STORE].currency = "EUR"
    world.installed(from_hub=True)
    world.fake.save_product(STORE, tee(730))
    world.wait(lambda: world.snapshot(730), "product at the hub")
    assert world.snapshot(730)["variants"][0]["currency"] == "EUR"
    with world.runtime.db.session_scope() as session:
        store = session.get(Store, world.store_id())
        assert store is not None and store.currency == "EUR"
        reason = sync_blocked_reason(session, store)
    assert reason is not None and "currency is EUR" in reason and "GBP" in reason


def test_catalog_resend_reads_the_products_named_and_deletes_the_missing(world: World) -> None:
    world.installed()
    world.fake.save_product(STORE, tee(740), notify=False)
    world.fake.save_product(STORE, tee(741), notify=False)
    store_id = world.store_id()
    from hub.commands.outbox import notify

    with world.runtime.db.session_scope() as session:
        session.add(Command(store_id=store_id, type="catalog.resend", dedupe_key="catalog.resend:test",
                            payload={"product_ids": ["740", "741", "999"]}))
    notify(world.runtime.redis, store_id)
    world.wait(lambda: world.snapshot(740) and world.snapshot(741), "resent products at the hub")
    with world.runtime.db.session_scope() as session:
        command = session.scalar(select(Command).where(Command.store_id == store_id, Command.type == "catalog.resend"))
        assert command is not None and command.status == "done"


def test_stock_per_inventory_location_when_the_store_granted_it(world: World) -> None:
    world.fake.granted_scopes += " store_inventory_read_only"
    world.fake.stores[STORE].locations = {1: "Leeds warehouse", 2: "Harbour Street shop"}
    world.installed()
    assert world.credential().details["stock_by_location"] is True
    world.fake.save_product(STORE, tee(750, stock=(10, 4)), notify=False)
    world.fake.set_location_stock(STORE, 750, 7501, {1: 6, 2: 4})
    medium = world.wait(lambda: (p := world.snapshot(750)) and p["variants"][0], "product at the hub")
    assert medium["quantity"] == 10
    assert medium["locations"] == [{"id": "1", "name": "Leeds warehouse", "quantity": 6},
                                   {"id": "2", "name": "Harbour Street shop", "quantity": 4}]
    # A sale from the warehouse: the location's figure follows.
    world.fake.set_stock(STORE, 750, 9, variant_id=7501)
    world.wait(lambda: world.snapshot(750)["variants"][0]["locations"][0]["quantity"] == 5, "location stock moved")


def test_without_the_inventory_scope_variants_carry_their_totals_only(world: World) -> None:
    world.installed()
    assert world.credential().details["stock_by_location"] is False
    world.fake.save_product(STORE, tee(751))
    product = world.wait(lambda: world.snapshot(751), "product at the hub")
    assert "locations" not in product["variants"][0]
    assert not [c for _, c, _s in world.fake.app_calls(STORE) if c.startswith("GET /v3/inventory")]


def test_products_say_whether_the_stores_prices_include_tax_and_carry_the_tax_class(world: World) -> None:
    """`/v2/store` `is_price_entered_with_tax`: off means the prices exclude VAT; the product's tax class goes along."""
    world.fake.stores[STORE].price_entered_with_tax = False
    world.installed()
    made = make_product(760, "Kids Tee", price=10.0)
    made["tax_class_id"] = 2
    world.fake.save_product(STORE, made)
    product: dict[str, Any] = world.wait(lambda: world.snapshot(760), "product at the hub")
    assert product["prices_include_tax"] is False and product["tax_class"] == "2"
    world.fake.save_product(STORE, make_product(761, "Adult Tee", price=10.0))
    assert world.wait(lambda: world.snapshot(761), "product at the hub")["tax_class"] == ""
