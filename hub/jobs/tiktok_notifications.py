"""Processing stored TikTok notifications: one job per shop and queue works through the shop's stored
notifications in arrival order (the webhook view only stores them and makes sure that job is coming).

Connection events (6 deauthorized, 7 authorization expiring) are handled here; product and order
events go to the sync roles. A shop the hub does not know leaves the notification `unhandled` with its
payload, so it can be replayed later rather than lost; a type nobody uses is `ignored`.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hub.db import is_contention
from hub.errors import DataError, RetryableError
from hub.models.tiktok_notifications import (FAILED, IGNORED, PROCESSED, RECEIVED, UNHANDLED,
                                             TikTokNotification)
from hub.models.tiktok_shops import DEAUTHORIZED, TikTokShop
from hub.sync.orders import batches, importer
from hub.sync.products import review
from hub.queues import DETAILS, ORDERS
from hub.tiktok.webhooks import (CONNECTION_TYPES, ORDER_TYPES, PRODUCT_TYPES, SELLER_DEAUTHORIZATION,
                                 UPCOMING_AUTHORIZATION_EXPIRATION, enqueue, shop_jobs)

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.jobs.tiktok_notifications")

Handler = Callable[[Session, TikTokShop, TikTokNotification], None]
PRODUCT_HANDLER: Handler = review.on_notification
ORDER_HANDLER: Handler = importer.on_notification


def _mark_connection(shop: TikTokShop, notification: TikTokNotification) -> str:
    data = notification.payload.get("data") or {}
    if notification.type == SELLER_DEAUTHORIZATION:
        shop.status = DEAUTHORIZED
        shop.status_reason = (data.get("message") or "The seller removed this app's access in TikTok Shop.") + \
            " Reconnect the TikTok shop in the settings page."
        shop.updated_at = datetime.now(timezone.utc)
        return "connection marked deauthorized"
    try:
        expires = datetime.fromtimestamp(int(str(data.get("expiration_time")).strip()), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        raise DataError("The authorization-expiry notification has no usable expiration_time",
                        code="tiktok_bad_notification") from None
    shop.authorization_expires_at = expires
    shop.updated_at = datetime.now(timezone.utc)
    return f"authorization expires {expires.isoformat()}"


CONTENTION_ATTEMPTS = 6
BATCH = 200  # notifications per job run; a longer backlog continues in the job's follow-up


def _of_queue(queue_name: str) -> Any:
    """The notification types whose job runs on `queue_name` (hub.tiktok.webhooks.queue_for)."""
    if queue_name == ORDERS:
        return TikTokNotification.type.in_(sorted(ORDER_TYPES | CONNECTION_TYPES))
    if queue_name == DETAILS:
        return TikTokNotification.type.in_(sorted(PRODUCT_TYPES))
    return TikTokNotification.type.not_in(sorted(ORDER_TYPES | CONNECTION_TYPES | PRODUCT_TYPES))


def process_shop_notifications(shop_id: str, queue_name: str) -> dict[str, int]:
    """Handle the shop's stored notifications of this queue's kinds, oldest first, up to `BATCH`; those
    not tried yet before those that failed retryably (a backlog behind a failing one still moves).

    Each is handled in its own transaction, as a job of its own was: one that fails is recorded on its
    row and the others go on. A retryable failure leaves its notification `received` and fails this
    job after the rest are done (the catch-up sweep queues the shop again). A notification stored after
    the rows were read queued this job again, as a follow-up that reads them."""
    from hub.runtime import current

    runtime = current()
    with runtime.db.session_scope() as session:
        row_ids = list(session.scalars(
            select(TikTokNotification.id)
            .where(TikTokNotification.shop_id == shop_id, TikTokNotification.status == RECEIVED, _of_queue(queue_name))
            .order_by(TikTokNotification.attempts, TikTokNotification.received_at, TikTokNotification.id).limit(BATCH)))
    outcomes: dict[str, int] = {}
    retry: RetryableError | None = None
    with batches.one_fetch_per_shop(runtime):
        for row_id in row_ids:
            try:
                status = process_notification(row_id)
            except RetryableError as error:
                retry, status = error, RECEIVED
            outcomes[status] = outcomes.get(status, 0) + 1
    if len(row_ids) == BATCH and any(status != RECEIVED for status in outcomes):
        # More may wait; not when the whole batch failed retryably (TikTok down): running it again at
        # once would only fail again, and the catch-up sweep queues the shop after RQ gave up on it.
        enqueue(runtime, shop_id, queue_name)
    if retry is not None:
        raise retry
    return outcomes


def process_notification(notification_row_id: str) -> str:
    """Route one stored notification; returns its final status. Retryable errors re-raise for RQ.

    A write that lost to a concurrent one (SQLite's lock, a PostgreSQL deadlock) is tried again here
    from the start: left `failed`, the notification would never be looked at again."""
    for attempt in range(CONTENTION_ATTEMPTS):
        try:
            return _process(notification_row_id)
        except OperationalError as error:
            if not is_contention(error) or attempt == CONTENTION_ATTEMPTS - 1:
                raise
            log.warning("TikTok notification %s met a concurrent write; attempt %s", notification_row_id, attempt + 1)
            time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
    raise AssertionError("unreachable")


def _process(notification_row_id: str) -> str:
    from hub.runtime import current

    runtime = current()
    outcome: tuple[str, str | None] | None = None
    failure: BaseException | None = None
    with runtime.db.session_scope() as session:
        notification = session.get(TikTokNotification, notification_row_id)
        if notification is None:
            return "missing"
        if notification.status in (PROCESSED, IGNORED):
            return notification.status
        notification.attempts += 1
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == notification.shop_id))
        try:
            if shop is None:
                outcome = (UNHANDLED, f"no TikTok connection for shop {notification.shop_id}")
            elif notification.type in (SELLER_DEAUTHORIZATION, UPCOMING_AUTHORIZATION_EXPIRATION):
                outcome = (PROCESSED, _mark_connection(shop, notification))
            elif notification.type in PRODUCT_TYPES or notification.type in ORDER_TYPES:
                handler = PRODUCT_HANDLER if notification.type in PRODUCT_TYPES else ORDER_HANDLER
                with session.begin_nested():
                    handler(session, shop, notification)
                outcome = (PROCESSED, None)
            else:
                outcome = (IGNORED, f"notification type {notification.type} is not used by the hub")
        except OperationalError as error:
            if is_contention(error):
                raise
            log.exception("TikTok notification %s failed", notification.notification_id)
            outcome = (FAILED, f"{type(error).__name__}: {error}")
        except RetryableError as error:
            failure = error
            outcome = (RECEIVED, f"retrying: {error.message}")
        except Exception as error:  # noqa: BLE001 - recorded on the row; the job itself completes
            log.exception("TikTok notification %s failed", notification.notification_id)
            outcome = (FAILED, f"{type(error).__name__}: {getattr(error, 'message', None) or error}")
        notification.status, notification.detail = outcome
        if outcome[0] in (PROCESSED, IGNORED):
            notification.processed_at = datetime.now(timezone.utc)
    if failure is not None:
        raise failure
    return outcome[0]


def replay(runtime: "Runtime", statuses: Iterable[str] = (RECEIVED, UNHANDLED, FAILED)) -> int:
    """Handle stored notifications again (after a handler was deployed, a fix, or an outage that lost
    their jobs: those are still `received`); returns how many. They become `received` again and their
    shops' jobs are queued."""
    with runtime.db.session_scope() as session:
        chosen = TikTokNotification.status.in_(list(statuses))
        rows = session.execute(select(TikTokNotification.shop_id, TikTokNotification.type).where(chosen)).all()
        session.execute(update(TikTokNotification).where(chosen).values(status=RECEIVED))
    for shop_id, queue_name in shop_jobs(rows):
        enqueue(runtime, shop_id, queue_name)
    return len(rows)
