"""Cancellations both ways.

TikTok → store: a cancelled TikTok order that never reached the store is simply Cancelled; one the
store has not picked up yet is withdrawn; one the store may be creating right now is remembered and
cancelled (`order.cancel`) the moment the store reports its order number; a created one gets
`order.cancel` at once.

Store → TikTok: an `order.cancelled` event cancels on TikTok when TikTok lets a seller cancel — the
order is UNPAID, ON_HOLD, AWAITING_SHIPMENT or PARTIALLY_SHIPPING (nothing handed to a carrier yet;
Return & Refund API "Cancel Order"). After shipment TikTok only allows a return/refund that the buyer
starts, so the hub says so instead of failing silently. A seller cancellation counts towards
TikTok's seller-fault cancellation rate, which is why it is only sent for the store's own
cancellations, never echoed back for a cancellation that started on TikTok.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.commands.outbox import create_command
from hub.errors import DataError
from hub.models import Command, Order, TikTokShop
from hub.models.commands import FAILED as COMMAND_FAILED
from hub.models.orders import (
    CANCEL_DONE,
    CANCEL_FAILED,
    CANCEL_SENT,
    CANCEL_WANTED,
    CANCELLED,
    CREATED,
    PENDING,
)
from hub.sync.orders import handoff
from hub.tiktok import cancel_reasons
from hub.sync.orders.aftercommit import notify_store
from hub.sync.orders.reasons import TIKTOK_CANCEL_REFUSED, fix_for
from hub.sync.orders.status import set_status

if TYPE_CHECKING:
    from hub.runtime import Runtime

SELLER_CANCELLABLE = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")
# TikTok is told "out of stock" in its key for the shop's market and the order's status
# (hub.tiktok.cancel_reasons); the store's own words are kept on the order.


def tiktok_cancelled(session: Session, order: Order, raw: dict[str, Any]) -> None:
    if order.status == CANCELLED:
        return
    order.cancel_origin = order.cancel_origin or "tiktok"
    order.cancel_reason = str(raw.get("cancel_reason") or order.cancel_reason or "") or None
    if order.cancel_origin == "store":  # TikTok confirms the cancellation the store asked for
        order.cancel_state = CANCEL_DONE
        set_status(session, order, CANCELLED)
        return
    if order.status == CREATED:
        if order.cancel_state not in (CANCEL_SENT, CANCEL_DONE, CANCEL_FAILED):
            send_cancel(session, order)
        return
    command = session.get(Command, order.command_id) if order.command_id else None
    if command is None or command.status == COMMAND_FAILED or handoff.withdraw(session, command.id):
        order.cancel_state = CANCEL_DONE
        set_status(session, order, CANCELLED, reason="Cancelled on TikTok before the store created it.")
        return
    # Leased: the store may be creating it at this moment; cancel as soon as it reports its number.
    order.cancel_state = CANCEL_WANTED
    set_status(session, order, PENDING, reason="Cancelled on TikTok while the store was creating it; the store "
                                               "order will be cancelled as soon as the store reports it.")


def send_cancel(session: Session, order: Order) -> None:
    assert order.store_id is not None
    _, created = create_command(session, order.store_id, handoff.CANCEL, {
        "tiktok_order_id": order.tiktok_order_id, "platform_order_id": order.platform_order_id,
        "reason": order.cancel_reason or "Cancelled on TikTok Shop"}, f"{handoff.CANCEL}:{order.tiktok_order_id}")
    order.cancel_state = CANCEL_SENT
    if created:
        notify_store(session, order.store_id)


def on_store_cancel_result(session: Session, order: Order, result: dict[str, Any]) -> None:
    if result.get("status") == "done":
        order.cancel_state = CANCEL_DONE
        set_status(session, order, CANCELLED)
        return
    order.cancel_state = CANCEL_FAILED
    number = order.platform_order_id or "?"
    set_status(session, order, CREATED, code=str(result.get("reason") or "PLATFORM_ERROR"),
               reason=f"Cancelled on TikTok, but the store could not cancel order {number}: "
                      f"{result.get('message') or 'no reason given'}.",
               fix=f"Cancel store order {number} by hand; TikTok has already cancelled it for the buyer.")


def store_cancelled(runtime: "Runtime", store_id: str, payload: dict[str, Any]) -> str:
    """Apply the store's `order.cancelled` event; returns what happened (for the job's log)."""
    from hub.sync.orders.importer import fetch_order

    tid = str(payload.get("tiktok_order_id") or "")
    with runtime.db.session_scope() as session:
        order = session.scalar(select(Order).where(Order.store_id == store_id, Order.tiktok_order_id == tid))
        if order is None:
            return "unknown_order"
        if payload.get("platform_order_id") and not order.platform_order_id:
            order.platform_order_id = str(payload["platform_order_id"])
        if order.status == CANCELLED or order.cancel_origin == "tiktok" or order.tiktok_status == "CANCELLED":
            # The store carried out a cancellation that started on TikTok: never echo it back.
            order.cancel_state = CANCEL_DONE
            order.cancel_origin = order.cancel_origin or "tiktok"
            set_status(session, order, CANCELLED)
            return "already_cancelled"
        order.cancel_origin = "store"
        order.cancel_reason = str(payload.get("reason") or "") or None
        order.cancel_state = CANCEL_WANTED
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == order.tiktok_shop_id))
        if shop is None:
            return "no_shop"
        session.expunge(shop)
    raw = fetch_order(runtime, shop, tid)
    status = str(raw.get("status") or "").upper()
    error: DataError | None = None
    if status in SELLER_CANCELLABLE:
        from hub.tiktok.connection import client_for_shop

        try:
            with client_for_shop(runtime, shop) as client:
                client.cancellations.cancel_order(tid, cancel_reason=cancel_reasons.out_of_stock(shop.region, status))
        except DataError as problem:
            error = problem
    with runtime.db.session_scope() as session:
        order = session.scalar(select(Order).where(Order.store_id == store_id, Order.tiktok_order_id == tid))
        assert order is not None
        number = order.platform_order_id or "?"
        if status in SELLER_CANCELLABLE + ("CANCELLED", "CANCEL") and error is None:
            order.cancel_state = CANCEL_DONE
            order.tiktok_status = "CANCELLED"
            set_status(session, order, CANCELLED, reason="Cancelled in the store; cancelled on TikTok too.")
            return "cancelled_on_tiktok"
        order.cancel_state = CANCEL_FAILED
        if error is not None:
            why = f"TikTok refused the cancellation: {error.message}."
        else:
            why = (f"TikTok does not let a seller cancel an order once it has shipped (TikTok status {status}); "
                   "only the buyer can start a return or refund.")
        set_status(session, order, order.status, code=TIKTOK_CANCEL_REFUSED,
                   reason=f"Store order {number} was cancelled, but the TikTok order is still open. {why}",
                   fix=fix_for(TIKTOK_CANCEL_REFUSED))
        return "tiktok_refused"
