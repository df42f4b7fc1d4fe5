"""TikTok orders into Shopify: `orderCreate` exactly once per TikTok order, `orderCancel`, tracking back.

What a created order looks like in the merchant's Shopify admin:

- line items by variant (`variantId`), at the price the buyer was charged on TikTok (`priceSet`);
- the shipping address from TikTok (also used as the billing address), the merchant's placeholder
  email (TikTok relays buyer email), no customer notification (`sendReceipt: false`);
- `taxesIncluded: true` (UK prices include VAT) and one "VAT" tax line with TikTok's tax amount;
  TikTok's shipping fee as a "TikTok Shop" shipping line; a paid SALE transaction through the
  "TikTok Shop" gateway for the order's total; discounts as one fixed discount code "TikTok Shop";
- `sourceName: "tiktok_shop"`, `sourceIdentifier`: the TikTok order id, tags `TikTok Shop` and
  `tiktok-<TikTok order id>`, a note naming the TikTok order;
- inventory behaviour `DECREMENT_OBEYING_POLICY`: the order takes the units from Shopify's stock
  (which then reaches TikTok as the new absolute stock) and is refused, as OUT_OF_STOCK, when a
  variant that does not allow overselling has too few.

Exactly once: the hub's link row is counted and committed under a lock before `orderCreate`
(hub/stores/orders.py). A run that finds an earlier attempt without a Shopify order id (its answer
was lost) first searches the shop's orders for the tag `tiktok-<id>` and reports the order found.
Shopify's order search is indexed within seconds, and the first retry comes 5 s later.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from hub.errors import DataError
from plugins.shopify import queries
from plugins.shopify.admin import AdminApi
from plugins.shopify.mapper import gid, numeric_id

SOURCE_NAME = "tiktok_shop"
GATEWAY = "TikTok Shop"
TAG = "TikTok Shop"


def order_tag(tiktok_order_id: str) -> str:
    return f"tiktok-{tiktok_order_id}"


def _money(amount: Any, currency: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": str(amount), "currencyCode": currency}}


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        return Decimal("0")


def _address(address: dict[str, Any]) -> dict[str, Any]:
    name = str(address.get("name") or "").strip()
    first, _, last = name.rpartition(" ") if " " in name else ("", "", name)
    return {k: v for k, v in {
        "firstName": first or None, "lastName": last or "TikTok Shop buyer", "address1": address.get("line1"),
        "address2": address.get("line2") or None, "city": address.get("city"), "provinceCode": None,
        "zip": address.get("postal_code"), "countryCode": (address.get("country_code") or "GB").upper(),
        "phone": address.get("phone") or None}.items() if v is not None}


def order_input(order: dict[str, Any]) -> dict[str, Any]:
    """`OrderCreateOrderInput` for a canonical ORDER (docs/extension-api.md)."""
    tid = str(order["tiktok_order_id"])
    currency = str(order.get("currency") or "GBP")
    totals = order.get("totals") or {}
    address = _address(order.get("shipping_address") or {})
    body: dict[str, Any] = {
        "currency": currency,
        "lineItems": [{"variantId": gid("ProductVariant", line["variant_id"]), "quantity": int(line["quantity"]),
                       "priceSet": _money(line.get("unit_price") or "0", currency)} for line in order["lines"]],
        "shippingAddress": address, "billingAddress": address,
        "email": (order.get("buyer") or {}).get("email") or None,
        "phone": address.get("phone"),
        "financialStatus": "PAID", "taxesIncluded": True,
        "sourceName": SOURCE_NAME, "sourceIdentifier": tid, "tags": [TAG, order_tag(tid)],
        "note": order.get("note") or f"TikTok Shop order {tid}",
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": GATEWAY,
                          "amountSet": _money(totals.get("total") or "0", currency)}],
        "shippingLines": [{"title": "TikTok Shop", "code": "tiktok_shop",
                           "priceSet": _money(totals.get("shipping") or "0.00", currency)}],
    }
    tax, total = _decimal(totals.get("tax")), _decimal(totals.get("total"))
    if tax > 0:
        # Shopify wants a rate with a tax line; TikTok gives the amount only: the rate it works out to.
        rate = (tax / (total - tax)).quantize(Decimal("0.0001")) if total > tax else Decimal("0")
        body["taxLines"] = [{"title": "VAT", "rate": str(rate), "priceSet": _money(totals["tax"], currency)}]
    if _decimal(totals.get("discount")) > 0:
        body["discountCode"] = {"itemFixedDiscountCode": {"code": "TikTok Shop",
                                                          "amountSet": _money(totals["discount"], currency)}}
    return {k: v for k, v in body.items() if v is not None}


OPTIONS = {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY", "sendReceipt": False, "sendFulfillmentReceipt": False}


def find_made(api: AdminApi, tiktok_order_id: str) -> dict[str, Any] | None:
    """An order the app made before for this TikTok order (its tag), if Shopify has it."""
    found = api.run(queries.ORDERS_BY_TAG, {"query": f"tag:'{order_tag(tiktok_order_id)}'"})["orders"]["nodes"]
    for node in found:
        if node.get("sourceIdentifier") in (None, "", tiktok_order_id) and order_tag(tiktok_order_id) in (node.get("tags") or []):
            return node
    return None


def failure(reason: str, message: str, retryable: bool = False) -> dict[str, Any]:
    return {"status": "failed", "reason": reason, "message": message, "retryable": retryable}


def classify(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """A refused `orderCreate` as a command result with the reason the merchant sees."""
    message = "; ".join(f"{'.'.join(e.get('field') or []) or 'order'}: {e.get('message')}" for e in errors)
    text = message.lower()
    fields = " ".join(".".join(e.get("field") or []) for e in errors).lower()
    codes = {e.get("code") for e in errors}
    if "INVENTORY_CLAIM_FAILED" in codes or "out of stock" in text or "not enough" in text or "inventory" in text:
        return failure("OUT_OF_STOCK", f"Shopify has too few in stock: {message}")
    if "variant" in fields or "does not exist" in text or "not found" in text or "invalid id" in text:
        return failure("PRODUCT_DELETED", f"The product is no longer in Shopify: {message}")
    if "address" in fields or "zip" in text or "country" in text or "province" in text:
        if "blank" in text or "required" in text:  # incomplete
            return failure("INVALID_ADDRESS", f"Shopify found the address incomplete: {message}")
        return failure("ADDRESS_REFUSED", f"Shopify refused the address: {message}")  # complete but not accepted
    if "blank" in text or "required" in text:
        return failure("MISSING_FIELD", f"Shopify needs a field the order lacks: {message}")
    if "SHOP_DORMANT" in codes:
        return failure("PLATFORM_ERROR", f"The Shopify store is dormant (its plan is paused or closed): {message}")
    return failure("PLATFORM_ERROR", f"Shopify refused the order: {message}")


def create(api: AdminApi, link: Any, order: dict[str, Any]) -> dict[str, Any]:
    """Create the order under a held link claim (see module docstring); returns the command result."""
    tid = str(order["tiktok_order_id"])
    if link.platform_order_id:
        return {"status": "done", "platform_order_id": link.platform_order_id}
    if link.earlier_attempt:
        made = find_made(api, tid)
        if made is not None:
            link.record(numeric_id(made["id"]))
            return {"status": "done", "platform_order_id": link.platform_order_id}
    if not order.get("lines"):
        return failure("MISSING_FIELD", "The order has no lines.")
    if order.get("address_pending"):
        return failure("MISSING_FIELD", "TikTok has not released the buyer's address yet.", retryable=True)
    answer = api.run(queries.ORDER_CREATE, {"order": order_input(order), "options": OPTIONS})["orderCreate"] or {}
    errors = answer.get("userErrors") or []
    if errors or not answer.get("order"):
        return classify(errors or [{"message": "Shopify created no order and said nothing"}])
    link.record(numeric_id(answer["order"]["id"]))
    return {"status": "done", "platform_order_id": link.platform_order_id}


def cancel(api: AdminApi, payload: dict[str, Any]) -> dict[str, Any]:
    number = str(payload["platform_order_id"])
    existing = api.run(queries.ORDER, {"id": gid("Order", number)})["order"]
    if existing is None:
        return failure("PLATFORM_ERROR", f"Shopify has no order {number} to cancel.")
    if existing.get("cancelledAt"):
        return {"status": "done", "platform_order_id": number}
    answer = api.run(queries.ORDER_CANCEL, {"orderId": gid("Order", number), "reason": "OTHER",
                                            "staffNote": f"Cancelled on TikTok Shop: {payload.get('reason') or 'no reason given'}"})
    errors = (answer.get("orderCancel") or {}).get("orderCancelUserErrors") or []
    if errors:
        return failure("PLATFORM_ERROR", "Shopify refused to cancel the order: " +
                       "; ".join(str(e.get("message")) for e in errors))
    return {"status": "done", "platform_order_id": number}


def refund_note(return_id: str) -> str:
    return f"Refunded on TikTok Shop (TikTok return {return_id})"


def refund(api: AdminApi, payload: dict[str, Any], location_id: str | None = None) -> dict[str, Any]:
    """`order.refund` with refundCreate: the lines TikTok refunded (restocked at the shop's first location
    when they came back), the shipping part, and one REFUND transaction on the "TikTok Shop" gateway for
    the amount (TikTok, not Shopify, paid the buyer back). A refund whose note names the return is the one
    made before: it is reported again instead of refunding twice."""
    number = str(payload["platform_order_id"])
    note = refund_note(str(payload["tiktok_return_id"]))
    order = api.run(queries.ORDER_FOR_REFUND, {"id": gid("Order", number)})["order"]
    if order is None:
        return failure("PLATFORM_ERROR", f"Shopify has no order {number} to refund.")
    made = next((r for r in order.get("refunds") or [] if r.get("note") == note), None)
    if made is not None:
        return {"status": "done", "platform_order_id": number, "platform_refund_id": numeric_id(made["id"])}
    items = (order.get("lineItems") or {}).get("nodes") or []
    refund_lines = []
    for line in payload.get("lines") or []:
        item = next((i for i in items if i.get("variant") and numeric_id(i["variant"]["id"]) == str(line["variant_id"])),
                    None)
        if item is None:
            return failure("PRODUCT_DELETED", f"Shopify order {number} has no line for variant {line['variant_id']}.")
        entry: dict[str, Any] = {"lineItemId": item["id"], "quantity": int(line["quantity"]),
                                 "restockType": "RETURN" if line.get("restock") else "NO_RESTOCK"}
        if line.get("restock") and location_id:
            entry["locationId"] = gid("Location", location_id)
        refund_lines.append(entry)
    refund_input: dict[str, Any] = {
        "orderId": order["id"], "note": note, "notify": False, "refundLineItems": refund_lines,
        "transactions": [{"orderId": order["id"], "kind": "REFUND", "gateway": GATEWAY,
                          "amount": str(payload["amount"])}]}
    if Decimal(str(payload.get("shipping") or "0")) > 0:
        refund_input["shipping"] = {"amount": str(payload["shipping"])}
    answer = api.run(queries.REFUND_CREATE, {"input": refund_input}).get("refundCreate") or {}
    errors = answer.get("userErrors") or []
    if errors or not answer.get("refund"):
        return failure("PLATFORM_ERROR", "Shopify refused the refund: " +
                       ("; ".join(str(e.get("message")) for e in errors) or "no refund made"))
    return {"status": "done", "platform_order_id": number, "platform_refund_id": numeric_id(answer["refund"]["id"])}


def fulfilled(api: AdminApi, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """`order.fulfilled` for a fulfilment of an order the app created, with its tracking number."""
    order_id = payload.get("order_id")
    if order_id is None:
        raise DataError("The fulfilment names no order", code="shopify_fulfilment_without_order")
    order = api.run(queries.ORDER, {"id": gid("Order", order_id)})["order"]
    if order is None or order.get("sourceName") != SOURCE_NAME or not order.get("sourceIdentifier"):
        return []  # not a TikTok order: nothing to tell TikTok
    tracking_number = payload.get("tracking_number") or next(iter(payload.get("tracking_numbers") or []), None)
    carrier = payload.get("tracking_company")
    fulfilment_gid = payload.get("admin_graphql_api_id")
    for fulfilment in order.get("fulfillments") or []:  # Shopify's current view wins over the delivery's
        if fulfilment_gid and fulfilment.get("id") != fulfilment_gid:
            continue
        info = next(iter(fulfilment.get("trackingInfo") or []), None)
        if info:
            tracking_number, carrier = info.get("number") or tracking_number, info.get("company") or carrier
    if str(payload.get("status") or "").lower() in ("cancelled", "failure", "error") or not tracking_number:
        return []  # nothing shipped yet, or no tracking number: Shopify sends an update when one is added
    return [{"type": "order.fulfilled", "tiktok_order_id": str(order["sourceIdentifier"]),
             "platform_order_id": numeric_id(order["id"]), "tracking_number": tracking_number,
             "carrier": carrier or "Other", "shipped_at": payload.get("updated_at")}]
