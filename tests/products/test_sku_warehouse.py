"""A listing records the warehouse each SKU is created in, and stock updates name it."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from hub.models import SkuBinding
from hub.sync.stock.pusher import push_product

MANCHESTER, LEEDS, RETURNS = "7068517275539719942", "7068517275539719963", "7068517275539719951"


def test_a_new_listing_records_its_warehouse_and_stock_updates_name_it(shop) -> None:  # noqa: ANN001
    shop.sandbox.shop(warehouses=[
        {"id": MANCHESTER, "type": "SALES_WAREHOUSE", "name": "Manchester Dispatch", "is_default": False},
        {"id": LEEDS, "type": "SALES_WAREHOUSE", "name": "Leeds Dispatch", "is_default": True},
        {"id": RETURNS, "type": "RETURN_WAREHOUSE", "name": "Manchester Returns", "is_default": True}])
    shop.map()
    shop.push(shop.product("51"))
    tiktok_id = shop.listing("51").tiktok_product_id
    held = {s["seller_sku"]: s["inventory"] for s in shop.sandbox.product(tiktok_id)["skus"]}
    assert held == {"TEE-51-M": [{"warehouse_id": LEEDS, "quantity": 10}],
                    "TEE-51-L": [{"warehouse_id": LEEDS, "quantity": 4}]}
    with shop.runtime.db.session_scope() as session:
        recorded = {b.seller_sku: b.tiktok_warehouse_id for b in session.scalars(select(SkuBinding))}
    assert recorded == {"TEE-51-M": LEEDS, "TEE-51-L": LEEDS}

    shop.push(events=[{"id": str(uuid.uuid4()), "type": "inventory.update", "items": [
        {"product_id": "51", "variant_id": "511", "quantity": 7, "price": "12.50", "version": shop.version + 1}]}],
        run=False)
    outcome = push_product(shop.runtime, shop.store_id, "51")
    assert outcome.status == "pushed", outcome.as_dict()
    held = {s["seller_sku"]: s["inventory"] for s in shop.sandbox.product(tiktok_id)["skus"]}
    assert held["TEE-51-M"] == [{"warehouse_id": LEEDS, "quantity": 7}]
    assert shop.sandbox.calls("GET /product/202309/products/{product_id}") == 0
