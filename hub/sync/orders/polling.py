"""Reconciliation for orders: search TikTok by update-time window, because webhooks get lost.

Each run covers [last covered time − overlap, now): the overlap catches orders whose update landed in
the same second as the previous search or whose search index lagged. Applying an order twice is a
no-op (`importer.apply_order` is idempotent), so overlap costs only a little traffic. The cursor lives
in the database per TikTok shop; a shop seen for the first time is searched back one day.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select

from hub.errors import AuthError, DataError
from hub.models import OrderPollCursor, TikTokShop
from hub.models.tiktok_shops import CONNECTED
from hub.queues import ORDERS, queue
from hub.sync import policy

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.sync.orders")

OVERLAP_SECONDS = 300
FIRST_LOOKBACK_SECONDS = 24 * 3600
INTERVAL_SECONDS = 120
PAGE_SIZE = 100
POLL_JOB = "hub.jobs.orders.poll_orders"
POLL_JOB_ID = "order-poll"


def poll_shop(runtime: "Runtime", shop_id: str, *, now: int | None = None) -> int:
    """Apply every order TikTok changed since the last run (with overlap); returns how many were applied."""
    from hub.sync.orders.importer import apply_order
    from hub.tiktok.connection import client_for_shop

    end = int(now or time.time()) + 1
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
        if shop is None:
            return 0
        cursor = session.get(OrderPollCursor, shop_id)
        start = (cursor.polled_until - OVERLAP_SECONDS) if cursor else end - FIRST_LOOKBACK_SECONDS
        session.expunge(shop)
    applied = 0
    token: str | None = None
    with client_for_shop(runtime, shop) as client:
        while True:
            page = client.orders.search(page_size=PAGE_SIZE, page_token=token, sort_field="update_time",
                                        sort_order="ASC", update_time_ge=max(start, 0), update_time_lt=end)
            with runtime.db.session_scope() as session:
                live = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
                if live is None:
                    return applied
                for raw in page["orders"]:
                    try:
                        with session.begin_nested():
                            apply_order(session, live, raw)
                        applied += 1
                    except DataError as problem:  # one unreadable order must not stop the others
                        log.warning("Skipped TikTok order %s: %s", raw.get("id"), problem.message)
            token = page.get("next_page_token") or None
            if not token:
                break
        try:  # returns change without their order changing: the same window, searched separately
            from hub.sync.orders.returns import poll_returns

            applied += poll_returns(runtime, client, shop_id, start, end)
        except DataError as problem:
            log.warning("Could not search TikTok returns of shop %s: %s", shop_id, problem.message)
    with runtime.db.session_scope() as session:
        cursor = session.get(OrderPollCursor, shop_id)
        if cursor is None:
            session.add(OrderPollCursor(tiktok_shop_id=shop_id, polled_until=end))
        else:
            cursor.polled_until = max(cursor.polled_until, end)
    return applied


def poll_all(runtime: "Runtime") -> dict[str, int | str]:
    with runtime.db.session_scope() as session:
        shop_ids = list(session.scalars(select(TikTokShop.shop_id).where(TikTokShop.status == CONNECTED)))
    results: dict[str, int | str] = {}
    for shop_id in shop_ids:
        try:
            results[shop_id] = poll_shop(runtime, shop_id)
        except AuthError as problem:
            with runtime.db.session_scope() as session:
                merchant_id = session.scalar(select(TikTokShop.merchant_id).where(TikTokShop.shop_id == shop_id))
            if merchant_id is not None:
                policy.park(runtime, merchant_id, problem, "searching TikTok for new orders")
            results[shop_id] = f"{policy.PARKED}: {problem.message}"
    return results


def schedule_polling(runtime: "Runtime", *, delay: float | None = None) -> None:
    """Queue the next periodic order search unless one is already waiting (safe to call from every worker)."""
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
                                             POLL_JOB, job_id=job_id)
