"""Settings page over real HTTP: login, CSRF, escaping, tenant isolation, forms and headers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.models import ActivityEntry, Merchant, Order, Store
from plugins.hub_client import HubClient
from tests.web.conftest import PASSWORD, Browser, csrf_from


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
    created = logged_in.post_form("/stores/", "/stores/", {"platform": "shopify", "name": "Acme Shopify"})
    assert created.status_code == 201
    assert "shown only once" in created.text
    with runtime.db.session_scope() as session:
        store = session.scalar(select(Store).where(Store.name == "Acme Shopify"))
        secret = runtime.secrets.decrypt(store.secret_encrypted)
        store_id = store.id
    assert secret in created.text
    page = logged_in.get("/stores/")
    assert "Acme Shopify" in page.text and secret not in page.text
    assert "Set-Cookie" not in created.headers or secret not in created.headers["Set-Cookie"]
    revoked = logged_in.post_form("/stores/", f"/stores/{store_id}/revoke", {})
    assert "Revoked Acme Shopify" in revoked.text
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
