"""Stock and price changes of products already on TikTok are price/stock pushes only: they leave no job on
the details lane, which new listings wait behind. A first listing that waited for stock still goes out
when the stock arrives."""

from __future__ import annotations

import uuid

from rq import Queue

from hub.queues import DETAILS


def _stock(shop, pid: str, variant: str, quantity: int) -> dict:  # noqa: ANN001
    shop.version += 1
    return {"id": str(uuid.uuid4()), "type": "inventory.update", "items": [
        {"product_id": pid, "variant_id": variant, "quantity": quantity, "price": "12.50", "version": shop.version}]}


def test_stock_changes_of_listed_products_leave_no_details_job(shop) -> None:  # noqa: ANN001
    shop.map()
    shop.push(shop.product("61"), shop.product("62"))
    assert shop.listing("61").tiktok_product_id and shop.listing("62").tiktok_product_id
    details = Queue(DETAILS, connection=shop.runtime.redis)
    assert details.count == 0
    shop.push(events=[_stock(shop, "61", "611", 3), _stock(shop, "62", "621", 0)], run=False)
    assert details.count == 0


def test_a_listing_that_waited_for_stock_goes_out_when_stock_arrives(shop) -> None:  # noqa: ANN001
    shop.map()
    sold_out = shop.product("71")
    for variant in sold_out["variants"]:
        variant["quantity"] = 0
    shop.push(sold_out)
    waiting = shop.listing("71")
    assert waiting.tiktok_product_id is None and waiting.reason_code == "stock_zero_on_create", waiting.reason
    shop.push(events=[_stock(shop, "71", "711", 5), _stock(shop, "71", "712", 2)])
    assert shop.listing("71").tiktok_product_id is not None
