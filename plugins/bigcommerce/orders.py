"""TikTok orders into a BigCommerce store (Orders API v2), and its shipments and cancellations back.

Creating (`order.create`): the order is looked up first by `GET /v2/orders?external_order_id=<TikTok
order id>` (a v2 list answers 204 when nothing matches), so a job that runs again after a lost answer
reports the order it made instead of making a second one. The lines are checked against the catalog
before the order is posted, so a deleted or disabled product is reported with its own reason rather
than as BigCommerce's generic refusal; stock is left to the store (its inventory settings may allow
more than is on hand), and what BigCommerce refuses is classified from its answer (an answer about
stock is OUT_OF_STOCK, retryable). The order carries `external_source` (the app id, which BigCommerce's App Marketplace
requires of apps that create orders) and `external_order_id`; it is created in the status set by
`HUB_BIGCOMMERCE_ORDER_STATUS_ID` (11, Awaiting Fulfillment, by default: paid and ready to pack), and the
store's own inventory settings decide whether that status moves stock. The v2 API sends the buyer no
e-mail, which is right: TikTok talks to its buyers.

Back to the hub: a shipment with a tracking number → `order.fulfilled`; an order the merchant cancels
in BigCommerce (status 5) → `order.cancelled`. Orders the app did not create are ignored.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

from hub.errors import DataError
from hub.stores.http import PlatformClient

from plugins.bigcommerce.config import BigCommerceConfig

CANCELLED = 5
SHIPPING_METHOD = "TikTok Shop"


def _failed(reason: str, message: str, retryable: bool = False) -> dict[str, Any]:
    return {"status": "failed", "reason": reason, "message": message[:2000], "retryable": retryable}


def _split_name(name: str) -> tuple[str, str]:
    parts = name.strip().split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], parts[0]
    return " ".join(parts[:-1]), parts[-1]


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        return Decimal(0)


def find_existing(api: PlatformClient, tiktok_order_id: str) -> dict[str, Any] | None:
    found = api.request("GET", "/v2/orders", params={"external_order_id": tiktok_order_id})
    for order in found or []:  # None: 204, nothing matches
        if str(order.get("external_order_id") or "") == tiktok_order_id:
            return order
    return None


def _address(order: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """BigCommerce's address fields for the ORDER's shipping address; a reason when it is incomplete."""
    ship = order.get("shipping_address") or {}
    buyer = order.get("buyer") or {}
    first, last = _split_name(str(ship.get("name") or buyer.get("name") or ""))
    address = {"first_name": first, "last_name": last, "street_1": ship.get("line1") or "",
               "street_2": ship.get("line2") or "", "city": ship.get("city") or "", "state": ship.get("region") or "",
               "zip": ship.get("postal_code") or "", "country_iso2": (ship.get("country_code") or "").upper(),
               "country": "United Kingdom" if (ship.get("country_code") or "").upper() == "GB" else
               (ship.get("country_code") or "").upper(),
               "phone": ship.get("phone") or buyer.get("phone") or "", "email": buyer.get("email") or ""}
    missing = [label for key, label in (("first_name", "name"), ("street_1", "street"), ("city", "town"),
                                        ("zip", "postcode"), ("country_iso2", "country")) if not address[key]]
    if missing:
        return None, "The buyer's address has no " + ", ".join(missing)
    return address, None


def _check_lines(api: PlatformClient, lines: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A failed result for the first line the catalog cannot fill, or None when all can be ordered."""
    products: dict[int, dict[str, Any] | None] = {}
    for line in lines:
        try:
            product_id = int(line["product_id"])
        except (KeyError, TypeError, ValueError):
            return _failed("PRODUCT_DELETED", f"The order line {line.get('sku') or ''} names no BigCommerce product")
        if product_id not in products:
            try:
                products[product_id] = (api.request("GET", f"/v3/catalog/products/{product_id}",
                                                   params={"include": "variants"}) or {}).get("data")
            except DataError as error:
                if error.code != "store_not_found":
                    raise
                products[product_id] = None
        product = products[product_id]
        label = line.get("sku") or f"product {product_id}"
        if product is None:
            return _failed("PRODUCT_DELETED", f"The product {label} (BigCommerce id {product_id}) no longer exists "
                                              "in the store")
        variants = {str(v["id"]): v for v in product.get("variants") or []}
        variant = variants.get(str(line.get("variant_id")))
        if variant is None:
            return _failed("PRODUCT_DELETED", f"The variant {label} of {product.get('name')!r} no longer exists in "
                                              "the store")
        if product.get("availability") == "disabled" or variant.get("purchasing_disabled"):
            return _failed("PRODUCT_DISABLED", f"{product.get('name')!r} ({label}) cannot be purchased in the store "
                                               "(purchasing is disabled)")
    return None


def body_for(config: BigCommerceConfig, order: dict[str, Any], address: dict[str, Any]) -> dict[str, Any]:
    totals = order.get("totals") or {}
    total, tax = _decimal(totals.get("total")), _decimal(totals.get("tax"))
    # TikTok Shop UK prices include VAT; the ex-tax amounts carry the order's own tax share.
    share = (total - tax) / total if total > 0 and tax > 0 else Decimal(1)
    cent = Decimal("0.01")

    def ex(amount: Decimal) -> float:
        return float((amount * share).quantize(cent))

    shipping = _decimal(totals.get("shipping"))
    note = str(order.get("note") or f"TikTok Shop order {order['tiktok_order_id']}")
    return {
        "status_id": config.order_status_id, "customer_id": 0,
        "billing_address": address,
        "shipping_addresses": [{**address, "shipping_method": SHIPPING_METHOD}],
        "products": [{"product_id": int(line["product_id"]), "variant_id": int(line["variant_id"]),
                      "quantity": int(line["quantity"]), "price_inc_tax": float(_decimal(line.get("unit_price"))),
                      "price_ex_tax": ex(_decimal(line.get("unit_price")))} for line in order["lines"]],
        "shipping_cost_inc_tax": float(shipping), "shipping_cost_ex_tax": ex(shipping),
        "total_inc_tax": float(total), "total_ex_tax": float((total - tax).quantize(cent)),
        "payment_method": SHIPPING_METHOD, "external_source": config.external_source,
        "external_order_id": str(order["tiktok_order_id"]),
        "staff_notes": f"Imported from TikTok Shop. {note}"[:1000], "customer_message": "",
    }


def _refusal(error: DataError) -> dict[str, Any]:
    """BigCommerce's refusal of the order, as a failure reason (what the pre-check did not catch)."""
    said = error.message
    text = said.lower()
    if "stock" in text:
        return _failed("OUT_OF_STOCK", f"BigCommerce refused the order: {said}", retryable=True)
    if re.search(r"\b(zip|postcode|country|state|address|city)\b", text):
        return _failed("ADDRESS_REFUSED", f"BigCommerce refused the buyer's address: {said}")
    if re.search(r"\bproduct|variant\b", text) and re.search(r"not (be )?found|does not exist|invalid", text):
        return _failed("PRODUCT_DELETED", f"BigCommerce refused a product of the order: {said}")
    if "required" in text or "missing" in text:
        return _failed("MISSING_FIELD", f"BigCommerce asks for a field the order does not have: {said}")
    return _failed("PLATFORM_ERROR", f"BigCommerce refused the order: {said}")


def create(api: PlatformClient, config: BigCommerceConfig, order: dict[str, Any]) -> dict[str, Any]:
    tid = str(order.get("tiktok_order_id") or "")
    if not tid or not order.get("lines"):
        return _failed("MISSING_FIELD", "The order has no TikTok order id or no lines")
    existing = find_existing(api, tid)
    if existing is not None:  # made before (a lost answer, a second run): report it, never a second order
        return {"status": "done", "platform_order_id": str(existing["id"])}
    address, problem = _address(order)
    if address is None:
        return _failed("INVALID_ADDRESS", problem or "The buyer's address is incomplete")
    refused = _check_lines(api, order["lines"])
    if refused is not None:
        return refused
    try:
        created = api.request("POST", "/v2/orders", json_body=body_for(config, order, address))
    except DataError as error:
        return _refusal(error)
    return {"status": "done", "platform_order_id": str(created["id"])}


def cancel(api: PlatformClient, payload: dict[str, Any]) -> dict[str, Any]:
    order_id = str(payload.get("platform_order_id") or "")
    if not order_id.isdigit():
        return _failed("MISSING_FIELD", f"No BigCommerce order number to cancel ({order_id!r})")
    try:
        current = api.request("GET", f"/v2/orders/{order_id}")
    except DataError as error:
        if error.code == "store_not_found":  # deleted in the store: nothing is left to cancel
            return {"status": "done", "platform_order_id": order_id}
        raise
    if int(current.get("status_id") or 0) != CANCELLED:
        try:
            api.request("PUT", f"/v2/orders/{order_id}", json_body={"status_id": CANCELLED})
        except DataError as error:
            return _failed("PLATFORM_ERROR", f"BigCommerce refused to cancel order {order_id}: {error.message}")
    return {"status": "done", "platform_order_id": order_id}


def refund_reason(return_id: str) -> str:
    return f"Refunded on TikTok Shop (TikTok return {return_id})"


def refund(api: PlatformClient, payload: dict[str, Any]) -> dict[str, Any]:
    """`order.refund` through the Orders API refunds (`/v3/orders/{id}/payment_actions/refunds`): the
    order's products TikTok refunded with their quantities, paid back as one offline ("custom") payment for
    the amount, since TikTok, not BigCommerce, paid the buyer. A refund whose reason names the TikTok
    return is the one made before and is reported again. BigCommerce does not restock on a refund, and
    the app's scopes do not allow writing stock: lines that came back are named in the refund's reason
    for the merchant to restock (docs/decisions.md)."""
    order_id = str(payload.get("platform_order_id") or "")
    if not order_id.isdigit():
        return _failed("MISSING_FIELD", f"No BigCommerce order number to refund ({order_id!r})")
    reason = refund_reason(str(payload["tiktok_return_id"]))
    made = api.request("GET", f"/v3/orders/{order_id}/payment_actions/refunds") or {}
    found = next((r for r in made.get("data") or [] if str(r.get("reason") or "").startswith(reason)), None)
    if found is not None:
        return {"status": "done", "platform_order_id": order_id, "platform_refund_id": str(found["id"])}
    products = api.request("GET", f"/v2/orders/{order_id}/products") or []
    items, back = [], []
    for line in payload.get("lines") or []:
        item = next((p for p in products if str(p.get("variant_id")) == str(line["variant_id"])
                     or (not p.get("variant_id") and str(p.get("product_id")) == str(line["product_id"]))), None)
        if item is None:
            return _failed("PRODUCT_DELETED", f"BigCommerce order {order_id} has no line for variant {line['variant_id']}.")
        items.append({"item_type": "PRODUCT", "item_id": int(item["id"]), "quantity": int(line["quantity"])})
        if line.get("restock"):
            back.append(f"{int(line['quantity'])} x {line.get('sku') or line['variant_id']}")
    text = reason + (f"; returned to the store, to restock: {', '.join(back)}" if back else "")
    body = {"items": items, "reason": text[:1000],
            "payments": [{"provider_id": "custom", "amount": float(Decimal(str(payload["amount"]))), "offline": True}]}
    try:
        answer = api.request("POST", f"/v3/orders/{order_id}/payment_actions/refunds", json_body=body) or {}
    except DataError as error:
        return _failed("PLATFORM_ERROR", f"BigCommerce refused the refund of order {order_id}: {error.message}")
    return {"status": "done", "platform_order_id": order_id, "platform_refund_id": str((answer.get("data") or {}).get("id"))}


def _ours(config: BigCommerceConfig, order: dict[str, Any] | None) -> bool:
    return bool(order and order.get("external_order_id") and order.get("external_source") == config.external_source)


def _read_order(api: PlatformClient, order_id: int) -> dict[str, Any] | None:
    try:
        return api.request("GET", f"/v2/orders/{int(order_id)}")
    except DataError as error:
        if error.code == "store_not_found":
            return None
        raise


def carrier_of(shipment: dict[str, Any]) -> str:
    """The carrier as BigCommerce names it (display name, AfterShip slug such as `royal-mail`, or provider
    code such as `royalmail`): the hub matches the UK carriers' names and slugs to TikTok's providers."""
    for key in ("shipping_provider_display_name", "tracking_carrier", "shipping_provider"):
        value = str(shipment.get(key) or "").strip()
        if value:
            return value
    return str(shipment.get("shipping_method") or "").strip() or "Other"


def _when(value: Any) -> str | None:
    try:
        return parsedate_to_datetime(str(value)).isoformat() if value else None
    except (TypeError, ValueError):
        return None


def shipment_events(api: PlatformClient, config: BigCommerceConfig, payload: dict[str, Any]) -> list[dict[str, Any]]:
    data = payload.get("data") or {}
    order_id, shipment_id = data.get("orderId"), data.get("id")
    if order_id is None:
        return []
    order = _read_order(api, int(order_id))
    if not _ours(config, order):
        return []
    assert order is not None
    shipments = api.request("GET", f"/v2/orders/{int(order_id)}/shipments") or []
    picked = [s for s in shipments if str(s.get("id")) == str(shipment_id)] or shipments[-1:]
    events = []
    for shipment in picked:
        tracking = str(shipment.get("tracking_number") or "").strip()
        if not tracking:
            continue  # a shipment without tracking: nothing TikTok can use; its update will bring it
        events.append({"type": "order.fulfilled", "tiktok_order_id": str(order["external_order_id"]),
                       "platform_order_id": str(order["id"]), "tracking_number": tracking,
                       "carrier": carrier_of(shipment), "shipped_at": _when(shipment.get("date_created"))})
    return events


def status_events(api: PlatformClient, config: BigCommerceConfig, payload: dict[str, Any]) -> list[dict[str, Any]]:
    data = payload.get("data") or {}
    status = data.get("status") or {}
    if int(status.get("new_status_id") or 0) != CANCELLED or data.get("id") is None:
        return []
    order = _read_order(api, int(data["id"]))
    if not _ours(config, order) or int((order or {}).get("status_id") or 0) != CANCELLED:
        return []
    assert order is not None
    return [{"type": "order.cancelled", "tiktok_order_id": str(order["external_order_id"]),
             "platform_order_id": str(order["id"]), "reason": "Cancelled in the BigCommerce store"}]
