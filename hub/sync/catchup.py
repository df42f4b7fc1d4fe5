"""The sweep after a Redis outage: enqueue, from the database, every job the outage may have lost.

The Extension API and the TikTok webhook store what they receive before they enqueue anything, so
while Redis is away (or after it restarts empty) the database still says what is left to do. Workers
run this sweep each time they (re)connect to Redis, and the hub scheduler runs it every minute (a job
that died with a killed worker is re-created the same way):

- price and stock: every product with a variant whose stored version is newer than the one TikTok
  last confirmed (`SkuBinding.pushed_version`) gets its coalesced push job;
- products: every product the store sent that is not on TikTok yet, not waiting for a category and
  not failed, goes through the same decision job as a live change;
- store order events not yet handled, and TikTok notifications still `received`, get their jobs;
- one order search runs at once, covering what TikTok changed while nothing ran.

Every job id is the deterministic one the live path uses, so a sweep never doubles work that is
already queued, and every job is idempotent, so a sweep that finds work running costs one no-op run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from rq.job import Job, JobStatus
from sqlalchemy import and_, select

from hub.models import Listing, ListingPlan, ProcessedEvent, ProductSnapshot, SkuBinding, Store, VariantStock
from hub.models.listings import FAILED_TO_SYNC, NEEDS_CATEGORY
from hub.models.tiktok_notifications import RECEIVED, TikTokNotification
from hub.queues import DETAILS, enqueue_coalesced
from hub.sync.intake import ORDER_EVENTS
from hub.sync.orders.events import after_order_events
from hub.sync.stock.schedule import enqueue_pushes
from hub.tiktok.webhooks import enqueue as enqueue_notification
from hub.tiktok.webhooks import job_id as notification_job_id
from hub.tiktok.webhooks import shop_jobs

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.sync.catchup")

CHANGES_JOB = "hub.jobs.products.handle_changes"
_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}


def stale_stock(runtime: "Runtime") -> dict[str, list[str]]:
    """store id → products with a price or stock TikTok has not confirmed."""
    out: dict[str, set[str]] = {}
    with runtime.db.session_scope() as session:
        rows = session.execute(select(SkuBinding.store_id, SkuBinding.product_id).join(VariantStock, and_(
            VariantStock.store_id == SkuBinding.store_id, VariantStock.product_id == SkuBinding.product_id,
            VariantStock.variant_id == SkuBinding.variant_id)).where(
            VariantStock.version > SkuBinding.pushed_version).distinct()).all()
    for store_id, product_id in rows:
        out.setdefault(store_id, set()).add(product_id)
    return {store: sorted(products) for store, products in out.items()}


def unlisted_products(runtime: "Runtime") -> dict[str, list[str]]:
    """store id → products not on TikTok that nothing has ruled out (no category, failed) or planned for
    a later day yet."""
    out: dict[str, list[str]] = {}
    with runtime.db.session_scope() as session:
        rows = session.execute(select(ProductSnapshot.store_id, ProductSnapshot.product_id).outerjoin(
            Listing, and_(Listing.store_id == ProductSnapshot.store_id,
                          Listing.product_id == ProductSnapshot.product_id)).join(
            Store, Store.id == ProductSnapshot.store_id).outerjoin(
            ListingPlan, and_(ListingPlan.store_id == ProductSnapshot.store_id,
                              ListingPlan.product_id == ProductSnapshot.product_id)).where(
            ListingPlan.planned_for.is_(None),  # waiting for a later day under the daily cap: the planner's
            ProductSnapshot.deleted.is_(False), Store.sync_enabled.is_(True), Listing.tiktok_product_id.is_(None),
            (Listing.status.is_(None)) | Listing.status.not_in([FAILED_TO_SYNC, NEEDS_CATEGORY]),
            ~select(SkuBinding.id).where(SkuBinding.store_id == ProductSnapshot.store_id,
                                         SkuBinding.product_id == ProductSnapshot.product_id).exists())).all()
    for store_id, product_id in rows:
        out.setdefault(store_id, []).append(product_id)
    return out


def _waiting(runtime: "Runtime", job_id: str) -> bool:
    """One read, so a job deleted meanwhile reads as not waiting rather than raising."""
    status = runtime.redis.hget(Job.key_for(job_id), "status")
    return status is not None and (status.decode() if isinstance(status, bytes) else status) in _WAITING


def sweep(runtime: "Runtime") -> dict[str, Any]:
    """Enqueue what the database says is left to do; returns counts for the log."""
    counts = {"stock_products": 0, "products": 0, "order_events": 0, "notifications": 0}
    for store_id, products in stale_stock(runtime).items():
        enqueue_pushes(runtime, store_id, products)
        counts["stock_products"] += len(products)
    for store_id, products in unlisted_products(runtime).items():
        enqueue_coalesced(DETAILS, CHANGES_JOB, f"catchup-products-{store_id}", store_id, products, [], [], False,
                          connection=runtime.redis, result_ttl=600, failure_ttl=7 * 24 * 3600, job_timeout=900)
        counts["products"] += len(products)
    with runtime.db.session_scope() as session:
        events = session.execute(select(ProcessedEvent.store_id, ProcessedEvent.event_id).where(
            ProcessedEvent.handled_at.is_(None), ProcessedEvent.type.in_(sorted(ORDER_EVENTS)))).all()
        notifications = session.execute(select(TikTokNotification.shop_id, TikTokNotification.type).where(
            TikTokNotification.status == RECEIVED).distinct()).all()
    by_store: dict[str, list[str]] = {}
    for store_id, event_id in events:
        by_store.setdefault(store_id, []).append(event_id)
    for store_id, event_ids in by_store.items():
        after_order_events(runtime, store_id, event_ids)
        counts["order_events"] += len(event_ids)
    for shop_id, queue_name in shop_jobs(notifications):
        if not _waiting(runtime, notification_job_id(shop_id, queue_name)):
            enqueue_notification(runtime, shop_id, queue_name)
            counts["notifications"] += 1
    from hub.sync.orders.polling import poll_soon

    poll_soon(runtime)
    if any(counts.values()):
        log.warning("Catch-up sweep enqueued work the database still called for: %s", counts)
    return counts
