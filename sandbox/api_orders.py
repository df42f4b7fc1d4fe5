"""Orders (search, detail), fulfilment (mark shipped, ship package, shipping info, tracking, package
detail/search) and seller cancellations; plus the order model the control API drives."""

from __future__ import annotations

import time
from decimal import Decimal

from .api_catalog import paginate
from .api_products import money
from .errors import ApiError, param_error
from .searching import check_window, in_window, sort_of

FLOW = ["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"]
ALL_STATUSES = FLOW + ["PARTIALLY_SHIPPING", "CANCELLED"]
PAID = ("ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED",
        "COMPLETED")
SHIPPABLE = ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")
SELLER_CANCELLABLE = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")

# TikTok Partner docs, "Cancel reasons" (docv2/page/cancel-reasons), "Seller Initiates Cancel Reason":
# region -> (keys while UNPAID, keys for ON_HOLD / AWAITING_SHIPMENT). Any other key, or one for the
# other status, is refused with 25001021. PARTIALLY_SHIPPING (not on the page) takes the paid keys.
SELLER_CANCEL_REASONS = {
    "GB": ({"seller_cancel_unpaid_reason_out_of_stock_uk", "seller_cancel_unpaid_reason_wrong_price_uk",
            "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed_uk"},
           {"seller_cancel_reason_wrong_price_uk", "seller_cancel_paid_reason_address_not_deliver_uk",
            "seller_cancel_reason_out_of_stock_uk"}),
    "US": ({"seller_cancel_unpaid_reason_out_of_stock", "seller_cancel_unpaid_reason_wrong_price",
            "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed",
            "seller_cancel_unpaid_reason_buyer_requested_cancellation"},
           {"seller_cancel_reason_out_of_stock", "seller_cancel_reason_wrong_price",
            "seller_cancel_paid_reason_address_not_deliver", "seller_cancel_paid_reason_buyer_requested_cancellation"}),
    "*": ({"seller_cancel_unpaid_reason_out_of_stock", "seller_cancel_unpaid_reason_wrong_price",
           "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed"},
          {"seller_cancel_reason_out_of_stock", "seller_cancel_reason_wrong_price",
           "seller_cancel_paid_reason_address_not_deliver"}),
}


def seller_reason_allowed(region: str, status: str, reason: str) -> bool:
    unpaid, paid = SELLER_CANCEL_REASONS.get(region, SELLER_CANCEL_REASONS["*"])
    return reason in (unpaid if status == "UNPAID" else paid)
PACKAGE_STATUS = {"AWAITING_COLLECTION": "PROCESSING", "PARTIALLY_SHIPPING": "PROCESSING",
                  "IN_TRANSIT": "FULFILLING", "DELIVERED": "COMPLETED", "COMPLETED": "COMPLETED"}
DEFAULT_ADDRESS = {
    "name": "Olivia Bennett", "first_name": "Olivia", "last_name": "Bennett", "phone_number": "+447700900123",
    "address_line1": "14 Fishergate Hill", "address_line2": "Flat 2", "address_line3": "", "address_line4": "",
    "post_town": "Preston", "postal_code": "PR1 8JB", "region_code": "GB", "address_detail": "Flat 2",
    "delivery_preferences": {"drop_off_location": "Front Door"},
}


class OrderError(Exception):
    """A control-API error (HTTP 4xx with a plain message)."""

    def __init__(self, message, status=409):
        super().__init__(message)
        self.status = status


def _mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("44"):
        digits = digits[2:]
    if len(digits) < 5:
        return "(+44)****"
    return f"(+44){digits[0]}{'*' * (len(digits) - 5)}{digits[-4:]}"


def webhook_status(status: str) -> str:
    # The ORDER_STATUS_CHANGE webhook docs list CANCEL where the Order API says CANCELLED.
    return "CANCEL" if status == "CANCELLED" else status


# ---- rendering --------------------------------------------------------------------------------------
def render_address(order: dict) -> dict:
    a = order["address"]
    if order["status"] in ("UNPAID", "ON_HOLD"):
        return {"name": "", "first_name": "", "last_name": "", "phone_number": "", "full_address": "",
                "address_line1": "", "address_line2": "", "address_line3": "", "address_line4": "",
                "post_town": "", "postal_code": "", "region_code": a.get("region_code", "GB"),
                "address_detail": "", "district_info": [], "delivery_preferences": {}}
    lines = [a.get("address_line1", ""), a.get("address_line2", ""), a.get("post_town", ""), a.get("postal_code", "")]
    out = {
        "name": a.get("name", ""), "first_name": a.get("first_name", ""), "last_name": a.get("last_name", ""),
        "phone_number": _mask_phone(a.get("phone_number", "")),
        "full_address": ", ".join(x for x in lines if x) + ", United Kingdom",
        "address_line1": a.get("address_line1", ""), "address_line2": a.get("address_line2", ""),
        "address_line3": a.get("address_line3", ""), "address_line4": a.get("address_line4", ""),
        "post_town": a.get("post_town", ""), "postal_code": a.get("postal_code", ""),
        "region_code": a.get("region_code", "GB"), "address_detail": a.get("address_detail", ""),
        "district_info": [{"address_level_name": "Country", "address_name": "United Kingdom", "address_level": "L0"},
                          {"address_level_name": "County", "address_name": a.get("county", "Lancashire"),
                           "address_level": "L1"},
                          {"address_level_name": "Post Town", "address_name": a.get("post_town", ""),
                           "address_level": "L2"}],
        "delivery_preferences": dict(a.get("delivery_preferences") or {}),
    }
    if order["shipping_type"] == "TIKTOK":      # platform logistics: name is desensitised
        out["name"] = out["name"][:1] + "***"
        out["first_name"], out["last_name"] = out["first_name"][:1] + "***", out["last_name"][:1] + "***"
    return out


def line_display_status(order, line) -> str:
    if line.get("cancelled"):
        return "CANCELLED"
    st = order["status"]
    if st == "ON_HOLD":
        return "AWAITING_SHIPMENT"
    if st == "PARTIALLY_SHIPPING":
        return "AWAITING_COLLECTION" if line.get("package_id") else "AWAITING_SHIPMENT"
    return st


def render_line(state, order, line) -> dict:
    out = {"id": line["id"], "product_id": line["product_id"], "sku_id": line["sku_id"],
           "seller_sku": line["seller_sku"], "product_name": line["product_name"], "sku_name": line["sku_name"],
           "sku_image": line["sku_image"], "original_price": line["price"], "sale_price": line["price"],
           "seller_discount": "0", "platform_discount": "0", "currency": order["currency"],
           "display_status": line_display_status(order, line), "is_gift": False,
           "cancel_user": line.get("cancel_user", ""), "cancel_reason": line.get("cancel_reason", ""),
           "tracking_number": line.get("tracking_number", ""),
           "shipping_provider_name": line.get("shipping_provider_name", ""),
           "shipping_provider_id": line.get("shipping_provider_id", ""), "rts_time": line.get("rts_time", 0),
           "sku_type": "NORMAL", "combined_listing_skus": []}
    if line.get("package_id"):
        pkg = state.packages.get(line["package_id"], {})
        out["package_id"] = line["package_id"]
        out["package_status"] = "CANCELLED" if line.get("cancelled") else pkg.get("status", "PROCESSING")
    return out


def render_order(state, order) -> dict:
    live = [l for l in order["lines"] if not l.get("cancelled")]
    sub = sum((Decimal(l["price"]) for l in live), Decimal("0"))
    ship = Decimal(order["shipping_fee"]) if live else Decimal("0")
    payment = {"currency": order["currency"], "sub_total": money(sub), "shipping_fee": money(ship),
               "seller_discount": "0", "platform_discount": "0", "total_amount": money(sub + ship),
               "original_total_product_price": money(sub), "original_shipping_fee": money(ship),
               "shipping_fee_seller_discount": "0", "shipping_fee_platform_discount": "0", "tax": "0",
               "product_tax": "0", "shipping_fee_tax": "0"}
    pkgs = []
    for pid in order["package_ids"]:
        if pid not in pkgs:
            pkgs.append(pid)
    first_pkg = next((state.packages[p] for p in order["package_ids"] if p in state.packages
                      and state.packages[p].get("tracking_number")), None)
    out = {
        "id": order["id"], "status": order["status"], "create_time": order["create_time"],
        "update_time": order["update_time"], "user_id": order["user_id"], "buyer_email": order["buyer_email"],
        "buyer_message": order["buyer_message"], "seller_note": "", "is_on_hold_order": order["status"] == "ON_HOLD",
        "shipping_type": order["shipping_type"], "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "delivery_type": "HOME_DELIVERY", "delivery_option_id": order["delivery_option_id"],
        "delivery_option_name": order["delivery_option_name"], "warehouse_id": order["warehouse_id"],
        "tracking_number": first_pkg["tracking_number"] if first_pkg else "",
        "shipping_provider": first_pkg["shipping_provider_name"] if first_pkg else "",
        "shipping_provider_id": first_pkg["shipping_provider_id"] if first_pkg else "",
        "payment_method_name": "CCDC", "is_cod": False, "order_type": "",
        "cancel_reason": order.get("cancel_reason", ""), "cancellation_initiator": order.get("cancellation_initiator", ""),
        "is_buyer_request_cancel": bool(order.get("is_buyer_request_cancel")), "commerce_platform": "TIKTOK_SHOP",
        "is_sample_order": False, "is_replacement_order": False, "has_updated_recipient_address": False,
        "payment": payment, "recipient_address": render_address(order),
        "packages": [{"id": p} for p in pkgs],
        "line_items": [render_line(state, order, l) for l in order["lines"]],
    }
    if order.get("paid_time"):
        out["paid_time"] = order["paid_time"]
    if order.get("cancel_time"):
        out["cancel_time"] = order["cancel_time"]
    if order.get("rts_time"):
        out["rts_time"] = order["rts_time"]
    if order.get("rts_sla_time"):
        out["rts_sla_time"] = order["rts_sla_time"]
    return out


# ---- order model (used by the control API and the endpoints) -----------------------------------
def _emit_status(runtime, state, order):
    runtime.dispatcher.emit(state, order["shop_id"], 1, {
        "order_id": order["id"], "order_status": webhook_status(order["status"]),
        "is_on_hold_order": order["status"] == "ON_HOLD", "update_time": order["update_time"]})


def _find_sku(state, shop_id, line_spec):
    sku_id, seller_sku = line_spec.get("sku_id"), line_spec.get("seller_sku")
    known = state.products.get(str(line_spec.get("product_id") or ""))
    # with the product's id, no scan of every product (a sandbox may hold 100,000 of them)
    for p in [known] if known is not None else state.products.values():
        if p["shop_id"] != shop_id or p["status"] == "DELETED":
            continue
        for s in p["live"]["skus"]:
            if (sku_id and s["id"] == str(sku_id)) or (not sku_id and seller_sku and s["seller_sku"] == seller_sku):
                return p, s
    return None, None


def _ship_lines(state, order, lines, tracking, provider, now):
    pkg_id = order["pending_package_id"] if order["pending_package_id"] and len(lines) == len(
        [l for l in order["lines"] if not l.get("cancelled") and not l.get("package_id")]) else state.package_ids.next()
    if pkg_id == order["pending_package_id"]:
        order["pending_package_id"] = None
    state.packages[pkg_id] = {"id": pkg_id, "order_id": order["id"], "line_ids": [l["id"] for l in lines],
                              "status": "PROCESSING", "tracking_number": tracking,
                              "shipping_provider_id": provider["id"], "shipping_provider_name": provider["name"],
                              "create_time": now, "update_time": now, "shipped_time": now,
                              "tracking_events": [{"description": "Seller has shipped your parcel.",
                                                   "update_time_millis": now * 1000}]}
    if pkg_id not in order["package_ids"]:
        order["package_ids"].append(pkg_id)
    for l in lines:
        l.update(package_id=pkg_id, tracking_number=tracking, shipping_provider_id=provider["id"],
                 shipping_provider_name=provider["name"], rts_time=now)
    order["rts_time"] = order.get("rts_time") or now
    return pkg_id


def _after_ship(runtime, state, order, now):
    open_lines = [l for l in order["lines"] if not l.get("cancelled")]
    if all(l.get("package_id") for l in open_lines):
        order["status"] = "AWAITING_COLLECTION"
    else:
        order["status"] = "PARTIALLY_SHIPPING"
    order["update_time"] = now
    _emit_status(runtime, state, order)


def _set_package_status(state, order):
    st = PACKAGE_STATUS.get(order["status"])
    for pid in order["package_ids"]:
        pkg = state.packages.get(pid)
        if pkg is None:
            continue
        if order["status"] == "CANCELLED":
            if pkg["status"] == "PROCESSING" and not pkg.get("tracking_number"):
                pkg["status"] = "CANCELLED"
        elif st:
            pkg["status"] = st
            if st == "FULFILLING" and len(pkg["tracking_events"]) < 2:
                pkg["tracking_events"].append({"description": "Your parcel is on its way.",
                                               "update_time_millis": int(time.time() * 1000)})
            if st == "COMPLETED" and not any("delivered" in e["description"] for e in pkg["tracking_events"]):
                pkg["tracking_events"].append({"description": "Your parcel has been delivered.",
                                               "update_time_millis": int(time.time() * 1000)})
        pkg["update_time"] = int(time.time())


def _cancel_lines(state, order, lines, user, reason):
    for l in lines:
        if l.get("cancelled"):
            continue
        l.update(cancelled=True, cancel_user=user, cancel_reason=reason)
        if not l.get("package_id"):
            restock(state, order, l)


def restock(state, order, line):
    p = state.products.get(line["product_id"])
    if p is None:
        return
    for content in (p["live"], p["pending"]):
        if not content:
            continue
        for s in content["skus"]:
            if s["id"] == line["sku_id"]:
                for inv in s["inventory"]:
                    if inv["warehouse_id"] == line["warehouse_id"]:
                        inv["quantity"] += 1
                        break
                else:
                    if s["inventory"]:
                        s["inventory"][0]["quantity"] += 1


def _record_cancellation(runtime, state, order, role, status, reason, lines, now, emit=True):
    cid = state.cancel_ids.next()
    state.cancellations[cid] = {
        "cancel_id": cid, "order_id": order["id"], "shop_id": order["shop_id"], "role": role,
        "cancel_status": status, "cancel_reason": reason, "cancel_reason_text": reason,
        "cancel_type": "BUYER_CANCEL" if role == "BUYER" else "CANCEL", "create_time": now, "update_time": now,
        "line_ids": [l["id"] for l in lines]}
    if emit:
        runtime.dispatcher.emit(state, order["shop_id"], 11, {
            "order_id": order["id"], "cancellations_role": role, "cancel_status": status, "cancel_id": cid,
            "create_time": now})
    return cid


def finish_cancel(runtime, state, order, role, reason, lines=None, now=None, cancel_status_event=True):
    """Cancel ``lines`` (all open lines if None); the order becomes CANCELLED when none remain."""
    now = now or int(time.time())
    target = [l for l in (lines or order["lines"]) if not l.get("cancelled")]
    _cancel_lines(state, order, target, role, reason)
    cid = _record_cancellation(runtime, state, order, role, "CANCELLATION_REQUEST_COMPLETE", reason, target, now,
                               emit=cancel_status_event)
    order["update_time"] = now
    if all(l.get("cancelled") for l in order["lines"]):
        order.update(status="CANCELLED", cancel_reason=reason, cancellation_initiator=role, cancel_time=now,
                     is_buyer_request_cancel=False)
        _set_package_status(state, order)
        _emit_status(runtime, state, order)
    return cid


def create_order(runtime, state, spec: dict) -> dict:
    shop_id = spec.get("shop_id") or state.default_shop_id
    if shop_id not in state.shops:
        raise OrderError(f"unknown shop_id {shop_id}", 404)
    shop = state.shops[shop_id]
    status = spec.get("status") or "UNPAID"
    if status not in ALL_STATUSES or status == "PARTIALLY_SHIPPING":
        raise OrderError(f"status must be one of {', '.join(FLOW + ['CANCELLED'])}", 400)
    lines_spec = spec.get("lines")
    if not isinstance(lines_spec, list) or not lines_spec:
        raise OrderError("lines: give at least one {sku_id or seller_sku, quantity}", 400)
    wanted = []
    for ls in lines_spec:
        if not isinstance(ls, dict):
            raise OrderError("each line must be an object", 400)
        qty = ls.get("quantity", 1)
        if not isinstance(qty, int) or qty < 1:
            raise OrderError("quantity must be a positive integer", 400)
        p, s = _find_sku(state, shop_id, ls)
        if s is None:
            raise OrderError(f"no SKU matches {ls}", 404)
        if p["status"] != "ACTIVATE" and not spec.get("force"):
            raise OrderError(f"product {p['id']} is {p['status']}: buyers can only order live (ACTIVATE) products")
        wanted.append((p, s, qty))
    # stock check over all lines first (a SKU may appear twice)
    need: dict[str, int] = {}
    for p, s, qty in wanted:
        need[s["id"]] = need.get(s["id"], 0) + qty
    for p, s, qty in wanted:
        if sum(i["quantity"] for i in s["inventory"]) < need[s["id"]]:
            raise OrderError(f"SKU {s['id']} is out of stock (available "
                             f"{sum(i['quantity'] for i in s['inventory'])}, ordered {need[s['id']]})")
    now = int(spec.get("create_time") or time.time())
    oid = state.order_ids.next()
    buyer = spec.get("buyer") or {}
    address = dict(DEFAULT_ADDRESS)
    address.update(spec.get("address") or {})
    if buyer.get("name") and not (spec.get("address") or {}).get("name"):
        address["name"] = buyer["name"]
        parts = buyer["name"].split(" ", 1)
        address["first_name"], address["last_name"] = parts[0], parts[1] if len(parts) > 1 else ""
    lines = []
    warehouse_id = None
    for p, s, qty in wanted:
        for _ in range(qty):
            inv = next(i for i in s["inventory"] if i["quantity"] > 0)
            inv["quantity"] -= 1
            if p["pending"]:
                for ps in p["pending"]["skus"]:
                    if ps["id"] == s["id"]:
                        for pi in ps["inventory"]:
                            if pi["warehouse_id"] == inv["warehouse_id"]:
                                pi["quantity"] = inv["quantity"]
            warehouse_id = warehouse_id or inv["warehouse_id"]
            img = next((a["sku_img"]["uri"] for a in s["sales_attributes"] if a.get("sku_img")), None) \
                or (p["live"]["main_images"][0]["uri"] if p["live"]["main_images"] else "")
            from .api_catalog import image_url
            lines.append({"id": state.line_ids.next(), "product_id": p["id"], "sku_id": s["id"],
                          "seller_sku": s["seller_sku"], "product_name": p["live"]["title"],
                          "sku_name": ", ".join(a["value_name"] for a in s["sales_attributes"]) or "Default",
                          "sku_image": image_url(img) if img else "", "price": s["price"]["amount"],
                          "warehouse_id": inv["warehouse_id"]})
    delivery = next((d for d in state.delivery_options if d["type"] == "SEND_BY_SELLER"), state.delivery_options[0])
    shipping_type = spec.get("shipping_type") or "SELLER"
    if shipping_type == "TIKTOK":
        delivery = next((d for d in state.delivery_options if d["type"] != "SEND_BY_SELLER"), delivery)
    order = {"id": oid, "shop_id": shop_id, "status": "UNPAID", "create_time": now, "update_time": now,
             "paid_time": None, "user_id": str(buyer.get("user_id") or state.buyer_ids.next()),
             "buyer_email": buyer.get("email") or f"v{oid[-6:]}b2V5@scs.tiktokw.uk",
             "buyer_message": buyer.get("message", ""), "shipping_type": shipping_type,
             "delivery_option_id": delivery["id"], "delivery_option_name": delivery["name"],
             "warehouse_id": warehouse_id, "currency": shop.get("currency", "GBP"),
             "shipping_fee": money(Decimal(str(spec.get("shipping_fee", "0")))), "address": address,
             "lines": lines, "package_ids": [], "pending_package_id": None,
             "rts_sla_time": int(spec["rts_sla_time"]) if spec.get("rts_sla_time") else None}
    state.orders[oid] = order
    _emit_status(runtime, state, order)
    if status == "CANCELLED":
        finish_cancel(runtime, state, order, spec.get("cancellation_initiator") or "BUYER",
                      spec.get("cancel_reason") or "Buyer changed their mind", now=now)
    elif status != "UNPAID":
        move_order(runtime, state, order, status, now=now)
    return order


HANDLING_SECONDS = 2 * 24 * 3600


def move_order(runtime, state, order, target, *, now=None, force=False, initiator=None, reason=None):
    now = int(now or time.time())
    cur = order["status"]
    if target not in ALL_STATUSES:
        raise OrderError(f"unknown status {target}", 400)
    if target == cur:
        return order
    if target == "CANCELLED":
        if cur in ("IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED") and not force:
            raise OrderError(f"an order in {cur} cannot be cancelled")
        finish_cancel(runtime, state, order, initiator or "BUYER", reason or "Buyer changed their mind", now=now)
        return order
    if cur == "CANCELLED" and not force:
        raise OrderError("the order is cancelled")
    cur_i = FLOW.index(cur) if cur in FLOW else FLOW.index("AWAITING_SHIPMENT")
    if target == "PARTIALLY_SHIPPING":
        raise OrderError("PARTIALLY_SHIPPING is reached by shipping some line items through the API", 400)
    tgt_i = FLOW.index(target)
    if tgt_i < cur_i and not force:
        raise OrderError(f"cannot move an order back from {cur} to {target}")
    path = FLOW[cur_i + 1:tgt_i + 1] if tgt_i > cur_i else [target]
    for step in path:
        if step in PAID and not order.get("paid_time"):
            order["paid_time"] = now
            # The ready-to-ship deadline: the shop's handling time (2 days here) from payment.
            order["rts_sla_time"] = order.get("rts_sla_time") or now + HANDLING_SECONDS
            order["pending_package_id"] = order["pending_package_id"] or state.package_ids.next()
            if order["pending_package_id"] not in order["package_ids"]:
                order["package_ids"].append(order["pending_package_id"])
        if step in ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"):
            unshipped = [l for l in order["lines"] if not l.get("cancelled") and not l.get("package_id")]
            if unshipped:
                prov = state.shipping_providers[0]
                _ship_lines(state, order, unshipped, f"SBX{order['id'][-10:]}GB", prov, now)
        order["status"] = step
        order["update_time"] = now
        _set_package_status(state, order)
        _emit_status(runtime, state, order)
    return order


def buyer_cancel_request(runtime, state, order, reason):
    if order["status"] not in ("ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION"):
        raise OrderError(f"a buyer cannot request cancellation of an order in {order['status']}")
    now = int(time.time())
    order["is_buyer_request_cancel"] = True
    order["update_time"] = now
    lines = [l for l in order["lines"] if not l.get("cancelled")]
    return _record_cancellation(runtime, state, order, "BUYER", "CANCELLATION_REQUEST_PENDING", reason, lines, now)


# ---- endpoints ------------------------------------------------------------------------------------
def _order_or(ctx, oid) -> dict:
    order = ctx.state.orders.get(oid)
    if order is None or order["shop_id"] != ctx.shop["id"]:
        raise ApiError(21008111)
    return order


def search_orders(ctx):
    q = ctx.query
    try:
        size = int(q.get("page_size", ""))
    except ValueError:
        raise param_error("page_size", "page_size is required", "an integer from 1 to 100")
    if not 1 <= size <= 100:
        raise param_error("page_size", f"{size} is out of range", "an integer from 1 to 100")
    sort_field, sort_order = sort_of(q, "DESC")
    body = ctx.body
    check_window(body)
    status = body.get("order_status")
    if status is not None and status not in ALL_STATUSES:
        raise param_error("order_status", f"unsupported value {status!r}", "an order status")
    items = []
    for o in ctx.state.orders.values():
        if o["shop_id"] != ctx.shop["id"]:
            continue
        if status and o["status"] != status:
            continue
        if not in_window(o, body):
            continue
        if body.get("buyer_user_id") and o["user_id"] != body["buyer_user_id"]:
            continue
        if body.get("shipping_type") and o["shipping_type"] != body["shipping_type"]:
            continue
        if body.get("is_buyer_request_cancel") is not None and \
                bool(o.get("is_buyer_request_cancel")) != bool(body["is_buyer_request_cancel"]):
            continue
        if body.get("warehouse_ids") and o["warehouse_id"] not in body["warehouse_ids"]:
            continue
        items.append(o)
    items.sort(key=lambda o: (o[sort_field], o["id"]), reverse=sort_order == "DESC")
    fp = [sort_field, sort_order, size, {k: v for k, v in body.items()}]
    page, nxt = paginate(ctx, "orders", items, size, fp)
    return {"next_page_token": nxt, "total_count": len(items),
            "orders": [render_order(ctx.state, o) for o in page]}


def order_detail(ctx):
    raw = ctx.query.get("ids", "")
    ids_ = [i.strip() for i in raw.split(",") if i.strip()]
    if not ids_:
        raise param_error("ids", "ids is required", "comma-separated order ids")
    if len(ids_) > 50:
        raise param_error("ids", f"{len(ids_)} ids given", "at most 50 order ids")
    return {"orders": [render_order(ctx.state, _order_or(ctx, i)) for i in ids_]}


def _provider(ctx, provider_id):
    if not provider_id:
        raise param_error("shipping_provider_id", "shipping_provider_id is required",
                          "an id from Get Shipping Providers")
    prov = next((p for p in ctx.state.shipping_providers if p["id"] == provider_id), None)
    if prov is None:
        raise param_error("shipping_provider_id", f"unknown shipping provider {provider_id}",
                          "an id from Get Shipping Providers")
    return prov


def _tracking(value):
    if not isinstance(value, str) or not value.strip():
        raise param_error("tracking_number", "tracking_number is required", "the carrier's tracking number")
    if len(value) > 64:
        raise param_error("tracking_number", "too long", "at most 64 characters")
    return value.strip()


def mark_package_shipped(ctx):
    order = _order_or(ctx, ctx.path_params["order_id"])
    if order["shipping_type"] != "SELLER":
        raise param_error("order_id", "the order is shipped by TikTok Shipping", "a seller-shipping order")
    if order["status"] not in SHIPPABLE:
        raise param_error("order_id", f"the order status {order['status']} does not allow shipping",
                          "an order in AWAITING_SHIPMENT or PARTIALLY_SHIPPING")
    body = ctx.body
    tracking = _tracking(body.get("tracking_number"))
    prov = _provider(ctx, body.get("shipping_provider_id"))
    line_ids = body.get("order_line_item_ids")
    if body.get("order_line_list"):
        line_ids = [x.get("order_line_id") for x in body["order_line_list"] if isinstance(x, dict)]
    open_lines = [l for l in order["lines"] if not l.get("cancelled") and not l.get("package_id")]
    if line_ids:
        by_id = {l["id"]: l for l in order["lines"]}
        lines = []
        for lid in line_ids:
            l = by_id.get(lid)
            if l is None or l.get("cancelled") or l.get("package_id"):
                raise param_error("order_line_item_ids", f"line item {lid} is unknown, cancelled or already shipped",
                                  "unshipped line item ids of this order")
            lines.append(l)
    else:
        lines = open_lines
    if not lines:
        raise param_error("order_id", "nothing left to ship", "an order with unshipped line items")
    now = ctx.now
    pkg_id = _ship_lines(ctx.state, order, lines, tracking, prov, now)
    _after_ship(ctx.runtime, ctx.state, order, now)
    return {"order_id": order["id"], "order_line_item_ids": [l["id"] for l in lines], "package_id": pkg_id}


def _package_or(ctx, pid):
    pkg = ctx.state.packages.get(pid)
    order = ctx.state.orders.get(pkg["order_id"]) if pkg else None
    if pkg is None and pid:
        order = next((o for o in ctx.state.orders.values() if o.get("pending_package_id") == pid), None)
    if order is None or order["shop_id"] != ctx.shop["id"]:
        raise ApiError(21008111)
    return pkg, order


def ship_package(ctx):
    pid = ctx.path_params["package_id"]
    pkg, order = _package_or(ctx, pid)
    if pkg is not None:
        raise param_error("package_id", "the package has already been shipped", "an unshipped package id")
    if order["status"] not in SHIPPABLE:
        raise param_error("package_id", f"the order status {order['status']} does not allow shipping",
                          "a package of an order in AWAITING_SHIPMENT")
    body = ctx.body
    now = ctx.now
    lines = [l for l in order["lines"] if not l.get("cancelled") and not l.get("package_id")]
    handover = body.get("handover_method")
    if order["shipping_type"] == "SELLER":
        ss = body.get("self_shipment")
        if not isinstance(ss, dict):
            raise param_error("self_shipment", "self_shipment is required for SEND_BY_SELLER packages",
                              "{tracking_number, shipping_provider_id}")
        tracking = _tracking(ss.get("tracking_number"))
        prov = _provider(ctx, ss.get("shipping_provider_id"))
    else:
        # TikTok Shipping: TikTok's carrier, booked by the handover; no seller tracking number.
        if body.get("self_shipment"):
            raise param_error("self_shipment", "the package is shipped by TikTok Shipping",
                              "handover_method (PICKUP with pickup_slot, or DROP_OFF) without self_shipment")
        if handover not in ("PICKUP", "DROP_OFF"):
            raise param_error("handover_method", "handover_method is required for TikTok Shipping packages",
                              "PICKUP or DROP_OFF")
        if handover == "PICKUP":
            slot = body.get("pickup_slot")
            if not isinstance(slot, dict) or {"start_time": slot.get("start_time"), "end_time": slot.get(
                    "end_time")} not in [{"start_time": s["start_time"], "end_time": s["end_time"]}
                                         for s in _pickup_slots(order)]:
                raise param_error("pickup_slot", "not one of the package's pickup slots",
                                  "a slot from Get Package Handover Time Slots")
        tracking = f"TT{pid[-12:]}GB"
        prov = ctx.state.shipping_providers[0]
    _ship_lines(ctx.state, order, lines, tracking, prov, now)
    if order["shipping_type"] != "SELLER":
        ctx.state.packages[order["package_ids"][-1]]["handover_method"] = handover
    _after_ship(ctx.runtime, ctx.state, order, now)
    return {}


def _pickup_slots(order):
    """Three two-hour collection slots on the days after payment (fixed, so tests can pick one)."""
    base = ((order.get("paid_time") or order["create_time"]) // 86400 + 1) * 86400 + 9 * 3600
    return [{"avaliable": True, "start_time": base + d * 86400, "end_time": base + d * 86400 + 7200}
            for d in range(3)]


def handover_time_slots(ctx):
    pkg, order = _package_or(ctx, ctx.path_params["package_id"])
    if order["shipping_type"] == "SELLER":
        raise param_error("package_id", "the package is shipped by the seller", "a TikTok Shipping package")
    return {"can_pickup": True, "can_drop_off": True, "can_van_collection": False,
            "drop_off_point_url": "https://seller-uk.tiktok.com/logistics/dropoff-points",
            "pickup_slots": _pickup_slots(order)}


DOCUMENT_TYPES = ("SHIPPING_LABEL", "PACKING_SLIP", "SHIPPING_LABEL_AND_PACKING_SLIP", "SHIPPING_LABEL_PICTURE",
                  "HAZMAT_LABEL", "INVOICE_LABEL")


def shipping_documents(ctx):
    from flask import request

    pkg, order = _package_or(ctx, ctx.path_params["package_id"])
    kind = ctx.query.get("document_type")
    if kind not in DOCUMENT_TYPES:
        raise param_error("document_type", "document_type is required", "SHIPPING_LABEL, PACKING_SLIP, ...")
    if order["shipping_type"] == "SELLER":
        raise param_error("package_id", "shipping documents exist only for TikTok Shipping packages",
                          "a TikTok Shipping package")
    if pkg is None:  # "first call Ship Package to ship the corresponding package"
        raise param_error("package_id", "the package has not been shipped yet; call Ship Package first",
                          "a shipped package")
    ext = "png" if kind == "SHIPPING_LABEL_PICTURE" else "pdf"
    return {"doc_url": f"{request.host_url}sandbox/documents/{pkg['id']}/{kind}.{ext}",
            "tracking_number": pkg["tracking_number"]}


def _update_info(ctx, pkgs):
    body = ctx.body
    tracking = _tracking(body.get("tracking_number"))
    prov = _provider(ctx, body.get("shipping_provider_id"))
    now = ctx.now
    for pkg in pkgs:
        if now - pkg["shipped_time"] > 72 * 3600:
            raise param_error("package_id", "shipping information can only be updated within 72 hours of shipping",
                              "a package shipped in the last 72 hours")
    for pkg in pkgs:
        pkg.update(tracking_number=tracking, shipping_provider_id=prov["id"], shipping_provider_name=prov["name"],
                   update_time=now)
        order = ctx.state.orders[pkg["order_id"]]
        for l in order["lines"]:
            if l.get("package_id") == pkg["id"]:
                l.update(tracking_number=tracking, shipping_provider_id=prov["id"],
                         shipping_provider_name=prov["name"])
        order["update_time"] = now
    return {}


def update_package_shipping_info(ctx):
    pkg, order = _package_or(ctx, ctx.path_params["package_id"])
    if pkg is None:
        raise param_error("package_id", "the package has not been shipped yet", "a shipped package id")
    return _update_info(ctx, [pkg])


def update_order_shipping_info(ctx):
    order = _order_or(ctx, ctx.path_params["order_id"])
    pkgs = [ctx.state.packages[p] for p in order["package_ids"] if p in ctx.state.packages]
    if not pkgs:
        raise param_error("order_id", "the order has not been shipped yet", "a shipped order")
    if len(pkgs) > 1:
        raise param_error("order_id", "the order was split into several packages",
                          "use Update Package Shipping Info for split orders")
    return _update_info(ctx, pkgs)


def render_package(state, pkg, order):
    return {"package_id": pkg["id"], "order_line_item_ids": list(pkg["line_ids"]),
            "orders": [{"id": order["id"]}], "package_status": pkg["status"],
            "shipping_type": order["shipping_type"], "tracking_number": pkg["tracking_number"],
            "shipping_provider_id": pkg["shipping_provider_id"],
            "shipping_provider_name": pkg["shipping_provider_name"], "delivery_option_id": order["delivery_option_id"],
            "delivery_option_name": order["delivery_option_name"], "handover_method": pkg.get("handover_method") or "DROP_OFF",
            "has_multi_skus": len({l["sku_id"] for l in order["lines"] if l["id"] in pkg["line_ids"]}) > 1,
            "split_and_combine_tag": "DEFAULT", "create_time": pkg["create_time"], "update_time": pkg["update_time"],
            "recipient_address": {k: v for k, v in render_address(order).items()
                                  if k in ("name", "phone_number", "full_address", "address_line1", "address_line2",
                                           "address_line3", "address_line4", "postal_code", "region_code",
                                           "address_detail")}}


def package_detail(ctx):
    pkg, order = _package_or(ctx, ctx.path_params["package_id"])
    if pkg is None:
        lines = [l["id"] for l in order["lines"] if not l.get("cancelled") and not l.get("package_id")]
        pkg = {"id": ctx.path_params["package_id"], "line_ids": lines, "status": "PROCESSING",
               "tracking_number": "", "shipping_provider_id": "", "shipping_provider_name": "",
               "create_time": order.get("paid_time") or order["create_time"], "update_time": order["update_time"]}
        out = render_package(ctx.state, pkg, order)
        out["package_status"] = "PROCESSING"
        return out
    return render_package(ctx.state, pkg, order)


def search_packages(ctx):
    try:
        size = int(ctx.query.get("page_size", ""))
    except ValueError:
        raise param_error("page_size", "page_size is required", "an integer from 1 to 50")
    if not 1 <= size <= 50:
        raise param_error("page_size", f"{size} is out of range", "an integer from 1 to 50")
    body = ctx.body
    items = []
    for pkg in ctx.state.packages.values():
        order = ctx.state.orders[pkg["order_id"]]
        if order["shop_id"] != ctx.shop["id"]:
            continue
        if body.get("package_status") and pkg["status"] != body["package_status"]:
            continue
        for k, field, op in (("create_time_ge", "create_time", "ge"), ("create_time_lt", "create_time", "lt"),
                             ("update_time_ge", "update_time", "ge"), ("update_time_lt", "update_time", "lt")):
            if body.get(k) is not None:
                if op == "ge" and pkg[field] < body[k] or op == "lt" and pkg[field] >= body[k]:
                    break
        else:
            items.append(pkg)
    desc = (ctx.query.get("sort_order") or "DESC") == "DESC"
    field = ctx.query.get("sort_field") or "create_time"
    field = field if field in ("create_time", "update_time") else "create_time"
    items.sort(key=lambda p: (p[field], p["id"]), reverse=desc)
    page, nxt = paginate(ctx, "packages", items, size, [size, field, desc, body])
    return {"next_page_token": nxt, "total_count": len(items), "packages": [
        {"id": p["id"], "order_line_item_ids": list(p["line_ids"]), "orders": [{"id": p["order_id"]}],
         "status": p["status"], "tracking_number": p["tracking_number"],
         "shipping_provider_id": p["shipping_provider_id"], "shipping_provider_name": p["shipping_provider_name"],
         "create_time": p["create_time"], "update_time": p["update_time"]} for p in page]}


def order_tracking(ctx):
    order = _order_or(ctx, ctx.path_params["order_id"])
    events = []
    for pid in order["package_ids"]:
        events.extend(ctx.state.packages.get(pid, {}).get("tracking_events", []))
    return {"tracking": sorted(events, key=lambda e: -e["update_time_millis"])}


def seller_cancel(ctx):
    body = ctx.body
    order = _order_or(ctx, body.get("order_id") or "")
    reason = body.get("cancel_reason")
    if not isinstance(reason, str) or not reason.strip():
        raise param_error("cancel_reason", "cancel_reason is required", "a seller cancel reason key")
    if order["status"] not in SELLER_CANCELLABLE:
        raise param_error("order_id", f"the order status {order['status']} does not allow seller cancellation",
                          "an order in UNPAID, ON_HOLD, AWAITING_SHIPMENT or PARTIALLY_SHIPPING")
    if not seller_reason_allowed(str(ctx.shop.get("region") or "GB").upper(), order["status"], reason.strip()):
        raise ApiError(25001021)
    open_lines = [l for l in order["lines"] if not l.get("cancelled") and not l.get("package_id")]
    lines = open_lines
    if body.get("order_line_item_ids"):
        wanted = set(body["order_line_item_ids"])
        lines = [l for l in open_lines if l["id"] in wanted]
        if len(lines) != len(wanted):
            raise param_error("order_line_item_ids", "unknown, shipped or already cancelled line items",
                              "unshipped line item ids of this order")
    elif body.get("skus"):
        lines = []
        for s in body["skus"]:
            if not isinstance(s, dict):
                raise param_error("skus", "each entry must be {sku_id, quantity}", "{sku_id, quantity}")
            cands = [l for l in open_lines if l["sku_id"] == s.get("sku_id") and l not in lines]
            qty = s.get("quantity", 1)
            if not isinstance(qty, int) or qty < 1 or len(cands) < qty:
                raise param_error("skus", f"cannot cancel {qty} of SKU {s.get('sku_id')}",
                                  "a quantity not above the unshipped quantity")
            lines.extend(cands[:qty])
    if not lines:
        raise param_error("order_id", "nothing left to cancel", "an order with unshipped line items")
    cid = finish_cancel(ctx.runtime, ctx.state, order, "SELLER", reason.strip(), lines=lines, now=ctx.now)
    return {"cancel_id": cid, "cancel_status": "CANCELLATION_REQUEST_COMPLETE"}


def _cancellation_or(ctx, cid):
    c = ctx.state.cancellations.get(cid)
    if c is None or c["shop_id"] != ctx.shop["id"]:
        raise ApiError(21008111)
    return c


def approve_cancellation(ctx):
    c = _cancellation_or(ctx, ctx.path_params["cancel_id"])
    if c["cancel_status"] != "CANCELLATION_REQUEST_PENDING":
        raise param_error("cancel_id", "the cancellation is not pending", "a pending buyer cancellation")
    order = ctx.state.orders[c["order_id"]]
    now = ctx.now
    c.update(cancel_status="CANCELLATION_REQUEST_COMPLETE", update_time=now)
    lines = [l for l in order["lines"] if l["id"] in c["line_ids"] and not l.get("cancelled")]
    _cancel_lines(ctx.state, order, lines, "BUYER", c["cancel_reason"])
    ctx.emit(order["shop_id"], 11, {"order_id": order["id"], "cancellations_role": "BUYER",
                                    "cancel_status": "CANCELLATION_REQUEST_COMPLETE", "cancel_id": c["cancel_id"],
                                    "create_time": c["create_time"]})
    order["is_buyer_request_cancel"] = False
    order["update_time"] = now
    if all(l.get("cancelled") for l in order["lines"]):
        order.update(status="CANCELLED", cancel_reason=c["cancel_reason"], cancellation_initiator="BUYER",
                     cancel_time=now)
        _set_package_status(ctx.state, order)
        _emit_status(ctx.runtime, ctx.state, order)
    return {}


def reject_cancellation(ctx):
    c = _cancellation_or(ctx, ctx.path_params["cancel_id"])
    if c["cancel_status"] != "CANCELLATION_REQUEST_PENDING":
        raise param_error("cancel_id", "the cancellation is not pending", "a pending buyer cancellation")
    if not ctx.body.get("reject_reason"):
        raise param_error("reject_reason", "reject_reason is required", "a seller reject reason key")
    order = ctx.state.orders[c["order_id"]]
    c.update(cancel_status="CANCELLATION_REQUEST_CANCEL", update_time=ctx.now)
    order["is_buyer_request_cancel"] = False
    order["update_time"] = ctx.now
    ctx.emit(order["shop_id"], 11, {"order_id": order["id"], "cancellations_role": "BUYER",
                                    "cancel_status": "CANCELLATION_REQUEST_CANCEL", "cancel_id": c["cancel_id"],
                                    "create_time": c["create_time"]})
    return {}


def search_cancellations(ctx):
    try:
        size = int(ctx.query.get("page_size") or 10)
    except ValueError:
        size = 0
    if not 1 <= size <= 50:
        raise param_error("page_size", "out of range", "an integer from 1 to 50")
    body = ctx.body
    items = []
    for c in ctx.state.cancellations.values():
        if c["shop_id"] != ctx.shop["id"]:
            continue
        if body.get("order_ids") and c["order_id"] not in body["order_ids"]:
            continue
        if body.get("cancel_ids") and c["cancel_id"] not in body["cancel_ids"]:
            continue
        if body.get("cancel_status") and c["cancel_status"] not in body["cancel_status"]:
            continue
        items.append(c)
    items.sort(key=lambda c: (c["create_time"], c["cancel_id"]), reverse=ctx.query.get("sort_order") == "DESC")
    page, nxt = paginate(ctx, "cancellations", items, size, [size, body, ctx.query.get("sort_order")])
    out = []
    for c in page:
        order = ctx.state.orders[c["order_id"]]
        lines = [l for l in order["lines"] if l["id"] in c["line_ids"]]
        out.append({"cancel_id": c["cancel_id"], "order_id": c["order_id"], "role": c["role"],
                    "cancel_status": c["cancel_status"], "cancel_reason": c["cancel_reason"],
                    "cancel_reason_text": c["cancel_reason_text"], "cancel_type": c["cancel_type"],
                    "create_time": c["create_time"], "update_time": c["update_time"],
                    "cancel_line_items": [{"order_line_item_id": l["id"], "sku_id": l["sku_id"],
                                           "seller_sku": l["seller_sku"], "product_name": l["product_name"],
                                           "sku_name": l["sku_name"]} for l in lines],
                    "refund_amount": {"currency": order["currency"],
                                      "refund_total": money(sum((Decimal(l["price"]) for l in lines), Decimal(0)))}})
    return {"cancellations": out, "next_page_token": nxt, "total_count": len(items)}


def register(r):
    o, f, rr = "seller.order.info", "seller.fulfillment.basic", "seller.return_refund.basic"
    r.add("POST", "/order/202309/orders/search", search_orders, scope=o)
    r.add("GET", ["/order/202309/orders", "/order/202507/orders"], order_detail, scope=o)
    r.add("POST", "/fulfillment/202309/orders/{order_id}/packages", mark_package_shipped, scope=f)
    r.add("POST", "/fulfillment/202309/packages/{package_id}/ship", ship_package, scope=f)
    r.add("POST", "/fulfillment/202309/packages/{package_id}/shipping_info/update", update_package_shipping_info,
          scope=f)
    r.add("POST", "/fulfillment/202309/orders/{order_id}/shipping_info/update", update_order_shipping_info, scope=f)
    r.add("GET", "/fulfillment/202309/packages/{package_id}", package_detail, scope=f)
    r.add("GET", "/fulfillment/202309/packages/{package_id}/handover_time_slots", handover_time_slots, scope=f)
    r.add("GET", "/fulfillment/202309/packages/{package_id}/shipping_documents", shipping_documents, scope=f)
    r.add("POST", "/fulfillment/202309/packages/search", search_packages, scope=f)
    r.add("GET", "/fulfillment/202309/orders/{order_id}/tracking", order_tracking, scope=f)
    r.add("POST", "/return_refund/202309/cancellations", seller_cancel, scope=rr)
    r.add("POST", "/return_refund/202309/cancellations/search", search_cancellations, scope=rr)
    r.add("POST", "/return_refund/202309/cancellations/{cancel_id}/approve", approve_cancellation, scope=rr)
    r.add("POST", "/return_refund/202309/cancellations/{cancel_id}/reject", reject_cancellation, scope=rr)
