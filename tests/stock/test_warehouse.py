"""Stock updates name the warehouse the SKU was created with (TikTok allows leaving it out only when the
shop has a single warehouse); the quantity goes there and the shop's other warehouses are left alone."""

from __future__ import annotations

from sqlalchemy import update

from hub.models import SkuBinding
from tests.stock.conftest import Shop, drain

GET_PRODUCT = "GET /product/202309/products/{product_id}"
SECOND = "7068517275539719963"


def _two_sales_warehouses(shop: Shop) -> None:
    """Leeds becomes the shop's default sales warehouse beside the one products were created in."""
    shop.sandbox.control("PUT", "/shop", {"warehouses": [
        {"id": shop.warehouse_id, "type": "SALES_WAREHOUSE", "name": "Manchester Dispatch", "is_default": False},
        {"id": SECOND, "type": "SALES_WAREHOUSE", "name": "Leeds Dispatch", "is_default": True},
        {"id": "7068517275539719951", "type": "RETURN_WAREHOUSE", "name": "Manchester Returns", "is_default": True},
    ]})


def _record_warehouse(shop: Shop, product_id: str, warehouse_id: str | None) -> None:
    """What the listing engine writes when it creates the product (or what a stale row holds)."""
    with shop.runtime.db.session_scope() as session:
        session.execute(update(SkuBinding).where(SkuBinding.store_id == shop.store_id,
                                                 SkuBinding.product_id == product_id)
                        .values(tiktok_warehouse_id=warehouse_id))


def test_with_two_sales_warehouses_the_quantity_goes_to_the_skus_own(shop: Shop) -> None:
    tiktok_id = shop.list_product("40", [("S", "10.00", 5), ("M", "10.00", 6)])
    _record_warehouse(shop, "40", shop.warehouse_id)
    _two_sales_warehouses(shop)
    shop.stock("40", "40-S", 9, "10.00", version=2)
    drain(shop.runtime)
    skus = shop.skus(tiktok_id)
    assert skus["S"]["inventory"] == [{"warehouse_id": shop.warehouse_id, "quantity": 9}]
    assert skus["M"]["inventory"] == [{"warehouse_id": shop.warehouse_id, "quantity": 6}]
    assert shop.listing("40").reason is None
    assert shop.calls(GET_PRODUCT) == 0  # the recorded warehouse is used as it is


def test_a_binding_without_a_warehouse_reads_it_once_from_tiktok(shop: Shop) -> None:
    tiktok_id = shop.list_product("41", [("ONE", "4.00", 3)])
    _record_warehouse(shop, "41", None)          # a binding made before the warehouse was recorded
    _two_sales_warehouses(shop)
    shop.stock("41", "41-ONE", 7, "4.00", version=2)
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["ONE"]["inventory"] == [{"warehouse_id": shop.warehouse_id, "quantity": 7}]
    assert shop.bindings("41")["ONE"].tiktok_warehouse_id == shop.warehouse_id
    shop.stock("41", "41-ONE", 2, "4.00", version=3)
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["ONE"]["stock"] == 2
    assert shop.calls(GET_PRODUCT) == 1          # read once, then kept on the binding


def test_a_wrong_recorded_warehouse_is_reported_and_read_again(shop: Shop) -> None:
    tiktok_id = shop.list_product("42", [("CAP", "15.00", 4)])
    _two_sales_warehouses(shop)
    _record_warehouse(shop, "42", SECOND)        # not where the SKU's stock is
    shop.stock("42", "42-CAP", 8, "15.00", version=2)
    drain(shop.runtime)
    listing = shop.listing("42")
    assert listing.reason_code == "push.tiktok_12052533" and "original warehouses" in listing.reason
    assert shop.skus(tiktok_id)["CAP"]["stock"] == 4
    assert shop.bindings("42")["CAP"].tiktok_warehouse_id is None
    shop.stock("42", "42-CAP", 9, "15.00", version=3)  # the next push reads the SKU's warehouse from TikTok
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["CAP"]["inventory"] == [{"warehouse_id": shop.warehouse_id, "quantity": 9}]
    assert shop.listing("42").reason_code is None
