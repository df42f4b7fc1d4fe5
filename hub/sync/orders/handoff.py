"""Handing an order to the store (`order.create`) and taking the store's answer.

Exactly one store order per TikTok order rests on three rules:
- the hub creates `order.create` under the dedupe key `order.create:<tiktok order id>`; the unique
  (store, dedupe_key) constraint makes a second import of the same order find the first command;
- a merchant's **Sync** after a failure is a deliberate new attempt: it gets the key
  `order.create:<id>:retry-<n>` (n = 1, 2, … counted on the order), and is only made when the previous
  command has finished with a failure, so there is never more than one `order.create` in flight;
- the extension looks up the TikTok order id before creating (docs/extension-api.md rule 3), so a
  command handed out again after a lost result reports the existing store order instead of a second one.
Retryable store failures reuse the same command: it is set back to pending after a backoff delay.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.commands.outbox import create_command
from hub.db import rows_changed
from hub.errors import DataError
from hub.models import Command, Order
from hub.models.commands import FAILED as COMMAND_FAILED
from hub.models.commands import PENDING as COMMAND_PENDING
from hub.models.orders import CANCEL_WANTED, CANCELLED, CREATED, FAILED, PENDING
from hub.sync import policy
from hub.sync.orders import reasons as r
from hub.sync.orders.aftercommit import after_commit, notify_store
from hub.sync.orders.status import log, set_status
from hub.sync.stock import holds

CREATE, CANCEL = "order.create", "order.cancel"
RETRY_DELAYS = policy.STORE_REDELIVERY_DELAYS


def dedupe_key(order: Order) -> str:
    base = f"{CREATE}:{order.tiktok_order_id}"
    return base if order.handoffs == 0 else f"{base}:retry-{order.handoffs}"


def hand_off(session: Session, order: Order, payload: dict[str, Any]) -> Command:
    """Create the order.create command (once per key) and wake the store's long-poll after commit."""
    assert order.store_id is not None
    command, created = create_command(session, order.store_id, CREATE, {"order": payload}, dedupe_key(order))
    if created:
        order.handoffs += 1
        holds.handed_off(session, order)
        notify_store(session, order.store_id)
    order.command_id = command.id
    order.store_retries = 0
    set_status(session, order, PENDING)
    return command


def _order_for(session: Session, command: Command) -> Order | None:
    payload = command.payload or {}
    tid = str((payload.get("order") or payload).get("tiktok_order_id") or "")
    order = session.scalar(select(Order).where(Order.command_id == command.id))
    if order is None and tid:
        order = session.scalar(select(Order).where(Order.store_id == command.store_id, Order.tiktok_order_id == tid))
    return order


def on_create_result(session: Session, command: Command) -> None:
    """Runs in the transaction that records the result (hub.commands.results)."""
    order = _order_for(session, command)
    if order is None:
        return
    result = command.result or {}
    if result.get("status") == "done":
        order.platform_order_id = str(result.get("platform_order_id") or "") or order.platform_order_id
        order.command_id = command.id
        set_status(session, order, CREATED)
        from hub.sync.orders.returns import after_order_created

        after_order_created(session, order)  # refunds TikTok made before the store had the order
        if order.cancel_state == CANCEL_WANTED:
            from hub.sync.orders.cancellations import send_cancel

            send_cancel(session, order)
        return
    if order.command_id != command.id or order.status != PENDING:
        return  # a late answer to a superseded command: the newer attempt decides
    code = str(result.get("reason") or r.PLATFORM_ERROR)
    message = str(result.get("message") or "The store did not say why.")
    if order.cancel_state == CANCEL_WANTED:
        set_status(session, order, CANCELLED, reason="Cancelled on TikTok; the store had not created it.")
        return
    if result.get("retryable") and order.store_retries < len(RETRY_DELAYS):
        delay = RETRY_DELAYS[order.store_retries]
        order.store_retries += 1
        set_status(session, order, PENDING, code=code,
                   reason=f"The store could not create the order yet ({message}); trying again in {delay} s "
                          f"(attempt {order.store_retries + 1} of {len(RETRY_DELAYS) + 1}).")
        command_id = command.id
        after_commit(session, lambda: _schedule_redelivery(command_id, delay))
        return
    set_status(session, order, FAILED, code=code, reason=f"The store refused the order: {message}",
               fix=r.fix_for(code))


def _schedule_redelivery(command_id: str, delay: float) -> None:
    from hub.queues import ORDERS, queue
    from hub.runtime import current

    queue(ORDERS, current().redis).enqueue_in(timedelta(seconds=delay), "hub.jobs.orders.redeliver_command",
                                             command_id, job_id=f"order-redeliver-{command_id}")


def redeliver(session: Session, command_id: str) -> bool:
    """Put a command that failed retryably back in front of the store, unless the order moved on."""
    command = session.get(Command, command_id)
    if command is None:
        return False
    order = _order_for(session, command)
    if order is None or order.status != PENDING or order.command_id != command_id:
        return False
    reset = rows_changed(session, update(Command).where(Command.id == command_id, Command.status == COMMAND_FAILED)
                         .values(status=COMMAND_PENDING, result=None, leased_until=None, completed_at=None))
    if reset:
        holds.handed_off(session, order)
        notify_store(session, command.store_id)
    return bool(reset)


def withdraw(session: Session, command_id: str) -> bool:
    """Take back an order.create no store has picked up yet (conditional, so a racing lease wins or loses cleanly)."""
    now = datetime.now(timezone.utc)
    return bool(rows_changed(
        session, update(Command).where(Command.id == command_id, Command.status == COMMAND_PENDING)
        .values(status=COMMAND_FAILED, completed_at=now,
                result={"status": "failed", "reason": "WITHDRAWN", "message": "Cancelled on TikTok first."})))


def on_cancel_result(session: Session, command: Command) -> None:
    tid = str((command.payload or {}).get("tiktok_order_id") or "")
    order = session.scalar(select(Order).where(Order.store_id == command.store_id, Order.tiktok_order_id == tid))
    if order is None:
        return
    from hub.sync.orders.cancellations import on_store_cancel_result

    on_store_cancel_result(session, order, command.result or {})


def retry_order(session: Session, store_id: str, tiktok_order_id: str) -> Order:
    """The **Sync** action: fetch the order again, re-match it and hand it off afresh.

    Only a Failed order is retried; Pending and Created orders are left alone (their command is in
    flight or done), so clicking Sync twice never makes two store orders. A created order whose
    shipment TikTok did not take gets the shipment sent again instead.
    """
    from hub.runtime import current
    from hub.sync.orders.importer import apply_order, fetch_order
    from hub.models import Store, TikTokShop

    store = session.get(Store, store_id)
    if store is None:
        raise DataError(f"There is no store {store_id}.", code="unknown_store")
    order = session.scalar(select(Order).where(Order.merchant_id == store.merchant_id,
                                               Order.tiktok_order_id == str(tiktok_order_id)))
    if order is None:
        raise DataError(f"The hub has not seen TikTok order {tiktok_order_id} yet.", code="unknown_order",
                        fix="Check the order id; new orders appear within a few minutes of payment.")
    if order.status == CREATED:
        from hub.sync.orders.returns import retry_refunds

        if retry_refunds(session, order):
            log(session, order, "order.retry", f"TikTok order {order.tiktok_order_id}: refund sent to the store again")
            return order
    if order.status != FAILED:
        from hub.sync.orders.fulfilment import requeue_failed_shipment

        requeue_failed_shipment(session, order)
        return order
    shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == order.tiktok_shop_id))
    if shop is None:
        raise DataError("The TikTok shop of this order is no longer connected.", code="tiktok_not_connected")
    raw = fetch_order(current(), shop, order.tiktok_order_id)
    log(session, order, "order.retry", f"TikTok order {order.tiktok_order_id}: retry requested")
    apply_order(session, shop, raw, retry=True)
    return order
