"""Returns and refunds (Return & Refund API 202309): search returns, return records, approve/reject a
return, reject reasons, a seller-created return, aftersale eligibility; plus the buyer's side that the
control API drives (request a return or refund, ship the item back, cancel the request).

One TikTok order line is one unit, so a return names order line ids and its quantity per SKU is the
number of its lines with that SKU. Each status change sends RETURN_STATUS_CHANGE (type 12) with
`order_id, return_role, return_type, return_status, return_id, create_time, update_time`.

Statuses (TikTok's): RETURN_OR_REFUND_REQUEST_PENDING → (REFUND) RETURN_OR_REFUND_REQUEST_SUCCESS →
RETURN_OR_REFUND_REQUEST_COMPLETE; (RETURN_AND_REFUND) AWAITING_BUYER_SHIP → BUYER_SHIPPED_ITEM →
SUCCESS → COMPLETE, or REJECT_RECEIVE_PACKAGE; REFUND_OR_RETURN_REQUEST_REJECT when the seller rejects
the request; RETURN_OR_REFUND_REQUEST_CANCEL when the buyer withdraws it.
"""

from __future__ import annotations

import time
from decimal import Decimal

from .api_catalog import paginate
from .api_orders import OrderError
from .api_products import money
from .errors import ApiError, param_error
from .searching import check_window, in_window, sort_of

PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"
REJECTED = "REFUND_OR_RETURN_REQUEST_REJECT"
AWAITING_SHIP = "AWAITING_BUYER_SHIP"
SHIPPED = "BUYER_SHIPPED_ITEM"
PACKAGE_REJECTED = "REJECT_RECEIVE_PACKAGE"
SUCCESS = "RETURN_OR_REFUND_REQUEST_SUCCESS"
CANCELLED = "RETURN_OR_REFUND_REQUEST_CANCEL"
COMPLETE = "RETURN_OR_REFUND_REQUEST_COMPLETE"
ALL_STATUSES = (PENDING, REJECTED, AWAITING_SHIP, SHIPPED, PACKAGE_REJECTED, SUCCESS, CANCELLED, COMPLETE,
                "AWAITING_BUYER_RESPONSE")
OPEN = (PENDING, AWAITING_SHIP, SHIPPED, SUCCESS, COMPLETE)  # a line in one of these cannot be returned again
RETURN_TYPES = ("REFUND", "RETURN_AND_REFUND")
# Where a return may be asked for: paid orders; a refund-only request also before shipment.
RETURNABLE = ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED")
REFUNDABLE = ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING") + RETURNABLE
REJECT_REASONS = [
    {"name": "seller_reject_apply_product_has_been_packed", "text": "The product has been packed"},
    {"name": "seller_reject_apply_no_reason_return", "text": "The buyer's reason does not qualify for a return"},
    {"name": "seller_reject_apply_product_used", "text": "The product has been used or damaged by the buyer"},
    {"name": "seller_reject_receive_package_wrong_item", "text": "The returned item is not the item sold"},
]
BUYER_REASONS = {"ecom_order_delivered_refund_and_return_reason_wrong_size": "Wrong size",
                 "ecom_order_delivered_refund_and_return_reason_damaged": "Damaged or defective",
                 "ecom_order_delivered_refund_and_return_reason_no_need": "No longer needed"}


def returns(state) -> dict:
    # A state pickled before returns existed has no table yet.
    return state.__dict__.setdefault("returns", {})


def _next_id(state) -> str:
    from . import ids
    gen = state.__dict__.setdefault("return_ids", ids.IdGen("4036", 19))
    return gen.next()


def _emit(runtime, state, ret):
    runtime.dispatcher.emit(state, ret["shop_id"], 12, {
        "order_id": ret["order_id"], "return_role": ret["role"], "return_type": ret["return_type"],
        "return_status": ret["return_status"], "return_id": ret["return_id"], "create_time": ret["create_time"],
        "update_time": ret["update_time"]})


def _record(ret, role, description, now, note="", reason_text=""):
    ret["records"].append({"event": "ORDER_RETURN", "role": role, "description": description, "note": note,
                           "reason_text": reason_text, "create_time": now, "images": [], "videos": []})


def _move(runtime, state, ret, status, role, description, now=None, note=""):
    now = int(now or time.time())
    ret["return_status"] = status
    ret["update_time"] = max(now, ret["update_time"])
    _record(ret, role, description, now, note=note)
    _emit(runtime, state, ret)


def _returned_line_ids(state, order_id, exclude=None) -> set:
    out = set()
    for r in returns(state).values():
        if r["order_id"] == order_id and r["return_status"] in OPEN and r["return_id"] != exclude:
            out.update(r["line_ids"])
    return out


def _pick_lines(state, order, line_ids, skus, field_prefix, err):
    """The order lines a return covers: by line ids, by {sku_id|seller_sku, quantity}, or all open ones."""
    taken = _returned_line_ids(state, order["id"])
    open_lines = [l for l in order["lines"] if not l.get("cancelled") and l["id"] not in taken]
    if line_ids:
        by_id = {l["id"]: l for l in open_lines}
        picked = []
        for lid in line_ids:
            if str(lid) not in by_id:
                raise err(f"{field_prefix}order_line_item_ids",
                          f"line item {lid} is unknown, cancelled or already in a return",
                          "line item ids of this order not in another return")
            picked.append(by_id[str(lid)])
        return picked
    if skus:
        picked = []
        for s in skus:
            if not isinstance(s, dict):
                raise err(f"{field_prefix}skus", "each entry must be {sku_id, quantity}", "{sku_id, quantity}")
            qty = s.get("quantity", 1)
            cands = [l for l in open_lines if l not in picked and (
                (s.get("sku_id") and l["sku_id"] == str(s["sku_id"])) or
                (not s.get("sku_id") and s.get("seller_sku") and l["seller_sku"] == s["seller_sku"]))]
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1 or len(cands) < qty:
                raise err(f"{field_prefix}skus", f"cannot return {qty} of SKU {s.get('sku_id') or s.get('seller_sku')}",
                          "a quantity not above the quantity ordered and not yet returned")
            picked.extend(cands[:qty])
        return picked
    if not open_lines:
        raise err("order_id", "every line item is cancelled or already in a return", "an order with returnable items")
    return open_lines


def _amounts(state, order, lines, refund_total=None):
    subtotal = sum((Decimal(l["price"]) for l in lines), Decimal("0"))
    taken = _returned_line_ids(state, order["id"])
    live = [l for l in order["lines"] if not l.get("cancelled")]
    # The shipping fee is refunded with the last items of the order.
    covers_all = {l["id"] for l in live} <= taken | {l["id"] for l in lines}
    shipping = Decimal(order["shipping_fee"]) if covers_all else Decimal("0")
    total = subtotal + shipping
    per_line = {l["id"]: Decimal(l["price"]) for l in lines}
    if refund_total is not None:
        wanted = Decimal(str(refund_total))
        if wanted <= 0 or wanted > total:
            raise ValueError(f"refund_total must be more than 0 and at most {money(total)}")
        # A partial amount is spread over the lines in proportion to their price (rounded down, the
        # remainder on the last line), as the refunded amount per line is shown to the seller.
        shipping = Decimal("0") if wanted <= subtotal else wanted - subtotal
        goods = wanted - shipping
        share, given = {}, Decimal("0")
        for i, l in enumerate(lines):
            if i == len(lines) - 1:
                share[l["id"]] = goods - given
            else:
                share[l["id"]] = (goods * Decimal(l["price"]) / subtotal).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
                given += share[l["id"]]
        per_line, subtotal, total = share, goods, wanted
    return {"subtotal": subtotal, "shipping": shipping, "total": total, "per_line": per_line}


def create_return(runtime, state, order, *, role, return_type, reason, line_ids=None, skus=None, refund_total=None,
                  now=None, err=None):
    """A return or refund request on `order` by `role` (BUYER from the control API, SELLER from the API)."""
    def control_err(_field, reason_, _expected):
        return OrderError(reason_, 409)

    err = err or control_err
    if return_type not in RETURN_TYPES:
        raise err("return_type", f"unsupported value {return_type!r}", "REFUND or RETURN_AND_REFUND")
    # Before shipment a seller cancels instead (Cancel Order); only a buyer asks for a refund then.
    allowed = RETURNABLE if return_type == "RETURN_AND_REFUND" or role == "SELLER" else REFUNDABLE
    if order["status"] not in allowed:
        raise err("order_id", f"an order in {order['status']} is not eligible for {return_type}",
                  f"an order in {', '.join(allowed)}")
    lines = _pick_lines(state, order, line_ids, skus, "", err)
    try:
        amounts = _amounts(state, order, lines, refund_total)
    except ValueError as exc:
        raise err("refund_total", str(exc), "an amount not above the refundable amount") from None
    now = int(now or time.time())
    rid = _next_id(state)
    ret = {"return_id": rid, "order_id": order["id"], "shop_id": order["shop_id"], "role": role,
           "return_type": return_type, "return_status": PENDING, "return_reason": reason,
           "return_reason_text": BUYER_REASONS.get(reason, reason), "line_ids": [l["id"] for l in lines],
           "currency": order["currency"], "amounts": amounts, "create_time": now, "update_time": now,
           "records": [], "reject_reason": "", "shipment_type": "PLATFORM" if return_type == "RETURN_AND_REFUND" else ""}
    returns(state)[rid] = ret
    _record(ret, role, "The buyer requested a refund" if return_type == "REFUND" and role == "BUYER"
            else f"{role.title()} requested a {return_type.lower().replace('_', ' ')}", now,
            reason_text=ret["return_reason_text"])
    _emit(runtime, state, ret)
    return ret


def _refund(runtime, state, ret, role, now):
    _move(runtime, state, ret, SUCCESS, role, "The refund was approved; the buyer will be refunded", now)
    _move(runtime, state, ret, COMPLETE, "SYSTEM", "The buyer has been refunded", now)


def buyer_ship(runtime, state, ret, now=None):
    if ret["return_status"] != AWAITING_SHIP:
        raise OrderError(f"the return is {ret['return_status']}, not {AWAITING_SHIP}")
    ret["return_tracking_number"] = f"RTN{ret['return_id'][-10:]}GB"
    _move(runtime, state, ret, SHIPPED, "BUYER", "The buyer shipped the item(s) back", now)


def buyer_cancel(runtime, state, ret, now=None):
    if ret["return_status"] not in (PENDING, AWAITING_SHIP):
        raise OrderError(f"a return in {ret['return_status']} cannot be cancelled by the buyer")
    _move(runtime, state, ret, CANCELLED, "BUYER", "The buyer cancelled the request", now)


# ---- rendering ---------------------------------------------------------------------------------------
def _next_action(ret):
    action = {PENDING: "SELLER_RESPOND_RETURN" if ret["return_type"] == "RETURN_AND_REFUND" else "SELLER_RESPOND_REFUND",
              SHIPPED: "SELLER_RESPOND_RECEIVE_PACKAGE"}.get(ret["return_status"])
    return [{"action": action, "deadline": ret["update_time"] + 2 * 86400}] if action else []


def render_return(state, ret) -> dict:
    order = state.orders[ret["order_id"]]
    a, cur = ret["amounts"], ret["currency"]
    lines = [l for l in order["lines"] if l["id"] in ret["line_ids"]]
    out = {"return_id": ret["return_id"], "order_id": ret["order_id"], "role": ret["role"],
           "return_type": ret["return_type"], "return_status": ret["return_status"],
           "return_reason": ret["return_reason"], "return_reason_text": ret["return_reason_text"],
           "create_time": ret["create_time"], "update_time": ret["update_time"],
           "shipment_type": ret["shipment_type"], "return_method": "PLATFORM_SHIPPED" if ret["shipment_type"] else "",
           "return_tracking_number": ret.get("return_tracking_number", ""), "is_combined_return": False,
           "can_buyer_keep_item": ret["return_type"] == "REFUND", "is_quick_refund": False,
           "refund_amount": {"currency": cur, "refund_subtotal": money(a["subtotal"]),
                             "refund_shipping_fee": money(a["shipping"]), "refund_tax": "0",
                             "refund_total": money(a["total"]), "buyer_service_fee": "0"},
           "return_line_items": [{"return_line_item_id": f"{ret['return_id'][:-4]}{i:04d}",
                                  "order_line_item_id": l["id"], "sku_id": l["sku_id"], "seller_sku": l["seller_sku"],
                                  "product_name": l["product_name"], "sku_name": l["sku_name"],
                                  "product_image": {"url": l["sku_image"], "width": 200, "height": 200},
                                  "refund_amount": {"currency": cur, "refund_subtotal": money(a["per_line"][l["id"]]),
                                                    "refund_shipping_fee": "0", "refund_tax": "0",
                                                    "refund_total": money(a["per_line"][l["id"]])}}
                                 for i, l in enumerate(lines)],
           "seller_next_action_response": _next_action(ret)}
    return out


# ---- endpoints ---------------------------------------------------------------------------------------
def _return_or(ctx, rid) -> dict:
    ret = returns(ctx.state).get(rid)
    if ret is None or ret["shop_id"] != ctx.shop["id"]:
        raise ApiError(21008111)
    return ret


def search_returns(ctx):
    q = ctx.query
    try:
        size = int(q.get("page_size") or 10)
    except ValueError:
        size = 0
    if not 10 <= size <= 50:
        raise param_error("page_size", f"{q.get('page_size')} is out of range", "an integer from 10 to 50")
    sort_field, sort_order = sort_of(q, "ASC")
    body = ctx.body
    check_window(body)
    for k in ("return_ids", "order_ids", "return_status", "return_types", "buyer_user_ids"):
        if body.get(k) is not None and not isinstance(body[k], list):
            raise param_error(k, "must be a list", "a list of strings")
    for s in body.get("return_status") or []:
        if s not in ALL_STATUSES:
            raise param_error("return_status", f"unsupported value {s!r}", "a return status")
    items = []
    for r in returns(ctx.state).values():
        if r["shop_id"] != ctx.shop["id"]:
            continue
        if body.get("return_ids") and r["return_id"] not in body["return_ids"]:
            continue
        if body.get("order_ids") and r["order_id"] not in body["order_ids"]:
            continue
        if body.get("return_status") and r["return_status"] not in body["return_status"]:
            continue
        if body.get("return_types") and r["return_type"] not in body["return_types"]:
            continue
        if not in_window(r, body):
            continue
        items.append(r)
    items.sort(key=lambda r: (r[sort_field], r["return_id"]), reverse=sort_order == "DESC")
    page, nxt = paginate(ctx, "returns", items, size, [sort_field, sort_order, size, body])
    return {"return_orders": [render_return(ctx.state, r) for r in page], "next_page_token": nxt,
            "total_count": len(items)}


def return_records(ctx):
    ret = _return_or(ctx, ctx.path_params["return_id"])
    return {"records": [dict(r) for r in reversed(ret["records"])]}


def reject_reasons(ctx):
    rid = ctx.query.get("return_or_cancel_id") or ""
    if not rid:
        raise param_error("return_or_cancel_id", "return_or_cancel_id is required", "a return or cancellation id")
    _return_or(ctx, rid)
    return {"reasons": [dict(r) for r in REJECT_REASONS]}


APPROVE_FOR = {PENDING: {"REFUND": ("APPROVE_REFUND",), "RETURN_AND_REFUND": ("APPROVE_RETURN", "DIRECT_REFUND")},
               SHIPPED: {"RETURN_AND_REFUND": ("APPROVE_RECEIVED_PACKAGE",)}}
REJECT_FOR = {PENDING: {"REFUND": ("REJECT_REFUND",), "RETURN_AND_REFUND": ("REJECT_RETURN",)},
              SHIPPED: {"RETURN_AND_REFUND": ("REJECT_RECEIVED_PACKAGE",)}}


def _decision(ctx, ret, table):
    decision = ctx.body.get("decision")
    allowed = table.get(ret["return_status"], {}).get(ret["return_type"], ())
    if not allowed:
        raise param_error("return_id", f"the return is {ret['return_status']}: no seller decision is possible",
                          "a return awaiting the seller's decision")
    if decision not in allowed:
        raise param_error("decision", f"unsupported value {decision!r} for a {ret['return_type']} in "
                                      f"{ret['return_status']}", " or ".join(allowed))
    return decision


def approve_return(ctx):
    ret = _return_or(ctx, ctx.path_params["return_id"])
    decision = _decision(ctx, ret, APPROVE_FOR)
    now = ctx.now
    if decision == "APPROVE_RETURN" and not ctx.body.get("buyer_keep_item"):
        _move(ctx.runtime, ctx.state, ret, AWAITING_SHIP, "SELLER", "The seller approved the return", now)
    elif decision == "APPROVE_RECEIVED_PACKAGE":
        ret["item_received"] = True
        _refund(ctx.runtime, ctx.state, ret, "SELLER", now)
    else:
        _refund(ctx.runtime, ctx.state, ret, "SELLER", now)
    return {}


def reject_return(ctx):
    ret = _return_or(ctx, ctx.path_params["return_id"])
    decision = _decision(ctx, ret, REJECT_FOR)
    reason = ctx.body.get("reject_reason")
    if not isinstance(reason, str) or reason not in {r["name"] for r in REJECT_REASONS}:
        raise param_error("reject_reason", f"unsupported value {reason!r}", "a reason name from Get Reject Reasons")
    comment = ctx.body.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > 1000:
        raise param_error("comment", "must be text of at most 1000 characters", "a comment")
    ret["reject_reason"] = reason
    status = PACKAGE_REJECTED if decision == "REJECT_RECEIVED_PACKAGE" else REJECTED
    _move(ctx.runtime, ctx.state, ret, status, "SELLER", "The seller rejected the request", ctx.now, note=comment)
    return {}


def seller_create_return(ctx):
    body = ctx.body
    order = ctx.state.orders.get(str(body.get("order_id") or ""))
    if order is None or order["shop_id"] != ctx.shop["id"]:
        raise ApiError(21008111)
    if body.get("order_line_item_ids") and body.get("skus"):
        raise param_error("skus", "give order_line_item_ids or skus, not both", "one of them")
    if body.get("currency") and body["currency"] != order["currency"]:
        raise param_error("currency", f"{body['currency']} is not the order's currency", order["currency"])
    refund_total = body.get("refund_total")
    if refund_total is not None:
        try:
            Decimal(str(refund_total))
        except ArithmeticError:
            raise param_error("refund_total", "not a number", "a decimal amount") from None
    ret = create_return(ctx.runtime, ctx.state, order, role="SELLER", return_type=body.get("return_type") or "",
                        reason=str(body.get("return_reason") or "seller_initiated"),
                        line_ids=body.get("order_line_item_ids"), skus=body.get("skus"),
                        refund_total=refund_total, now=ctx.now, err=param_error)
    return {"return_id": ret["return_id"], "return_status": ret["return_status"]}


def aftersale_eligibility(ctx):
    order = ctx.state.orders.get(ctx.path_params["order_id"])
    if order is None or order["shop_id"] != ctx.shop["id"]:
        raise ApiError(21008111)
    user = ctx.query.get("initiate_aftersale_user") or "BUYER"
    if user not in ("BUYER", "SELLER"):
        raise param_error("initiate_aftersale_user", f"unsupported value {user!r}", "BUYER or SELLER")
    taken = _returned_line_ids(ctx.state, order["id"])
    by_sku: dict[str, list] = {}
    for line in order["lines"]:
        by_sku.setdefault(line["sku_id"], []).append(line)
    out = []
    for sku_id, lines in by_sku.items():
        entries = []
        for kind, allowed in (("CANCEL", ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")),
                              ("REFUND", REFUNDABLE if user == "BUYER" else RETURNABLE),
                              ("RETURN_AND_REFUND", RETURNABLE)):
            free = [l["id"] for l in lines if not l.get("cancelled") and l["id"] not in taken]
            ok = order["status"] in allowed and bool(free)
            entry = {"request_type": kind, "eligible": ok, "order_line_items_ids": free if ok else
                     [l["id"] for l in lines]}
            if not ok:
                entry["ineligible_code"] = 1
                entry["ineligible_reason"] = (f"The order is {order['status']}." if free else
                                              "The items are cancelled or already in an aftersale request.")
            entries.append(entry)
        out.append({"sku_id": sku_id, "line_item_eligibility": entries})
    return {"sku_eligibility": out}


def register(r):
    rr = "seller.return_refund.basic"
    r.add("POST", "/return_refund/202309/returns/search", search_returns, scope=rr)
    r.add("GET", "/return_refund/202309/returns/{return_id}/records", return_records, scope=rr)
    r.add("POST", "/return_refund/202309/returns/{return_id}/approve", approve_return, scope=rr)
    r.add("POST", "/return_refund/202309/returns/{return_id}/reject", reject_return, scope=rr)
    r.add("GET", "/return_refund/202309/reject_reasons", reject_reasons, scope=rr)
    r.add("POST", "/return_refund/202309/returns", seller_create_return, scope=rr)
    r.add("GET", "/return_refund/202309/orders/{order_id}/aftersale_eligibility", aftersale_eligibility, scope=rr)
