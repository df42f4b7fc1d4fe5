"""Order status as the merchant sees it, and the activity log lines that record each change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import ActivityEntry, Order, Store
from hub.models.orders import CANCELLED, CREATED, FAILED, STATUS_LABELS
from hub.models.returns import REFUND_LABELS, STATE_LABELS, TikTokReturn

_LEVEL = {FAILED: "error", CANCELLED: "info", CREATED: "info"}


def set_status(session: Session, order: Order, status: str, *, code: str | None = None,
               reason: str | None = None, fix: str | None = None, note: str | None = None) -> bool:
    """Change the merchant-visible status; logs an activity line only when something visible changed."""
    changed = (order.status, order.reason_code, order.reason) != (status, code, reason)
    if order.status != status:
        from hub.sync.stock.holds import status_changed

        status_changed(session, order, status)  # created or cancelled: the units it holds may be released
    order.status, order.reason_code, order.reason, order.fix = status, code, reason, fix
    if changed and (status != "pending" or reason):
        message = note or _message(order)
        session.add(ActivityEntry(merchant_id=order.merchant_id, store_id=order.store_id, kind=f"order.{status}",
                                  level=_LEVEL.get(status, "info"), subject_type="order",
                                  subject_id=order.tiktok_order_id, message=message,
                                  data={"reason_code": code, "fix": fix} if code or fix else None))
    return changed


def log(session: Session, order: Order, kind: str, message: str, level: str = "info") -> None:
    session.add(ActivityEntry(merchant_id=order.merchant_id, store_id=order.store_id, kind=kind, level=level,
                              subject_type="order", subject_id=order.tiktok_order_id, message=message))


def _message(order: Order) -> str:
    label = STATUS_LABELS[order.status]
    text = f"TikTok order {order.tiktok_order_id}: {label}"
    if order.status == CREATED and order.platform_order_id:
        text += f" as store order {order.platform_order_id}"
    if order.reason:
        text += f" — {order.reason}"
    return text


def as_dict(order: Order) -> dict[str, Any]:
    return {
        "tiktok_order_id": order.tiktok_order_id, "store_id": order.store_id,
        "status": STATUS_LABELS[order.status], "store_order_number": order.platform_order_id,
        "reason_code": order.reason_code, "reason": order.reason, "fix": order.fix,
        "tiktok_status": order.tiktok_status,
        "cancellation": {"origin": order.cancel_origin, "state": order.cancel_state, "reason": order.cancel_reason}
        if order.cancel_origin else None,
        "fulfilment": {"status": order.fulfilment_status, "tracking_number": order.tracking_number,
                       "carrier": order.carrier, "reason": order.fulfilment_reason,
                       "tiktok_package_id": order.tiktok_package_id} if order.fulfilment_status else None,
        "lines": (order.summary or {}).get("lines"),
        "created_at": order.created_at.isoformat(), "updated_at": order.updated_at.isoformat(),
    }


def return_as_dict(ret: TikTokReturn) -> dict[str, Any]:
    return {"id": ret.id, "return_id": ret.return_id, "type": ret.return_type, "origin": ret.origin,
            "state": STATE_LABELS.get(ret.state, ret.state), "tiktok_status": ret.tiktok_status,
            "buyer_reason": ret.buyer_reason, "currency": ret.currency, "amount": ret.refund_total,
            "shipping": ret.refund_shipping,
            "lines": [{"sku_id": line.get("sku_id"), "seller_sku": line.get("seller_sku"),
                       "product_name": line.get("product_name"), "quantity": line.get("quantity"),
                       "amount": line.get("amount"), "restock": line.get("restock")} for line in ret.lines or []],
            "awaiting_decision": ret.seller_action is not None and ret.state in ("requested", "item_received"),
            "decision": ret.decision, "decision_error": ret.decision_error,
            "refund": {"status": REFUND_LABELS.get(ret.refund_status or "", None), "code": ret.reason_code,
                       "reason": ret.reason, "fix": ret.fix, "store_refund_id": ret.platform_refund_id}
            if ret.refund_status else None}


def list_orders(session: Session, store_id: str) -> list[dict[str, Any]]:
    if session.get(Store, store_id) is None:
        raise LookupError(f"There is no store {store_id}.")
    rows = list(session.scalars(select(Order).where(Order.store_id == store_id)
                                .order_by(Order.created_at.desc(), Order.id)))
    returns: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if rows:
        for ret in session.scalars(select(TikTokReturn).where(
                TikTokReturn.tiktok_order_id.in_([o.tiktok_order_id for o in rows]), TikTokReturn.tiktok_status != "")
                .order_by(TikTokReturn.created_at, TikTokReturn.id)):
            returns.setdefault((ret.tiktok_shop_id, ret.tiktok_order_id), []).append(return_as_dict(ret))
    out = []
    for row in rows:
        entry = as_dict(row)
        entry["returns"] = returns.get((row.tiktok_shop_id, row.tiktok_order_id), [])
        out.append(entry)
    return out
