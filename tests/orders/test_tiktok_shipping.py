"""Orders shipped by TikTok ("TikTok Shipping"): handover and label from the Orders page; the store's
fulfilment ships the package TikTok's way instead of pushing a carrier."""

from __future__ import annotations

import requests

from hub.canonical.order import OrderSchema
from hub.merchants import create_user
from hub.models import Merchant
from tests.support.orders import FakeStore, World, wait_until
from tests.web.conftest import PASSWORD, Browser

MARK_SHIPPED = "POST /fulfillment/202309/orders/{order_id}/packages"
SHIP_PACKAGE = "POST /fulfillment/202309/packages/{package_id}/ship"


def _browser(world: World) -> Browser:
    with world.runtime.db.session_scope() as session:
        merchant = session.get(Merchant, world.store["merchant_id"])
        create_user(session, merchant, "owner@northern-threads.example", PASSWORD)
    browser = Browser(world.hub_url)
    assert browser.login("owner@northern-threads.example").status_code == 200
    return browser


def test_store_fulfilment_of_a_tiktok_shipping_order_hands_it_over_without_a_carrier(
        world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}], shipping_type="TIKTOK")
    world.wait_status(tid, "Created")
    made = store.orders[tid].order
    assert OrderSchema().validate(made) == {}  # the order command is the canonical ORDER, as for any order
    store.send("order.fulfilled", tiktok_order_id=tid, platform_order_id=store.orders[tid].number,
               tracking_number="JD0002213456789", carrier="DPD", shipped_at="2026-11-27T10:00:00Z")
    order = wait_until(lambda: (o := world.order(tid))["fulfilment"] and o["fulfilment"]["status"] == "shipped" and o,
                       what="shipped the TikTok way")
    on_tiktok = world.sandbox.order(tid)
    assert on_tiktok["status"] == "AWAITING_COLLECTION"
    assert on_tiktok["tracking_number"] != "JD0002213456789"  # TikTok's own carrier and tracking number
    assert world.sandbox.calls(MARK_SHIPPED) == 0 and world.sandbox.calls(SHIP_PACKAGE) == 1
    assert "label" in (order["fulfilment"].get("reason") or "")


def test_orders_page_arranges_the_handover_and_offers_the_label(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}], shipping_type="TIKTOK")
    world.wait_status(tid, "Created")
    browser = _browser(world)
    listing = browser.get("/orders/").text
    assert "TikTok Shipping: handover and shipping label" in listing
    from sqlalchemy import select

    from hub.models import Order

    with world.runtime.db.session_scope() as session:
        row_id = session.scalar(select(Order.id).where(Order.tiktok_order_id == tid))
    page = browser.get(f"/orders/{row_id}/handover")
    assert page.status_code == 200 and 'value="DROP_OFF"' in page.text and 'value="PICKUP:' in page.text
    # before the handover TikTok has no label: the page says so instead of failing
    early = browser.get(f"/orders/{row_id}/label")
    assert early.status_code == 200 and "No shipping label" in early.text
    pickup = page.text.split('value="PICKUP:')[1].split('"')[0]
    done = browser.post_form(f"/orders/{row_id}/handover", f"/orders/{row_id}/handover",
                             {"handover": f"PICKUP:{pickup}"})
    assert done.status_code == 200 and 'id="handover-done"' in done.text
    assert world.sandbox.order(tid)["status"] == "AWAITING_COLLECTION"
    assert world.sandbox.calls(MARK_SHIPPED) == 0
    label = browser.get(f"/orders/{row_id}/label", allow_redirects=False)
    assert label.status_code == 302
    pdf = requests.get(label.headers["Location"], timeout=5)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert world.order(tid)["fulfilment"]["status"] == "shipped"
