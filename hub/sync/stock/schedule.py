"""Enqueueing price/stock work: one coalescing job per product, reconciliation per store.

Job ids are deterministic (`stock-<store>-<product>`), so any number of changes to a product while its
job waits end in that one job, which reads the latest values when it runs (docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import select

from hub.queues import MAINTENANCE, PRICE, STOCK, enqueue_coalesced, enqueue_coalesced_many, id_part
from hub.models import SkuBinding, Store
from hub.sync import policy
from hub.sync.stock.lanes import storm_lane

if TYPE_CHECKING:
    from hub.runtime import Runtime

PUSH_JOB = "hub.jobs.stock.push_stock"
RECONCILE_JOB = "hub.jobs.stock.reconcile_store_job"
RECONCILE_MERCHANT_JOB = "hub.jobs.stock.reconcile_merchant_job"
RETRY = policy.retry(policy.STOCK)
# A finished push leaves nothing to keep (its outcome is on the listing and in the activity log), and
# deleting it at once lets the next change to the product enqueue without clearing an old job first.
JOB_OPTIONS: dict[str, Any] = {"result_ttl": 0, "failure_ttl": 7 * 24 * 3600, "job_timeout": 600}


def push_job_id(store_id: str, product_id: str) -> str:
    return f"{push_job_prefix(store_id)}{id_part(product_id)}"


PUSH_ID_PREFIX = "stock-"  # what every push job id starts with


def push_job_prefix(store_id: str) -> str:
    """What every push job id of the store starts with (its follow-ups `-next` too)."""
    return f"{PUSH_ID_PREFIX}{id_part(store_id)}-"


def reconcile_job_id(store_id: str) -> str:
    return f"reconcile-{id_part(store_id)}"


def reconcile_merchant_job_id(merchant_id: str) -> str:
    return f"reconcile-merchant-{id_part(merchant_id)}"


# A store that asks for more pushes than this within one window is in a storm: TikTok takes 50 calls a
# second per shop, so 100 products are about two seconds of its budget. Its further pushes go to the
# bulk lanes, behind every other store's live changes (which then wait for one job, not for the storm),
# on a lane of its own while it storms, so storming stores take turns (hub/sync/stock/lanes.py).
STORM_PUSHES = 100
STORM_WINDOW_MS = 2000


def enqueue_pushes(runtime: "Runtime", store_id: str, product_ids: Iterable[str], *, queue_name: str = STOCK) -> None:
    """One coalesced push job per product, enqueued in bulk (a storm touches hundreds per request)."""
    products = list(product_ids)
    if not products:
        return
    if queue_name == STOCK:  # a storming store's pushes go on a lane of its own (hub/sync/stock/lanes.py)
        queue_name = storm_lane(runtime, store_id, len(products), window_ms=STORM_WINDOW_MS,
                                storm_pushes=STORM_PUSHES) or STOCK
    prefix = push_job_prefix(store_id)
    enqueue_coalesced_many(queue_name, PUSH_JOB, [(prefix + id_part(p), (store_id, p)) for p in products],
                           connection=runtime.redis, retry=RETRY, **JOB_OPTIONS)


def bound_products(runtime: "Runtime", store_id: str, product_ids: Iterable[str] | None = None) -> list[str]:
    """Products of the store that exist on TikTok (have SKU bindings), optionally among `product_ids`."""
    ids = None if product_ids is None else sorted(set(product_ids))
    if ids is not None and not ids:
        return []
    found: set[str] = set()
    with runtime.db.session_scope() as session:
        query = select(SkuBinding.product_id).where(SkuBinding.store_id == store_id).distinct()
        if ids is None:
            found.update(session.scalars(query))
        else:
            for start in range(0, len(ids), 1000):
                found.update(session.scalars(query.where(SkuBinding.product_id.in_(ids[start:start + 1000]))))
    return sorted(found)


def after_stock_changes(runtime: "Runtime", store_id: str, product_ids: Iterable[str], *,
                        on_tiktok: list[str] | None = None) -> int:
    """Called after store events commit: one coalesced job per changed product that is on TikTok.

    Products not created on TikTok yet are skipped; the listing engine sends their initial values.
    Enqueued in bulk: in a storm a 500-item batch touches hundreds of products, and one lock and
    status round trip each used to dominate the Extension API's time. `on_tiktok`: `bound_products`
    of `product_ids` when the caller has read it already. Returns the number of products.
    """
    products = bound_products(runtime, store_id, product_ids) if on_tiktok is None else on_tiktok
    enqueue_pushes(runtime, store_id, products)
    return len(products)


def reprice_store(runtime: "Runtime", store_id: str) -> int:
    """After a price or stock rule changed: re-push every product of the store that is on TikTok.

    On the PRICE queue, so re-pricing a whole catalogue never delays live stock changes.
    """
    products = bound_products(runtime, store_id)
    enqueue_pushes(runtime, store_id, products, queue_name=PRICE)
    return len(products)


def reprice_merchant(runtime: "Runtime", merchant_id: str) -> int:
    """Rules are per merchant: re-push the products of every store of the merchant."""
    with runtime.db.session_scope() as session:
        stores = list(session.scalars(select(Store.id).where(Store.merchant_id == merchant_id)))
    return sum(reprice_store(runtime, store_id) for store_id in stores)


def enqueue_reconcile(runtime: "Runtime", store_id: str) -> None:
    enqueue_coalesced(MAINTENANCE, RECONCILE_JOB, reconcile_job_id(store_id), store_id,
                      connection=runtime.redis, retry=policy.retry(policy.RECONCILE), **JOB_OPTIONS)


def enqueue_reconcile_merchant(runtime: "Runtime", merchant_id: str) -> None:
    """All the merchant's stores in one job: its TikTok shop is read once for all of them."""
    enqueue_coalesced(MAINTENANCE, RECONCILE_MERCHANT_JOB, reconcile_merchant_job_id(merchant_id), merchant_id,
                      connection=runtime.redis, retry=policy.retry(policy.RECONCILE), **JOB_OPTIONS)
