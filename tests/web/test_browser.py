"""The settings page in a real browser (Debian's Chromium, headless) against a live hub, a real worker
process and the TikTok Shop sandbox: connect, map, watch statuses change, fix and Sync, price preview,
and a TikTok order that fails because its product was deleted from the store, is fixed by restoring
the product, and is handed to the store again with the order's Sync button.

Screenshots of every main page are written to docs/screenshots/.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from PIL import Image
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.wrappers import Request, Response

from hub.app import create_app
from hub.runtime import Runtime
from plugins.hub_client import HubClient
from sandbox.app import create_app as create_sandbox
from tests.support.hub import add_store, close_runtime, make_runtime
from tests.support.servers import LiveServer
from tests.support.waiting import wait_until
from tests.web.conftest import PASSWORD, add_user

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
APP_KEY = "6a8shopsync"
APP_SECRET = "9f1c2e7d5b3a4c6e8f0a1b2c3d4e5f60"
SLOW = 30_000  # ms: the longest a status may take to change through worker, sandbox review and webhook

# Playwright waits 5 s by default; a CI machine running four test processes beside the PHP suites can
# take longer to render a page that asks the sandbox first. A broken page still fails, later.
expect.set_options(timeout=15_000)


class Later:
    """A WSGI app filled in after its server has a port: the sandbox must know the hub's URL and the
    hub the sandbox's, so one of them is started before its app exists."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


@Request.application
def images(request: Request) -> Response:
    return Response(jpeg(), mimetype="image/jpeg")


@pytest.fixture()
def stack(tmp_path: Path, redis_url: str) -> Iterator[dict[str, Any]]:
    sandbox_later = Later()
    with LiveServer(images) as image_server, LiveServer(sandbox_later) as sandbox_server:
        runtime: Runtime = make_runtime(tmp_path, redis_url, tiktok_api_base=sandbox_server.url,
                                        tiktok_auth_base=sandbox_server.url,
                                        tiktok_authorize_url=f"{sandbox_server.url}/open/authorize",
                                        tiktok_app_key=APP_KEY, tiktok_app_secret=APP_SECRET)
        with LiveServer(create_app(runtime=runtime)) as hub:
            sandbox_app = create_sandbox(APP_KEY, APP_SECRET, f"{hub.url}/tiktok/webhooks", review_delay=0.5,
                                         redirect_url=f"{hub.url}/tiktok/oauth/callback")
            sandbox_later.app = sandbox_app
            env = {**os.environ, "HUB_DATA_DIR": str(tmp_path), "HUB_DATABASE_URL": runtime.settings.database_url,
                   "HUB_REDIS_URL": redis_url, "HUB_TIKTOK_API_BASE": sandbox_server.url,
                   "HUB_TIKTOK_AUTH_BASE": sandbox_server.url, "HUB_TIKTOK_APP_KEY": APP_KEY,
                   "HUB_TIKTOK_APP_SECRET": APP_SECRET, "HUB_ALLOW_PRIVATE_IMAGE_HOSTS": "1",
                   "HUB_PUBLIC_URL": hub.url}
            log = open(tmp_path / "worker.log", "w")
            worker = subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], cwd=tmp_path, env=env,
                                      stdout=log, stderr=subprocess.STDOUT)
            store = add_store(runtime, merchant="Northern Threads", name="Northern Threads shop")
            user = add_user(runtime, "owner@northern.example", "Northern Threads")
            try:
                yield {"hub": hub.url, "sandbox": sandbox_server.url, "images": image_server.url,
                       "runtime": runtime, "store": store, "user": user, "worker_log": tmp_path / "worker.log"}
            finally:
                worker.terminate()
                worker.wait(timeout=20)
                log.close()
                sandbox_app.extensions["tiktok_sandbox"].close()
        close_runtime(runtime)


@pytest.fixture()
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def canonical(pid: str, title: str, images_url: str, *, weight: dict[str, str] | None) -> dict[str, Any]:
    return {"id": pid, "version": 1, "status": "active", "title": title,
            "description_html": "<p>Soft combed cotton socks.</p><ul><li>Reinforced heel</li></ul>",
            "url": f"https://northern.example/p/{pid}", "brand": "Northern Threads",
            "categories": [{"id": "15", "name": "Socks", "path": ["Clothing", "Socks"]}],
            "images": [{"url": f"{images_url}/{pid}.jpg", "alt": "front"}], "attributes": {"Material": "Cotton"},
            "weight": weight, "dimensions": {"length": "20", "width": "15", "height": "3", "unit": "cm"} if weight else None,
            "variants": [{"id": f"{pid}01", "sku": f"NT-{pid}", "price": "9.99", "compare_at_price": None,
                          "currency": "GBP", "quantity": 20, "manage_stock": True, "options": {},
                          "barcode": "5012345678900" if pid == "100" else None, "barcode_type": "EAN" if pid == "100" else None,
                          "image_url": None, "weight": None, "dimensions": None}]}


def row(page: Page, title: str) -> Any:
    return page.locator("tr[data-row]", has_text=title)


def order_row(page: Page, tiktok_order_id: str) -> Any:
    return page.locator("tr[data-order]", has_text=tiktok_order_id)


def reload_until_order(page: Page, tiktok_order_id: str, status: str) -> Any:
    """The Orders page does not poll: reload it (as a merchant would) until the order shows `status`."""
    def shown() -> Any:
        page.reload()
        row = order_row(page, tiktok_order_id)
        return row if row.count() and row.locator(".badge").inner_text() == status else None

    return wait_until(shown, SLOW / 1000, interval=0.3, what=f"order {tiktok_order_id} shows {status}")


def place_order(sandbox: str, seller_sku: str, **address: str) -> str:
    """A buyer's paid order in the sandbox (control API), for the SKU the hub listed for `seller_sku`."""
    state = requests.get(f"{sandbox}/sandbox/state", timeout=10).json()
    sku_id = next(sku["id"] for p in state["products"] for sku in p["skus"] if sku["seller_sku"] == seller_sku)
    response = requests.post(f"{sandbox}/sandbox/orders", timeout=10, json={
        "lines": [{"sku_id": sku_id, "quantity": 1}], "status": "AWAITING_SHIPMENT",
        # the product may already be taken off sale on TikTok because it was deleted in the store
        "force": True,
        "address": {"name": "Sam Buyer", "phone_number": "(+44)7700900123", "address_line1": "14 Fishergate Hill",
                    "post_town": "Preston", "postal_code": "PR1 8JB", **address}})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_merchant_journey(stack: dict[str, Any], browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hub = stack["hub"]

    # Log in.
    page.goto(f"{hub}/")
    expect(page).to_have_url(re.compile(r"/login"))
    shot(page, "login")
    page.get_by_label("Email").fill(stack["user"]["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator("[data-check='connected']")).to_have_class(re.compile("fail"))

    # Connect the TikTok shop through the sandbox's authorize page.
    page.get_by_role("button", name="Connect TikTok Shop").click()
    page.locator("#authorize").click()
    expect(page.locator("#connection-status")).to_have_text("Connected")
    expect(page.locator("[data-check='region']")).to_have_class(re.compile("ok"))

    # The store sends two products: one complete, one without a package weight.
    client = HubClient(hub, stack["store"]["key_id"], stack["store"]["secret"], max_retries=1, backoff=0.05)
    client.send_events([{"id": "8b0f1f52-6f0e-4a4e-8a39-0f1c1d1e0001", "type": "store.update",
                         "store": {"currency": "GBP", "weight_unit": "kg", "dimension_unit": "cm"}}])
    client.upsert_products([canonical("100", "Cotton crew socks", stack["images"], weight={"value": "0.1", "unit": "kg"}),
                            canonical("200", "Wool hiking socks", stack["images"], weight=None)])
    page.goto(f"{hub}/")
    shot(page, "overview")

    page.get_by_role("link", name="Products", exact=True).first.click()
    expect(row(page, "Cotton crew socks").locator(".badge")).to_have_text("Needs category")

    # Map "Clothing > Socks" to TikTok's Men's Socks.
    page.get_by_role("link", name="Categories").first.click()
    page.get_by_label("Search TikTok categories").fill("men's socks")
    page.get_by_role("button", name="Search").click()
    page.locator("#search-results li", has_text="841736").get_by_role("link").click()
    page.get_by_label("Clothing > Socks").check()
    shot(page, "categories")
    page.get_by_role("button", name="Map ticked categories").click()
    expect(page.locator(".flash-success")).to_contain_text("Mapped 1 category to Menswear & Underwear")
    expect(page.locator("tr[data-category='Clothing > Socks']")).to_contain_text("841736")
    page.get_by_role("link", name="Attribute defaults for Clothing > Socks").click()
    expect(page.get_by_label(re.compile("^Material"))).to_be_visible()
    shot(page, "category-defaults")
    page.go_back()

    # The complete product goes Not synced → Under review → Active without reloading the page.
    page.get_by_role("link", name="Products", exact=True).first.click()
    badge = row(page, "Cotton crew socks").locator(".badge")
    expect(badge).to_have_text(re.compile("Not synced|Under review|Active"))
    expect(badge).to_have_text("Active", timeout=SLOW)

    # The other one fails with a reason naming the missing weight, fixed on its page and synced.
    failed = row(page, "Wool hiking socks")
    expect(failed.locator(".badge")).to_have_text("Failed to sync", timeout=SLOW)
    expect(failed.locator(".reason-text")).to_contain_text(re.compile("weight", re.I))
    shot(page, "products")
    failed.get_by_role("link", name="Wool hiking socks").click()
    page.locator("#p\\.weight_value").fill("0.2")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".flash-success")).to_contain_text("Saved")
    page.locator("#sync-product").click()
    expect(page.locator("section[data-row] .badge")).to_have_text(re.compile("Under review|Active"), timeout=SLOW)

    # A price rule changes what TikTok receives, shown in the product's preview.
    page.goto(f"{hub}/products/{stack['store']['store_id']}/100")
    expect(page.locator("#preview .tiktok-price")).to_have_text("£9.99")
    page.get_by_role("link", name="Settings").first.click()
    page.get_by_label("Markup (%)").fill("10")
    page.get_by_label("Rounding").select_option("0.99")
    page.get_by_role("button", name="Save price rules").click()
    expect(page.locator("#example-price")).to_have_text("£10.99")
    shot(page, "settings")
    page.goto(f"{hub}/products/{stack['store']['store_id']}/100")
    expect(page.locator("#preview .tiktok-price")).to_have_text("£10.99")
    shot(page, "product")

    # The wool socks are deleted in the store just as a buyer orders them: the order fails with the reason
    # and the fix, next to an order whose postcode TikTok sent wrong.
    client.send_events([{"id": str(uuid.uuid4()), "type": "product.delete", "product_id": "200"}])
    deleted_order = place_order(stack["sandbox"], "NT-200")
    bad_postcode = place_order(stack["sandbox"], "NT-100", postal_code="NOT A CODE")
    page.get_by_role("link", name="Orders").first.click()
    failed_order = reload_until_order(page, deleted_order, "Failed")
    expect(failed_order.locator(".reason-text")).to_contain_text("The ordered product was deleted from the store")
    expect(failed_order.locator(".fix")).to_contain_text("Restore the product in the store")
    expect(reload_until_order(page, bad_postcode, "Failed").locator(".reason-text")).to_contain_text(
        "is not a valid UK postcode")

    # Restoring the product in the store fixes it; Sync hands the order to the store, which creates it.
    restored = canonical("200", "Wool hiking socks", stack["images"], weight=None)
    assert client.upsert_products([{**restored, "version": 2}])[0]["status"] == "accepted"
    failed_order.get_by_role("button", name=f"Sync order {deleted_order}").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Order {deleted_order} was sent to the store again")
    expect(order_row(page, deleted_order).locator(".badge")).to_have_text("Pending")
    commands = [c for c in client.poll_commands(wait=10)
                if c["type"] == "order.create" and c["payload"]["order"]["tiktok_order_id"] == deleted_order]
    assert [line["product_id"] for line in commands[0]["payload"]["order"]["lines"]] == ["200"]
    client.report_result(commands[0]["id"], {"status": "done", "platform_order_id": "1001"})
    created = reload_until_order(page, deleted_order, "Created")
    expect(created.locator(".store-order")).to_have_text("1001")
    expect(created.get_by_role("button", name=re.compile("Sync"))).to_have_count(0)
    expect(order_row(page, bad_postcode).locator(".badge")).to_have_text("Failed")
    shot(page, "orders")

    for name, path in (("stores", "/stores/"), ("activity", "/activity/"), ("plan", "/products/plan")):
        page.goto(hub + path)
        shot(page, name)

    # On a phone the menu folds away and still works from the keyboard.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, storage_state=context.storage_state())
    small = phone.new_page()
    small.goto(f"{hub}/products/")
    expect(small.locator("#nav")).to_be_hidden()
    small.get_by_role("button", name="Menu").focus()
    small.keyboard.press("Enter")
    expect(small.locator("#nav")).to_be_visible()
    shot(small, "products-phone")
    phone.close()
    context.close()
