"""Store price/stock changes reach TikTok: coalesced, in order, through the rules, and only when needed."""

from __future__ import annotations

import requests
from sqlalchemy import select

from hub.queues import PRICE, STOCK, queue
from hub.models import ActivityEntry
from hub.sync.stock.preview import preview
from hub.sync.stock.schedule import reprice_store
from tests.stock.conftest import Shop, drain

INVENTORY = "inventory/update"
PRICES = "prices/update"


def stock_jobs(shop: Shop) -> int:
    return sum(queue(name, shop.runtime.redis).count for name in (STOCK, PRICE))


def test_a_burst_of_50_changes_is_one_call_per_endpoint_with_the_latest_values(shop: Shop) -> None:
    tiktok_id = shop.list_product("88", [("SOCK-M", "9.99", 50), ("SOCK-L", "9.99", 40)])
    before_stock, before_price = shop.calls(INVENTORY), shop.calls(PRICES)
    for n in range(50):
        variant = "88-SOCK-M" if n % 2 == 0 else "88-SOCK-L"
        shop.stock("88", variant, 100 + n, f"{10 + n}.49", version=10 + n)
    assert stock_jobs(shop) == 1  # coalesced while waiting
    drain(shop.runtime)
    assert shop.calls(INVENTORY) - before_stock == 1
    assert shop.calls(PRICES) - before_price == 1
    skus = shop.skus(tiktok_id)
    assert (skus["SOCK-M"]["stock"], skus["SOCK-M"]["price"]) == (148, "58.49")
    assert (skus["SOCK-L"]["stock"], skus["SOCK-L"]["price"]) == (149, "59.49")
    bindings = shop.bindings("88")
    assert bindings["SOCK-L"].pushed_version == 59 and bindings["SOCK-L"].pushed_quantity == 149


def test_an_older_update_never_overwrites_a_newer_one(shop: Shop) -> None:
    tiktok_id = shop.list_product("90", [("CAP", "15.00", 10)])
    shop.stock("90", "90-CAP", 7, "14.00", version=500)
    drain(shop.runtime)
    shop.stock("90", "90-CAP", 99, "1.00", version=400)   # arrives late
    drain(shop.runtime)
    sku = shop.skus(tiktok_id)["CAP"]
    assert (sku["stock"], sku["price"]) == (7, "14.00")


def test_nothing_is_sent_when_tiktok_already_holds_the_values(shop: Shop) -> None:
    shop.list_product("91", [("HAT", "20.00", 5)])
    before = shop.calls(INVENTORY) + shop.calls(PRICES)
    shop.stock("91", "91-HAT", 5, "20.00", version=2)      # newer version, same values
    drain(shop.runtime)
    assert shop.calls(INVENTORY) + shop.calls(PRICES) == before


def test_only_changed_skus_are_sent_and_only_to_the_endpoint_that_needs_them(shop: Shop) -> None:
    tiktok_id = shop.list_product("92", [("S", "5.00", 5), ("M", "5.00", 5), ("L", "5.00", 5)])
    before_price = shop.calls(PRICES)
    shop.send(*[{"id": f"00000000-0000-4000-8000-00000000009{i}", "type": "inventory.update",
                 "items": [{"product_id": "92", "variant_id": f"92-{size}", "quantity": q, "price": "5.00",
                            "version": 3}]} for i, (size, q) in enumerate((("S", 1), ("L", 9)))])
    drain(shop.runtime)
    assert shop.calls(PRICES) == before_price
    assert {k: v["stock"] for k, v in shop.skus(tiktok_id).items()} == {"S": 1, "M": 5, "L": 9}


def test_products_not_on_tiktok_are_skipped(shop: Shop) -> None:
    shop.send({"id": "00000000-0000-4000-8000-000000000001", "type": "inventory.update",
               "items": [{"product_id": "not-listed", "variant_id": "1", "quantity": 3, "price": "2.00",
                          "version": 1}]})
    assert stock_jobs(shop) == 0


def test_price_rule_and_stock_buffer_preview_is_what_tiktok_holds(shop: Shop) -> None:
    shop.set_settings(pricing={"markup_percent": "10", "markup_fixed": "0", "rounding": "0.99"},
                      stock={"reserve_units": 2, "reserve_percent": "10", "out_of_stock_threshold": 3})
    tiktok_id = shop.list_product("93", [("A", "9.99", 50), ("B", "20.00", 3), ("C", "4.00", 30)])
    shop.stock("93", "93-A", 40, "12.50", version=2)
    shop.stock("93", "93-B", 3, "20.00", version=2)
    drain(shop.runtime)
    with shop.runtime.db.session_scope() as session:
        rows = {r["seller_sku"]: r for r in preview(session, shop.store_id, "93")}
    # 12.50 * 1.10 = 13.75 -> 13.99; 40 - 2 - ceil(4) = 34; 3 is at the threshold -> 0 (sold out)
    assert (rows["A"]["tiktok_price"], rows["A"]["tiktok_quantity"]) == ("13.99", 34)
    assert rows["B"]["tiktok_quantity"] == 0
    assert any("10% markup" in step for step in rows["A"]["price_rule"])
    assert any("threshold" in step for step in rows["B"]["stock_rule"])
    held = shop.skus(tiktok_id)
    for sku, row in rows.items():
        assert (held[sku]["price"], held[sku]["stock"]) == (row["tiktok_price"], row["tiktok_quantity"])

    # Changing the rule re-prices every product on TikTok without any store change.
    shop.set_settings(pricing={"markup_percent": "0", "markup_fixed": "1.00", "rounding": "whole"})
    assert reprice_store(shop.runtime, shop.store_id) == 1
    drain(shop.runtime)
    with shop.runtime.db.session_scope() as session:
        rows = {r["seller_sku"]: r for r in preview(session, shop.store_id, "93")}
    assert rows["A"]["tiktok_price"] == "14.00"  # 12.50 + 1.00 -> up to a whole pound
    held = shop.skus(tiktok_id)
    for sku, row in rows.items():
        assert held[sku]["price"] == row["tiktok_price"]


def test_a_price_or_stock_edit_made_on_tiktok_is_overwritten_by_the_next_store_value(shop: Shop) -> None:
    tiktok_id = shop.list_product("94", [("MUG", "8.00", 12)])
    sku_id = shop.bindings("94")["MUG"].tiktok_sku_id
    shop.client.products.update_price(tiktok_id, [{"id": sku_id, "price": {"amount": "1.00", "currency": "GBP"}}])
    shop.client.products.update_inventory(tiktok_id, [{"id": sku_id, "inventory": [{"quantity": 500}]}])
    shop.stock("94", "94-MUG", 11, "8.50", version=2)
    drain(shop.runtime)
    sku = shop.skus(tiktok_id)["MUG"]
    assert (sku["stock"], sku["price"]) == (11, "8.50")


def test_zero_stock_is_sent_as_zero_and_the_product_stays_live(shop: Shop) -> None:
    """Decision (docs/decisions.md): at zero the hub sends quantity 0 and never deactivates."""
    tiktok_id = shop.list_product("95", [("TEE", "12.00", 2)])
    shop.stock("95", "95-TEE", 0, "12.00", version=2)
    drain(shop.runtime)
    held = shop.tiktok(tiktok_id)
    assert held["skus"][0]["stock"] == 0 and held["status"] == "ACTIVATE"
    order = requests.post(f"{shop.sandbox.url}/sandbox/orders", timeout=10,
                          json={"lines": [{"seller_sku": "TEE", "quantity": 1}], "status": "AWAITING_SHIPMENT"})
    assert order.status_code >= 400, "a buyer could order a sold-out item"
    shop.stock("95", "95-TEE", 3, "12.00", version=3)
    drain(shop.runtime)
    order = requests.post(f"{shop.sandbox.url}/sandbox/orders", timeout=10,
                          json={"lines": [{"seller_sku": "TEE", "quantity": 1}], "status": "AWAITING_SHIPMENT"})
    assert order.status_code == 201, order.text
    assert shop.tiktok(tiktok_id)["status"] == "ACTIVATE"


def test_a_bad_price_on_one_product_is_reported_and_does_not_block_others(shop: Shop) -> None:
    bad = shop.list_product("96", [("GOLD", "100.00", 1)])
    good = shop.list_product("97", [("SILVER", "10.00", 1)])
    shop.stock("96", "96-GOLD", 4, "9000.00", version=2)   # above TikTok UK's £5,600
    shop.stock("97", "97-SILVER", 6, "11.00", version=2)
    drain(shop.runtime)
    assert (shop.skus(good)["SILVER"]["stock"], shop.skus(good)["SILVER"]["price"]) == (6, "11.00")
    gold = shop.skus(bad)["GOLD"]
    assert gold["stock"] == 4 and gold["price"] == "100.00"  # stock still went; the bad price did not
    listing = shop.listing("96")
    assert listing.reason_code == "push.price_out_of_range" and "5,600" in listing.reason
    # Named once, with the product, like every other reason (not "Variant GOLD: Variant GOLD: ...").
    assert listing.reason.startswith("“Cotton Socks 96” (product 96), GOLD (variant 96-GOLD): the TikTok price"), \
        listing.reason
    assert listing.reason.count("GOLD (") == 1 and "Variant GOLD" not in listing.reason
    with shop.runtime.db.session_scope() as session:
        kinds = list(session.scalars(select(ActivityEntry.kind).where(ActivityEntry.subject_id == "96")))
    assert kinds == ["stock.push_failed"]
    shop.stock("96", "96-GOLD", 4, "5000.00", version=3)
    drain(shop.runtime)
    assert shop.skus(bad)["GOLD"]["price"] == "5000.00"
    assert shop.listing("96").reason_code is None


def test_a_store_entering_prices_without_vat_has_the_rate_added_to_price_pushes(shop: Shop) -> None:
    from plugins.hub_client.client import new_event

    tiktok_id = shop.list_product("98", [("NET", "10.00", 5)])
    product = shop.tiktok(tiktok_id)
    assert product["skus"][0]["price"] == "10.00"
    shop.send(new_event("product.upsert", product={
        "id": "98", "version": 2, "title": "Cotton Socks 98", "prices_include_tax": False, "tax_class": "Reduced rate",
        "variants": [{"id": "98-NET", "sku": "NET", "price": "10.00", "quantity": 5}]}))
    shop.stock("98", "98-NET", 6, "10.00", version=3)
    drain(shop.runtime)
    listing = shop.listing("98")
    assert listing.reason_code == "push.vat_rate_missing" and "Reduced rate" in listing.reason
    assert shop.skus(tiktok_id)["NET"]["price"] == "10.00"  # never sent 20% cheap or guessed
    shop.set_settings(vat={"classes": {"Reduced rate": "reduced"}})
    reprice_store(shop.runtime, shop.store_id)  # what saving the VAT settings does
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["NET"]["price"] == "10.50"
    assert shop.listing("98").reason_code is None


def test_one_push_job_sends_the_stores_next_products_and_a_product_in_use_keeps_its_own_job(shop: Shop) -> None:
    """A push job goes on with the store's pushes waiting behind it (one call per endpoint each, as
    always); one that another run is sending right now is left to a job of its own and ends the run."""
    from rq import SimpleWorker

    from hub.queues import all_queues
    from hub.sync.stock.schedule import push_job_id
    from plugins.hub_client.client import new_event

    tiktok = {p: shop.list_product(p, [(f"S{p}", "10.00", 5)]) for p in ("71", "72", "73", "74")}
    drain(shop.runtime)
    sent = shop.calls(INVENTORY)

    def change(quantities: dict[str, int], version: int) -> None:
        shop.send(new_event("inventory.update", items=[
            {"product_id": p, "variant_id": f"{p}-S{p}", "quantity": q, "price": None, "version": version}
            for p, q in quantities.items()]))

    def one_job() -> None:
        SimpleWorker(all_queues(shop.runtime.redis), connection=shop.runtime.redis).work(
            burst=True, max_jobs=1, with_scheduler=False, logging_level="WARNING")

    change({"71": 11, "72": 12}, version=10)
    one_job()
    assert {p: shop.skus(tiktok[p])[f"S{p}"]["stock"] for p in ("71", "72")} == {"71": 11, "72": 12}
    assert stock_jobs(shop) == 0 and shop.calls(INVENTORY) == sent + 2

    busy = shop.runtime.redis.lock(f"hub:stock:lock:{shop.store_id}:73", timeout=30)
    assert busy.acquire()
    change({"72": 22, "73": 23, "74": 24}, version=11)
    one_job()
    assert shop.skus(tiktok["72"])["S72"]["stock"] == 22
    assert shop.skus(tiktok["73"])["S73"]["stock"] == 5  # not sent while another run holds it
    waiting = queue(STOCK, shop.runtime.redis).job_ids
    assert waiting == [push_job_id(shop.store_id, "74"), push_job_id(shop.store_id, "73")]
    busy.release()
    drain(shop.runtime)
    assert {p: shop.skus(tiktok[p])[f"S{p}"]["stock"] for p in ("73", "74")} == {"73": 23, "74": 24}
    assert shop.calls(INVENTORY) == sent + 5
