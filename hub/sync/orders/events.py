"""The store's order events (`order.fulfilled`, `order.cancelled`, `order.refunded`) after the Extension API stored them.

The API call only stores the events (ProcessedEvent rows with their payload); here each one becomes a
job with the deterministic id `order-event-<store>-<event id>`, and the event is marked handled when
its job has applied it, so a replay never ships or cancels twice.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import select

from hub.queues import ORDERS, enqueue_coalesced
from hub.models import Order, ProcessedEvent
from hub.sync import policy

if TYPE_CHECKING:
    from hub.runtime import Runtime


def after_order_events(runtime: "Runtime", store_id: str, event_ids: Iterable[str]) -> None:
    for event_id in event_ids:
        enqueue_coalesced(ORDERS, "hub.jobs.orders.handle_store_event", f"order-event-{store_id}-{event_id}",
                          store_id, event_id, connection=runtime.redis,
                          retry=policy.retry(policy.ORDER_EVENT), failure_ttl=7 * 24 * 3600)


def handle(runtime: "Runtime", store_id: str, event_id: str) -> str:
    from hub.sync.orders.aftercommit import after_commit
    from hub.sync.orders.cancellations import store_cancelled
    from hub.sync.orders.fulfilment import enqueue_ship, record_fulfilled
    from hub.sync.orders.status import log

    with runtime.db.session_scope() as session:
        event = session.get(ProcessedEvent, (store_id, event_id))
        if event is None or event.handled_at is not None:
            return "done"
        payload = event.payload or {}
        kind = event.type
        tid = str(payload.get("tiktok_order_id") or "")
        order = session.scalar(select(Order).where(Order.store_id == store_id, Order.tiktok_order_id == tid))
        if order is None:
            event.handled_at = datetime.now(timezone.utc)
            from hub.models import ActivityEntry, Store

            store = session.get(Store, store_id)
            if store is not None:
                session.add(ActivityEntry(merchant_id=store.merchant_id, store_id=store_id, kind="order.unknown",
                                          level="warning", subject_type="order", subject_id=tid[:64],
                                          message=f"The store reported {kind} for TikTok order {tid}, which this "
                                                  "store never received from the hub; nothing was sent to TikTok."))
            return "unknown_order"
        if kind == "order.fulfilled":
            event.handled_at = datetime.now(timezone.utc)
            if record_fulfilled(session, order, payload):
                order_id = order.id
                after_commit(session, lambda: enqueue_ship(order_id))
                log(session, order, "order.fulfilled", f"TikTok order {tid}: the store shipped it "
                    f"({order.carrier} {order.tracking_number})")
            return "fulfilment_queued"
    if kind in ("order.cancelled", "order.refunded"):
        from hub.sync.orders.returns import store_refunded

        outcome = (store_cancelled if kind == "order.cancelled" else store_refunded)(runtime, store_id, payload)
        with runtime.db.session_scope() as session:
            event = session.get(ProcessedEvent, (store_id, event_id))
            if event is not None:
                event.handled_at = datetime.now(timezone.utc)
        return outcome
    return "ignored"
