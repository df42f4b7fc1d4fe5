"""Reconciliation: compare what TikTok holds with what it should hold, and repair the difference.

Webhooks and jobs can be lost, sellers edit prices in Seller Center, and a push can be parked while
the connection is broken. Periodically the hub reads every product of the shop (products search: 100
products with SKU price and stock per call), records what TikTok *actually* holds as the pushed
values, and lets the normal push job send whatever differs from the store — so repairs go through
the same coalescing, ordering and rate limits as live changes.

A TikTok quantity *below* what the hub wants is repaired only when a second run still sees it: a sale
on TikTok lowers TikTok's stock before the order reaches the store, and pushing the old store stock
back in that window could sell the last unit twice.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub.errors import AuthError, DataError
from hub.models import ActivityEntry, ProductSnapshot, SkuBinding, Store, TikTokShop, VariantStock
from hub.models.tiktok_shops import CONNECTED
from hub.sync import policy
from hub.sync.policy import sync_blocked_reason
from hub.sync.products import vat
from hub.sync.stock import away, holds
from hub.sync.stock.rules import desired, rules_from_settings
from hub.sync.stock.schedule import enqueue_pushes, enqueue_reconcile_merchant

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.sync.stock")

PAGE_SIZE = 100
LOW_SEEN_TTL = 24 * 3600
PRICED_STATUSES = {"ACTIVATE"}


@dataclass
class ReconcileReport:
    status: str = "done"
    products_checked: int = 0
    skus_checked: int = 0
    stock_drift: int = 0
    price_drift: int = 0
    pending: int = 0          # TikTok holds what was last pushed, but the store changed since
    waiting_low: int = 0      # lower TikTok stock seen once: repaired if the next run still sees it
    repushed: list[str] = field(default_factory=list)
    drifted: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("status", "products_checked", "skus_checked", "stock_drift",
                                              "price_drift", "pending", "waiting_low", "repushed", "message")}


def _tiktok_skus(client: Any, wanted: set[str], *, token: str | None = None,
                 pages: int | None = None) -> tuple[dict[str, dict[str, Any]], str | None]:
    """sku id → {"price", "quantity", "status"} for the shop's products the hub has bound, from the page
    `token` on, at most `pages` pages (all without); and the token of the next page (None at the end)."""
    found: dict[str, dict[str, Any]] = {}
    read = 0
    while True:
        page = client.products.search(page_size=PAGE_SIZE, page_token=token)
        read += 1
        for product in page.get("products") or []:
            if str(product.get("id")) not in wanted:
                continue
            for sku in product.get("skus") or []:
                price = _display_price(sku.get("price") or {})
                found[str(sku.get("id"))] = {
                    "price": price, "status": product.get("status"),
                    "quantity": sum(int(i.get("quantity") or 0) for i in sku.get("inventory") or []),
                    "by_warehouse": {str(i.get("warehouse_id")): int(i.get("quantity") or 0)
                                     for i in sku.get("inventory") or [] if i.get("warehouse_id")},
                }
        token = page.get("next_page_token") or None
        if not token or (pages is not None and read >= pages):
            return found, token


def _display_price(price: dict[str, Any]) -> str | None:
    """The price buyers see, which is what the hub sends as `price.amount` for a UK local shop.

    Product search 202502 documents `tax_exclusive_price` as the local display price for local sellers
    and `sale_price` for global sellers only (official Node SDK model
    `Product202502SearchProductsResponseDataProductsSkusPrice`, docs/tiktok-client.md); `sale_price` is
    read only when the documented field is missing, so drift is neither missed nor invented.
    """
    value = price.get("tax_exclusive_price")
    if value in (None, ""):
        value = price.get("sale_price")
    return None if value in (None, "") else str(value)


def _same_money(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return False


def reconcile_store(runtime: "Runtime", store_id: str) -> ReconcileReport:
    return reconcile_stores(runtime, [store_id])[store_id]


def reconcile_merchant(runtime: "Runtime", merchant_id: str, *, in_slices: bool = False) -> dict[str, ReconcileReport]:
    """Every store of the merchant that has products on TikTok, against one read of the merchant's shop.

    `in_slices` (the periodic job): read `SLICE_PAGES` pages, keep what was read in Redis and queue the
    job again for the next pages, so a shop of thousands of products never holds a worker (asleep on the
    shop's search budget) for the whole read while live price, stock and order jobs wait for it."""
    with runtime.db.session_scope() as session:
        stores = list(session.scalars(_reconcilable().where(Store.merchant_id == merchant_id)))
    return reconcile_stores(runtime, stores, in_slices=in_slices)


SLICE_PAGES = 5  # 500 products: 0.1 s of TikTok's default search budget of 50 requests a second
READ_TTL = 600  # a read left unfinished this long starts again from the first page


def _read_key(merchant_id: str) -> str:
    return f"hub:reconcile-read:{merchant_id}"


def reconcile_stores(runtime: "Runtime", store_ids: list[str], *,
                     in_slices: bool = False) -> dict[str, ReconcileReport]:
    """Reconcile these stores, reading each merchant's TikTok shop once for all of its stores.

    The stores of a merchant share its one shop, and a read pages through every product of the shop:
    read per store, five stores cost five times the shop's search budget (and a worker's time asleep on
    it) for the same answer. A read in slices that is not finished reports `reading` and queues the
    merchant's job again (it runs after the live queues' work)."""
    reports: dict[str, ReconcileReport] = {}
    by_merchant: dict[str, dict[str, set[str]]] = defaultdict(dict)
    with runtime.db.session_scope() as session:
        for store_id in store_ids:
            store = session.get(Store, store_id)
            if store is None:
                reports[store_id] = ReconcileReport(status="missing", message="The store no longer exists.")
                continue
            reason = sync_blocked_reason(session, store)
            if reason:
                reports[store_id] = ReconcileReport(status="blocked", message=reason)
                continue
            tiktok_products = set(session.scalars(select(SkuBinding.tiktok_product_id).where(
                SkuBinding.store_id == store_id).distinct()))
            if not tiktok_products:
                reports[store_id] = ReconcileReport(status="empty",
                                                    message="No product of this store is on TikTok yet.")
                continue
            by_merchant[store.merchant_id][store_id] = tiktok_products
    for merchant_id, stores in by_merchant.items():
        lock = runtime.redis.lock(f"hub:reconcile-reading:{merchant_id}", timeout=300, blocking=False)
        if in_slices and not lock.acquire():
            observed: "dict[str, dict[str, Any]] | ReconcileReport | None" = ReconcileReport(
                status="reading", message="Another part of TikTok's products is being read.")
        else:
            try:
                observed = _observe(runtime, merchant_id, set().union(*stores.values()), in_slices=in_slices)
            finally:
                if in_slices:
                    _release(lock)
        if observed is None:
            enqueue_reconcile_merchant(runtime, merchant_id)
            observed = ReconcileReport(status="reading", message="TikTok's products are read in parts; the next "
                                                                 "part follows after the live work waiting.")
        for store_id in stores:
            reports[store_id] = observed if isinstance(observed, ReconcileReport) else \
                _compare(runtime, store_id, observed)
    return reports


def _release(lock: Any) -> None:
    try:
        lock.release()
    except Exception:  # noqa: BLE001 - held past its timeout: the next part of the read starts anyway
        pass


def _observe(runtime: "Runtime", merchant_id: str, tiktok_products: set[str], *,
             in_slices: bool = False) -> "dict[str, dict[str, Any]] | ReconcileReport | None":
    """What the shop holds for these products; the parked report when the connection needs the merchant;
    None when a read in slices has more pages to go (what it read so far is kept in Redis)."""
    from hub.tiktok.connection import client_for_merchant

    key = _read_key(merchant_id)
    kept = json.loads(runtime.redis.get(key) or "null") if in_slices else None
    found, token = (kept["found"], kept["token"]) if kept else ({}, None)
    try:
        with runtime.db.session_scope() as session:
            client = client_for_merchant(session, merchant_id, runtime)
        with client:
            try:
                more, token = _tiktok_skus(client, tiktok_products, token=token,
                                           pages=SLICE_PAGES if in_slices else None)
            except DataError:
                if kept is None:
                    raise
                log.warning("TikTok refused the kept page of merchant %s's product read; reading from the start",
                            merchant_id)
                found, token = {}, None
                more, token = _tiktok_skus(client, tiktok_products, pages=SLICE_PAGES)
    except AuthError as error:
        runtime.redis.delete(key)
        policy.park(runtime, merchant_id, error, "comparing price and stock with TikTok")
        return ReconcileReport(status=policy.PARKED, message=error.message)
    found.update(more)
    if in_slices and token:
        runtime.redis.set(key, json.dumps({"found": found, "token": token}), ex=READ_TTL)
        return None
    if in_slices:
        runtime.redis.delete(key)
    return found


def _compare(runtime: "Runtime", store_id: str, observed: dict[str, dict[str, Any]]) -> ReconcileReport:
    """Record what TikTok holds for the store's SKUs and push whatever differs from the store."""
    report = ReconcileReport()
    with runtime.db.session_scope() as session:
        store = session.get_one(Store, store_id)
        rules = rules_from_settings(store.merchant.settings)
        held = holds.held_units(session, store_id)
        bindings = list(session.scalars(select(SkuBinding).where(SkuBinding.store_id == store_id)))
        stock = {(r.product_id, r.variant_id): r for r in session.scalars(
            select(VariantStock).where(VariantStock.store_id == store_id))}
        # Only products whose prices exclude VAT need their data (variant tax classes): read those alone.
        without_vat = {row.product_id: row.data for row in session.execute(
            select(ProductSnapshot.product_id, ProductSnapshot.data).where(
                ProductSnapshot.store_id == store_id,
                ProductSnapshot.data["prices_include_tax"].as_boolean() == False))}  # noqa: E712 - SQL
        to_push: set[str] = set()
        by_product: dict[str, list[SkuBinding]] = defaultdict(list)
        for binding in bindings:
            by_product[binding.product_id].append(binding)
        for product_id, group in by_product.items():
            lock = runtime.redis.lock(f"hub:stock:lock:{store_id}:{product_id}", timeout=30)
            if not lock.acquire(blocking=False):
                continue  # being pushed right now; the next run looks again
            try:
                checked = False
                for binding in group:
                    seen = observed.get(binding.tiktok_sku_id)
                    row = stock.get((product_id, binding.variant_id))
                    if seen is None or row is None:
                        continue
                    checked = True
                    report.skus_checked += 1
                    product = without_vat.get(product_id)
                    variant = next((v for v in (product or {}).get("variants") or []
                                    if isinstance(v, dict) and str(v.get("id")) == binding.variant_id), None)
                    want = desired(row.quantity, row.price, rules, currency=store.currency or "GBP",
                                   variant=binding.seller_sku or binding.variant_id,
                                   held=held.get((product_id, binding.variant_id), 0),
                                   vat=vat.for_variant(product, variant, rules.vat_classes))
                    want = away.offered(store, want)
                    if _check_sku(runtime, store_id, binding, seen, want, report):
                        to_push.add(product_id)
                report.products_checked += checked
            finally:
                try:
                    lock.release()
                except Exception:  # noqa: BLE001
                    pass
        drift = report.stock_drift + report.price_drift
        if drift:
            session.add(ActivityEntry(
                merchant_id=store.merchant_id, store_id=store_id, kind="reconcile.drift", level="warning",
                subject_type="store", subject_id=store_id,
                message=(f"TikTok held a different price or stock for {drift} SKU(s) than the store; "
                         "the store's values were sent again."),
                data={"stock_drift": report.stock_drift, "price_drift": report.price_drift,
                      "pending": report.pending, "skus": report.drifted[:50]}))
    enqueue_pushes(runtime, store_id, sorted(to_push))
    report.repushed = sorted(to_push)
    holds.prune(runtime, store_id)
    return report


def _check_sku(runtime: "Runtime", store_id: str, binding: SkuBinding, seen: dict[str, Any], want: Any,
               report: ReconcileReport) -> bool:
    """Record what TikTok holds for one SKU; True if a push is needed to bring it in line."""
    needs_push = False
    low_key = f"hub:reconcile:low:{store_id}:{binding.tiktok_sku_id}"
    if binding.sold_out_deactivated_at is not None and want.quantity == 0:
        return False  # off sale because TikTok refused 0: the stale figure TikTok shows sells nothing
    quantity = seen["quantity"]
    if binding.tiktok_warehouse_id and binding.tiktok_warehouse_id in seen.get("by_warehouse", {}):
        quantity = seen["by_warehouse"][binding.tiktok_warehouse_id]  # the shop's other warehouses are not ours
    if quantity != want.quantity:
        if quantity == binding.pushed_quantity:
            report.pending += 1
            needs_push = True
        elif quantity < want.quantity and not runtime.redis.get(low_key):
            runtime.redis.set(low_key, "1", ex=LOW_SEEN_TTL)
            report.waiting_low += 1
        else:
            runtime.redis.delete(low_key)
            report.stock_drift += 1
            report.drifted.append({"variant_id": binding.variant_id, "seller_sku": binding.seller_sku,
                                   "field": "stock", "tiktok": quantity, "store": want.quantity})
            binding.pushed_quantity = quantity
            needs_push = True
    else:
        runtime.redis.delete(low_key)
        binding.pushed_quantity = quantity
    if want.price is not None and seen["status"] in PRICED_STATUSES and seen["price"] is not None:
        if not _same_money(seen["price"], want.price):
            if _same_money(seen["price"], binding.pushed_price):
                report.pending += 1
            else:
                report.price_drift += 1
                report.drifted.append({"variant_id": binding.variant_id, "seller_sku": binding.seller_sku,
                                       "field": "price", "tiktok": seen["price"], "store": want.price})
            binding.pushed_price = str(seen["price"])
            needs_push = True
        else:
            binding.pushed_price = want.price
    return needs_push


def _reconcilable() -> Any:
    """Stores that have products on TikTok and a connected shop."""
    return (select(Store.id).join(TikTokShop, TikTokShop.merchant_id == Store.merchant_id)
            .where(Store.sync_enabled.is_(True), Store.revoked_at.is_(None), TikTokShop.status == CONNECTED,
                   Store.id.in_(select(SkuBinding.store_id).distinct())))


def reconcile_all(runtime: "Runtime") -> int:
    """Enqueue one reconciliation per merchant (its shop is read once for all its stores); returns the stores."""
    with runtime.db.session_scope() as session:
        stores = session.execute(_reconcilable().add_columns(Store.merchant_id)).all()
    for merchant_id in sorted({merchant_id for _store, merchant_id in stores}):
        enqueue_reconcile_merchant(runtime, merchant_id)
    return len(stores)
