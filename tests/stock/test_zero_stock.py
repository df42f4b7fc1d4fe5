"""A variant sold out in the store becomes unbuyable on TikTok whatever TikTok answers to quantity 0.

Where TikTok accepts 0 the product stays live at 0
(`test_propagation.py::test_zero_stock_is_sent_as_zero_and_the_product_stays_live`). Where it refuses 0
(the sandbox's `allow_zero_stock_on_update: false`), the product is deactivated and activated again when
the variant is restocked. A promotion holding stock is a reason with a fix.
"""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import select

from hub.models import ActivityEntry, Listing
from hub.models.listings import SYNCED, UNDER_REVIEW
from hub.sync.stock.reconcile import reconcile_store
from tests.stock.conftest import Shop, drain


def _buy(shop: Shop, seller_sku: str) -> requests.Response:
    return requests.post(f"{shop.sandbox.url}/sandbox/orders", timeout=10,
                         json={"lines": [{"seller_sku": seller_sku, "quantity": 1}], "status": "AWAITING_SHIPMENT"})


def _kinds(shop: Shop, product_id: str) -> list[str]:
    with shop.runtime.db.session_scope() as session:
        return list(session.scalars(select(ActivityEntry.kind).where(ActivityEntry.subject_id == product_id)
                                    .order_by(ActivityEntry.id)))


def _status(shop: Shop, tiktok_id: str) -> str:
    return shop.tiktok(tiktok_id)["status"]


def _refuse_zero(shop: Shop) -> dict[str, Any]:
    return shop.sandbox.control("PUT", "/shop", {"allow_zero_stock_on_update": False})


def test_where_tiktok_refuses_0_a_sold_out_variant_takes_the_product_off_sale_until_restocked(shop: Shop) -> None:
    _refuse_zero(shop)
    tiktok_id = shop.list_product("80", [("RED", "9.00", 2), ("BLUE", "9.00", 5)])
    shop.stock("80", "80-RED", 0, "9.00", version=2)
    drain(shop.runtime)

    assert _status(shop, tiktok_id) == "SELLER_DEACTIVATED"
    assert _buy(shop, "RED").status_code >= 400 and _buy(shop, "BLUE").status_code >= 400
    listing = shop.listing("80")
    assert (listing.status, listing.reason_code) == (SYNCED, "sold_out_deactivated")
    assert "RED" in listing.reason and "review" in listing.reason and "Restock" in listing.fix
    assert shop.bindings("80")["RED"].sold_out_deactivated_at is not None
    assert _kinds(shop, "80") == ["stock.sold_out_deactivated"]
    # TikTok's own report of the deactivation (review tracking) keeps the reason that says what happens next.
    from hub.sync.products.review import refresh

    with shop.runtime.db.session_scope() as session:
        row = session.get(Listing, listing.id)
        assert refresh(session, shop.client, row) == SYNCED and row.reason_code == "sold_out_deactivated"

    # Still off sale: the other variant's stock keeps following the store, nothing is re-sent for RED.
    calls = shop.calls("products/deactivate")
    shop.stock("80", "80-BLUE", 3, "9.00", version=3)
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["BLUE"]["stock"] == 3 and _status(shop, tiktok_id) == "SELLER_DEACTIVATED"
    assert shop.calls("products/deactivate") == calls and shop.listing("80").reason_code == "sold_out_deactivated"

    shop.stock("80", "80-RED", 4, "9.00", version=4)
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["RED"]["stock"] == 4
    assert _status(shop, tiktok_id) in ("PENDING", "ACTIVATE")    # activated, through TikTok's review
    listing = shop.listing("80")
    assert (listing.status, listing.reason_code) == (UNDER_REVIEW, "restocked_in_review")
    assert "review" in listing.reason
    assert shop.bindings("80")["RED"].sold_out_deactivated_at is None
    assert _kinds(shop, "80") == ["stock.sold_out_deactivated", "stock.restocked_activated"]


def test_the_product_comes_back_only_when_every_sold_out_variant_is_restocked(shop: Shop) -> None:
    _refuse_zero(shop)
    tiktok_id = shop.list_product("81", [("S", "5.00", 1), ("M", "5.00", 1)])
    shop.stock("81", "81-S", 0, "5.00", version=2)
    drain(shop.runtime)
    shop.stock("81", "81-M", 0, "5.00", version=3)       # sells out too while off sale
    drain(shop.runtime)
    assert shop.bindings("81")["M"].sold_out_deactivated_at is not None
    assert "S, M" in shop.listing("81").reason
    shop.stock("81", "81-S", 6, "5.00", version=4)
    drain(shop.runtime)
    assert _status(shop, tiktok_id) == "SELLER_DEACTIVATED" and shop.skus(tiktok_id)["S"]["stock"] == 6
    # Restocked to the very figure TikTok still shows: nothing to send, but it goes back on sale.
    shop.stock("81", "81-M", 1, "5.00", version=5)
    drain(shop.runtime)
    assert _status(shop, tiktok_id) in ("PENDING", "ACTIVATE")
    assert shop.listing("81").reason_code == "restocked_in_review"


def test_reconciliation_leaves_a_product_taken_off_sale_alone(shop: Shop) -> None:
    _refuse_zero(shop)
    tiktok_id = shop.list_product("82", [("ONE", "3.00", 2)])
    shop.stock("82", "82-ONE", 0, "3.00", version=2)
    drain(shop.runtime)
    before = shop.sandbox.state()["calls"]
    report = reconcile_store(shop.runtime, shop.store_id)
    drain(shop.runtime)
    assert report.repushed == [] and report.stock_drift == 0
    assert shop.sandbox.state()["calls"].get("POST /product/202309/products/{product_id}/inventory/update") == \
        before.get("POST /product/202309/products/{product_id}/inventory/update")
    assert _status(shop, tiktok_id) == "SELLER_DEACTIVATED"


def test_stock_held_by_a_promotion_is_a_reason_with_a_fix(shop: Shop) -> None:
    tiktok_id = shop.list_product("83", [("MUG", "8.00", 10)])
    sku_id = shop.bindings("83")["MUG"].tiktok_sku_id
    shop.sandbox.control("PUT", f"/products/{tiktok_id}/promotion", {"sku_id": sku_id, "open_stock": 6})
    shop.stock("83", "83-MUG", 3, "8.00", version=2)
    drain(shop.runtime)
    listing = shop.listing("83")
    assert listing.reason_code == "push.promotion_stock"
    assert "promotion" in listing.reason and "3" in listing.reason
    assert "Promotions" in listing.fix
    assert shop.skus(tiktok_id)["MUG"]["stock"] == 10
    assert _kinds(shop, "83") == ["stock.push_failed"]

    shop.sandbox.control("PUT", f"/products/{tiktok_id}/promotion", {"sku_id": sku_id, "open_stock": 0})
    reconcile_store(shop.runtime, shop.store_id)   # TikTok still holds what was last accepted: sent again
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["MUG"]["stock"] == 3
    assert shop.listing("83").reason_code is None


def test_a_sold_out_variant_under_a_promotion_still_becomes_unbuyable(shop: Shop) -> None:
    tiktok_id = shop.list_product("84", [("PEN", "2.00", 4)])
    sku_id = shop.bindings("84")["PEN"].tiktok_sku_id
    shop.sandbox.control("PUT", f"/products/{tiktok_id}/promotion", {"sku_id": sku_id, "open_stock": 2})
    shop.stock("84", "84-PEN", 0, "2.00", version=2)
    drain(shop.runtime)
    assert _status(shop, tiktok_id) == "SELLER_DEACTIVATED"
    assert _buy(shop, "PEN").status_code >= 400
