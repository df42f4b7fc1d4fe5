"""Reconciliation reads a TikTok shop once per round, whatever the number of the merchant's stores on it.

Every store of a merchant sells through the merchant's one TikTok shop, and reading the shop means paging
through all of its products. Read once per store, a merchant with five stores spent five times the shop's
search budget, and a worker five times as long asleep on it, for the same answer.
"""

from __future__ import annotations

import dataclasses

from rq import SimpleWorker

from hub.queues import all_queues
from hub.sync.stock.reconcile import reconcile_all
from plugins.hub_client import HubClient
from tests.stock.conftest import Shop
from tests.support.hub import add_store
from tests.support.jobs import drain

SEARCH = "products/search"


def test_a_shop_with_two_stores_is_read_once_and_both_are_repaired(shop: Shop) -> None:
    added = add_store(shop.runtime, name="Second store", merchant="Northern Threads Ltd")
    assert added["merchant_id"] == shop.merchant_id
    other = dataclasses.replace(shop, store_id=added["store_id"],
                                hub=HubClient(shop.hub.base_url, added["key_id"], added["secret"], max_retries=1))
    other.send({"id": "00000000-0000-4000-8000-0000000000f1", "type": "store.update", "store": {"currency": "GBP"}})
    first = shop.list_product("81", [("HAT", "12.00", 5)])
    second = other.list_product("82", [("CAP", "9.00", 7)])
    # A seller edits both in Seller Center (through the API, as Seller Center does).
    shop.client.products.update_price(first, [{"id": shop.bindings("81")["HAT"].tiktok_sku_id,
                                               "price": {"amount": "1.00", "currency": "GBP"}}])
    shop.client.products.update_price(second, [{"id": other.bindings("82")["CAP"].tiktok_sku_id,
                                                "price": {"amount": "2.00", "currency": "GBP"}}])
    before = shop.calls(SEARCH)
    assert reconcile_all(shop.runtime) == 2
    drain(shop.runtime)
    assert shop.calls(SEARCH) - before == 1  # both stores' products fit one page: one read of the shop
    assert shop.skus(first)["HAT"]["price"] == "12.00"
    assert other.skus(second)["CAP"]["price"] == "9.00"


def test_a_shop_read_in_parts_repairs_every_store_product(shop: Shop, monkeypatch) -> None:  # noqa: ANN001
    """The periodic job reads a few pages, keeps them and queues itself again (live jobs go first in
    between); the last part compares the whole read."""
    from hub.sync.stock import reconcile

    monkeypatch.setattr(reconcile, "PAGE_SIZE", 1)
    monkeypatch.setattr(reconcile, "SLICE_PAGES", 1)
    listed = {pid: shop.list_product(pid, [(f"SKU{pid}", "12.00", 5)]) for pid in ("81", "82", "83")}
    for pid, tiktok_id in listed.items():
        shop.client.products.update_price(tiktok_id, [{"id": shop.bindings(pid)[f"SKU{pid}"].tiktok_sku_id,
                                                       "price": {"amount": "1.00", "currency": "GBP"}}])
    drain(shop.runtime)
    before = shop.calls(SEARCH)
    assert reconcile_all(shop.runtime) == 1
    SimpleWorker(all_queues(shop.runtime.redis), connection=shop.runtime.redis).work(
        burst=True, max_jobs=1, with_scheduler=False, logging_level="WARNING")
    assert shop.calls(SEARCH) - before == 1  # the job read one part and ended
    assert shop.runtime.redis.exists(f"hub:reconcile-read:{shop.merchant_id}")
    assert [shop.skus(t)[f"SKU{pid}"]["price"] for pid, t in listed.items()] == ["1.00"] * 3  # nothing compared yet
    drain(shop.runtime)
    assert shop.calls(SEARCH) - before == 3  # three pages of one product, each read once
    assert {pid: shop.skus(tiktok_id)[f"SKU{pid}"]["price"] for pid, tiktok_id in listed.items()} == \
        {"81": "12.00", "82": "12.00", "83": "12.00"}
    assert shop.runtime.redis.keys("hub:reconcile-read:*") == []
