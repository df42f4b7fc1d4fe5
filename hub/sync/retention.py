"""Retention: buyer data is erased a set time after the order is done, and handled records are pruned.

`HUB_BUYER_DATA_RETENTION_DAYS` (90 by default) counts from an order's last change. Once an order is no
longer pending (Created, Failed or Cancelled) and nothing has changed on it for that long:

- the buyer's name, e-mail, phone and addresses are removed from the `order.create` commands that
  carried them to the store (the rest stays: TikTok order id, lines, the store's order number), and
  the order row is marked (`buyer_data_erased_at`). The order row itself holds no buyer data (its
  summary is SKU lines and prices);
- TikTok notifications and platform notifications that were handled (processed, ignored, failed) and
  are older than the same period are deleted: their payloads may carry buyer data, and their only
  remaining use, recognising a repeated delivery, ends long before (TikTok retries for about three
  days, platforms for two);
- applied store events older than the period are deleted from the idempotency record, except order
  events whose work is still to do (`handled_at` empty). An extension retries an event within hours;
  newer events stay recognised as duplicates.

Rows still needed for work (pending orders, notifications waiting for replay) are never touched. The
periodic job (`retention-<slot>`, hourly) deletes in batches so a first run on a large database does
not hold long locks. docs/operations.md, "Retention".
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from hub.models import Command, Order, ProcessedEvent
from hub.models.orders import PENDING
from hub.models.store_connections import FAILED as STORE_FAILED
from hub.models.store_connections import IGNORED as STORE_IGNORED
from hub.models.store_connections import PROCESSED as STORE_PROCESSED
from hub.models.store_connections import StoreNotification
from hub.models.tiktok_notifications import FAILED, IGNORED, PROCESSED, TikTokNotification

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.sync.retention")

INTERVAL = 3600.0
TICK_JOB = "hub.jobs.orders.retention_tick"
BATCH = 500
BUYER_KEYS = ("buyer", "shipping_address", "billing_address")
CREATE_PREFIX = "order.create:"
ORDER_EVENTS = ("order.fulfilled", "order.cancelled")  # kept whole until order sync has acted on them


def _now() -> datetime:
    return datetime.now(timezone.utc)


def erase_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """An `order.create` payload without the buyer: the keys stay (empty), so readers need no new case."""
    order = dict(payload.get("order") or {})
    for key in BUYER_KEYS:
        if key in order:
            order[key] = None
    order["buyer_data_erased"] = True
    return {**payload, "order": order}


def _erase_orders(session: Session, limit: datetime) -> int:
    orders = list(session.scalars(select(Order).where(
        Order.status != PENDING, Order.updated_at < limit, Order.buyer_data_erased_at.is_(None))
        .order_by(Order.updated_at).limit(BATCH)))
    now = _now()
    for order in orders:
        if order.store_id is not None:
            key = f"{CREATE_PREFIX}{order.tiktok_order_id}"
            for command in session.scalars(select(Command).where(
                    Command.store_id == order.store_id,
                    or_(Command.dedupe_key == key, Command.dedupe_key.like(f"{key}:retry-%")))):
                command.payload = erase_payload(dict(command.payload or {}))
        order.buyer_data_erased_at = now
    return len(orders)


def _prune(session: Session, model: Any, id_column: Any, condition: Any) -> int:
    ids = list(session.scalars(select(id_column).where(condition).limit(BATCH)))
    if not ids:
        return 0
    session.execute(delete(model).where(id_column.in_(ids)))
    return len(ids)


def _prune_events(session: Session, limit: datetime) -> int:
    rows = list(session.execute(select(ProcessedEvent.store_id, ProcessedEvent.event_id).where(
        ProcessedEvent.received_at < limit,
        or_(ProcessedEvent.type.not_in(ORDER_EVENTS), ProcessedEvent.handled_at.is_not(None))).limit(BATCH)))
    for store_id, event_id in rows:
        session.execute(delete(ProcessedEvent).where(and_(ProcessedEvent.store_id == store_id,
                                                          ProcessedEvent.event_id == event_id)))
    return len(rows)


def run(runtime: "Runtime", now: datetime | None = None) -> dict[str, int]:
    """One pass of the policy; returns how many rows of each kind it erased or deleted."""
    limit = (now or _now()) - timedelta(days=runtime.settings.buyer_data_retention_days)
    done = {"orders_erased": 0, "tiktok_notifications": 0, "store_notifications": 0, "events": 0}
    steps = {
        "orders_erased": lambda s: _erase_orders(s, limit),
        "tiktok_notifications": lambda s: _prune(
            s, TikTokNotification, TikTokNotification.id,
            and_(TikTokNotification.status.in_((PROCESSED, IGNORED, FAILED)), TikTokNotification.received_at < limit)),
        "store_notifications": lambda s: _prune(
            s, StoreNotification, StoreNotification.id,
            and_(StoreNotification.status.in_((STORE_PROCESSED, STORE_IGNORED, STORE_FAILED)),
                 StoreNotification.received_at < limit)),
        "events": lambda s: _prune_events(s, limit),
    }
    for name, step in steps.items():
        while True:
            with runtime.db.session_scope() as session:
                count = step(session)
            done[name] += count
            if count < BATCH:
                break
    if any(done.values()):
        log.info("Retention (%s days): %s", runtime.settings.buyer_data_retention_days, done)
    return done
