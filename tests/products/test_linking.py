"""Products a merchant already sells on TikTok are linked, not listed a second time (docs/product-rules.md,
"Products already on TikTok"), against the sandbox seeded with the shop's existing products."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from sqlalchemy import func, select
from stdnum import ean

from hub.models import Listing, SkuBinding
from hub.sync.products import linking
from tests.products.conftest import Shop
from tests.support.hub import hub_environ

MANCHESTER = "7068517275539719942"  # the sandbox shop's default sales warehouse


def barcode(n: int) -> str:
    body = f"501234{n:06d}"
    return body + ean.calc_check_digit(body)


def variant(pid: str, sku: str, *, code: str | None = None, price: str = "12.50", quantity: int = 7) -> dict[str, Any]:
    return {"id": f"{pid}1", "sku": sku, "price": price, "compare_at_price": None, "currency": "GBP",
            "quantity": quantity, "manage_stock": True, "options": {}, "barcode": code,
            "barcode_type": "EAN" if code else None, "image_url": None, "weight": None, "dimensions": None}


def existing(title: str, seller_sku: str, *, code: str | None = None) -> dict[str, Any]:
    sku: dict[str, Any] = {"seller_sku": seller_sku, "price": "9.00", "quantity": 3}
    if code:
        sku["identifier_code"] = {"code": code, "type": "EAN"}
    return {"title": title, "skus": [sku]}


def tiktok_products(shop: Shop) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in shop.sandbox.state()["products"]}


def test_a_shop_with_500_products_on_tiktok_links_them_and_lists_only_the_new_ones(shop: Shop) -> None:
    # The shop sells 500 products already: 480 with the store's SKUs, 15 under other SKUs but with the
    # store's barcodes, 5 whose SKU two store products share.
    seeded = [existing(f"Existing tee {i}", f"LNK-{i}") for i in range(480)]
    seeded += [existing(f"Existing tee {i}", f"TT-{i}", code=barcode(i)) for i in range(480, 495)]
    seeded += [existing(f"Existing tee {i}", f"DUP-{i}") for i in range(495, 500)]
    made = shop.sandbox.control("POST", "/products/seed", {"products": seeded})["products"]
    assert len(made) == 500
    by_title = {f"Existing tee {i}": made[i]["id"] for i in range(500)}

    # The store has 600: those 500 (the 5 shared SKUs twice), and 95 products TikTok has never seen.
    store = [shop.product(f"{i}", variants=[variant(f"{i}", f"LNK-{i}")]) for i in range(480)]
    store += [shop.product(f"{i}", variants=[variant(f"{i}", f"ST-{i}",
                                                     code=("0" + barcode(i)) if i % 2 else barcode(i))])
              for i in range(480, 495)]
    store += [shop.product(f"{i}{twin}", variants=[variant(f"{i}{twin}", f"DUP-{i}")])
              for i in range(495, 500) for twin in ("a", "b")]
    # Of the new ones, 5 are T-shirts (mapped: listed) and 90 hoodies, whose category the merchant has not
    # mapped yet: listing them is another test's business, and it would only slow this one down.
    store += [shop.product(f"{i}", variants=[variant(f"{i}", f"NEW-{i}")],
                           path=("Clothing", "T-shirts") if i < 505 else ("Clothing", "Hoodies"))
              for i in range(500, 595)]
    assert len(store) == 600

    linking.start_for_merchant(shop.runtime, shop.merchant_id)  # what connecting the shop does
    shop.push(*store, run=False)
    shop.map()  # the category is mapped: every store product would be listed

    with shop.runtime.db.session_scope() as session:
        proposal = linking.proposal(session, shop.store_id)
    counts = proposal["counts"]
    assert (counts["by_sku"], counts["by_barcode"], counts["ambiguous"]) == (480, 15, 5), counts
    assert counts["unmatched"] == 0 and counts["unmatched_store"] == 90  # 5 new T-shirts are listed
    assert {a["tiktok_title"]: sorted(c["product_id"] for c in a["choices"]) for a in proposal["ambiguous"]} == \
        {f"Existing tee {i}": [f"{i}a", f"{i}b"] for i in range(495, 500)}
    by_barcode = {m["product_id"]: m["tiktok_product_id"] for m in proposal["matched"] if m["method"] == "barcode"}
    assert by_barcode == {f"{i}": by_title[f"Existing tee {i}"] for i in range(480, 495)}

    # Only the 95 new products were created; the others wait for the merchant, saying why.
    after_scan = tiktok_products(shop)
    assert len(after_scan) == 505
    assert shop.listing("7").tiktok_product_id is None and shop.listing("7").reason_code == "link_pending"
    assert "Existing tee 7" in (shop.listing("7").reason or "")
    assert shop.listing("497a").reason_code == "link_pending"
    assert shop.listing("502").tiktok_product_id in after_scan
    assert shop.listing("550") is None  # Needs category: not sent

    outcome = linking.confirm(shop.runtime, shop.store_id)
    assert outcome["linked"] == 495 and outcome["waiting"] == 5
    shop.work()  # price and stock pushes

    products = tiktok_products(shop)
    assert len(products) == 505, "a linked product was created again"
    new_sku = products[str(shop.listing("502").tiktok_product_id)]["skus"][0]
    for i in (0, 479, 480, 494):
        listing = shop.listing(f"{i}")
        assert listing.tiktok_product_id == by_title[f"Existing tee {i}"]
        assert listing.status == "Active"
        held = products[listing.tiktok_product_id]
        assert held["title"] == f"Existing tee {i}"  # TikTok's content is left as it was
        sku = held["skus"][0]
        assert (sku["price"], sku["stock"]) == (new_sku["price"], new_sku["stock"]) == ("12.50", 7)
        assert sku["inventory"] == [{"warehouse_id": MANCHESTER, "quantity": 7}]
    pushed = [p for p in products.values() if p["title"].startswith("Existing tee")
              and p["skus"][0]["price"] == "12.50" and p["skus"][0]["stock"] == 7]
    assert len(pushed) == 495
    with shop.runtime.db.session_scope() as session:
        bindings = session.execute(select(func.count(), func.count(SkuBinding.tiktok_warehouse_id)).where(
            SkuBinding.store_id == shop.store_id, SkuBinding.product_id.not_in([f"{i}" for i in range(500, 595)]))
        ).one()
        waiting = session.scalar(select(func.count()).select_from(Listing).where(
            Listing.store_id == shop.store_id, Listing.reason_code == "link_pending"))
    assert tuple(bindings) == (495, 495)
    assert waiting == 10  # the ambiguous pairs still wait for the merchant's choice


def hub_cli(shop: Shop, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub.cli", *args], env=hub_environ(shop.runtime),
                          capture_output=True, text=True, timeout=120)


def test_hub_products_link_proposes_then_links_with_a_pick_and_leaves_tiktok_only_products_alone(shop: Shop) -> None:
    made = shop.sandbox.control("POST", "/products/seed", {"products": [
        existing("Seller Center tee", "CLI-1"),
        existing("Tee listed twice", "CLI-2"),
        existing("Mug only sold on TikTok", "MUG-1")]})["products"]
    tee, twice, mug = (p["id"] for p in made)
    shop.push(shop.product("1", variants=[variant("1", "cli-1 ")]),  # SKUs match without case or spaces
              shop.product("2a", variants=[variant("2a", "CLI-2")]),
              shop.product("2b", variants=[variant("2b", "CLI-2", price="15.00", quantity=4)]), run=False)

    shown = hub_cli(shop, "products", "link", "--store", shop.store_id)
    assert shown.returncode == 0, shown.stderr
    assert "Matched: 1 (1 by seller SKU, 0 by barcode); ambiguous: 1; only on TikTok (left alone): 1" in shown.stdout
    assert f"--pick {twice}=PRODUCT_ID" in shown.stdout

    bad = hub_cli(shop, "products", "link", "--store", shop.store_id, "--confirm", "--pick", f"{twice}=1")
    assert bad.returncode == 1 and "not one of the choices" in bad.stderr

    done = hub_cli(shop, "products", "link", "--store", shop.store_id, "--confirm", "--pick", f"{twice}=2b", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["confirmed"]["linked"] == 2 and out["confirmed"]["waiting"] == 0
    assert {(r["tiktok_product_id"], r["product_id"]) for r in out["linked"]} == {(tee, "1"), (twice, "2b")}
    assert [r["tiktok_product_id"] for r in out["unmatched_tiktok"]] == [mug]
    shop.work()

    products = tiktok_products(shop)
    assert products[twice]["skus"][0]["price"] == "15.00" and products[twice]["skus"][0]["stock"] == 4
    assert products[mug]["status"] == "ACTIVATE" and products[mug]["skus"][0]["stock"] == 3  # left alone
    # The store product not picked ("2a") is listed as a new product once its category is mapped.
    assert shop.listing("2a").reason_code == "needs_category"  # no longer waiting for a link
    shop.map()
    assert shop.listing("2a").tiktok_product_id not in (None, tee, twice, mug)
    assert len(tiktok_products(shop)) == 4


def test_new_products_wait_while_the_shop_is_read_and_a_later_store_product_is_matched(shop: Shop) -> None:
    made = shop.sandbox.control("POST", "/products/seed", {"products": [
        existing("Barcode tee", "OTHER-SKU", code=barcode(7))]})["products"]
    shop.map()
    linking.start(shop.runtime, shop.store_id, enqueue=False)  # a reading under way
    from hub.sync.products.exporter import list_product

    shop.push(shop.product("9"), run=False)
    assert list_product(shop.runtime, shop.store_id, "9") == "held"
    assert shop.listing("9").reason_code == "link_scan"
    assert shop.sandbox.calls("POST /product/202309/products") == 0

    linking.scan(shop.runtime, shop.store_id)
    shop.work()  # the waiting product is sent once the reading is over
    assert shop.listing("9").tiktok_product_id is not None

    # A store product that arrives later with the barcode of the TikTok product nothing matched.
    shop.push(shop.product("10", variants=[variant("10", "T-10", code=barcode(7))]))
    assert shop.listing("10").reason_code == "link_pending"
    assert shop.listing("10").tiktok_product_id is None
    assert linking.confirm(shop.runtime, shop.store_id)["linked"] == 1
    assert shop.listing("10").tiktok_product_id == made[0]["id"]


def test_the_settings_page_shows_the_proposal_and_links_what_the_merchant_confirms(shop: Shop, live_hub: Any) -> None:
    from tests.web.conftest import Browser, add_user

    made = shop.sandbox.control("POST", "/products/seed", {"products": [
        existing("Tee from Seller Center", "WEB-1"), existing("Hoodie from Seller Center", "WEB-2"),
        existing("Tee listed twice", "WEB-3")]})["products"]
    tee, hoodie, twice = (p["id"] for p in made)
    shop.push(shop.product("1", variants=[variant("1", "WEB-1")]), shop.product("2", variants=[variant("2", "WEB-2")]),
              shop.product("3a", variants=[variant("3a", "WEB-3")]),
              shop.product("3b", variants=[variant("3b", "WEB-3")]), run=False)
    with shop.runtime.db.session_scope() as session:
        from hub.models import Merchant

        name = session.get(Merchant, shop.merchant_id).name
    user = add_user(shop.runtime, "owner@threads.example", name)
    browser = Browser(live_hub.url)
    assert browser.login(user["email"]).status_code == 200
    page_path = f"/stores/{shop.store_id}/link"
    assert page_path in browser.get("/stores/").text

    started = browser.post_form(page_path, f"{page_path}/check", {})
    assert started.status_code == 200 and "Reading your TikTok shop" in started.text
    shop.work()
    page = browser.get(page_path).text
    assert 'id="count-matched">2<' in page and 'id="count-ambiguous">1<' in page
    assert "Tee listed twice" in page and f'name="pick-{twice}"' in page

    no_token = browser.http.post(live_hub.url + f"{page_path}/confirm", data={}, timeout=10)
    assert no_token.status_code in (400, 403) and shop.listing("1") is None

    done = browser.post_form(page_path, f"{page_path}/confirm",
                             {"skip": [hoodie], f"pick-{twice}": "3b"})
    assert done.status_code == 200 and "Linked 2 products" in done.text
    assert shop.listing("1").tiktok_product_id == tee and shop.listing("3b").tiktok_product_id == twice
    assert shop.listing("2") is None  # left unlinked: listed as a new product once its category is mapped
    shop.work()
    assert tiktok_products(shop)[tee]["skus"][0]["price"] == "12.50"
    browser.http.close()


def test_connecting_the_tiktok_shop_reads_its_products_for_every_store(shop: Shop) -> None:
    from click.testing import CliRunner

    from hub.cli.tiktok import tiktok

    made = shop.sandbox.control("POST", "/products/seed", {"products": [existing("Old tee", "CON-1")]})["products"]
    shop.push(shop.product("1", variants=[variant("1", "CON-1")]), run=False)
    result = CliRunner().invoke(tiktok, ["connect", "--code", shop.sandbox.code(), "--merchant", "Northern Threads Ltd"],
                                env=hub_environ(shop.runtime))
    assert result.exit_code == 0, result.output
    with shop.runtime.db.session_scope() as session:
        assert linking.proposal(session, shop.store_id)["status"] == "scanning"
    shop.work()
    with shop.runtime.db.session_scope() as session:
        found = linking.proposal(session, shop.store_id)
    assert [(m["tiktok_product_id"], m["product_id"]) for m in found["matched"]] == [(made[0]["id"], "1")]
