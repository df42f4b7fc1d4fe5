"""The exporter for price and stock: send what TikTok must hold for one product, and record it.

One run per product reads the *latest* desired values (so a burst of 50 changes costs one call per
endpoint), compares them with what TikTok last confirmed (`SkuBinding.pushed_*`) and sends all changed
SKUs of the product in one update-inventory and one update-price call. Pushed values are written only
after TikTok confirms them, so a failed or lost call is simply sent again by the next run.

A Redis lock per product serialises runs: a follow-up job that starts while an earlier one is still
talking to TikTok waits and then reads newer values, so an older value can never land after a newer
one. TikTok is called outside any database transaction.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import String, and_, bindparam, select
from sqlalchemy.orm import Session

from hub.errors import AuthError, DataError, HubError, RetryableError
from hub.models import ActivityEntry, Listing, Merchant, ProductSnapshot, SkuBinding, Store, TikTokShop, VariantStock
from hub.models.listings import FAILED_REVIEW, SYNCED, UNDER_REVIEW
from hub.sync import policy
from hub.sync.products import vat
from hub.sync.products.issues import product_label, variant_label
from hub.sync.stock import away, holds, soldout, warehouses
from hub.sync.stock.rules import Desired, Rules, desired, rules_from_settings

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.tiktok.client import ShopClient

log = logging.getLogger("hub.sync.stock")

LOCK_TIMEOUT = 120          # longer than one run can take (rate-limit waits are bounded at 30 s per call)
LOCK_WAIT = 90
# TikTok refuses a price change while the product is not live or a promotion fixes its price; the price
# is sent again once that ends (next change, or reconciliation), it is not a data problem of the store.
PRICE_NOT_NOW = {"tiktok_12019113", "tiktok_12052901", "tiktok_12052038", "tiktok_12019045"}
STOCK_NOT_NOW = {"tiktok_12052901"}
NO_PRICE_STATUSES = {UNDER_REVIEW, FAILED_REVIEW, SYNCED}
REASON_PREFIX = "push."

PUSHED, UNCHANGED, NOT_LISTED, BLOCKED, PARKED, PARTIAL, MISSING = (
    "pushed", "unchanged", "not_listed", "blocked", "parked", "partial", "missing")


@dataclass
class SkuPush:
    binding_id: int
    tiktok_product_id: str
    tiktok_sku_id: str
    variant_id: str
    seller_sku: str | None
    version: int
    want: Desired
    send_price: bool
    send_quantity: bool
    warehouse_id: str | None = None
    sold_out_flagged: bool = False   # the product is off sale on TikTok because this SKU could not go to 0
    pushed_quantity: int | None = None
    price_ok: bool = False
    quantity_ok: bool = False
    warehouse_filled: bool = False   # read from TikTok's product detail during this run
    warehouse_stale: bool = False    # TikTok says the recorded warehouse is not the SKU's
    zero_refused: bool = False
    flag_sold_out: bool = False
    clear_sold_out: bool = False

    @property
    def label(self) -> str:
        return self.seller_sku or self.variant_id

    @property
    def on_tiktok(self) -> bool:
        """TikTok holds the desired quantity (sent now, or already)."""
        return self.quantity_ok or (not self.send_quantity and self.pushed_quantity == self.want.quantity)


@dataclass
class Problem:
    variant_id: str
    seller_sku: str | None
    code: str
    message: str
    fix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"variant_id": self.variant_id, "seller_sku": self.seller_sku, "code": self.code,
                "message": self.message, "fix": self.fix}


@dataclass
class PushOutcome:
    status: str
    calls: int = 0
    price_skus: int = 0
    stock_skus: int = 0
    problems: list[Problem] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)    # TikTok product ids taken off sale (sold out)
    reactivated: list[str] = field(default_factory=list)    # ... and put back on sale (restocked)
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "calls": self.calls, "price_skus": self.price_skus,
                "stock_skus": self.stock_skus, "problems": [p.as_dict() for p in self.problems],
                "deferred": self.deferred, "deactivated": self.deactivated, "reactivated": self.reactivated,
                "message": self.message}


def _now() -> datetime:
    return datetime.now(timezone.utc)


@functools.cache
def _plan_statement() -> Any:
    """One read for the whole plan, built once: the product's bindings with their stock row, the units
    held for unsent TikTok orders, whether the store's prices exclude VAT and the listing's status."""
    store_id, product_id = bindparam("store_id", type_=String), bindparam("product_id", type_=String)
    held = holds.held_by_variant(store_id, product_id)
    excludes_vat = (select(ProductSnapshot.data["prices_include_tax"])
                    .where(ProductSnapshot.store_id == store_id, ProductSnapshot.product_id == product_id)
                    .scalar_subquery())
    listing_status = (select(Listing.status)
                      .where(Listing.store_id == store_id, Listing.product_id == product_id)
                      .scalar_subquery())
    return (select(SkuBinding.id, SkuBinding.variant_id, SkuBinding.tiktok_product_id, SkuBinding.tiktok_sku_id,
                    SkuBinding.seller_sku, SkuBinding.tiktok_warehouse_id, SkuBinding.pushed_price,
                    SkuBinding.pushed_quantity, SkuBinding.sold_out_deactivated_at,
                    VariantStock.id.label("stock_id"), VariantStock.quantity, VariantStock.price,
                    VariantStock.version, held.c.units, excludes_vat.label("prices_include_tax"),
                    listing_status.label("listing_status"))
             .select_from(SkuBinding)
             .outerjoin(VariantStock, and_(VariantStock.store_id == SkuBinding.store_id,
                                           VariantStock.product_id == SkuBinding.product_id,
                                           VariantStock.variant_id == SkuBinding.variant_id))
             .outerjoin(held, held.c.variant_id == SkuBinding.variant_id)
             .where(SkuBinding.store_id == store_id, SkuBinding.product_id == product_id)
             .order_by(SkuBinding.id))


def load_plan(session: Session, store: Store, product_id: str,
              rules: Rules | None = None) -> tuple[list[SkuPush], list[Problem]]:
    """Every bound SKU of the product with its desired values and what of it TikTok lacks."""
    rows = session.execute(_plan_statement(), {"store_id": store.id, "product_id": product_id}).all()
    if not rows:
        return [], []
    rules = rules or rules_from_settings(store.merchant.settings)
    product: dict[str, Any] = {}
    flag = rows[0].prices_include_tax  # SQLite's JSON_EXTRACT gives 0 for false: any falsy value but None
    if flag is not None and not flag:  # prices may exclude VAT: the variants' tax classes are read too
        product = session.scalar(select(ProductSnapshot.data).where(
            ProductSnapshot.store_id == store.id, ProductSnapshot.product_id == product_id)) or {}
    variants = {str(v.get("id")): v for v in product.get("variants") or [] if isinstance(v, dict)}
    price_allowed = rows[0].listing_status not in NO_PRICE_STATUSES
    plan: list[SkuPush] = []
    problems: list[Problem] = []
    for row in rows:
        if row.stock_id is None:
            continue  # the store has not reported this variant's stock: nothing to propagate
        # No `variant`: a problem's message is bare, and the reason names the product and variant once.
        want = desired(row.quantity, row.price, rules, currency=store.currency or "GBP", held=int(row.units or 0),
                       vat=vat.for_variant(product, variants.get(row.variant_id), rules.vat_classes))
        want = away.offered(store, want)
        if want.price_error is not None:
            problems.append(Problem(row.variant_id, row.seller_sku, want.price_error.code,
                                    want.price_error.message,
                                    getattr(want.price_error, "fix", None)
                                    or "Change the price in your store or the price rule in the settings page."))
        flagged = row.sold_out_deactivated_at is not None
        send_price = price_allowed and want.price is not None and want.price != row.pushed_price
        # A SKU whose 0 TikTok refused stays as TikTok holds it while the product is off sale.
        send_quantity = want.quantity != row.pushed_quantity and not (flagged and want.quantity == 0)
        plan.append(SkuPush(row.id, row.tiktok_product_id, row.tiktok_sku_id, row.variant_id,
                            row.seller_sku, row.version, want, send_price, send_quantity,
                            warehouse_id=row.tiktok_warehouse_id, sold_out_flagged=flagged,
                            pushed_quantity=row.pushed_quantity))
    return plan, problems


def needs_reactivation(plan: list[SkuPush]) -> bool:
    """Off sale for a sold-out SKU, and none of those SKUs is sold out any more."""
    flagged = [s for s in plan if s.sold_out_flagged]
    return bool(flagged) and all(s.want.quantity > 0 for s in flagged)


def _send(client: "ShopClient", skus: list[SkuPush], outcome: PushOutcome) -> HubError | None:
    """Inventory first (an oversell costs more than a stale price), then price; per TikTok product.

    Returns the error that stopped the run (retryable or auth) after recording what did succeed.
    """
    by_product: dict[str, list[SkuPush]] = defaultdict(list)
    for sku in skus:
        by_product[sku.tiktok_product_id].append(sku)
    try:
        for tiktok_product_id, group in by_product.items():
            stock = [s for s in group if s.send_quantity]
            if stock:
                warehouses.fill_from_detail(client, tiktok_product_id, stock)
                outcome.calls += 1
                try:
                    data = client.products.update_inventory(
                        tiktok_product_id, [{"id": s.tiktok_sku_id,
                                             "inventory": [warehouses.inventory_entry(s.warehouse_id, s.want.quantity)]}
                                            for s in stock])
                except DataError as error:
                    if error.code in STOCK_NOT_NOW:
                        outcome.deferred.extend(f"stock:{s.variant_id}" for s in stock)
                    else:
                        for sku in stock:
                            _stock_refused(sku, error.code, error.message, outcome)
                else:
                    failed = _inventory_errors(data)
                    for sku in stock:
                        if sku.tiktok_sku_id in failed:
                            _stock_refused(sku, *failed[sku.tiktok_sku_id], outcome)
                        else:
                            sku.quantity_ok = True
                            outcome.stock_skus += 1
            _sold_out(client, tiktok_product_id, group, outcome)
            prices = [s for s in group if s.send_price]
            if prices:
                outcome.calls += 1
                try:
                    client.products.update_price(
                        tiktok_product_id, [{"id": s.tiktok_sku_id, "price": {"amount": s.want.price, "currency": "GBP"}}
                                            for s in prices])
                except DataError as error:
                    _whole_call_failed(error, prices, outcome, PRICE_NOT_NOW, "price")
                else:
                    for sku in prices:
                        sku.price_ok = True
                        outcome.price_skus += 1
    except (RetryableError, AuthError) as error:
        return error
    return None


def _inventory_errors(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Per-SKU failures of a batch inventory update (`data.errors[]`, docs/tiktok-api.md)."""
    failed: dict[str, tuple[str, str]] = {}
    for error in data.get("errors") or []:
        detail = error.get("detail") or {}
        sku_id = str(detail.get("sku_id") or "")
        extra = (detail.get("extra_errors") or [{}])[0]
        code = extra.get("code") or error.get("code")
        message = extra.get("message") or error.get("message") or "no reason given"
        failed[sku_id] = (f"tiktok_{code}", str(message))
    return failed


def _stock_refused(sku: SkuPush, code: str, message: str, outcome: PushOutcome) -> None:
    """Say why TikTok would not take a SKU's quantity, in terms the merchant can act on."""
    if sku.want.quantity == 0 and code in soldout.QUANTITY_REFUSED:
        sku.zero_refused = True  # handled for the whole product by _sold_out
        return
    if code in soldout.PROMOTION_REFUSED:
        reason, fix = soldout.promotion_problem(sku.want.quantity, message)
        outcome.problems.append(Problem(sku.variant_id, sku.seller_sku, "promotion_stock", reason, fix))
        return
    if code in warehouses.WRONG_WAREHOUSE:
        sku.warehouse_stale = True
        fix = ("The hub reads the SKU's warehouse from TikTok again at the next push; if this persists, check "
               "the SKU's warehouse in TikTok Seller Center.")
    elif code in warehouses.SEVERAL_WAREHOUSES:
        fix = (f"This SKU has stock in more than one TikTok warehouse, and the hub keeps the stock of warehouse "
               f"{sku.warehouse_id or '(unknown)'} only. In TikTok Seller Center keep the SKU in that one "
               "warehouse, then click Sync.")
    else:
        fix = "Check the SKU's warehouse and stock in TikTok Seller Center."
    outcome.problems.append(Problem(sku.variant_id, sku.seller_sku, code,
                                    f"TikTok refused the stock update: {message}", fix))


def _sold_out(client: "ShopClient", tiktok_product_id: str, group: list[SkuPush], outcome: PushOutcome) -> None:
    """Take the product off sale when TikTok refused 0 for a SKU; put it back once none is sold out."""
    refused = [s for s in group if s.zero_refused]
    already_off = any(s.sold_out_flagged for s in group)
    if refused and not already_off:
        outcome.calls += 1
        try:
            error = soldout.batch_error(client.products.deactivate([tiktok_product_id]), tiktok_product_id)
        except DataError as exc:
            error = exc.message
        if error is not None:
            for sku in refused:
                outcome.problems.append(Problem(
                    sku.variant_id, sku.seller_sku, "sold_out_not_deactivated",
                    f"Sold out in your store, but TikTok does not accept a stock of 0 and did not take the product "
                    f"off sale either (TikTok: {error}); TikTok still offers its last stock.",
                    "Deactivate the product in TikTok Seller Center, or restock the variant in your store."))
            return
        outcome.deactivated.append(tiktok_product_id)
    for sku in refused:
        sku.flag_sold_out = True
    if refused or not needs_reactivation(group):
        return
    if not all(s.on_tiktok for s in group if s.sold_out_flagged):
        return  # the restocked quantity did not reach TikTok: activating would sell the old figure
    outcome.calls += 1
    try:
        error = soldout.batch_error(client.products.activate([tiktok_product_id]), tiktok_product_id)
    except DataError as exc:
        error = exc.message
    if error is not None:
        outcome.problems.append(Problem(
            group[0].variant_id, group[0].seller_sku, "restocked_not_activated",
            f"Restocked, but TikTok would not put the product back on sale: {error}",
            "Activate the product in TikTok Seller Center."))
        return
    for sku in group:
        sku.clear_sold_out = sku.sold_out_flagged
    outcome.reactivated.append(tiktok_product_id)


def _whole_call_failed(error: DataError, skus: list[SkuPush], outcome: PushOutcome, not_now: set[str],
                       what: str) -> None:
    if error.code in not_now:
        outcome.deferred.extend(f"{what}:{s.variant_id}" for s in skus)
        return
    for sku in skus:
        outcome.problems.append(Problem(sku.variant_id, sku.seller_sku, error.code,
                                        f"TikTok refused the {what} update: {error.message}",
                                        error.fix or "Check the product in TikTok Seller Center."))


def _record(session: Session, store: "Store | _StoreIds", product_id: str, skus: list[SkuPush], outcome: PushOutcome) -> None:
    """Write confirmed values, and show problems (or clear those this role reported before)."""
    now = _now()
    bindings = {b.id: b for b in session.scalars(select(SkuBinding).where(
        SkuBinding.id.in_([s.binding_id for s in skus])))} if skus else {}
    for sku in skus:
        binding = bindings.get(sku.binding_id)
        if binding is None:
            continue
        if sku.warehouse_filled:
            binding.tiktok_warehouse_id = sku.warehouse_id
        if sku.warehouse_stale:
            binding.tiktok_warehouse_id = None
        if sku.flag_sold_out and binding.sold_out_deactivated_at is None:
            binding.sold_out_deactivated_at = now
        if sku.clear_sold_out:
            binding.sold_out_deactivated_at = None
        if sku.quantity_ok:
            binding.pushed_quantity = sku.want.quantity
        if sku.price_ok:
            binding.pushed_price = sku.want.price
        if sku.quantity_ok or sku.price_ok:
            binding.pushed_at = now
        in_step = binding.pushed_quantity == sku.want.quantity and (
            sku.want.price is None or binding.pushed_price == sku.want.price)
        if in_step and sku.version > (binding.pushed_version or 0):
            binding.pushed_version = sku.version
    listing = session.scalar(select(Listing).where(Listing.store_id == store.id, Listing.product_id == product_id))
    _record_sold_out(session, store, product_id, skus, outcome, listing)
    if listing is not None and listing.reason_code == soldout.SOLD_OUT_CODE and outcome.problems:
        # The product is off sale for a sold-out SKU; that stays its reason, the rest goes to the log.
        session.add(ActivityEntry(
            merchant_id=store.merchant_id, store_id=store.id, kind="stock.push_failed", level="error",
            subject_type="product", subject_id=product_id,
            message=f"Price or stock of product {product_id} could not be sent to TikTok: "
                    f"{outcome.problems[0].message}",
            data={"problems": [p.as_dict() for p in outcome.problems]}))
        return
    if outcome.problems:
        first = outcome.problems[0]
        code = (REASON_PREFIX + first.code)[:60]
        new = listing is None or listing.reason_code != code
        if listing is not None:
            listing.reason_code = code
            listing.reason = problems_reason(session, store.id, product_id, outcome.problems)
            listing.fix = first.fix
        if new:
            session.add(ActivityEntry(
                merchant_id=store.merchant_id, store_id=store.id, kind="stock.push_failed", level="error",
                subject_type="product", subject_id=product_id,
                message=f"Price or stock of product {product_id} could not be sent to TikTok: {first.message}",
                data={"problems": [p.as_dict() for p in outcome.problems]}))
    elif listing is not None and (listing.reason_code or "").startswith(REASON_PREFIX):
        listing.reason_code = listing.reason = listing.fix = None


def problems_reason(session: Session, store_id: str, product_id: str, problems: list[Problem]) -> str:
    """“Title” (product 96), GOLD (variant 96-GOLD): the TikTok price would be …; … — like every reason."""
    title = session.scalar(select(ProductSnapshot.title).where(ProductSnapshot.store_id == store_id,
                                                              ProductSnapshot.product_id == product_id))
    parts = [f"{variant_label({'sku': p.seller_sku, 'id': p.variant_id})}: {p.message}" for p in problems]
    return f"{product_label({'title': title, 'id': product_id})}, " + "; ".join(parts)


def _record_sold_out(session: Session, store: "Store | _StoreIds", product_id: str, skus: list[SkuPush], outcome: PushOutcome,
                     listing: Listing | None) -> None:
    if outcome.deactivated:
        labels = [s.label for s in skus if s.flag_sold_out]
        soldout.mark_deactivated(listing, labels)
        session.add(ActivityEntry(
            merchant_id=store.merchant_id, store_id=store.id, kind="stock.sold_out_deactivated", level="warning",
            subject_type="product", subject_id=product_id,
            message=f"Product {product_id}: {soldout.deactivated_reason(labels)[0]}",
            data={"tiktok_product_ids": outcome.deactivated, "variants": labels}))
    elif any(s.flag_sold_out for s in skus) and listing is not None and listing.reason_code == soldout.SOLD_OUT_CODE:
        soldout.mark_deactivated(listing, [s.label for s in skus if s.flag_sold_out or s.sold_out_flagged])
    if outcome.reactivated:
        soldout.mark_reactivated(listing)
        session.add(ActivityEntry(
            merchant_id=store.merchant_id, store_id=store.id, kind="stock.restocked_activated", level="info",
            subject_type="product", subject_id=product_id,
            message=f"Product {product_id} is back in stock and was activated again on TikTok; TikTok reviews it "
                    "before buyers can see it.",
            data={"tiktok_product_ids": outcome.reactivated}))


def push_product(runtime: "Runtime", store_id: str, product_id: str,
                 client: "ShopClient | None" = None, *, wait: bool = True) -> PushOutcome:
    """Bring TikTok's price and stock of one store product in line with the store.

    Raises `RetryableError` (incl. rate limits) for the job layer's backoff, after recording whatever
    TikTok did confirm. Data problems are recorded and returned; auth problems park the run. A caller
    pushing many products in a row passes its own `client` (kept open) to reuse one connection;
    otherwise the process's kept client of the shop is used. `wait=False`: a product another run is
    pushing right now raises `stock_push_busy` at once instead of waiting for it.
    """
    lock = runtime.redis.lock(f"hub:stock:lock:{store_id}:{product_id}", timeout=LOCK_TIMEOUT,
                              blocking_timeout=LOCK_WAIT)
    if not lock.acquire(blocking=wait):
        raise RetryableError(f"Product {product_id} is still being pushed by another worker",
                             code="stock_push_busy")
    try:
        return _push_locked(runtime, store_id, product_id, client)
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - an expired lock needs no release
            pass


class _StoreIds(NamedTuple):
    """What recording an outcome needs of the store, without loading it again."""

    id: str
    merchant_id: str


@functools.cache
def _store_statement() -> Any:
    """The store with its merchant's TikTok shop and settings in one read, built once."""
    return (select(Store, TikTokShop, Merchant.settings)
            .join(Merchant, Merchant.id == Store.merchant_id)
            .outerjoin(TikTokShop, TikTokShop.merchant_id == Store.merchant_id)
            .where(Store.id == bindparam("store_id")))


def _kept_client(runtime: "Runtime", shop: TikTokShop | None) -> "ShopClient":
    from hub.tiktok.connection import kept_client_for_shop

    if shop is None:
        raise AuthError("No TikTok shop is connected yet: connect one in the settings page",
                        code="tiktok_not_connected")
    return kept_client_for_shop(runtime, shop)


def _push_locked(runtime: "Runtime", store_id: str, product_id: str,
                 shared: "ShopClient | None" = None) -> PushOutcome:
    with runtime.db.session_scope() as session:
        found = session.execute(_store_statement(), {"store_id": store_id}).first()
        if found is None:
            return PushOutcome(MISSING, message="The store no longer exists.")
        store, shop, settings = found
        reason = policy.blocked(store, shop)
        if reason:
            return PushOutcome(BLOCKED, message=str(reason))
        plan, problems = load_plan(session, store, product_id, rules_from_settings(settings))
        if not plan and not problems:
            return PushOutcome(NOT_LISTED, message="The product is not on TikTok yet.")
        to_send = [s for s in plan if s.send_price or s.send_quantity]
        outcome = PushOutcome(UNCHANGED, problems=list(problems))
        if not to_send and not needs_reactivation(plan):  # a restocked product goes back on sale regardless
            _record(session, store, product_id, plan, outcome)
            return outcome
        merchant_id = store.merchant_id
        try:
            client = shared if shared is not None else _kept_client(runtime, shop)
        except AuthError as error:
            policy.park(runtime, merchant_id, error, "sending price and stock")
            return PushOutcome(PARKED, message=error.message)
    stopped = _send(client, plan, outcome)  # every SKU: what is off sale is decided per product
    with runtime.db.session_scope() as session:
        if session.scalar(select(Store.id).where(Store.id == store_id)) is not None:
            _record(session, _StoreIds(store_id, merchant_id), product_id, plan, outcome)
    if isinstance(stopped, AuthError):
        policy.park(runtime, merchant_id, stopped, "sending price and stock")
        outcome.status, outcome.message = PARKED, stopped.message
        return outcome
    if stopped is not None:
        raise stopped
    outcome.status = PARTIAL if outcome.problems or outcome.deferred else PUSHED
    return outcome
