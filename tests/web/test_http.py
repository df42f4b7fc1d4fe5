"""Settings page over real HTTP: login, CSRF, escaping, tenant isolation, forms and headers.

Tests that need TikTok's category data run the hub against a real TikTok Shop sandbox on loopback and
connect the merchant's shop to it.
"""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from PIL import Image
from rq import SimpleWorker
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from hub.queues import all_queues
from hub.models import ActivityEntry, CategoryDefaults, CategoryMapping, Listing, Merchant, Order, Store
from hub.runtime import Runtime
from plugins.hub_client import HubClient
from tests.support.hub import close_runtime, make_runtime
from tests.support.sandbox import SandboxPool
from tests.support.servers import LiveServer
from tests.web.conftest import PASSWORD, Browser, csrf_from

APP_KEY = "6a8webhttp"
APP_SECRET = "1f2c2e7d5b3a4c6e8f0a1b2c3d4e5f62"
MENS_SOCKS = "841736"  # sandbox leaf: Material (id 100157) is a required attribute
MATERIAL = "100157"


@pytest.fixture()
def sandbox_url(sandboxes: SandboxPool) -> str:
    return sandboxes.fresh(APP_KEY, APP_SECRET, review_mode="manual", rate_limit=0).url


@pytest.fixture()
def runtime(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Iterator[Runtime]:
    """The hub's runtime; pointed at the sandbox for the tests that ask for one (starting it costs time)."""
    tiktok: dict[str, str] = {}
    if "sandbox_url" in request.fixturenames:
        url = request.getfixturevalue("sandbox_url")
        tiktok = {"tiktok_api_base": url, "tiktok_auth_base": url, "tiktok_authorize_url": f"{url}/open/authorize",
                  "tiktok_app_key": APP_KEY, "tiktok_app_secret": APP_SECRET}
    rt = make_runtime(tmp_path, redis_url, **tiktok)
    yield rt
    close_runtime(rt)


@Request.application
def _jpeg(request: Request) -> Response:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (40, 120, 90)).save(buffer, "JPEG")
    return Response(buffer.getvalue(), mimetype="image/jpeg")


@pytest.fixture()
def image_url() -> Iterator[str]:
    with LiveServer(_jpeg) as server:
        yield f"{server.url}/socks.jpg"


def product(pid: str, title: str, category: list[str] | None = None) -> dict[str, Any]:
    return {"id": pid, "version": 1, "status": "active", "title": title, "description_html": "<p>Soft.</p>",
            "url": f"https://store.example/p/{pid}", "brand": "Acme",
            "categories": [{"id": "15", "name": (category or ["Clothing", "Socks"])[-1],
                            "path": category or ["Clothing", "Socks"]}],
            "images": [{"url": "https://store.example/img/1.jpg", "alt": ""}], "attributes": {},
            "weight": {"value": "0.25", "unit": "kg"}, "dimensions": None,
            "variants": [{"id": f"{pid}1", "sku": f"SKU-{pid}", "price": "9.99", "compare_at_price": None,
                          "currency": "GBP", "quantity": 20, "manage_stock": True, "options": {},
                          "barcode": None, "barcode_type": None, "image_url": None, "weight": None,
                          "dimensions": None}]}


def push(live_hub: Any, merchant: dict[str, str], *products: dict[str, Any]) -> None:
    client = HubClient(live_hub.url, merchant["key_id"], merchant["secret"], max_retries=1, backoff=0.05)
    results = client.upsert_products(list(products))
    assert all(r["status"] == "accepted" for r in results), results


def test_pages_need_login_and_bad_password_is_refused(browser: Browser, merchant_a: dict[str, str]) -> None:
    for path in ("/", "/products/", "/orders/", "/stores/", "/settings/", "/activity/", "/categories/"):
        response = browser.get(path, allow_redirects=False)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    response = browser.login(merchant_a["email"], "wrong password")
    assert response.status_code == 401
    assert "do not match an account" in response.text
    assert browser.get("/", allow_redirects=False).status_code == 302


def test_login_logout_and_return_to_requested_page(browser: Browser, merchant_a: dict[str, str]) -> None:
    first = browser.get("/orders/")
    assert first.url.endswith("/login?next=/orders/")
    token = csrf_from(first.text)
    response = browser.http.post(first.url, data={"csrf_token": token, "email": "OWNER@acme.example ",
                                                  "password": PASSWORD}, timeout=10)
    assert response.status_code == 200 and response.url.endswith("/orders/")
    assert "<h1>Orders</h1>" in response.text
    logged_out = browser.post_form("/", "/logout", {})
    assert "You are logged out" in logged_out.text
    assert browser.get("/", allow_redirects=False).status_code == 302


def test_login_next_never_leaves_the_site(browser: Browser, merchant_a: dict[str, str]) -> None:
    page = browser.get("/login?next=//evil.example/x")
    response = browser.http.post(page.url, data={"csrf_token": csrf_from(page.text), "email": merchant_a["email"],
                                                 "password": PASSWORD}, allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_repeated_failed_logins_are_slowed_down(browser: Browser, merchant_a: dict[str, str]) -> None:
    for _ in range(10):
        assert browser.login(merchant_a["email"], "nope").status_code == 401
    blocked = browser.login(merchant_a["email"])  # even the right password waits now
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text


def test_forms_without_csrf_token_are_rejected(logged_in: Browser, runtime: Any, merchant_a: dict[str, str]) -> None:
    response = logged_in.http.post(logged_in.base + "/settings/pricing",
                                   data={"markup_percent": "50", "markup_fixed": "0", "rounding": "none"}, timeout=10)
    assert response.status_code == 400
    assert "The form expired" in response.text
    forged = logged_in.http.post(logged_in.base + "/stores/", timeout=10,
                                 data={"csrf_token": "forged", "platform": "shopify", "name": "Forged"})
    assert forged.status_code == 400
    with runtime.db.session_scope() as session:
        merchant = session.get(Merchant, merchant_a["merchant_id"])
        assert not (merchant.settings or {}).get("pricing")
        assert session.scalar(select(Store).where(Store.name == "Forged")) is None


def test_login_form_needs_csrf_token(browser: Browser, merchant_a: dict[str, str]) -> None:
    response = browser.http.post(browser.base + "/login", data={"email": merchant_a["email"], "password": PASSWORD},
                                 timeout=10, allow_redirects=False)
    assert response.status_code == 400


def test_product_title_with_markup_is_escaped(logged_in: Browser, live_hub: Any, merchant_a: dict[str, str]) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    push(live_hub, merchant_a, product("88", evil))
    for path in ("/products/", f"/products/{merchant_a['store_id']}/88"):
        html = logged_in.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_another_merchants_product_store_and_order_answer_404(logged_in: Browser, live_hub: Any, runtime: Any,
                                                               merchant_a: dict[str, str],
                                                               merchant_b: dict[str, str]) -> None:
    push(live_hub, merchant_b, product("77", "Other merchant's kettle"))
    with runtime.db.session_scope() as session:
        order = Order(merchant_id=merchant_b["merchant_id"], store_id=merchant_b["store_id"],
                      tiktok_shop_id="shop-b", tiktok_order_id="576000000000000001", status="failed",
                      reason="The product was deleted.", fix="Restore it.")
        session.add(order)
        session.flush()
        order_id = order.id
    assert logged_in.get(f"/products/{merchant_b['store_id']}/77").status_code == 404
    assert logged_in.get(f"/products/{merchant_a['store_id']}/77").status_code == 404
    assert logged_in.post_form("/orders/", f"/orders/{order_id}/sync", {}).status_code == 404
    assert logged_in.post_form("/stores/", f"/stores/{merchant_b['store_id']}/revoke", {}).status_code == 404
    listing = logged_in.get("/products/").text + logged_in.get("/orders/").text + logged_in.get("/categories/").text
    assert "kettle" not in listing and "576000000000000001" not in listing
    with runtime.db.session_scope() as session:
        assert session.get(Store, merchant_b["store_id"]).revoked_at is None


def test_store_credentials_are_shown_once_and_revoke_works(logged_in: Browser, runtime: Any) -> None:
    created = logged_in.post_form("/stores/", "/stores/", {"platform": "magento2", "name": "Acme Magento"})
    assert created.status_code == 201
    assert "shown only once" in created.text
    with runtime.db.session_scope() as session:
        store = session.scalar(select(Store).where(Store.name == "Acme Magento"))
        secret = runtime.secrets.decrypt(store.secret_encrypted)
        store_id = store.id
    assert secret in created.text
    page = logged_in.get("/stores/")
    assert "Acme Magento" in page.text and secret not in page.text
    assert "Set-Cookie" not in created.headers or secret not in created.headers["Set-Cookie"]
    revoked = logged_in.post_form("/stores/", f"/stores/{store_id}/revoke", {})
    assert "Revoked Acme Magento" in revoked.text
    with runtime.db.session_scope() as session:
        assert session.get(Store, store_id).revoked_at is not None


def test_store_form_errors_are_shown_next_to_the_fields(logged_in: Browser, runtime: Any) -> None:
    response = logged_in.post_form("/stores/", "/stores/", {"platform": "amazon", "name": ""})
    assert response.status_code == 422
    assert 'id="err-platform"' in response.text and "Choose the platform" in response.text
    assert 'id="err-name"' in response.text
    with runtime.db.session_scope() as session:
        assert len(list(session.scalars(select(Store)))) == 1


def test_settings_validation_messages_and_nothing_half_saved(logged_in: Browser, runtime: Any,
                                                             merchant_a: dict[str, str]) -> None:
    bad = logged_in.post_form("/settings/", "/settings/pricing",
                              {"markup_percent": "lots", "markup_fixed": "1.00", "rounding": "0.99"})
    assert bad.status_code == 422
    assert 'id="err-pricing-markup_percent"' in bad.text and "decimal string" in bad.text
    assert 'value="lots"' in bad.text  # the merchant's input is kept to correct it
    cap = logged_in.post_form("/settings/", "/settings/listing", {"daily_listing_cap": "0"})
    assert cap.status_code == 422 and "greater than or equal to 1" in cap.text
    carriers = logged_in.post_form("/settings/", "/settings/orders", {
        "import_at": "AWAITING_SHIPMENT", "placeholder_email": "not-an-email",
        "carrier_from_0": "Royal Mail", "carrier_to_0": ""})
    assert carriers.status_code == 422
    assert "Not a valid email address." in carriers.text and "Fill in both" in carriers.text
    with runtime.db.session_scope() as session:
        assert session.get(Merchant, merchant_a["merchant_id"]).settings in ({}, None)

    good = logged_in.post_form("/settings/", "/settings/pricing",
                               {"markup_percent": "10", "markup_fixed": "0", "rounding": "0.99"})
    assert good.status_code == 200 and "Saved." in good.text
    assert 'id="example-price">£10.99' in good.text
    # The carrier names and slugs that need no row (tracking plugins' slugs, UK spellings) are listed.
    assert "<dt>Evri</dt><dd>evri, Hermes, hermes-uk" in good.text and "DPD.co.uk" in good.text
    orders = logged_in.post_form("/settings/", "/settings/orders", {
        "import_at": "immediately", "placeholder_email": "tiktok@acme.example",
        "carrier_from_0": "RM Tracked 48", "carrier_to_0": "Royal Mail"})
    assert orders.status_code == 200
    with runtime.db.session_scope() as session:
        saved = session.get(Merchant, merchant_a["merchant_id"]).settings
        assert saved["pricing"]["rounding"] == "0.99"
        assert saved["orders"]["carriers"] == {"RM Tracked 48": "Royal Mail"}
        assert session.scalar(select(ActivityEntry).where(ActivityEntry.kind == "settings.changed")) is not None


def test_package_details_are_validated_per_field(logged_in: Browser, live_hub: Any,
                                                 merchant_a: dict[str, str]) -> None:
    push(live_hub, merchant_a, product("90", "Wool socks"))
    page = f"/products/{merchant_a['store_id']}/90"
    bad = logged_in.post_form(page, page + "/details", {
        "p.weight_value": "-1", "p.weight_unit": "kg", "p.length": "20", "p.width": "", "p.height": "",
        "p.dimension_unit": "cm", "v.901.code": "5012345678901", "v.901.code_type": ""})
    assert bad.status_code == 422
    assert "greater than 0" in bad.text
    assert "Enter length, width and height together." in bad.text
    assert "wrong check digit" in bad.text
    good = logged_in.post_form(page, page + "/details", {
        "p.weight_value": "0.3", "p.weight_unit": "kg", "p.length": "20", "p.width": "15", "p.height": "5",
        "p.dimension_unit": "cm", "v.901.code": "5012345678900", "v.901.code_type": ""})
    assert good.status_code == 200 and "Saved." in good.text
    assert 'value="5012345678900"' in good.text and 'value="15"' in good.text


def test_security_headers_on_pages(browser: Browser, logged_in: Browser) -> None:
    for path in ("/login", "/", "/assets/app.css"):
        headers = browser.get(path).headers
        if path.endswith(".css"):
            assert headers["X-Content-Type-Options"] == "nosniff"
            continue
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    cookie = next(c for c in browser.http.cookies if c.name == "session")
    assert cookie.has_nonstandard_attr("HttpOnly")


def test_the_page_has_an_icon_and_favicon_ico_answers_with_it(browser: Browser) -> None:
    login = browser.get("/login").text
    assert '<link rel="icon" type="image/svg+xml" href="/assets/favicon.svg">' in login
    for path in ("/assets/favicon.svg", "/favicon.ico"):
        answer = browser.get(path)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("image/svg+xml")
        assert answer.content.startswith(b"<svg")


def test_product_statuses_reasons_and_counts(logged_in: Browser, live_hub: Any, merchant_a: dict[str, str]) -> None:
    push(live_hub, merchant_a, product("1", "Cotton socks"), product("2", "Garden hose", ["Garden", "Hoses"]))
    html = logged_in.get("/products/?status=Needs+category").text
    assert "Cotton socks" in html and "Garden hose" in html
    assert "&#39;Garden &gt; Hoses&#39; is not mapped to a TikTok category" in html
    assert "Map the category on the Categories page" in html
    data = logged_in.get("/progress.json").json()
    assert data["counts"]["Needs category"] == 2
    assert logged_in.get("/products/?q=hose").text.count('data-row="') == 1
    categories = logged_in.get("/categories/").text
    assert "Clothing &gt; Socks" in categories and "Garden &gt; Hoses" in categories


def connect_tiktok(runtime: Runtime, sandbox_url: str, merchant: dict[str, str]) -> None:
    from hub.tiktok.connection import connect

    code = requests.post(f"{sandbox_url}/sandbox/oauth/code", json={}, timeout=10).json()["code"]
    with runtime.db.session_scope() as session:
        connect(runtime, session, code, merchant["merchant_id"])


def work(runtime: Runtime) -> None:
    """Run the queued sync jobs to completion, as a `hub worker` would."""
    SimpleWorker(all_queues(runtime.redis), connection=runtime.redis).work(
        burst=True, with_scheduler=False, logging_level="WARNING")


def defaults_link(html: str) -> str:
    match = re.search(r'href="(/categories/mappings/\d+/defaults)"', html)
    assert match, "a mapped category has no link to its attribute defaults"
    return match.group(1)


def test_a_category_default_makes_a_product_without_the_required_attribute_sendable(
        logged_in: Browser, live_hub: Any, runtime: Runtime, sandbox_url: str, image_url: str,
        merchant_a: dict[str, str]) -> None:
    """The reason merchants set defaults: a store that has no 'Material' on its socks cannot list them
    until the category supplies one; saving the default must send the failed product again."""
    connect_tiktok(runtime, sandbox_url, merchant_a)
    client = HubClient(live_hub.url, merchant_a["key_id"], merchant_a["secret"], max_retries=1, backoff=0.05)
    client.send_events([{"id": str(uuid.uuid4()), "type": "store.update",
                         "store": {"currency": "GBP", "weight_unit": "kg", "dimension_unit": "cm"}}])
    socks = product("5", "Plain cotton socks")
    socks["images"] = [{"url": image_url, "alt": "front"}]
    push(live_hub, merchant_a, socks)
    mapped = logged_in.post_form("/categories/", "/categories/map", {
        "store_id": merchant_a["store_id"], "category": "clothing > socks", "tiktok_category_id": MENS_SOCKS})
    assert "Mapped 1 category" in mapped.text
    work(runtime)
    failed = logged_in.get("/products/?status=Failed+to+sync").text
    assert "Plain cotton socks" in failed and "TikTok requires the attribute &#39;Material&#39;" in failed

    page_url = defaults_link(logged_in.get("/categories/").text)
    page = logged_in.get(page_url)
    assert page.status_code == 200
    assert 'for="attr-100157">Material <span class="badge tone-bad">Required</span>' in page.text
    assert 'id="attr-100198"' in page.text and ">Striped</option>" in page.text  # a closed list is a select
    assert "TikTok requires a package weight; the size is optional in this category." in page.text

    saved = logged_in.post_form(page_url, page_url, {f"attr.{MATERIAL}": "Wool"})
    assert saved.status_code == 200 and saved.url.endswith(page_url)
    assert "Saved. 1 product(s) that failed for a missing attribute are being sent again." in saved.text
    assert 'id="attr-100157" name="attr.100157" type="text" value="Wool"' in saved.text
    with runtime.db.session_scope() as session:
        row = session.scalar(select(CategoryDefaults).where(CategoryDefaults.store_id == merchant_a["store_id"]))
        assert row.tiktok_category_id == MENS_SOCKS
        assert list(row.attributes) == [MATERIAL]  # keyed by TikTok attribute id, as the engine looks it up

    work(runtime)
    with runtime.db.session_scope() as session:
        listing = session.scalar(select(Listing).where(Listing.store_id == merchant_a["store_id"],
                                                       Listing.product_id == "5"))
        assert listing.status == "Under review", (listing.status, listing.reason)
        tiktok_id = listing.tiktok_product_id
    sent = requests.get(f"{sandbox_url}/sandbox/products/{tiktok_id}", timeout=10).json()
    assert "Wool" in str(sent)
    assert "Under review" in logged_in.get("/products/?q=Plain").text


def test_category_defaults_reject_bad_values_and_save_nothing(logged_in: Browser, live_hub: Any, runtime: Runtime,
                                                              sandbox_url: str, merchant_a: dict[str, str]) -> None:
    connect_tiktok(runtime, sandbox_url, merchant_a)
    push(live_hub, merchant_a, product("6", "Striped socks"))
    logged_in.post_form("/categories/", "/categories/map", {
        "store_id": merchant_a["store_id"], "category": "clothing > socks", "tiktok_category_id": MENS_SOCKS})
    page_url = defaults_link(logged_in.get("/categories/").text)
    bad = logged_in.post_form(page_url, page_url, {
        f"attr.{MATERIAL}": "x" * 2001, "attr.100198": "not-a-value", "attr.100392": "Birthday"})
    assert bad.status_code == 422
    assert "Nothing was saved: correct the fields marked below." in bad.text
    assert '<p class="field-error" id="err-attr-100157">Keep Material under 2000 characters.</p>' in bad.text
    assert "Choose one of TikTok&#39;s values for Pattern." in bad.text
    assert 'aria-invalid="true" aria-describedby="err-attr-100157' in bad.text
    assert 'value="Birthday"' in bad.text  # the merchant's valid input is kept to correct the rest
    no_token = logged_in.http.post(logged_in.base + page_url, data={f"attr.{MATERIAL}": "Wool"}, timeout=10)
    assert no_token.status_code == 400
    with runtime.db.session_scope() as session:
        assert session.scalar(select(CategoryDefaults)) is None


def test_another_merchants_category_mapping_answers_404(logged_in: Browser, live_hub: Any, runtime: Runtime,
                                                        sandbox_url: str, merchant_a: dict[str, str],
                                                        merchant_b: dict[str, str]) -> None:
    from hub.sync.products.categories import map_category

    connect_tiktok(runtime, sandbox_url, merchant_a)
    push(live_hub, merchant_b, product("77", "Other merchant's socks"))
    with runtime.db.session_scope() as session:
        mapping, _ = map_category(session, merchant_b["store_id"], "Clothing > Socks", MENS_SOCKS, version="v2",
                                  name="Men's Socks")
        other = mapping.id
    for path in (f"/categories/mappings/{other}/defaults", "/categories/mappings/999999/defaults"):
        assert logged_in.get(path).status_code == 404
        token = csrf_from(logged_in.get("/categories/").text)
        posted = logged_in.http.post(logged_in.base + path, data={"csrf_token": token, f"attr.{MATERIAL}": "Wool"},
                                     timeout=10)
        assert posted.status_code == 404
    with runtime.db.session_scope() as session:
        assert session.scalar(select(CategoryDefaults)) is None
        assert session.get(CategoryMapping, other).store_id == merchant_b["store_id"]


def test_a_category_package_default_lets_products_without_a_weight_list(
        logged_in: Browser, live_hub: Any, runtime: Runtime, sandbox_url: str, image_url: str,
        merchant_a: dict[str, str]) -> None:
    """A store that keeps no weights can still list a category once the category has a default package;
    bad values are refused next to the field and nothing is saved."""
    connect_tiktok(runtime, sandbox_url, merchant_a)
    socks = product("7", "Light summer socks")
    socks["images"] = [{"url": image_url, "alt": "front"}]
    socks["weight"] = None
    socks["attributes"] = {"Material": "Cotton"}
    push(live_hub, merchant_a, socks)
    logged_in.post_form("/categories/", "/categories/map", {
        "store_id": merchant_a["store_id"], "category": "clothing > socks", "tiktok_category_id": MENS_SOCKS})
    work(runtime)
    failed = logged_in.get("/products/?status=Failed+to+sync").text
    assert "Light summer socks" in failed and "package weight is missing" in failed

    page_url = defaults_link(logged_in.get("/categories/").text)
    package_url = page_url.replace("/defaults", "/package")
    bad = logged_in.post_form(page_url, package_url, {"weight_value": "heavy", "weight_unit": "kg"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text and "decimal" in bad.text
    with runtime.db.session_scope() as session:
        assert session.scalar(select(CategoryDefaults)) is None

    saved = logged_in.post_form(page_url, package_url, {"weight_value": "120", "weight_unit": "g"})
    assert saved.status_code == 200 and "1 product(s) that failed for a missing package weight" in saved.text
    assert 'value="120"' in saved.text
    with runtime.db.session_scope() as session:
        row = session.scalar(select(CategoryDefaults))
        assert row.package == {"weight": {"value": "120", "unit": "g"}, "dimensions": None}
    work(runtime)
    with runtime.db.session_scope() as session:
        listing = session.scalar(select(Listing).where(Listing.store_id == merchant_a["store_id"],
                                                       Listing.product_id == "7"))
        assert listing.status == "Under review", (listing.status, listing.reason)
        tiktok_id = listing.tiktok_product_id
    sent = requests.get(f"{sandbox_url}/sandbox/products/{tiktok_id}", timeout=10).json()
    assert "0.12" in str(sent)  # 120 g sent as kilograms


def test_sync_on_an_order_whose_shipment_failed_sends_the_shipment_again(logged_in: Browser, runtime: Any,
                                                                          merchant_a: dict[str, str]) -> None:
    from hub.queues import ORDERS, queue

    with runtime.db.session_scope() as session:
        order = Order(merchant_id=merchant_a["merchant_id"], store_id=merchant_a["store_id"],
                      tiktok_shop_id="shop-a", tiktok_order_id="576000000000000002", status="created",
                      platform_order_id="1042", tracking_number="PIGEON3", carrier="Pigeon Post",
                      fulfilment_status="failed",
                      fulfilment_reason="The carrier 'Pigeon Post' is not one of TikTok's shipping providers.")
        session.add(order)
        session.flush()
        order_id = order.id
    page = logged_in.get("/orders/").text
    assert 'aria-label="Sync order 576000000000000002"' in page and "Pigeon Post" in page
    answer = logged_in.post_form("/orders/", f"/orders/{order_id}/sync", {})
    assert answer.status_code == 200 and "being sent to TikTok again" in answer.text
    with runtime.db.session_scope() as session:
        again = session.get(Order, order_id)
        assert (again.status, again.fulfilment_status, again.fulfilment_reason) == ("created", "queued", None)
    assert f"order-ship-{order_id}" in queue(ORDERS, runtime.redis).job_ids


def test_progress_says_how_many_live_products_wait_for_a_price_or_stock_change(
        logged_in: Browser, live_hub: Any, runtime: Any, merchant_a: dict[str, str]) -> None:
    from hub.models import SkuBinding, VariantStock

    push(live_hub, merchant_a, product("1", "Cotton socks"), product("2", "Wool socks"))
    store_id = merchant_a["store_id"]
    with runtime.db.session_scope() as session:
        for pid in ("1", "2"):
            session.add(Listing(store_id=store_id, product_id=pid, status="Active", tiktok_product_id=f"7{pid}"))
            version = session.scalar(select(VariantStock.version).where(VariantStock.product_id == pid))
            session.add(SkuBinding(store_id=store_id, product_id=pid, variant_id=f"{pid}1", tiktok_product_id=f"7{pid}",
                                   tiktok_sku_id=f"8{pid}", pushed_quantity=20, pushed_price="9.99",
                                   pushed_version=version))
    assert "All 2 live products show your stores&#39; latest price and stock." in logged_in.get("/").text
    with runtime.db.session_scope() as session:  # the store sends a new stock level for product 2
        row = session.scalar(select(VariantStock).where(VariantStock.product_id == "2"))
        row.quantity, row.version = 3, row.version + 1
    task = next(t for t in logged_in.get("/progress.json").json()["tasks"] if t["key"] == "stock")
    assert (task["done"], task["total"]) == (1, 2)
    assert task["text"].startswith("1 of 2 live products have a price or stock change on its way to TikTok")


def test_store_locations_page_chooses_which_locations_sell_on_tiktok(logged_in: Browser, live_hub: Any,
                                                                     runtime: Runtime, merchant_a: dict[str, str],
                                                                     merchant_b: dict[str, str]) -> None:
    from hub.models import VariantStock

    client = HubClient(live_hub.url, merchant_a["key_id"], merchant_a["secret"], max_retries=1, backoff=0.05)
    assert "Stock locations" not in logged_in.get("/stores/").text  # a store without locations has no page link
    client.send_events([{"id": str(uuid.uuid4()), "type": "store.update", "store": {
        "locations": [{"id": "leeds", "name": "Leeds warehouse"}, {"id": "shop", "name": "High Street shop"}]}}])
    sock = product("31", "Wool socks")
    sock["variants"][0]["locations"] = [{"id": "leeds", "quantity": 7}, {"id": "shop", "quantity": 3}]
    push(live_hub, merchant_a, sock)

    def quantity() -> int:
        with runtime.db.session_scope() as session:
            return session.scalar(select(VariantStock.quantity).where(VariantStock.product_id == "31"))

    assert quantity() == 10  # every location sells until the merchant chooses
    page = logged_in.get(f"/stores/{merchant_a['store_id']}/locations")
    assert "Leeds warehouse" in page.text and "High Street shop" in page.text
    assert 'href="/stores/%s/locations"' % merchant_a["store_id"] in logged_in.get("/stores/").text
    path = f"/stores/{merchant_a['store_id']}/locations"
    saved = logged_in.post_form(path, path, {"location": "leeds"})
    assert saved.status_code == 200 and "Saved." in saved.text
    assert re.search(r'value="leeds"\s+checked', saved.text) and not re.search(r'value="shop"\s+checked', saved.text)
    assert quantity() == 7
    unknown = logged_in.post_form(path, path, {"location": "paris"})
    assert unknown.status_code == 422 and "no location paris" in unknown.text
    everything = logged_in.post_form(path, path, {})
    assert everything.status_code == 200 and quantity() == 10
    with runtime.db.session_scope() as session:
        assert session.get(Store, merchant_a["store_id"]).selling_locations is None
    assert logged_in.get(f"/stores/{merchant_b['store_id']}/locations").status_code == 404


def test_the_page_the_extension_api_and_the_cli_show_the_same_status(logged_in: Browser, live_hub: Any,
                                                                    runtime: Runtime,
                                                                    merchant_a: dict[str, str]) -> None:
    """One status function behind all three, for every status (a mapped product without a listing row
    once read "Not synced" on the page but "Needs category" to the store and the CLI)."""
    import json
    import os
    import subprocess
    import sys

    from hub.models import ProductOverride
    from hub.models import listings as st

    store_id = merchant_a["store_id"]
    listed = {"3": st.NOT_SYNCED, "4": st.FAILED_TO_SYNC, "5": st.UNDER_REVIEW, "6": st.FAILED_REVIEW,
              "7": st.ACTIVE, "8": st.SYNCED}
    push(live_hub, merchant_a, product("1", "Garden hose", ["Garden", "Hoses"]), product("2", "Wool socks"),
         product("9", "Rake", ["Garden", "Tools"]), product("10", "Trowel", ["Garden", "Tools"]),
         *[product(pid, f"Sock {pid}") for pid in listed])
    with runtime.db.session_scope() as session:
        session.add(CategoryMapping(store_id=store_id, category_key="clothing > socks",
                                    category_path="Clothing > Socks", tiktok_category_id=MENS_SOCKS))
        for pid, status in listed.items():
            session.add(Listing(store_id=store_id, product_id=pid, status=status, reason=f"{status} because {pid}",
                                tiktok_product_id=None if status in (st.NOT_SYNCED, st.FAILED_TO_SYNC) else f"17{pid}"))
        # A row written before the category was mapped: the mapping wins.
        session.add(Listing(store_id=store_id, product_id="2", status=st.NEEDS_CATEGORY, reason_code="needs_category"))
        session.add(ProductOverride(store_id=store_id, product_id="9", variant_id="", tiktok_category_id=MENS_SOCKS))
    expected = {"1": st.NEEDS_CATEGORY, "2": st.NOT_SYNCED, "9": st.NOT_SYNCED, "10": st.NEEDS_CATEGORY, **listed}
    ids = sorted(expected, key=int)

    rows = ",".join(f"{store_id}:{pid}" for pid in ids)
    page = {key.split(":")[1]: row for key, row in logged_in.get(f"/progress.json?rows={rows}").json()["rows"].items()}
    client = HubClient(live_hub.url, merchant_a["key_id"], merchant_a["secret"], max_retries=1, backoff=0.05)
    api = {row["product_id"]: row for row in client.product_status(ids)}
    settings = runtime.settings
    env = {**os.environ, "HUB_DATA_DIR": str(settings.data_dir), "HUB_DATABASE_URL": settings.database_url,
           "HUB_REDIS_URL": runtime.redis_url}
    out = subprocess.run([sys.executable, "-m", "hub.cli", "products", "--store", store_id, "--json"], env=env,
                         capture_output=True, text=True, timeout=60, cwd=str(Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr
    cli = {row["product_id"]: row for row in json.loads(out.stdout)["products"]}

    for pid in ids:
        assert page[pid]["status"] == api[pid]["status"] == cli[pid]["status"] == expected[pid], pid
        assert page[pid]["reason"] == api[pid]["reason"] == cli[pid]["reason"], pid
    assert "'Garden > Hoses' is not mapped" in cli["1"]["reason"] and cli["1"]["fix"] == page["1"]["fix"]
    assert api["4"]["reason"] == "Failed to sync because 4"


def test_a_connection_tiktok_refused_is_shown_with_the_reconnect_fix(logged_in: Browser, runtime: Runtime,
                                                                     merchant_a: dict[str, str]) -> None:
    """The settings page's side of the authorisation rule in hub.sync.policy: broken, why, and the fix."""
    from datetime import datetime, timedelta, timezone

    from hub.errors import AuthError
    from hub.models import TikTokShop
    from hub.sync import policy

    later = datetime.now(timezone.utc) + timedelta(days=30)
    with runtime.db.session_scope() as session:
        session.add(TikTokShop(merchant_id=merchant_a["merchant_id"], shop_id="7494105515082810525",
                               shop_cipher="ROW_x", shop_name="Acme UK", region="GB", currency="GBP",
                               access_token_encrypted=runtime.secrets.encrypt("a"), access_token_expires_at=later,
                               refresh_token_encrypted=runtime.secrets.encrypt("r"), refresh_token_expires_at=later))
    policy.park(runtime, merchant_a["merchant_id"], AuthError("the seller revoked access", code="tiktok_105002"),
                "sending price and stock")
    page = logged_in.get("/").text
    item = re.search(r'<li class="(\w+)" data-check="connected">(.*?)</li>', page, re.S)
    assert item and item.group(1) == "fail"
    assert "the seller revoked access" in item.group(2) and "nothing is lost" in item.group(2)
    assert "Reconnect TikTok Shop" in item.group(2)
    activity = logged_in.get("/activity/").text
    assert "sending price and stock" in activity and "Reconnect TikTok Shop on the settings page" in activity


def test_a_stopped_store_is_named_wherever_it_shows_and_the_other_store_keeps_moving(
        logged_in: Browser, live_hub: Any, runtime: Runtime, merchant_a: dict[str, str]) -> None:
    """One store selling in euros stops only itself: the banner names it, the Stores page does not call it
    connected, its products are held (not "waiting to be sent"), and the checklist is grouped per store."""
    from tests.support.hub import add_store

    euro = add_store(runtime, merchant="Acme Socks", name="Acme Euro Shop")
    for store, currency in ((merchant_a, "GBP"), (euro, "EUR")):
        client = HubClient(live_hub.url, store["key_id"], store["secret"], max_retries=1, backoff=0.05)
        client.send_events([{"id": str(uuid.uuid4()), "type": "store.update",
                             "store": {"currency": currency, "weight_unit": "kg", "dimension_unit": "cm"}}])
    push(live_hub, merchant_a, product("1", "Wool socks"))
    push(live_hub, euro, product("2", "Euro socks"), product("3", "Euro tights"))
    with runtime.db.session_scope() as session:
        for store in (merchant_a, euro):
            session.add(CategoryMapping(store_id=store["store_id"], category_key="clothing > socks",
                                        category_path="Clothing > Socks", tiktok_category_id=MENS_SOCKS))

    overview = logged_in.get("/").text
    assert "Synchronisation stopped for Acme Euro Shop." in overview and "other stores are not affected" in overview
    assert "Synchronisation stopped for Acme WooCommerce" not in overview
    assert '<h3 class="checklist-store">Acme Euro Shop</h3>' in overview
    assert '<h3 class="checklist-store">Acme WooCommerce</h3>' in overview
    assert "must be green before products and orders move" not in overview

    stores = logged_in.get("/stores/").text
    euro_row = stores[stores.index(f'data-store="{euro["store_id"]}"'):]
    euro_row = euro_row[:euro_row.index("</tr>")]
    assert "Stopped: sells in EUR" in euro_row and "Connected" not in euro_row
    assert f'<code class="store-id">{euro["store_id"]}</code>' in euro_row
    ours = stores[stores.index(f'data-store="{merchant_a["store_id"]}"'):]
    assert "Connected" in ours[:ours.index("</tr>")]

    listing = next(t for t in logged_in.get("/progress.json").json()["tasks"] if t["key"] == "listing")
    assert "0 of 1 products with a category processed by TikTok; 1 waiting to be sent" in listing["text"]
    assert "2 held because Acme Euro Shop is stopped" in listing["text"]


def test_alerts_show_on_the_overview_and_their_address_is_validated(logged_in: Browser, runtime: Runtime,
                                                                     merchant_a: dict[str, str]) -> None:
    with runtime.db.session_scope() as session:
        session.add(Order(merchant_id=merchant_a["merchant_id"], store_id=merchant_a["store_id"],
                          tiktok_shop_id="7495", tiktok_order_id="576111", status="failed",
                          reason_code="INVALID_POSTCODE", reason="The postcode 'NOT A CODE' is not a UK postcode.",
                          fix="Ask the buyer for the right postcode"))
    overview = logged_in.get("/").text
    assert "Needs your attention" in overview
    assert "TikTok order 576111 could not be created in Acme WooCommerce" in overview
    assert "then click Sync on the order" in overview

    bad = logged_in.post_form("/settings/", "/settings/alerts", {"alerts_email": "not an address"})
    assert bad.status_code == 422 and 'id="err-alerts-email"' in bad.text
    good = logged_in.post_form("/settings/", "/settings/alerts", {"alerts_email": "ops@acme.example"})
    assert good.status_code == 200 and "Saved." in good.text and 'value="ops@acme.example"' in good.text


def test_the_products_page_filters_counts_and_pages_every_status_as_it_shows_them(
        logged_in: Browser, live_hub: Any, runtime: Runtime, merchant_a: dict[str, str]) -> None:
    """Counts, status filters, text search and pages are answered by the database: each filter lists
    exactly the products whose row shows that status, including the statuses derived from the mapping
    (a stale "Needs category" row of a now-mapped product, a category set on the product itself)."""
    from hub.models import ProductOverride
    from hub.models import listings as st

    store_id = merchant_a["store_id"]
    listed = {"3": st.NOT_SYNCED, "4": st.FAILED_TO_SYNC, "5": st.UNDER_REVIEW, "6": st.FAILED_REVIEW,
              "7": st.ACTIVE, "8": st.SYNCED}
    bulk = [product(f"b{n:02d}", f"Bulk sock {n:02d}") for n in range(55)]
    push(live_hub, merchant_a, product("1", "Garden hose", ["Garden", "Hoses"]), product("2", "Wool socks"),
         product("9", "Rake", ["Garden", "Tools"]), product("10", "Trowel", ["Garden", "Tools"]),
         *[product(pid, f"Sock {pid}") for pid in listed], *bulk)
    with runtime.db.session_scope() as session:
        session.add(CategoryMapping(store_id=store_id, category_key="clothing > socks",
                                    category_path="Clothing > Socks", tiktok_category_id=MENS_SOCKS))
        for pid, status in listed.items():
            session.add(Listing(store_id=store_id, product_id=pid, status=status, reason=f"{status} because {pid}",
                                tiktok_product_id=None if status in (st.NOT_SYNCED, st.FAILED_TO_SYNC) else f"17{pid}"))
        session.add(Listing(store_id=store_id, product_id="2", status=st.NEEDS_CATEGORY, reason_code="needs_category"))
        session.add(ProductOverride(store_id=store_id, product_id="9", variant_id="", tiktok_category_id=MENS_SOCKS))
    expected = {"1": st.NEEDS_CATEGORY, "2": st.NOT_SYNCED, "9": st.NOT_SYNCED, "10": st.NEEDS_CATEGORY, **listed,
                **{p["id"]: st.NOT_SYNCED for p in bulk}}

    def shown(path: str) -> list[str]:
        html = logged_in.get(path).text
        return [key.split(":")[1] for key in re.findall(r'<tr data-row="([^"]+)"', html)]

    def every(path: str) -> list[str]:
        found, page = [], 1
        while True:
            rows = shown(f"{path}{'&' if '?' in path else '?'}page={page}")
            if not rows:
                return found
            found += rows
            page += 1

    html = logged_in.get("/products/").text
    counts = dict(re.findall(r'data-count="([^"]+)">(\d+)<', html))
    for status in (st.NEEDS_CATEGORY, st.NOT_SYNCED, st.FAILED_TO_SYNC, st.UNDER_REVIEW, st.FAILED_REVIEW,
                   st.ACTIVE, st.SYNCED):
        wanted = sorted(pid for pid, s in expected.items() if s == status)
        listed_here = every(f"/products/?status={status.replace(' ', '+')}")
        assert sorted(listed_here) == wanted, status
        assert int(counts[status]) == len(wanted), status
    first, second = shown("/products/"), shown("/products/?page=2")
    assert len(first) == 50 and len(second) == len(expected) - 50 and not set(first) & set(second)
    assert "65 products." in html
    assert sorted(shown("/products/?q=garden+%3E+tools")) == ["10", "9"]
    assert shown("/products/?q=177") == ["7"]
    assert shown("/products/?q=TROWEL") == ["10"]
    assert shown("/products/?q=100%25") == []
    for page, rows in ((1, 50), (2, 5)):  # a search's count is the same on every page
        found = logged_in.get(f"/products/?q=bulk+sock&page={page}").text
        assert "55 products." in found and len(re.findall(r'<tr data-row="', found)) == rows, page
    assert shown("/products/?q=bulk+sock&page=3") == []
    assert "1 product with status Active." in logged_in.get("/products/?q=sock&status=Active").text


def test_the_vat_rates_of_the_stores_tax_classes_are_set_on_the_settings_page(logged_in: Browser, runtime: Any,
                                                                               merchant_a: dict[str, str]) -> None:
    page = logged_in.get("/settings/").text
    assert 'id="vat-title">VAT' in page and "Products without a tax class" in page
    half = logged_in.post_form("/settings/", "/settings/vat", {"vat_class_0": "Reduced rate", "vat_rate_0": ""})
    assert half.status_code == 422 and "Give both the store&#39;s tax class and its VAT rate" in half.text
    saved = logged_in.post_form("/settings/", "/settings/vat", {
        "vat_standard": "standard", "vat_class_0": "Reduced rate", "vat_rate_0": "reduced",
        "vat_class_1": "Zero rate", "vat_rate_1": "zero"})
    assert saved.status_code == 200 and "Saved." in saved.text
    with runtime.db.session_scope() as session:
        assert session.get(Merchant, merchant_a["merchant_id"]).settings["vat"]["classes"] == {
            "": "standard", "Reduced rate": "reduced", "Zero rate": "zero"}
    # A row cleared is removed (the table is replaced, not merged).
    logged_in.post_form("/settings/", "/settings/vat", {"vat_standard": "standard", "vat_class_0": "Zero rate",
                                                        "vat_rate_0": "zero"})
    with runtime.db.session_scope() as session:
        assert session.get(Merchant, merchant_a["merchant_id"]).settings["vat"]["classes"] == {
            "": "standard", "Zero rate": "zero"}
    assert 'value="Zero rate"' in logged_in.get("/settings/").text
