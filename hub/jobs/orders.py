"""Order sync jobs (thin: load the runtime, call the sync role, return its outcome).

Ids are deterministic: `order-fetch-<shop>` (read waiting orders from TikTok, up to 50 a call, and
apply them), `return-<shop>-<return>` (fetch and
apply a return), `refund-redeliver-<command>`, `order-event-<store>-<event>`,
`order-ship-<order row>`, `order-redeliver-<command>`, and `order-poll` for the periodic search, which
re-schedules itself so exactly one poll chain exists however many workers start it. `wake_store` jobs
are coalesced per store by Redis keys instead (`hub.commands.wakeup`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.sync.orders.polling import POLL_JOB_ID, schedule_polling

if TYPE_CHECKING:
    from hub.runtime import Runtime

__all__ = ["POLL_JOB_ID", "schedule_polling"]  # started by the worker (hub.jobs.worker) from here


def import_orders(shop_id: str) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.orders.importer import import_orders as run

    return run(current(), shop_id)


def import_order(shop_id: str, tiktok_order_id: str) -> dict[str, Any]:
    """A job queued before order reads were batched: the order joins its shop's waiting set."""
    from hub.runtime import current
    from hub.sync.orders.batches import request

    request(current(), shop_id, [tiktok_order_id])
    return {"requested": tiktok_order_id}


def handle_store_event(store_id: str, event_id: str) -> str:
    from hub.runtime import current
    from hub.sync.orders.events import handle

    return handle(current(), store_id, event_id)


def import_return(shop_id: str, return_id: str) -> str | None:
    from hub.runtime import current
    from hub.sync.orders.returns import import_return as run

    return run(current(), shop_id, return_id)


def redeliver_refund(command_id: str) -> bool:
    from hub.runtime import current
    from hub.sync.orders.returns import redeliver

    with current().db.session_scope() as session:
        return redeliver(session, command_id)


def ship_order(order_row_id: str) -> str:
    from hub.runtime import current
    from hub.sync.orders.fulfilment import ship

    return ship(current(), order_row_id)


def redeliver_command(command_id: str) -> bool:
    from hub.runtime import current
    from hub.sync.orders.handoff import redeliver

    with current().db.session_scope() as session:
        return redeliver(session, command_id)


def wake_store(store_id: str) -> str:
    from hub.commands.wakeup import send_wake
    from hub.runtime import current

    return send_wake(current(), store_id)


def poll_orders(reschedule: bool = True) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.orders.polling import poll_all

    runtime = current()
    try:
        return poll_all(runtime)
    finally:
        if reschedule:
            schedule_polling(runtime)


def retention_tick(interval: float | None = None) -> dict[str, int]:
    """Erase buyer data of long-finished orders and prune handled records; always schedule the next run."""
    from hub.jobs.periodic import schedule_next_slot
    from hub.runtime import current
    from hub.sync import retention

    runtime = current()
    try:
        return retention.run(runtime)
    finally:
        schedule_next_slot(runtime, "retention", retention.TICK_JOB, interval or retention.INTERVAL)


def ensure_retention(runtime: "Runtime") -> str:
    """Called when a worker starts: one chain of retention runs however many workers call it."""
    from hub.jobs.periodic import schedule_next_slot
    from hub.sync import retention

    return schedule_next_slot(runtime, "retention", retention.TICK_JOB, retention.INTERVAL)
