"""The hub never sends a JSON object without keys (TikTok's own signing code leaves such a body out)."""

from __future__ import annotations

from hub.tiktok.client import ShopClient
from hub.tiktok.products import SEARCH


def test_an_unfiltered_product_search_sends_a_filter_and_is_accepted(shop_client: ShopClient) -> None:
    data = shop_client.products.search(page_size=10)
    assert data["products"] == [] and data.get("total_count", 0) == 0


def test_an_empty_body_is_not_sent_at_all(shop_client: ShopClient) -> None:
    # Straight through the transport with an empty mapping: nothing is sent or signed, and TikTok's
    # default applies (the sandbox, like TikTok's signing code, would refuse a signed `{}`).
    data = shop_client.request(SEARCH, query={"page_size": 10}, body={})
    assert data["products"] == []
