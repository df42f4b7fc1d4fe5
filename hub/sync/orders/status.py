"""Order status as the merchant sees it, and the activity log lines that record each change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import ActivityEntry, Order, Store
from hub.models.orders import CANCELLED, CREATED, FAILED, STATUS_LABELS

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


def list_orders(session: Session, store_id: str) -> list[dict[str, Any]]:
    if session.get(Store, store_id) is None:
        raise LookupError(f"There is no store {store_id}.")
    rows = session.scalars(select(Order).where(Order.store_id == store_id)
                           .order_by(Order.created_at.desc(), Order.id))
    return [as_dict(row) for row in rows]
