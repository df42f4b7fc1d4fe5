"""Orders shipped by TikTok ("TikTok Shipping", `shipping_type: TIKTOK`): handover and shipping label.

TikTok books its own carrier for these orders, so a store's tracking number cannot be attached
(Mark Package As Shipped is for seller shipping). TikTok's way (Ship Package, docs/tiktok-client.md,
"Orders shipped by TikTok"): ship the package with a handover method — `DROP_OFF` at a drop-off point,
or `PICKUP` in one of the package's handover time slots — and then print the package's shipping label
(Get Package Shipping Document, only after Ship Package). The Orders page offers both; the store's
fulfilment of such an order arranges the handover instead of pushing a carrier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from hub.errors import DataError

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.tiktok.client import ShopClient

TIKTOK = "TIKTOK"
DROP_OFF, PICKUP = "DROP_OFF", "PICKUP"


def is_tiktok_shipping(raw: Mapping[str, Any]) -> bool:
    return str(raw.get("shipping_type") or "").upper() == TIKTOK


def package_id(raw: Mapping[str, Any]) -> str:
    """The order's package (TikTok makes one per TikTok Shipping order when it is paid)."""
    for package in raw.get("packages") or []:
        if isinstance(package, Mapping) and package.get("id"):
            return str(package["id"])
    for line in raw.get("line_items") or []:
        if isinstance(line, Mapping) and line.get("package_id"):
            return str(line["package_id"])
    raise DataError("TikTok has not made a package for this order yet; try again in a few minutes.",
                    code="tiktok_no_package")


def open_slots(options: Mapping[str, Any]) -> list[dict[str, int]]:
    """The pickup slots TikTok still offers (its field is spelled `avaliable`)."""
    out = []
    for slot in options.get("pickup_slots") or []:
        if isinstance(slot, Mapping) and (slot.get("avaliable", slot.get("available")) is not False):
            try:
                out.append({"start_time": int(slot["start_time"]), "end_time": int(slot["end_time"])})
            except (KeyError, TypeError, ValueError):
                continue
    return out


def arrange_handover(client: "ShopClient", package: str, method: str | None = None,
                     slot: Mapping[str, int] | None = None) -> str:
    """Ship the package the TikTok way; returns the handover method used.

    Without a choice: drop-off when TikTok offers it, else the first open pickup slot.
    """
    options = client.fulfillment.handover_time_slots(package)
    slots = open_slots(options)
    if method is None:
        method = DROP_OFF if options.get("can_drop_off") else PICKUP
    if method == DROP_OFF:
        if options.get("can_drop_off") is False:
            raise DataError("TikTok does not offer a drop-off for this package; choose a pickup slot.",
                            code="tiktok_no_drop_off")
        client.fulfillment.ship_package(package, handover_method=DROP_OFF)
        return DROP_OFF
    if method != PICKUP:
        raise DataError("Choose drop-off or a pickup slot.", code="invalid_request", field="handover_method")
    chosen = dict(slot) if slot else (slots[0] if slots else None)
    if chosen is None or chosen not in slots:
        raise DataError("TikTok offers no such pickup slot for this package; choose one of the slots shown.",
                        code="tiktok_no_pickup_slot")
    client.fulfillment.ship_package(package, handover_method=PICKUP, pickup_slot=chosen)
    return PICKUP


def label(client: "ShopClient", package: str) -> dict[str, str]:
    """`{"doc_url", "tracking_number"}`: the package's shipping label (TikTok's URL lasts 24 hours)."""
    data = client.fulfillment.shipping_document(package, "SHIPPING_LABEL")
    return {"doc_url": str(data.get("doc_url") or ""), "tracking_number": str(data.get("tracking_number") or "")}


# ---- the Orders page ---------------------------------------------------------------------------------------
def _order_and_shop(runtime: "Runtime", order_row_id: str):  # noqa: ANN202
    from sqlalchemy import select

    from hub.models import Order, TikTokShop

    with runtime.db.session_scope() as session:
        order = session.get(Order, order_row_id)
        if order is None:
            raise DataError("No such order.", code="not_found")
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == order.tiktok_shop_id))
        if shop is None:
            raise DataError("The order's TikTok shop is not connected.", code="not_connected")
        session.expunge(shop)
        return order.tiktok_order_id, order.tiktok_package_id, shop


def _package(runtime: "Runtime", shop: Any, tid: str, known: str | None) -> str:
    from hub.sync.orders.importer import fetch_order

    raw = fetch_order(runtime, shop, tid)
    if not is_tiktok_shipping(raw):
        raise DataError("This order is shipped by the seller, not by TikTok Shipping.", code="not_tiktok_shipping")
    return known or package_id(raw)


def handover_options(runtime: "Runtime", order_row_id: str) -> dict[str, Any]:
    """What TikTok offers for the order's package: drop-off (with the map link) and pickup slots."""
    from hub.tiktok.connection import client_for_shop

    tid, known, shop = _order_and_shop(runtime, order_row_id)
    package = _package(runtime, shop, tid, known)
    with client_for_shop(runtime, shop) as client:
        options = client.fulfillment.handover_time_slots(package)
    return {"package_id": package, "can_drop_off": options.get("can_drop_off") is not False,
            "can_pickup": bool(options.get("can_pickup")), "drop_off_point_url": options.get("drop_off_point_url"),
            "slots": open_slots(options) if options.get("can_pickup") else []}


def hand_over(runtime: "Runtime", order_row_id: str, method: str, slot: Mapping[str, int] | None = None) -> str:
    """The merchant's handover from the Orders page: Ship Package, then the order shows as shipped."""
    from hub.models import Order
    from hub.models.orders import FULFIL_SHIPPED
    from hub.sync.orders.status import log
    from hub.tiktok.connection import client_for_shop

    tid, known, shop = _order_and_shop(runtime, order_row_id)
    package = _package(runtime, shop, tid, known)
    with client_for_shop(runtime, shop) as client:
        used = arrange_handover(client, package, method, slot)
        tracking = label(client, package)["tracking_number"]
    with runtime.db.session_scope() as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        order.tiktok_package_id = package
        order.tracking_number, order.carrier = tracking, "TikTok Shipping"
        order.fulfilment_status = FULFIL_SHIPPED
        order.fulfilment_reason = "TikTok Shipping: print TikTok's shipping label, then " + (
            "drop the package off at a TikTok drop-off point." if used == DROP_OFF else
            "have it ready for TikTok's carrier in the chosen slot.")
        log(session, order, "order.shipped", f"TikTok order {tid}: handed to TikTok Shipping ({used}), {tracking}")
    return used


def label_url(runtime: "Runtime", order_row_id: str) -> str:
    """The package's shipping label (TikTok's link, valid 24 hours): only after the handover is arranged."""
    from hub.tiktok.connection import client_for_shop

    tid, known, shop = _order_and_shop(runtime, order_row_id)
    package = _package(runtime, shop, tid, known)
    with client_for_shop(runtime, shop) as client:
        url = label(client, package)["doc_url"]
    if not url:
        raise DataError("TikTok gave no label for this package yet.", code="tiktok_no_label")
    return url
