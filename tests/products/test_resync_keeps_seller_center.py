""""Resync details" changes what the hub owns and keeps what the merchant did in Seller Center.

TikTok's full edit blanks every field left out of the request, its partial edit leaves them; the
sandbox does both as documented, so an edit that drops a Seller Center video, attribute or size chart
fails here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub.models.listings import ACTIVE

EDIT = "PUT /product/202309/products/{product_id}"
PARTIAL_EDIT = "POST /product/202309/products/{product_id}/partial_edit"
TEMPLATE = "7420186513740087041"  # one of the fixture shop's size chart templates
PATTERN_STRIPED = {"id": "100198", "values": [{"id": "1000211"}]}  # an attribute the hub does not map


def _live(shop, pid: str, product: dict[str, Any]) -> str:  # noqa: ANN001
    from hub.sync.products.review import poll

    shop.push(product)
    tiktok_id = shop.listing(pid).tiktok_product_id
    shop.sandbox.review(tiktok_id, "approve")
    poll(shop.runtime, older_than=timedelta(0))
    return tiktok_id


def _resync(shop, pid: str) -> None:  # noqa: ANN001
    from hub.sync.products.schedule import sync

    assert sync(shop.runtime, shop.store_id, pid, details=True)["details"] == 1
    shop.work()
    assert shop.listing(pid).status == ACTIVE, shop.listing(pid).reason


def _attribute_ids(content: dict[str, Any]) -> set[str]:
    return {a["id"] for a in content["product_attributes"]}


def test_resync_keeps_video_attributes_and_size_chart_added_in_seller_center(shop) -> None:  # noqa: ANN001
    shop.map("Clothing > Socks", "841736", size_chart={})  # socks: a size chart is allowed, not required
    socks = shop.product("701", path=("Clothing", "Socks"))
    tiktok_id = _live(shop, "701", socks)
    shop.sandbox.control("POST", f"/products/{tiktok_id}/seller-center",
                         {"video": True, "product_attributes": [PATTERN_STRIPED],
                          "size_chart": {"template": {"id": TEMPLATE}}})
    merchant = shop.sandbox.product(tiktok_id)["live"]
    assert merchant["video"]["id"]

    shop.push(shop.product("701", title="Organic Cotton Socks, now ribbed", path=("Clothing", "Socks")))
    _resync(shop, "701")
    assert shop.sandbox.calls(PARTIAL_EDIT) == 1 and shop.sandbox.calls(EDIT) == 0
    edited = shop.sandbox.product(tiktok_id)["under_review"]
    assert edited["title"] == "Organic Cotton Socks, now ribbed"
    assert edited["video"]["id"] == merchant["video"]["id"]
    assert _attribute_ids(edited) == _attribute_ids(merchant) and "100198" in _attribute_ids(edited)
    assert edited["size_chart"] == {"template": {"id": TEMPLATE}}  # the hub has none: the merchant's stays
    assert len(edited["skus"]) == 2


def test_a_size_chart_set_in_the_hub_wins_over_seller_center(shop) -> None:  # noqa: ANN001
    shop.map()  # T-shirts, with the merchant's size chart picture on the settings page
    tiktok_id = _live(shop, "702", shop.product("702"))
    sent_chart = shop.sandbox.product(tiktok_id)["live"]["size_chart"]
    assert "image" in sent_chart
    shop.sandbox.control("POST", f"/products/{tiktok_id}/seller-center",
                         {"video": True, "size_chart": {"template": {"id": TEMPLATE}}})

    shop.push(shop.product("702", title="Organic Cotton Crew Neck T-shirt, heavier"))
    _resync(shop, "702")
    edited = shop.sandbox.product(tiktok_id)["under_review"]
    assert edited["size_chart"]["image"]["uri"] == sent_chart["image"]["uri"]
    assert edited["video"]["id"]


def test_a_category_change_uses_the_full_edit_and_carries_seller_center_fields(shop) -> None:  # noqa: ANN001
    from hub.models import CategoryDefaults
    from hub.sync.products.categories import map_category

    shop.map("Clothing > Socks", "841736", size_chart={})
    tiktok_id = _live(shop, "703", shop.product("703", path=("Clothing", "Socks")))
    shop.sandbox.control("POST", f"/products/{tiktok_id}/seller-center",
                         {"video": True, "size_chart": {"template": {"id": TEMPLATE}}})
    merchant = shop.sandbox.product(tiktok_id)["live"]

    with shop.runtime.db.session_scope() as session:  # the merchant maps the store category to Women's Socks
        session.add(CategoryDefaults(store_id=shop.store_id, tiktok_category_id="845448", attributes={},
                                     size_chart={}))
        map_category(session, shop.store_id, "Clothing > Socks", "845448", version="v1", name="Women's Socks")
    _resync(shop, "703")
    assert shop.sandbox.calls(EDIT) == 1 and shop.sandbox.calls(PARTIAL_EDIT) == 0  # partial edit has no category
    edited = shop.sandbox.product(tiktok_id)["under_review"]
    assert edited["category_chains"][-1]["id"] == "845448"
    assert edited["video"]["id"] == merchant["video"]["id"]
    assert edited["size_chart"] == {"template": {"id": TEMPLATE}}
