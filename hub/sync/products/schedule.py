"""Enqueueing listing work, and what store product changes mean for listings.

`after_product_changes` is called by `hub.sync.dispatch` right after a batch of store events commits,
inside the web request: it only enqueues one job (`handle_changes`) so the Extension API stays fast;
that job decides per product: a new or not-yet-listed product in a mapped category → a `list-…` job;
a listed product whose details changed → "details changed in store" (the merchant resyncs explicitly,
docs/product-rules.md); a product deleted in the store → a `delist-…` job; stock arriving for a product that
waited for stock → listed again (stock changes of products already on TikTok enqueue nothing here). Job ids are deterministic (`list-<store>-<product>`,
`details-<store>-<product>`), so bursts coalesce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import select, update

from hub.queues import DETAILS, LISTINGS, enqueue_coalesced, id_part, queue
from hub.sync import policy
from hub.sync.products import linking
from hub.models import Listing, ListingPlan, ProductOverride, ProductSnapshot, Store
from hub.models.listings import FAILED_REVIEW, FAILED_TO_SYNC, NEEDS_CATEGORY, NOT_SYNCED, SYNCED

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.sync.intake import Changes

LIST_JOB = "hub.jobs.products.list_product"
DETAILS_JOB = "hub.jobs.products.resync_details"
DELIST_JOB = "hub.jobs.products.delist_product"
REACTIVATE_JOB = "hub.jobs.products.reactivate_product"
CHANGES_JOB = "hub.jobs.products.handle_changes"
RETRY = policy.retry(policy.LISTING)
PARKED_CODE = "reconnect"  # the listing's reason while it waits for a repaired TikTok connection
JOB_OPTIONS: dict[str, Any] = {"result_ttl": 600, "failure_ttl": 7 * 24 * 3600, "job_timeout": 900}


def list_job_id(store_id: str, product_id: str) -> str:
    return f"list-{id_part(store_id)}-{id_part(product_id)}"


def details_job_id(store_id: str, product_id: str) -> str:
    return f"details-{id_part(store_id)}-{id_part(product_id)}"


def enqueue_listing(runtime: "Runtime", store_id: str, product_id: str, *, now: bool = False) -> None:
    """`now`: a change that may fix what failed replaces a retry waiting for its backoff (queues)."""
    enqueue_coalesced(LISTINGS, LIST_JOB, list_job_id(store_id, product_id), store_id, product_id,
                      connection=runtime.redis, replace_scheduled=now, retry=RETRY, **JOB_OPTIONS)


def enqueue_details(runtime: "Runtime", store_id: str, product_id: str, *, now: bool = False) -> None:
    enqueue_coalesced(DETAILS, DETAILS_JOB, details_job_id(store_id, product_id), store_id, product_id,
                      connection=runtime.redis, replace_scheduled=now, retry=RETRY, **JOB_OPTIONS)


def enqueue_delist(runtime: "Runtime", store_id: str, product_id: str) -> None:
    enqueue_coalesced(DETAILS, DELIST_JOB, f"delist-{id_part(store_id)}-{id_part(product_id)}", store_id, product_id,
                      connection=runtime.redis, retry=RETRY, **JOB_OPTIONS)


def enqueue_reactivate(runtime: "Runtime", store_id: str, product_id: str) -> None:
    enqueue_coalesced(DETAILS, REACTIVATE_JOB, f"reactivate-{id_part(store_id)}-{id_part(product_id)}", store_id,
                      product_id, connection=runtime.redis, retry=RETRY, **JOB_OPTIONS)


def enqueue_listings(runtime: "Runtime", store_id: str, product_ids: Iterable[str], *, now: bool = False) -> int:
    """Enqueue creates in the merchant's order (priority first), so today's cap goes to those first.

    `now`: each replaces a retry waiting for its backoff (a content change, the Sync button)."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return 0
    with runtime.db.session_scope() as session:
        priority: dict[str, int] = {}
        for start in range(0, len(ids), 1000):
            priority.update(session.execute(select(ListingPlan.product_id, ListingPlan.priority).where(
                ListingPlan.store_id == store_id, ListingPlan.product_id.in_(ids[start:start + 1000]))).all())
        ids = linking.without_held(session, store_id, ids)  # already on TikTok, or being checked
    ids.sort(key=lambda p: -(priority.get(p) or 0))
    for product_id in ids:
        enqueue_listing(runtime, store_id, product_id, now=now)
    return len(ids)


def after_product_changes(runtime: "Runtime", store_id: str, changes: "Changes", *,
                          on_tiktok: Iterable[str] = ()) -> None:
    """Called by dispatch after store events commit; enqueues one job that sorts the changes out.

    Stock matters to the listing side only for a product whose listing is not on TikTok yet (it may have
    waited for stock). A stock change of a product already on TikTok is its price/stock push alone: a job
    here for every such batch would fill the details lane, which new listings wait behind, with no-ops.
    `on_tiktok`: changed products known to have SKU bindings (on TikTok), not read again.
    """
    details, deleted = sorted(changes.details), sorted(changes.deleted)
    stock = not_on_tiktok(runtime, store_id, sorted(changes.stock - set(on_tiktok)))
    if not (details or deleted or changes.store_updated or stock):
        return
    queue(DETAILS, runtime.redis).enqueue(CHANGES_JOB, store_id, details, deleted, stock, changes.store_updated,
                                          retry=RETRY, **JOB_OPTIONS)


def not_on_tiktok(runtime: "Runtime", store_id: str, product_ids: list[str]) -> list[str]:
    """Those of `product_ids` whose listing exists and has no TikTok product yet."""
    if not product_ids:
        return []
    waiting: set[str] = set()
    with runtime.db.session_scope() as session:
        for chunk in _chunks(product_ids):
            waiting.update(session.scalars(select(Listing.product_id).where(
                Listing.store_id == store_id, Listing.tiktok_product_id.is_(None), Listing.product_id.in_(chunk))))
    return [p for p in product_ids if p in waiting]


def _chunks(ids: list[str], size: int = 1000) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def handle_changes(runtime: "Runtime", store_id: str, details: list[str], deleted: list[str], stock: list[str],
                   store_updated: bool) -> dict[str, Any]:
    """The per-product decisions behind `after_product_changes` (runs in a worker)."""
    from hub.sync.products.categories import resolve, resolve_on_fresh_read, store_mappings
    from hub.sync.policy import sync_blocked_reason

    to_list: list[str] = []
    changed: list[str] = []  # content changed: may fix what a waiting retry failed on, so runs now
    to_delist: list[str] = []
    unmapped: dict[str, tuple[Any, Any]] = {}  # listings whose category no mapping takes, on the first read
    flagged = 0
    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None:
            return {"store": "missing"}
        blocked = sync_blocked_reason(session, store)
        mappings = store_mappings(session, store_id)
        wanted = sorted(set(details) | set(deleted) | set(stock))
        listings, plans, snapshots, overrides = {}, {}, {}, {}
        for chunk in _chunks(wanted):
            listings.update({l.product_id: l for l in session.scalars(select(Listing).where(
                Listing.store_id == store_id, Listing.product_id.in_(chunk)))})
            plans.update({p.product_id: p for p in session.scalars(select(ListingPlan).where(
                ListingPlan.store_id == store_id, ListingPlan.product_id.in_(chunk)))})
            snapshots.update({s.product_id: s for s in session.scalars(select(ProductSnapshot).where(
                ProductSnapshot.store_id == store_id, ProductSnapshot.product_id.in_(chunk)))})
            overrides.update({o.product_id: o for o in session.scalars(select(ProductOverride).where(
                ProductOverride.store_id == store_id, ProductOverride.product_id.in_(chunk),
                ProductOverride.variant_id == ""))})

        for product_id in deleted:
            listing = listings.get(product_id)
            if listing is not None and listing.tiktok_product_id:
                to_delist.append(product_id)
            elif listing is not None:
                session.delete(listing)
                if product_id in plans:
                    session.delete(plans[product_id])
        for product_id in details:
            snapshot = snapshots.get(product_id)
            if snapshot is None or snapshot.deleted:
                continue
            listing, plan = listings.get(product_id), plans.get(product_id)
            if listing is not None and listing.tiktok_product_id:
                if listing.status == SYNCED and listing.reason_code == "deleted_in_store":
                    listing.reason = "Restored in your store; it is still deactivated on TikTok."
                    listing.fix = "Click Sync to put it on sale again."
                    listing.reason_code = "restored_in_store"
                if plan is not None and plan.sent_hash != snapshot.content_hash and not plan.details_changed:
                    plan.details_changed = True
                    flagged += 1
                continue
            if resolve(session, store_id, snapshot.data, mappings, overrides.get(product_id)) is None:
                if listing is not None and listing.status in (NOT_SYNCED, FAILED_TO_SYNC):
                    unmapped[product_id] = (snapshot.data, overrides.get(product_id))
                continue
            if listing is None:
                listing = Listing(store_id=store_id, product_id=product_id, status=NOT_SYNCED,
                                  reason="Waiting to be sent to TikTok.")
                session.add(listing)
            elif listing.status == NEEDS_CATEGORY:
                listing.status, listing.reason, listing.fix, listing.reason_code = \
                    NOT_SYNCED, "Waiting to be sent to TikTok.", None, None
            if listing.reason_code == PARKED_CODE:
                continue  # waits for the TikTok connection; reconnecting lists its latest content
            if blocked:  # no product traffic; the reason is shown, and a store.update that fixes it resumes
                listing.reason, listing.reason_code = blocked, "sync_blocked"
                listing.fix = "Fix the store set-up described above; products resume by themselves."
            changed.append(product_id)
        still = {p for p, found in resolve_on_fresh_read(session, store_id, unmapped).items() if found is None}
        _needs_category(session, store_id, sorted(still))
        changed.extend(p for p in unmapped if p not in still)  # mapped meanwhile: listed like any change
        for product_id in stock:
            listing = listings.get(product_id)
            if listing is not None and not listing.tiktok_product_id and listing.reason_code == "stock_zero_on_create":
                to_list.append(product_id)
        if store_updated and not blocked:
            to_list.extend(session.scalars(select(Listing.product_id).where(
                Listing.store_id == store_id, Listing.reason_code == "sync_blocked",
                Listing.tiktok_product_id.is_(None))))
    if blocked:
        to_list = changed = []
    enqueued = enqueue_listings(runtime, store_id, changed, now=True)
    enqueued += enqueue_listings(runtime, store_id, [p for p in to_list if p not in set(changed)])
    for product_id in to_delist:
        enqueue_delist(runtime, store_id, product_id)
    return {"listed": enqueued, "delisted": len(to_delist), "details_changed": flagged}


def sync(runtime: "Runtime", store_id: str, product_id: str | None = None, *, details: bool = False) -> dict[str, Any]:
    """The Sync button: re-validate and (re)send what is not on TikTok, resubmit failed reviews,
    re-activate products restored in the store; with `details`, also resend changed details."""
    counts = {"list": 0, "resubmit": 0, "reactivate": 0, "details": 0, "parked": 0}
    to_list, to_details, to_reactivate = [], [], []
    with runtime.db.session_scope() as session:
        query = select(ProductSnapshot.product_id, Listing).outerjoin(
            Listing, (Listing.store_id == ProductSnapshot.store_id) & (Listing.product_id == ProductSnapshot.product_id)
        ).where(ProductSnapshot.store_id == store_id, ProductSnapshot.deleted.is_(False))
        if product_id is not None:
            query = query.where(ProductSnapshot.product_id == product_id)
        plans = {p.product_id: p for p in session.scalars(select(ListingPlan).where(ListingPlan.store_id == store_id))}
        for pid, listing in session.execute(query).all():
            if listing is not None and listing.reason_code == PARKED_CODE:
                counts["parked"] += 1  # waits for the TikTok connection: reconnecting sends it (resume_parked)
                continue
            if listing is None or not listing.tiktok_product_id:
                to_list.append(pid)
            elif listing.status == FAILED_REVIEW:
                to_details.append(pid)
                counts["resubmit"] += 1
            elif listing.status == SYNCED and listing.reason_code in ("deleted_in_store", "restored_in_store"):
                to_reactivate.append(pid)
            elif details and (product_id is not None or (plans.get(pid) and plans[pid].details_changed)):
                to_details.append(pid)
                counts["details"] += 1
    if product_id is not None and not (to_list or to_details or to_reactivate or counts["parked"]):
        raise LookupError(f"Store {store_id} has no product {product_id}")
    # A click runs now: a retry waiting for its backoff is replaced (the merchant may have fixed the cause).
    counts["list"] = enqueue_listings(runtime, store_id, to_list, now=True)
    for pid in to_details:
        enqueue_details(runtime, store_id, pid, now=True)
    for pid in to_reactivate:
        enqueue_reactivate(runtime, store_id, pid)
    counts["reactivate"] = len(to_reactivate)
    return counts


def _needs_category(session: Any, store_id: str, product_ids: list[str]) -> None:
    """"Needs category" for listings still waiting to go to TikTok: a listing created on TikTok or moved
    on since it was read keeps its own status (the condition is checked at the write)."""
    for chunk in _chunks(product_ids):
        session.execute(update(Listing).where(
            Listing.store_id == store_id, Listing.product_id.in_(chunk), Listing.tiktok_product_id.is_(None),
            Listing.status.in_([NOT_SYNCED, FAILED_TO_SYNC])).values(
            status=NEEDS_CATEGORY, reason_code="needs_category",
            reason="The product's store category is not mapped to a TikTok category.",
            fix="Map its category on the settings page (or hub category map).").execution_options(
            synchronize_session=False))
