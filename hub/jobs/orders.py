"""Order sync jobs (thin: load the runtime, call the sync role, return its outcome).

Ids are deterministic: `order-<shop>-<order>` (fetch and apply), `order-event-<store>-<event>`,
`order-ship-<order row>`, `order-redeliver-<command>`, and `order-poll` for the periodic search, which
re-schedules itself so exactly one poll chain exists however many workers start it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.runtime import Runtime

POLL_JOB_ID = "order-poll"


def import_order(shop_id: str, tiktok_order_id: str) -> str | None:
    from hub.runtime import current
    from hub.sync.orders.importer import import_order as run

    return run(current(), shop_id, tiktok_order_id)


def handle_store_event(store_id: str, event_id: str) -> str:
    from hub.runtime import current
    from hub.sync.orders.events import handle

    return handle(current(), store_id, event_id)


def ship_order(order_row_id: str) -> str:
    from hub.runtime import current
    from hub.sync.orders.fulfilment import ship

    return ship(current(), order_row_id)


def redeliver_command(command_id: str) -> bool:
    from hub.runtime import current
    from hub.sync.orders.handoff import redeliver

    with current().db.session_scope() as session:
        return redeliver(session, command_id)


def poll_orders(reschedule: bool = True) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.orders.polling import poll_all

    runtime = current()
    try:
        return poll_all(runtime)
    finally:
        if reschedule:
            schedule_polling(runtime)


def schedule_polling(runtime: "Runtime", *, delay: float | None = None) -> None:
    """Queue the next periodic order search unless one is already waiting (safe to call from every worker)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    from hub.jobs.queues import ORDERS, queue
    from hub.sync.orders.polling import INTERVAL_SECONDS

    connection = runtime.redis
    with connection.lock(f"hub:coalesce:{POLL_JOB_ID}", timeout=10, blocking_timeout=10):
        try:
            status = Job.fetch(POLL_JOB_ID, connection=connection).get_status(refresh=True)
        except NoSuchJobError:
            status = None
        if status in (JobStatus.SCHEDULED, JobStatus.QUEUED):
            return
        if status is not None and status != JobStatus.STARTED:
            Job.fetch(POLL_JOB_ID, connection=connection).delete()
        job_id = POLL_JOB_ID if status != JobStatus.STARTED else f"{POLL_JOB_ID}-next"
        queue(ORDERS, connection).enqueue_in(timedelta(seconds=INTERVAL_SECONDS if delay is None else delay),
                                             "hub.jobs.orders.poll_orders", job_id=job_id)
