"""Turning a TikTok order into the canonical ORDER (docs/canonical-data.md) for one store, or a coded reason why not.

TikTok line items are single units, so lines are grouped by SKU (and price) into quantities. Each SKU
is matched through `SkuBinding` to the store product and variant it was listed from; a deleted
product, an unlinked SKU, missing or invalid address fields and a currency mismatch each fail with
their own reason (`reasons.py`) instead of producing an order the store would reject or get wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import ProductSnapshot, SkuBinding, Store, TikTokShop
from hub.sync import policy
from hub.sync.orders import reasons as r

UK_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")
CANCELLED_LINE = "CANCELLED"
COUNTRY_CODE = re.compile(r"^\s*\(?\+\d{1,3}\)?")  # "(+44)" alone is not a phone number


@dataclass
class Line:
    sku_id: str
    seller_sku: str
    product_name: str
    unit_price: str
    quantity: int
    line_item_ids: list[str]


@dataclass
class Matched:
    store_id: str
    order: dict[str, Any]


def group_lines(raw: dict[str, Any]) -> list[Line]:
    """One line per (SKU, unit price) with a quantity; cancelled units are left out."""
    grouped: dict[tuple[str, str], Line] = {}
    for item in raw.get("line_items") or []:
        if not isinstance(item, dict) or str(item.get("display_status") or "").upper() == CANCELLED_LINE:
            continue
        sku_id = str(item.get("sku_id") or "")
        price = str(item.get("sale_price") or item.get("original_price") or "0")
        key = (sku_id, price)
        line = grouped.get(key)
        if line is None:
            line = grouped[key] = Line(sku_id, str(item.get("seller_sku") or ""), str(item.get("product_name") or ""),
                                       price, 0, [])
        line.quantity += 1
        line.line_item_ids.append(str(item.get("id") or ""))
    return list(grouped.values())


def default_store(session: Session, merchant_id: str) -> Store | None:
    """Where an order that matches no store is shown: the merchant's first connected store."""
    return session.scalar(select(Store).where(Store.merchant_id == merchant_id, Store.revoked_at.is_(None))
                          .order_by(Store.created_at, Store.id).limit(1))


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise r.problem(r.INVALID_TOTALS, f"TikTok sent an unreadable amount for {field}: {value!r}.", field) from None
    if not amount.is_finite() or amount < 0:
        raise r.problem(r.INVALID_TOTALS, f"TikTok sent a negative or invalid amount for {field}: {value}.", field)
    return amount


def _fmt(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def _address(raw: dict[str, Any], hidden_allowed: bool) -> tuple[dict[str, Any], bool]:
    """The shipping address, validated; returns (address, pending) where pending = hidden by TikTok for now."""
    a = raw.get("recipient_address") or {}
    districts = {d.get("address_level"): d.get("address_name") for d in a.get("district_info") or []
                 if isinstance(d, dict)}
    city = a.get("post_town") or districts.get("L2") or districts.get("L3") or ""
    address = {"name": (a.get("name") or "").strip(), "line1": (a.get("address_line1") or "").strip(),
               "line2": (a.get("address_line2") or "").strip(), "city": str(city).strip(),
               "region": str(districts.get("L1") or "").strip(),
               "postal_code": " ".join(str(a.get("postal_code") or "").upper().split()),
               "country_code": (a.get("region_code") or "GB").upper(), "phone": (a.get("phone_number") or "").strip()}
    if not address["line1"] and not address["postal_code"] and hidden_allowed:
        return address, True
    missing = [name for name in ("name", "line1", "city", "postal_code") if not address[name]]
    if missing:
        raise r.problem(r.MISSING_ADDRESS, "The shipping address is incomplete: " + ", ".join(missing)
                        + " missing.", "shipping_address." + missing[0])
    if address["country_code"] == "GB" and not UK_POSTCODE.match(address["postal_code"]):
        raise r.problem(r.INVALID_POSTCODE, f"The postcode {address['postal_code']!r} is not a valid UK postcode.",
                        "shipping_address.postal_code")
    if not address["phone"]:
        raise r.problem(r.MISSING_PHONE, "The order has no phone number.", "shipping_address.phone")
    if not any(ch.isdigit() for ch in COUNTRY_CODE.sub("", address["phone"])):
        raise r.problem(r.MISSING_PHONE, f"The phone number {address['phone']!r} has no digits.",
                        "shipping_address.phone")
    return address, False


def _currency_block(session: Session, store: Store, shop: TikTokShop, currency: str) -> str | None:
    """The store-wide gate (hub.sync.policy), then the order's own currency against the store's and shop's."""
    blocked = policy.blocked(store, shop)
    if blocked:
        return blocked.message
    if store.currency and store.currency.upper() != currency:
        return f"The store's currency is {store.currency} but the TikTok order is in {currency}."
    if shop.currency and shop.currency.upper() != currency:
        return f"The TikTok shop's currency is {shop.currency} but the order is in {currency}."
    return None


def match(session: Session, shop: TikTokShop, raw: dict[str, Any], settings: dict[str, Any], *,
          hidden_address_allowed: bool = False) -> Matched:
    """The ORDER for the store the SKUs belong to; raises DataError (reasons.problem) when it cannot be made."""
    lines = group_lines(raw)
    if not lines:
        raise r.problem(r.NO_ITEMS, "The order has no items left (all were cancelled).")
    sku_ids = sorted({line.sku_id for line in lines})
    bindings = {b.tiktok_sku_id: b for b in session.scalars(
        select(SkuBinding).join(Store, Store.id == SkuBinding.store_id)
        .where(Store.merchant_id == shop.merchant_id, SkuBinding.tiktok_sku_id.in_(sku_ids))
        .order_by(SkuBinding.store_id))}
    unlinked = [line for line in lines if line.sku_id not in bindings]
    if unlinked:
        names = ", ".join(f"{line.seller_sku or line.sku_id} ({line.product_name})" for line in unlinked)
        raise r.problem(r.SKU_NOT_LINKED, f"No store product is linked to TikTok SKU {names}.", "lines.sku")
    store_ids = {bindings[line.sku_id].store_id for line in lines}
    if len(store_ids) > 1:
        raise r.problem(r.MIXED_STORES, "The items of this order are linked to products in different stores.")
    store = session.get(Store, store_ids.pop())
    assert store is not None
    product_ids = {bindings[line.sku_id].product_id for line in lines}
    snapshots = {s.product_id: s for s in session.scalars(select(ProductSnapshot).where(
        ProductSnapshot.store_id == store.id, ProductSnapshot.product_id.in_(product_ids)))}
    deleted = [line for line in lines if (s := snapshots.get(bindings[line.sku_id].product_id)) is not None and s.deleted]
    if deleted:
        names = ", ".join(f"{snapshots[bindings[line.sku_id].product_id].title or line.product_name} "
                          f"(product {bindings[line.sku_id].product_id})" for line in deleted)
        raise r.problem(r.PRODUCT_DELETED, f"The ordered product was deleted from the store: {names}.", "lines")

    payment = raw.get("payment") or {}
    currency = str(payment.get("currency") or "").upper()
    blocked = _currency_block(session, store, shop, currency)
    if blocked:
        raise r.problem(r.CURRENCY_MISMATCH, blocked + " Order sync for this store is stopped.", "currency")
    subtotal = _money(payment.get("sub_total"), "sub_total")
    shipping = _money(payment.get("shipping_fee"), "shipping_fee")
    tax = _money(payment.get("tax"), "tax")
    discount = _money(payment.get("seller_discount"), "seller_discount") + \
        _money(payment.get("platform_discount"), "platform_discount")
    total = _money(payment.get("total_amount"), "total_amount")
    for line in lines:
        _money(line.unit_price, f"price of {line.seller_sku or line.sku_id}")

    address, pending = _address(raw, hidden_address_allowed)
    orders = settings.get("orders") or {}
    buyer_name = address["name"] or "TikTok Shop buyer"
    tid = str(raw["id"])
    created = raw.get("create_time")
    order = {
        "tiktok_order_id": tid, "status": str(raw.get("status") or ""), "currency": currency,
        "created_at": datetime.fromtimestamp(int(created), tz=timezone.utc).isoformat() if created else None,
        # TikTok relays email through an anonymised address; stores get the merchant's placeholder instead
        # (the relay address stays available as an extra key).
        "buyer": {"name": buyer_name, "email": orders.get("placeholder_email"), "phone": address["phone"]},
        "shipping_address": address,
        "lines": [{"product_id": bindings[line.sku_id].product_id, "variant_id": bindings[line.sku_id].variant_id,
                   "sku": line.seller_sku or bindings[line.sku_id].seller_sku, "quantity": line.quantity,
                   "unit_price": _fmt(_money(line.unit_price, "unit_price"))} for line in lines],
        "totals": {"subtotal": _fmt(subtotal), "shipping": _fmt(shipping), "tax": _fmt(tax),
                   "discount": _fmt(discount), "total": _fmt(total)},
        "payment_method": str(raw.get("payment_method_name") or "TikTok Shop"),
        "note": f"TikTok Shop order {tid}" + (f". Buyer message: {raw['buyer_message']}" if raw.get("buyer_message") else ""),
        "tiktok_buyer_email": raw.get("buyer_email") or None,
        "shipping_type": raw.get("shipping_type") or None,
        "address_pending": pending,
    }
    return Matched(store.id, order)
