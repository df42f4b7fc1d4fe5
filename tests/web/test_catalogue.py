"""A clothing and music store's catalogue reaches Active once the merchant has done what the reasons say.

The catalogue (tests/support/catalogue.py) is pushed through the Extension API as the store's extension
would; a real worker process lists it on the TikTok Shop sandbox. Products fail with reasons naming what
is missing; the merchant then maps categories and sets attribute defaults, a size chart template, a size
chart picture and a default package weight on the settings page (real HTTP form posts), and every
product goes Active with what TikTok received shown on its page.
"""

from __future__ import annotations

import io
import re
from html import escape
from typing import Any

import requests
from PIL import Image
from sqlalchemy import select

from hub.cli.products import products_report
from hub.models import CategoryMapping, Listing
from hub.sync.products.categories import category_key
from plugins.hub_client import HubClient
from tests.support.catalogue import CATEGORIES, MERCHANT_SETTINGS, catalogue
from tests.support.waiting import wait_until
from tests.web.conftest import Browser as FormBrowser
from tests.web.conftest import csrf_from
from tests.web.test_browser import stack  # noqa: F401 - the live hub, worker and sandbox

PATIENCE = 90  # s: listing, TikTok's (sandbox) review and its webhook, for 8 products in one worker


def html_escape(text: str) -> str:
    """As Jinja writes it into the page (an apostrophe as &#39;)."""
    return escape(text).replace("&#x27;", "&#39;")


def report(runtime: Any, store_id: str) -> dict[str, dict[str, Any]]:
    with runtime.db.session_scope() as session:
        return {row["product_id"]: row for row in products_report(session, store_id)}


def settled(runtime: Any, store_id: str, ids: list[str]) -> dict[str, dict[str, Any]] | None:
    rows = report(runtime, store_id)
    done = all(rows.get(pid, {}).get("status") in ("Failed to sync", "Active") for pid in ids)
    return rows if done else None


def connect_shop(live: dict[str, Any]) -> None:
    from hub.tiktok.connection import connect

    code = requests.post(f"{live['sandbox']}/sandbox/oauth/code", json={}, timeout=10).json()["code"]
    runtime = live["runtime"]
    with runtime.db.session_scope() as session:
        connect(runtime, session, code, live["store"]["merchant_id"])


def size_chart_picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1500), (250, 250, 250)).save(buffer, "PNG")
    return buffer.getvalue()


def mapping_ids(runtime: Any, store_id: str) -> dict[str, int]:
    """TikTok category id → one mapping id (the defaults page of that category)."""
    with runtime.db.session_scope() as session:
        return {m.tiktok_category_id: m.id for m in session.scalars(
            select(CategoryMapping).where(CategoryMapping.store_id == store_id))}


def codes(row: dict[str, Any]) -> set[str]:
    return {i["code"] for i in row["issues"] if i["level"] == "error"}


def test_the_catalogue_reaches_active_once_the_merchant_has_done_what_the_reasons_say(
        stack: dict[str, Any]) -> None:  # noqa: F811 - the fixture imported above
    runtime, store_id = stack["runtime"], stack["store"]["store_id"]
    connect_shop(stack)
    client = HubClient(stack["hub"], stack["store"]["key_id"], stack["store"]["secret"], max_retries=1, backoff=0.05)
    client.send_events([{"id": "5d1d8a6e-4c43-4a8e-9d0e-4b1c1d1e0501", "type": "store.update",
                         "store": {"currency": "GBP", "weight_unit": "kg", "dimension_unit": "cm"}}])
    products = catalogue(stack["images"])
    results = client.upsert_products(products)
    refused = [r for r in results if r["status"] != "accepted"]
    assert not refused, f"the Extension API refused products of the catalogue: {refused}"
    ids = [p["id"] for p in products]

    web = FormBrowser(stack["hub"])
    assert web.login(stack["user"]["email"]).status_code == 200

    # The merchant maps the store's categories (Categories page).
    for path, tiktok_id in CATEGORIES.items():
        answer = web.post_form(f"/categories/?store={store_id}", "/categories/map",
                               {"store_id": store_id, "category": category_key(path), "tiktok_category_id": tiktok_id})
        assert "Mapped 1 category" in answer.text, answer.text[:2000]

    # Everything is tried; what cannot list says why.
    rows = wait_until(lambda: settled(runtime, store_id, ids), PATIENCE, interval=0.5,
                      what="every product listed or failed with a reason")
    assert "size_chart_missing" in codes(rows["501"]) and "attribute_missing" in codes(rows["501"]), rows["501"]
    assert "size_chart_missing" in codes(rows["502"]), rows["502"]
    assert "size_chart_missing" in codes(rows["504"]), rows["504"]
    assert "attribute_missing" in codes(rows["505"]), rows["505"]
    assert "package_weight_missing" in codes(rows["507"]), rows["507"]
    assert {"package_weight_missing", "attribute_missing"} <= codes(rows["508"]), rows["508"]
    assert rows["506"]["status"] == "Active", rows["506"]
    size_chart_fix = next(i["fix"] for i in rows["501"]["issues"] if i["code"] == "size_chart_missing")
    assert "size chart template" in size_chart_fix and "Categories" in size_chart_fix

    # The merchant does what the reasons say, on each category's defaults page.
    mappings = mapping_ids(runtime, store_id)
    for tiktok_id, values in MERCHANT_SETTINGS["attribute_defaults"].items():
        page = f"/categories/mappings/{mappings[tiktok_id]}/defaults"
        form: dict[str, Any] = {f"attr.{attr}": value for attr, value in values.items()}
        answer = web.post_form(page, page, form)
        assert "Saved." in answer.text, answer.text[:3000]
    for tiktok_id, template_name in MERCHANT_SETTINGS["size_chart_templates"].items():
        page = f"/categories/mappings/{mappings[tiktok_id]}/defaults"
        html = web.get(page).text
        shown = re.escape(html_escape(template_name))
        option = re.search(rf'<option value="(\d+)"[^>]*>{shown}</option>', html)
        assert option, "the defaults page offers the shop's size chart templates"
        answer = web.post_form(page, f"/categories/mappings/{mappings[tiktok_id]}/size-chart",
                               {"template_id": option.group(1)})
        assert "Saved." in answer.text and html_escape(template_name) in answer.text
    for tiktok_id in MERCHANT_SETTINGS["size_chart_pictures"]:
        page = f"/categories/mappings/{mappings[tiktok_id]}/defaults"
        token = csrf_from(web.get(page).text)
        answer = web.http.post(f"{stack['hub']}/categories/mappings/{mappings[tiktok_id]}/size-chart", timeout=20,
                               data={"csrf_token": token, "template_id": ""},
                               files={"size_chart_image": ("hoodie-sizes.png", size_chart_picture(), "image/png")})
        assert "Saved." in answer.text, answer.text[:3000]
    for tiktok_id, weight in MERCHANT_SETTINGS["package_weights"].items():
        page = f"/categories/mappings/{mappings[tiktok_id]}/defaults"
        answer = web.post_form(page, f"/categories/mappings/{mappings[tiktok_id]}/package",
                               {"weight_value": weight, "weight_unit": "kg", "dimension_unit": "cm"})
        assert "Saved." in answer.text, answer.text[:3000]

    # Products that failed for something now supplied were sent again by the saves; the rest is a Sync.
    for pid, row in report(runtime, store_id).items():
        if row["status"] == "Failed to sync":
            web.post_form(f"/products/{store_id}/{pid}", f"/products/{store_id}/{pid}/sync", {})

    def all_active() -> dict[str, dict[str, Any]] | None:
        rows = report(runtime, store_id)
        return rows if all(rows[pid]["status"] == "Active" for pid in ids) else None

    try:
        wait_until(all_active, PATIENCE, interval=0.5, what="every product of the catalogue Active")
    except AssertionError:
        rows = report(runtime, store_id)
        stuck = {pid: (r["status"], r["reason_code"], r["reason"]) for pid, r in rows.items() if r["status"] != "Active"}
        raise AssertionError(f"not Active: {stuck}") from None

    # What TikTok received, as the product pages show it.
    with runtime.db.session_scope() as session:
        sent = {l.product_id: l.sent_body["body"] for l in session.scalars(
            select(Listing).where(Listing.store_id == store_id))}
    assert sent["501"]["size_chart"]["template"]["id"].isdigit()
    assert sent["503"]["size_chart"]["image"]["uri"]
    assert len(sent["501"]["skus"]) == 12 and sent["508"]["package_weight"]["value"] in ("0.3", "0.30")
    long_text = re.sub(r"<[^>]+>", "", sent["504"]["description"])
    assert len(long_text) > 9_000 and "double-lined hood" in long_text, "the long description was kept, cut to fit"
    page = web.get(f"/products/{store_id}/501").text
    assert "What TikTok receives" in page and "7420186513740087041" in page
