"""Product listing jobs: thin wrappers that load the runtime, call the exporter and apply the error taxonomy.

- `DataError` (our validation or TikTok's business codes): the product is "Failed to sync" with the
  reason; the job ends normally (no retry until the product changes or the merchant clicks Sync).
- `RetryableError` / `RateLimitedError`: the listing says it is waiting to retry, and the error is
  re-raised so RQ's `Retry` (set at enqueue) backs off; the create's idempotency key makes the retry safe.
- `AuthError`: the TikTok connection is marked broken, the product stays where it was with the reason
  "Reconnect TikTok Shop", and nothing is lost: reconnecting sends it (`hub.sync.policy.resume_parked`).

Periodic ticks (`planner_tick`, `review_poll_tick`) re-schedule themselves under time-slot ids, so any
number of workers calling `ensure_periodic` schedule each once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import select

from hub.errors import AuthError, DataError, RetryableError
from hub.jobs.periodic import schedule_next_slot
from hub.sync import policy

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.jobs.products")

PLANNER_INTERVAL = 60.0
REVIEW_POLL_INTERVAL = 300.0
RECONNECT = "Reconnect TikTok Shop"


def _note(runtime: "Runtime", store_id: str, product_id: str, reason: str, fix: str | None, code: str,
          retry: tuple[int, datetime] | None = None) -> None:
    from hub.models import Listing

    with runtime.db.session_scope() as session:
        listing = session.scalar(select(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id))
        if listing is not None:
            listing.reason, listing.fix, listing.reason_code = reason, fix, code
            listing.retry_attempt, listing.retry_at = retry if retry is not None else (None, None)
            listing.updated_at = datetime.now(timezone.utc)


def _retry_state() -> tuple[int, int, datetime] | None:
    """Inside a listing job about to be retried: (the attempt that failed, all attempts, the next one's time).

    RQ schedules the retry after the job raises, with the interval `get_retry_interval` gives now.
    """
    from rq import get_current_job

    job = get_current_job()
    if job is None or not job.retries_left or not job.retry_intervals:
        return None
    attempts = len(job.retry_intervals) + 1
    failed = attempts - job.retries_left
    return failed, attempts, datetime.now(timezone.utc) + timedelta(seconds=job.get_retry_interval())


def _clear_retry(runtime: "Runtime", store_id: str, product_id: str) -> None:
    from sqlalchemy import update

    from hub.models import Listing

    with runtime.db.session_scope() as session:
        session.execute(update(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id,
                                              Listing.retry_attempt.is_not(None))
                        .values(retry_attempt=None, retry_at=None))


def _park(runtime: "Runtime", store_id: str, error: AuthError) -> None:
    from hub.models import Store

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        merchant_id = store.merchant_id if store is not None else None
    if merchant_id is not None:
        policy.park(runtime, merchant_id, error, "listing products")


def _run(fn: Callable[..., str], store_id: str, product_id: str) -> str:
    from hub.runtime import current
    from hub.sync.products.exporter import fail
    from hub.sync.products import reasons
    from hub.sync.products.issues import Findings
    from hub.models import ProductSnapshot

    runtime = current()

    def named() -> dict[str, Any]:
        """The product as stored, so the reason names it like every other reason does."""
        with runtime.db.session_scope() as session:
            snapshot = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                                    ProductSnapshot.product_id == product_id))
            return dict(snapshot.data) if snapshot is not None else {"id": product_id}

    try:
        outcome = fn(runtime, store_id, product_id)
        _clear_retry(runtime, store_id, product_id)
        return outcome
    except DataError as error:
        findings = Findings(named())
        findings.add(error.code, error.message, error.fix or "Correct it, then click Sync.", field=error.field)
        _clear_retry(runtime, store_id, product_id)
        return fail(runtime, store_id, product_id, findings)
    except AuthError as error:
        log.warning("TikTok refused access while syncing product %s of store %s: %s", product_id, store_id,
                    error.message)
        _park(runtime, store_id, error)
        _note(runtime, store_id, product_id, f"{RECONNECT}: TikTok no longer accepts the hub's access "
              f"({error.message}). The product waits; nothing is lost.", policy.RECONNECT_FIX, "reconnect")
        return policy.PARKED
    except RetryableError as error:
        if policy.last_attempt():
            findings = Findings(named())
            code = error.code or reasons.RETRIES_EXHAUSTED
            findings.add(code, f"{error.message} Automatic retries did not get through.",
                         reasons.fix_for(code, reasons.fix_for(reasons.RETRIES_EXHAUSTED)))
            _clear_retry(runtime, store_id, product_id)
            return fail(runtime, store_id, product_id, findings)
        state = _retry_state()
        when = ""
        if state is not None:
            failed, attempts, due = state
            when = f" (attempt {failed} of {attempts} failed; next attempt at {due:%H:%M:%S} UTC)"
        _note(runtime, store_id, product_id, f"A temporary TikTok or network problem stopped this sync "
              f"({error.message}); it is retried automatically{when}.", None, "retrying",
              (state[0], state[2]) if state is not None else None)
        raise


def list_product(store_id: str, product_id: str) -> str:
    from hub.sync.products.exporter import list_product as run

    return _run(run, store_id, product_id)


def resync_details(store_id: str, product_id: str) -> str:
    from hub.sync.products.exporter import resync_details as run

    return _run(run, store_id, product_id)


def delist_product(store_id: str, product_id: str) -> str:
    from hub.sync.products.exporter import delist_product as run

    return _run(run, store_id, product_id)


def reactivate_product(store_id: str, product_id: str) -> str:
    from hub.sync.products.exporter import reactivate as run

    return _run(run, store_id, product_id)


def handle_changes(store_id: str, details: list[str], deleted: list[str], stock: list[str],
                   store_updated: bool) -> dict[str, Any]:
    from hub.runtime import current
    from hub.sync.products.schedule import handle_changes as run

    return run(current(), store_id, details, deleted, stock, store_updated)


def link_scan(store_id: str) -> dict[str, Any]:
    """Read the shop's existing products and propose links (hub.sync.products.linking)."""
    from hub.runtime import current
    from hub.sync.products.linking import scan

    return scan(current(), store_id)


def link_push(store_id: str, product_ids: list[str]) -> dict[str, Any]:
    """Price and stock for products just linked to what was already on TikTok."""
    from hub.runtime import current
    from hub.sync.products.linking import push_linked

    return push_linked(current(), store_id, product_ids)


def run_planner(runtime: "Runtime") -> int:
    """Re-plan every merchant's waiting products and list those whose day has come."""
    from hub.models import ListingPlan, Store, TikTokShop
    from hub.sync.products.planner import replan
    from hub.sync.products.schedule import enqueue_listing

    due: list[tuple[str, str]] = []
    with runtime.db.session_scope() as session:
        merchants = set(session.scalars(select(Store.merchant_id).join(
            ListingPlan, ListingPlan.store_id == Store.id).where(ListingPlan.planned_for.is_not(None))))
        for merchant_id in merchants:
            shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
            if shop is not None:
                due.extend(replan(runtime, session, shop.shop_id, merchant_id))
    for store_id, product_id in due:
        enqueue_listing(runtime, store_id, product_id)
    return len(due)


def planner_tick(interval: float = PLANNER_INTERVAL) -> int:
    from hub.runtime import current

    runtime = current()
    try:
        return run_planner(runtime)
    finally:
        schedule_next_slot(runtime, "listing-planner", "hub.jobs.products.planner_tick", interval)


def review_poll_tick(interval: float = REVIEW_POLL_INTERVAL) -> int:
    """Fallback for lost review webhooks: re-read products still under review."""
    from hub.runtime import current
    from hub.sync.products.review import poll

    runtime = current()
    try:
        return poll(runtime)
    finally:
        schedule_next_slot(runtime, "review-poll", "hub.jobs.products.review_poll_tick", interval)


def ensure_periodic(runtime: "Runtime") -> list[str]:
    """Call at worker start: schedules the planner and the review poll (once, whatever the workers)."""
    return [schedule_next_slot(runtime, "listing-planner", "hub.jobs.products.planner_tick", PLANNER_INTERVAL),
            schedule_next_slot(runtime, "review-poll", "hub.jobs.products.review_poll_tick", REVIEW_POLL_INTERVAL)]
