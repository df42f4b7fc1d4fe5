"""Reconciliation for orders: search TikTok by update-time window, because webhooks get lost.

Each run covers [last covered time − overlap, now): the overlap catches orders whose update landed in
the same second as the previous search or whose search index lagged. Applying an order twice is a
no-op (`importer.apply_order` is idempotent), so overlap costs only a little traffic. The cursor lives
in the database per TikTok shop; a shop seen for the first time is searched back one day.
"""

from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from hub.db import is_contention
from hub.errors import AuthError, DataError
from hub.models import OrderPollCursor, TikTokShop
from hub.models.tiktok_shops import CONNECTED
from hub.locks import renewed_lock
from hub.queues import ORDERS, enqueue_coalesced, schedule_next_slot
from hub.sync import policy

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.sync.orders")

OVERLAP_SECONDS = 300
FIRST_LOOKBACK_SECONDS = 24 * 3600
INTERVAL_SECONDS = 120
PAGE_SIZE = 100
POLL_JOB = "hub.jobs.orders.poll_orders"
POLL_JOB_ID = "order-poll"  # the prefix of every search job id: order-poll-<slot>, order-poll-now-<slot>


CONTENTION_ATTEMPTS = 6


def _apply_page(runtime: "Runtime", shop_id: str, orders: list[dict]) -> int | None:
    """Apply one search page in one transaction; None if the shop was disconnected meanwhile. Orders
    whose view is the one already applied and handed off are passed over (`importer.already_applied`),
    and so are orders waiting for a fetch job (a webhook named them): that job's read is newer than
    this page, and the search makes sure the job is coming (one whose retries ran out left them there)."""
    from hub.sync.orders.batches import enqueue_fetch, waiting
    from hub.sync.orders.importer import already_applied, apply_order

    applied = 0
    about_to_be_read = waiting(runtime.redis, shop_id, [str(raw.get("id")) for raw in orders])
    if about_to_be_read:
        enqueue_fetch(runtime, shop_id)
    with runtime.db.session_scope() as session:
        live = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
        if live is None:
            return None
        unchanged = already_applied(session, live, orders) | about_to_be_read
        for raw in orders:
            if str(raw.get("id")) in unchanged:
                continue
            try:
                with session.begin_nested():
                    apply_order(session, live, raw)
                applied += 1
            except DataError as problem:  # one unreadable order must not stop the others
                log.warning("Skipped TikTok order %s: %s", raw.get("id"), problem.message)
    return applied


def poll_shop(runtime: "Runtime", shop_id: str, *, now: int | None = None) -> int:
    """Apply every order TikTok changed since the last run (with overlap); returns how many were applied."""
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
            for attempt in range(CONTENTION_ATTEMPTS):
                try:
                    done = _apply_page(runtime, shop_id, page["orders"])
                    break
                except OperationalError as error:
                    # An order job wrote the same rows first (SQLite's lock, a PostgreSQL deadlock): the
                    # page is applied again from the start, since applying an order is idempotent.
                    if not is_contention(error) or attempt == CONTENTION_ATTEMPTS - 1:
                        raise
                    log.warning("Order search for shop %s met a concurrent write; attempt %s", shop_id, attempt + 1)
                    time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
            if done is None:
                return applied
            applied += done
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


RUN_LOCK = "hub:order-poll:running"


def poll_all(runtime: "Runtime") -> dict[str, int | str]:
    """Search every connected shop, never two searches at once: concurrent searches of one shop fought
    over its cursor (and SQLite's write lock) and left it behind. A second caller waits its turn."""
    with renewed_lock(runtime.redis, RUN_LOCK, ttl=15, blocking_timeout=600) as held:
        if not held:
            return {"skipped": "another order search kept running for 10 minutes"}
        started = time.time()
        results = _poll_all(runtime)
        # When the search itself ran (the job may have waited for the lock first), for operators
        # reading the job's result.
        results["search_started"], results["search_ended"] = f"{started:.6f}", f"{time.time():.6f}"
        return results


def _poll_all(runtime: "Runtime") -> dict[str, int | str]:
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


def schedule_polling(runtime: "Runtime", *, delay: float | None = None) -> str:
    """Schedule the next periodic order search unless it already is (safe to call from every worker).

    One chain, whatever calls this: each run is named for its time slot (`order-poll-<slot>`), so any
    number of workers, the hub scheduler's chain check and the run that just finished all name the
    same next job. `delay=0` asks for a search now (`order-poll-now-<slot>`), again once per slot.
    """
    if delay == 0:
        return poll_soon(runtime)
    return schedule_next_slot(runtime, POLL_JOB_ID, POLL_JOB, INTERVAL_SECONDS, queue_name=ORDERS,
                              args=(), interval_arg=False)


def poll_soon(runtime: "Runtime") -> str:
    """A search now (at worker start, after a Redis outage), at most one per `INTERVAL_SECONDS` slot."""
    job_id = f"{POLL_JOB_ID}-now-{int(time.time() // INTERVAL_SECONDS)}"
    enqueue_coalesced(ORDERS, POLL_JOB, job_id, connection=runtime.redis, result_ttl=INTERVAL_SECONDS * 2,
                      failure_ttl=7 * 24 * 3600)
    return job_id
