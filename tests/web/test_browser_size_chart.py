"""In a real browser: a T-shirt goes from "size chart required" to Active once the merchant chooses one
of the shop's size chart templates on the category's defaults page, and its page shows what TikTok got.

Runs against the same live hub, worker process and TikTok Shop sandbox as tests/web/test_browser.py.
"""

from __future__ import annotations

import re
from typing import Any

import requests
from playwright.sync_api import Browser, expect

from plugins.hub_client import HubClient
from tests.web.conftest import PASSWORD
from tests.web.test_browser import SLOW, browser, row, shot, stack  # noqa: F401 - fixtures and helpers

# Playwright waits 5 s by default; a CI machine running four test processes beside the PHP suites can
# take longer to render a page that asks the sandbox first. A broken page still fails, later.
expect.set_options(timeout=15_000)


def tshirt(images: str) -> dict[str, Any]:
    return {"id": "601", "version": 1, "status": "active", "title": "Classic crew neck T-shirt",
            "description_html": "<p>Combed cotton, regular fit.</p>", "url": "https://northern.example/p/601",
            "brand": "Northern Threads", "categories": [{"id": "t", "name": "T-shirts", "path": ["Clothing", "T-shirts"]}],
            "images": [{"url": f"{images}/601.jpg", "alt": "front"}], "attributes": {"Material": "Cotton"},
            "weight": {"value": "0.2", "unit": "kg"}, "dimensions": None,
            "variants": [{"id": f"601{n}", "sku": f"NT-TEE-{size}", "price": "14.00", "compare_at_price": None,
                          "currency": "GBP", "quantity": 10, "manage_stock": True, "options": {"Size": size},
                          "barcode": None, "barcode_type": None, "image_url": None, "weight": None, "dimensions": None}
                         for n, size in enumerate(["S", "M", "L"])]}


def test_a_tshirt_goes_from_size_chart_required_to_active(stack: dict[str, Any],  # noqa: F811
                                                          browser: Browser) -> None:  # noqa: F811
    from hub.tiktok.connection import connect

    runtime = stack["runtime"]
    code = requests.post(f"{stack['sandbox']}/sandbox/oauth/code", json={}, timeout=10).json()["code"]
    with runtime.db.session_scope() as session:
        connect(runtime, session, code, stack["store"]["merchant_id"])
    client = HubClient(stack["hub"], stack["store"]["key_id"], stack["store"]["secret"], max_retries=1, backoff=0.05)
    client.send_events([{"id": "0c9b2f3e-7d7a-4c55-9b0e-2b8f5d1e0601", "type": "store.update",
                         "store": {"currency": "GBP", "weight_unit": "kg", "dimension_unit": "cm"}}])
    client.upsert_products([tshirt(stack["images"])])

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    hub = stack["hub"]
    page.goto(f"{hub}/login")
    page.get_by_label("Email").fill(stack["user"]["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Map "Clothing > T-shirts" to TikTok's Men's T-shirts.
    page.get_by_role("link", name="Categories").first.click()
    page.get_by_label("Search TikTok categories").fill("men's t-shirts")
    page.get_by_role("button", name="Search").click()
    page.locator("#search-results li", has_text="601226").get_by_role("link").click()
    page.get_by_label("Clothing > T-shirts").check()
    page.get_by_role("button", name="Map ticked categories").click()
    expect(page.locator(".flash-success")).to_contain_text("Mapped 1 category")

    # It fails: TikTok requires a size chart in this category, and the reason says where to set one.
    page.get_by_role("link", name="Products", exact=True).first.click()
    failed = row(page, "Classic crew neck T-shirt")
    expect(failed.locator(".badge")).to_have_text("Failed to sync", timeout=SLOW)
    expect(failed.locator(".reason-text")).to_contain_text("requires a size chart")
    failed.get_by_role("link", name="Classic crew neck T-shirt").click()
    expect(page.locator("#issues")).to_contain_text("size chart template")
    expect(page.locator("#receives-table tr[data-part='size_chart'] .next")).to_contain_text(
        "TikTok requires a size chart")

    # The category's defaults page offers the shop's templates; the merchant picks one.
    page.get_by_role("link", name="Categories").first.click()
    page.get_by_role("link", name="Attribute defaults for Clothing > T-shirts").click()
    expect(page.locator("#size-chart-now")).to_have_text("none")
    page.get_by_label("Size chart template").select_option(label="Men's tops (UK sizes)")
    shot(page, "category-size-chart")
    page.get_by_role("button", name="Save size chart").click()
    expect(page.locator(".flash-success")).to_contain_text("1 product(s) that failed for it are being sent again")
    expect(page.locator("#size-chart-now")).to_contain_text("Men's tops (UK sizes)")

    # Sent again by itself, it goes Active; its page shows the template TikTok received.
    page.get_by_role("link", name="Products", exact=True).first.click()
    expect(row(page, "Classic crew neck T-shirt").locator(".badge")).to_have_text("Active", timeout=SLOW)
    row(page, "Classic crew neck T-shirt").get_by_role("link", name="Classic crew neck T-shirt").click()
    sent_chart = page.locator("#receives-table tr[data-part='size_chart'] .sent")
    expect(sent_chart).to_contain_text(re.compile(r"template.*\d{10,}"))
    expect(page.locator("#receives-table tr[data-part='skus'] .sent")).to_contain_text("NT-TEE-M")
    expect(page.locator("#receives-table tr[data-part='title'] .sent")).to_contain_text("Classic crew neck T-shirt")
    shot(page, "product-receives")
