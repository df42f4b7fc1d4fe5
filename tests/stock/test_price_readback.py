"""Reconciliation reads the price field TikTok documents for a UK local shop's product search.

Product search 202502 gives a local seller's display price (what the hub sends) in
`tax_exclusive_price`; `sale_price` is documented for global sellers only, and the sandbox answers
exactly that. Reading the wrong field misses every price edit made in Seller Center.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.models import ActivityEntry
from hub.sync.stock.reconcile import reconcile_store
from tests.stock.conftest import Shop, drain


def _drift_entries(shop: Shop) -> list[ActivityEntry]:
    with shop.runtime.db.session_scope() as session:
        return list(session.scalars(select(ActivityEntry).where(ActivityEntry.kind == "reconcile.drift")))


def test_search_answers_a_local_shops_display_price_in_tax_exclusive_price(shop: Shop) -> None:
    tiktok_id = shop.list_product("60", [("SCARF", "24.00", 5)])
    found = shop.client.products.search(page_size=10)["products"]
    sku = next(p for p in found if p["id"] == tiktok_id)["skus"][0]
    assert sku["price"] == {"currency": "GBP", "tax_exclusive_price": "24.00"}
    assert shop.client.products.get(tiktok_id)["skus"][0]["price"]["sale_price"] == "24.00"


def test_a_price_changed_in_seller_center_is_found_and_put_back(shop: Shop) -> None:
    tiktok_id = shop.list_product("61", [("GLOVES", "18.00", 7)])
    sku_id = shop.bindings("61")["GLOVES"].tiktok_sku_id
    shop.client.products.update_price(tiktok_id, [{"id": sku_id, "price": {"amount": "9.00", "currency": "GBP"}}])

    report = reconcile_store(shop.runtime, shop.store_id)
    assert report.price_drift == 1 and report.repushed == ["61"]
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["GLOVES"]["price"] == "18.00"
    [entry] = _drift_entries(shop)
    assert entry.data["skus"] == [{"variant_id": "61-GLOVES", "seller_sku": "GLOVES", "field": "price",
                                   "tiktok": "9.00", "store": "18.00"}]


def test_prices_in_step_are_not_reported_as_drift(shop: Shop) -> None:
    shop.list_product("62", [("BEANIE", "12.50", 3), ("BOBBLE", "13.75", 4)])
    before = shop.calls("prices/update")
    report = reconcile_store(shop.runtime, shop.store_id)
    assert (report.price_drift, report.stock_drift, report.skus_checked) == (0, 0, 2)
    drain(shop.runtime)
    assert shop.calls("prices/update") == before and _drift_entries(shop) == []
