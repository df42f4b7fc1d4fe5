"""Idempotent create, the currency stop, the upload cap, the image cache, bad products, auth parking."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from hub.errors import RetryableError
from hub.models import ImageUpload, ListingPlan, SkuBinding, Store, TikTokShop
from hub.models.listings import FAILED_TO_SYNC, NOT_SYNCED, UNDER_REVIEW
from hub.models.tiktok_shops import BROKEN

CREATE = "POST /product/202309/products"
LISTING_CHECK = "POST /product/202309/products/listing_check"
UPLOAD = "POST /product/202309/images/upload"


def test_create_after_a_lost_response_makes_one_product_and_one_set_of_bindings(shop) -> None:
    from hub.jobs.products import list_product

    shop.map()
    shop.push(shop.product("11"), run=False)
    shop.sandbox.fault(CREATE, "lost_response")
    with pytest.raises(RetryableError):
        list_product(shop.store_id, "11")  # TikTok created it, but the answer never arrived
    assert shop.listing("11").reason_code == "retrying"
    assert len(shop.sandbox.state()["products"]) == 1
    assert list_product(shop.store_id, "11") == UNDER_REVIEW  # the retry, with the same idempotency key
    products = shop.sandbox.state()["products"]
    assert len(products) == 1
    assert shop.listing("11").tiktok_product_id == products[0]["id"]
    with shop.runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(SkuBinding)) == 2
    assert shop.sandbox.calls(CREATE) == 2


def test_a_store_in_another_currency_is_stopped_until_it_matches(shop) -> None:
    from hub.sync.policy import sync_blocked_reason

    with shop.runtime.db.session_scope() as session:
        session.get(Store, shop.store_id).currency = "EUR"
    shop.map()
    shop.push(shop.product("21"))
    with shop.runtime.db.session_scope() as session:
        reason = sync_blocked_reason(session, session.get(Store, shop.store_id))
    assert "EUR" in reason and "GBP" in reason
    assert shop.sandbox.calls(CREATE) == 0
    listing = shop.listing("21")
    assert listing.status == NOT_SYNCED and listing.reason_code == "sync_blocked" and "EUR" in listing.reason

    shop.push(events=[{"id": str(uuid.uuid4()), "type": "store.update", "store": {"currency": "GBP"}}])
    assert shop.listing("21").status == UNDER_REVIEW
    with shop.runtime.db.session_scope() as session:
        assert sync_blocked_reason(session, session.get(Store, shop.store_id)) is None


def test_daily_cap_plans_the_third_product_for_tomorrow(shop) -> None:
    shop.settings(daily_listing_cap=2)
    shop.map()
    shop.push(shop.product("31"), shop.product("32"), shop.product("33"))
    statuses = {pid: shop.listing(pid) for pid in ("31", "32", "33")}
    listed = [pid for pid, l in statuses.items() if l.status == UNDER_REVIEW]
    waiting = [pid for pid, l in statuses.items() if l.status == NOT_SYNCED]
    assert len(listed) == 2 and len(waiting) == 1
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    with shop.runtime.db.session_scope() as session:
        plan = session.scalar(select(ListingPlan).where(ListingPlan.product_id == waiting[0]))
        assert plan.planned_for == tomorrow
    listing = statuses[waiting[0]]
    assert listing.reason_code == "scheduled" and tomorrow.strftime("%d %b %Y") in listing.reason
    assert shop.sandbox.calls(CREATE) == 2


def test_priority_decides_who_goes_first_under_the_cap(shop) -> None:
    from hub.sync.products.planner import set_priority

    shop.settings(daily_listing_cap=1)
    shop.push(shop.product("41"), shop.product("42"))  # not mapped yet: nothing sent
    with shop.runtime.db.session_scope() as session:
        set_priority(session, shop.store_id, "42", 10)
    shop.map()
    assert shop.listing("42").status == UNDER_REVIEW
    assert shop.listing("41").status == NOT_SYNCED


def test_tiktoks_own_cap_error_plans_instead_of_failing(shop) -> None:
    shop.sandbox.shop(daily_listing_cap=1)
    shop.map()
    shop.push(shop.product("51"), shop.product("52"))
    waiting = [pid for pid in ("51", "52") if shop.listing(pid).status == NOT_SYNCED]
    assert len(waiting) == 1
    assert shop.listing(waiting[0]).reason_code == "scheduled"


def test_the_same_image_is_uploaded_once(shop) -> None:
    same = shop.images.url(900, 900, (10, 120, 200))
    shop.map()
    shop.push(shop.product("61", images=[same]), shop.product("62", images=[same, same]))
    assert shop.listing("61").status == shop.listing("62").status == UNDER_REVIEW
    # one main image + the size chart (category default), each uploaded once
    assert shop.sandbox.calls(UPLOAD) == 2
    shop.push(shop.product("63", images=[same]))
    assert shop.sandbox.calls(UPLOAD) == 2
    with shop.runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ImageUpload)) == 2


def test_products_that_cannot_sync_never_block_the_others(shop) -> None:
    many = [{"id": f"9{i}", "sku": f"BIG-{i}", "price": "5.00", "compare_at_price": None, "currency": "GBP",
             "quantity": 1, "manage_stock": True, "options": {"Size": f"S{i}"}, "barcode": None, "barcode_type": None,
             "image_url": None, "weight": None, "dimensions": None} for i in range(1000)]
    products = [
        shop.product("71", description_html="<div><p>Unclosed <b>bold <table><tr><td>cell"),
        shop.product("72", images=[shop.images.base + "/page.jpg"]),
        shop.product("73", images=[shop.images.base + "/missing.jpg"]),
        shop.product("74"),
        shop.product("75", variants=many),
        shop.product("76"),
    ]
    products[3]["variants"][0]["price"] = "999999.00"
    shop.map()
    shop.push(*products)
    assert shop.listing("71").status == UNDER_REVIEW  # broken HTML is repaired, not fatal
    assert shop.listing("76").status == UNDER_REVIEW
    not_image = shop.listing("72")
    assert not_image.status == FAILED_TO_SYNC and "page.jpg" in not_image.reason and "not a picture" in not_image.reason
    missing = shop.listing("73")
    assert missing.status == FAILED_TO_SYNC and "missing.jpg" in missing.reason and "not found" in missing.reason
    absurd = shop.listing("74")
    assert absurd.status == FAILED_TO_SYNC and "TEE-74-M" in absurd.reason and "5,600" in absurd.reason
    assert absurd.reason_code == "price_out_of_range"
    huge = shop.listing("75")
    assert huge.status == FAILED_TO_SYNC and "1,000 variants" in huge.reason and huge.fix
    assert shop.sandbox.calls(CREATE) == 2


def test_missing_barcodes_fail_when_tiktok_cannot_exempt_the_category(shop) -> None:
    shop.sandbox.shop(identifier_exemption={"916488": False})  # the rules say: no exemption
    shop.map("Food > Tea", "916488", size_chart={},
             attributes={"Allergen Information": "None", "Shelf Life": "Over 12 months"})
    tea = shop.product("81", title="English Breakfast Loose Leaf Tea 250g", path=("Food", "Tea"), attributes={})
    tea["variants"][0]["barcode"] = "5012345678900"
    shop.push(tea)
    listing = shop.listing("81")
    assert listing.status == FAILED_TO_SYNC and listing.reason_code == "identifier_required"
    assert "TEE-81-L" in listing.reason and "TEE-81-M" not in listing.reason.split("Missing for:")[1]
    assert shop.sandbox.calls(CREATE) == 0

    assert shop.sandbox.calls(LISTING_CHECK) == 0  # the rules decide, not a listing check's refusal

    shop.sandbox.shop(identifier_exemption={"916488": True})
    with shop.runtime.db.session_scope() as session:  # the category rules are cached for a day: forget them
        from hub.models import TikTokCategoryInfo

        for info in session.scalars(select(TikTokCategoryInfo)):
            session.delete(info)
    from hub.sync.products.schedule import sync

    sync(shop.runtime, shop.store_id, "81")
    shop.work()
    assert shop.listing("81").status == UNDER_REVIEW


def test_missing_barcodes_are_fine_where_the_rules_say_nothing(shop) -> None:
    """The 202309 rules document no identifier requirement: no barcode, no refusal, no listing check."""
    shop.map("Food > Tea", "916488", size_chart={},
             attributes={"Allergen Information": "None", "Shelf Life": "Over 12 months"})
    tea = shop.product("82", title="Earl Grey Loose Leaf Tea 250g", path=("Food", "Tea"), attributes={})
    shop.push(tea)
    assert shop.listing("82").status == UNDER_REVIEW, shop.listing("82").reason
    assert shop.sandbox.calls(LISTING_CHECK) == 0
    remote = shop.sandbox.product(shop.listing("82").tiktok_product_id)
    assert all("identifier_code" not in s for s in remote["live"]["skus"])


def test_an_auth_failure_parks_the_product_and_marks_the_connection(shop) -> None:
    shop.map()
    shop.push(shop.product("91"), run=False)
    shop.sandbox.control("POST", "/tokens/expire", {"refresh_tokens": True})
    shop.work()
    listing = shop.listing("91")
    assert listing.status == NOT_SYNCED and listing.reason_code == "reconnect"
    assert listing.reason.startswith("Reconnect TikTok Shop")
    with shop.runtime.db.session_scope() as session:
        assert session.scalar(select(TikTokShop)).status == BROKEN
    assert shop.sandbox.calls(CREATE) == 0

    from hub.sync import policy
    from hub.tiktok.connection import connect

    with shop.runtime.db.session_scope() as session:  # the merchant reconnects: the parked product is sent
        connect(shop.runtime, session, shop.sandbox.control("POST", "/oauth/code", {})["code"], shop.merchant_id)
    assert policy.resume_parked(shop.runtime, shop.merchant_id)["listings"] == 1
    shop.work()
    assert shop.listing("91").status == UNDER_REVIEW


def test_cli_products_json_and_category_map(shop, monkeypatch) -> None:
    from click.testing import CliRunner

    from hub.cli import products as cli

    monkeypatch.setattr(cli, "build_runtime", lambda: shop.runtime)
    monkeypatch.setattr(shop.runtime, "close", lambda: None)
    shop.push(shop.product("95"), shop.product("96", path=("Clothing", "Socks")))
    runner = CliRunner()
    result = runner.invoke(cli.category, ["map", "--store", shop.store_id, "--category", "clothing >  t-shirts",
                                          "--tiktok-category", "601226", "--no-sync"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["products"] == 1
    bad = runner.invoke(cli.category, ["map", "--store", shop.store_id, "--category", "Clothing",
                                       "--tiktok-category", "824328"])
    assert bad.exit_code == 1 and "not a leaf" in bad.output
    result = runner.invoke(cli.products, ["--store", shop.store_id, "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["product_id"]: r for r in json.loads(result.output)["products"]}
    assert rows["95"]["status"] == NOT_SYNCED and rows["96"]["status"] == "Needs category"
    result = runner.invoke(cli.sync, ["--store", shop.store_id, "--product", "95", "--wait"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["status"] == "Failed to sync" and "size chart" in out["reason"]
    missing = runner.invoke(cli.sync, ["--store", "st_nope"])
    assert missing.exit_code == 1


def test_checklist_reports_tiktok_prerequisites_and_warehouses(shop) -> None:
    from hub.sync.products.preflight import checklist

    with shop.runtime.db.session_scope() as session:
        items = {i.key: i for i in checklist(session, shop.merchant_id, shop.runtime, fresh=True)}
    assert items["sales_warehouse"].ok and items["return_warehouse"].ok
    assert all(i.ok for k, i in items.items() if k.startswith("prerequisite:"))

    shop.sandbox.shop(warehouses=[{"type": "SALES_WAREHOUSE", "is_default": True}],
                      failing_prerequisites=["SHOP_TAX"])
    with shop.runtime.db.session_scope() as session:
        items = {i.key: i for i in checklist(session, shop.merchant_id, shop.runtime, fresh=True)}
    assert not items["return_warehouse"].ok and "Seller Center" in items["return_warehouse"].fix
    assert not items["prerequisite:SHOP_TAX"].ok and items["prerequisite:SHOP_TAX"].fix
    assert not items["prerequisite:RETURN_WAREHOUSE"].ok
    assert items["sales_warehouse"].ok


def test_category_suggestion_from_tiktok(shop) -> None:
    from hub.sync.products.categories import suggest
    from hub.tiktok.connection import client_for_merchant

    with shop.runtime.db.session_scope() as session:
        with client_for_merchant(session, shop.merchant_id, shop.runtime) as client:
            found = suggest(client, {"title": "Men's cotton ankle socks, 5 pack"})
            nothing = suggest(client, {"title": "Zzyzx"})
    assert found and found[0]["tiktok_category_id"] == "841736" and "Socks" in found[0]["name"]
    assert nothing == []


def test_a_product_override_sends_it_to_another_category(shop) -> None:
    from hub.models import ProductOverride

    shop.map()
    with shop.runtime.db.session_scope() as session:
        session.add(ProductOverride(store_id=shop.store_id, product_id="97", variant_id="",
                                    tiktok_category_id="841736", brand="Northern Threads"))
    shop.push(shop.product("97", title="Merino Wool Hiking Socks", path=("Outdoor", "Socks")))
    listing = shop.listing("97")
    assert listing.status == UNDER_REVIEW, listing.reason
    remote = shop.sandbox.product(listing.tiktok_product_id)
    assert remote["category_id"] == "841736"
    assert remote["live"]["brand"]["name"] == "Northern Threads"


def test_description_pictures_are_rehosted_and_tables_kept(shop) -> None:
    picture = shop.images.url(640, 480, (1, 2, 3))
    html = (f"<h2>Details</h2><p>Soft cotton.<img src='{picture}'></p><ol><li>Wash cold</li><li>Dry flat</li></ol>"
            f"<table><tr><th>Size</th><th>Chest</th></tr><tr><td>M</td><td>96 cm</td></tr></table>"
            f"<img src='{shop.images.base}/gone.jpg'>")
    shop.map()
    shop.push(shop.product("98", description_html=html))
    listing = shop.listing("98")
    assert listing.status == UNDER_REVIEW, listing.reason
    description = shop.sandbox.product(listing.tiktok_product_id)["live"]["description"]
    assert "ibyteimg.com" in description and shop.images.base not in description
    assert "1. Wash cold" in description and "Size: M; Chest: 96 cm" in description
    assert any(i["code"] == "description_images_left_out" for i in listing.issues)


def test_the_planner_job_lists_waiting_products_when_room_appears(shop) -> None:
    from hub.jobs.products import run_planner

    shop.settings(daily_listing_cap=1)
    shop.map()
    shop.push(shop.product("99"), shop.product("100"))
    waiting = [pid for pid in ("99", "100") if shop.listing(pid).status == NOT_SYNCED]
    assert len(waiting) == 1
    assert run_planner(shop.runtime) == 0  # still no room today
    shop.settings(daily_listing_cap=5)  # e.g. the shop left probation
    assert run_planner(shop.runtime) == 1
    shop.work()
    listing = shop.listing(waiting[0])
    assert listing.status == UNDER_REVIEW
    with shop.runtime.db.session_scope() as session:
        assert session.scalar(select(ListingPlan).where(ListingPlan.product_id == waiting[0])).planned_for is None


def test_a_picture_server_that_stumbles_is_retried_not_blamed_on_the_product(shop) -> None:
    """503 from the store's picture server: the listing waits and retries; once it answers, it lists."""
    from urllib.parse import urlsplit

    from hub.jobs.products import list_product

    shop.map()
    url = shop.images.url(900, 900, (10, 120, 10))
    shop.images.busy[urlsplit(url).path] = 1
    shop.push(shop.product("31", images=[url]), run=False)
    with pytest.raises(RetryableError):
        list_product(shop.store_id, "31")
    listing = shop.listing("31")
    assert listing.status == NOT_SYNCED and listing.reason_code == "retrying"
    assert url in listing.reason and "503" in listing.reason and "retried automatically" in listing.reason
    assert shop.sandbox.calls(CREATE) == 0
    assert list_product(shop.store_id, "31") == UNDER_REVIEW


def test_a_picture_server_that_stays_down_fails_the_product_once_retries_run_out(shop) -> None:
    from urllib.parse import urlsplit

    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    from hub.queues import LISTINGS, queue
    from hub.sync.products.schedule import RETRY

    shop.map()
    url = shop.images.url(900, 900, (10, 10, 120))
    shop.images.busy[urlsplit(url).path] = 10
    shop.push(shop.product("32", images=[url]))  # first attempt: the product waits for its retry
    listings = queue(LISTINGS, shop.runtime.redis)
    scheduled = ScheduledJobRegistry(queue=listings)
    attempts = 1
    while scheduled.get_job_ids():
        assert shop.listing("32").reason_code == "retrying"
        for job_id in scheduled.get_job_ids():  # each retry's time has come
            scheduled.remove(job_id)
            listings.enqueue_job(Job.fetch(job_id, connection=shop.runtime.redis))
        shop.work()
        attempts += 1
    assert attempts == RETRY.max + 1
    listing = shop.listing("32")
    assert listing.status == FAILED_TO_SYNC and listing.reason_code == "image_download_failed"
    assert url in listing.reason and "503" in listing.reason and "Sync" in listing.fix
    assert shop.images.busy[urlsplit(url).path] == 10 - attempts


def test_a_picture_host_that_never_resolves_is_retried_then_fails_naming_the_product(shop) -> None:
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    from hub.queues import LISTINGS, queue
    from hub.sync.products.schedule import RETRY

    shop.map()
    url = "http://no-such-host.invalid/shirt.jpg"
    shop.push(shop.product("33", images=[url]))
    listings = queue(LISTINGS, shop.runtime.redis)
    scheduled = ScheduledJobRegistry(queue=listings)
    attempts = 1
    while scheduled.get_job_ids():
        listing = shop.listing("33")
        assert listing.status == NOT_SYNCED and listing.reason_code == "retrying", listing.reason
        for job_id in scheduled.get_job_ids():
            scheduled.remove(job_id)
            listings.enqueue_job(Job.fetch(job_id, connection=shop.runtime.redis))
        shop.work()
        attempts += 1
    assert attempts == RETRY.max + 1
    listing = shop.listing("33")
    assert listing.status == FAILED_TO_SYNC and listing.reason_code == "image_host_not_found"
    assert listing.reason.startswith("“Organic Cotton Crew Neck T-shirt 33” (product 33): "), listing.reason
    assert "no-such-host.invalid" in listing.reason and "Sync" in listing.fix


def test_a_review_that_ends_before_a_lost_create_is_retried_is_applied_when_the_retry_records_it(shop) -> None:
    """TikTok created the product and the answer was lost; TikTok then approved it and said so while the
    hub did not know the product yet. The retry must not leave it "Under review" until the next poll."""
    from hub.app import create_app
    from hub.jobs.products import list_product
    from hub.models.listings import ACTIVE

    webhooks = create_app(runtime=shop.runtime).test_client()
    seen: set[str] = set()
    shop.map()
    shop.push(shop.product("12"), run=False)
    shop.sandbox.fault(CREATE, "lost_response")
    with pytest.raises(RetryableError):
        list_product(shop.store_id, "12")
    (created,) = shop.sandbox.state()["products"]
    shop.sandbox.review(created["id"], "approve")
    assert shop.deliver_webhooks(webhooks, seen) >= 1  # about a product the hub has not recorded yet
    assert list_product(shop.store_id, "12") == ACTIVE  # the retry records it, with what TikTok reported
    shop.work()
    assert shop.listing("12").status == ACTIVE


def test_a_change_made_while_a_lost_create_waits_for_its_retry_reaches_tiktok(shop) -> None:
    """TikTok keeps the product of the first create (the retry, with the same idempotency key, returns it
    unchanged), so the values the retry's body carried are not what TikTok holds: they must be sent."""
    from hub.app import create_app
    from hub.jobs.products import list_product
    from hub.models.listings import ACTIVE
    from tests.support.jobs import drain

    webhooks = create_app(runtime=shop.runtime).test_client()
    shop.map()
    shop.push(shop.product("13"), run=False)  # sizes M (10 at 12.50) and L (4 at 12.50)
    shop.sandbox.fault(CREATE, "lost_response")
    with pytest.raises(RetryableError):
        list_product(shop.store_id, "13")
    shop.push(events=[{"id": str(uuid.uuid4()), "type": "inventory.update", "items": [
        {"product_id": "13", "variant_id": "131", "quantity": 3, "price": "14.00", "version": shop.version + 5}]}],
        run=False)
    list_product(shop.store_id, "13")  # the retry: TikTok answers with the product of the first create
    (created,) = shop.sandbox.state()["products"]
    shop.sandbox.review(created["id"], "approve")
    shop.deliver_webhooks(webhooks, set())
    drain(shop.runtime)
    assert shop.listing("13").status == ACTIVE
    (on_tiktok,) = shop.sandbox.state()["products"]
    sku = next(s for s in on_tiktok["skus"] if s["seller_sku"] == "TEE-13-M")
    assert (sku["stock"], sku["price"]) == (3, "14.00")
