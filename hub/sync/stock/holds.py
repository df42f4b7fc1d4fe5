"""Units TikTok has sold that the store's stock does not show yet, kept off every quantity pushed.

TikTok lowers its own stock the moment a buyer orders. The store's stock drops only later: the order is
imported after TikTok's one-hour hold, handed to the store, created there, and the store then reports
its new quantity. Every push and reconciliation writes an absolute quantity, so pushing the store's
figure in between would hand the sold units back to TikTok and the last units could sell twice. The
quantity pushed is therefore the store's quantity minus the units of the TikTok orders it does not
reflect yet (`held_units`), and the rule for "does not reflect yet" is read at push time from the
order's own status, so there is nothing to forget to release:

- the order is Pending (in TikTok's hold, waiting for the import point, or handed to the store and not
  created yet) or Failed (TikTok has sold the units; the store has no order): **held**;
- Cancelled: **released** (TikTok puts the units back itself; the store never took them);
- Created: held until the store reports the variant's stock with a newer version than the one the hub
  held when it handed the order over (`since_version`), because only a report made after the store
  created the order can include it. A variant whose stock the store does not track is released at once.

The two messages that end a hold race each other, and either order is safe:
- stock report first, "created" second: until "created" arrives the units are counted twice (the report
  already lacks them and the order is still held): TikTok briefly shows fewer units, never more. The
  status change enqueues a push, which sends the right figure;
- "created" first, report second: the order stays held until the report arrives, so the figure pushed
  meanwhile is the old store stock minus the order, which is what TikTok holds.
A newer report that does not yet show the order (the store's stock changed for another reason just
before it created the order) releases the hold a few seconds early; the order's own report follows.
docs/decisions.md, "Stock after an order".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from hub.models import Order, ProductSnapshot, SkuBinding, StockHold, Store, VariantStock
from hub.models.orders import CANCELLED, CREATED, FAILED, PENDING

if TYPE_CHECKING:
    from hub.runtime import Runtime

HELD_STATUSES = (PENDING, FAILED)
CLOCK_MARGIN = 5.0  # seconds between TikTok's order clock and the hub's


def _in_force():  # noqa: ANN202 - a SQL expression over StockHold, Order and VariantStock
    return or_(Order.status.in_(HELD_STATUSES),
               and_(Order.status == CREATED, StockHold.tracked.is_(True),
                    func.coalesce(VariantStock.version, 0) <= StockHold.since_version))


def held_units(session: Session, store_id: str, product_ids: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
    """(product id, variant id) → units held, for one store (optionally some of its products)."""
    query = (select(StockHold.product_id, StockHold.variant_id, func.sum(StockHold.quantity))
             .join(Order, Order.id == StockHold.order_id)
             .outerjoin(VariantStock, and_(VariantStock.store_id == StockHold.store_id,
                                           VariantStock.product_id == StockHold.product_id,
                                           VariantStock.variant_id == StockHold.variant_id))
             .where(StockHold.store_id == store_id, _in_force())
             .group_by(StockHold.product_id, StockHold.variant_id))
    if product_ids is not None:
        query = query.where(StockHold.product_id.in_(list(product_ids)))
    return {(product, variant): int(units) for product, variant, units in session.execute(query)}


def held_by_variant(store_id: Any, product_id: Any) -> Subquery:
    """`held_units` of one product as a subquery (variant_id, units), to join into a larger read."""
    return (select(StockHold.variant_id, func.sum(StockHold.quantity).label("units"))
            .join(Order, Order.id == StockHold.order_id)
            .outerjoin(VariantStock, and_(VariantStock.store_id == StockHold.store_id,
                                          VariantStock.product_id == StockHold.product_id,
                                          VariantStock.variant_id == StockHold.variant_id))
            .where(StockHold.store_id == store_id, StockHold.product_id == product_id, _in_force())
            .group_by(StockHold.variant_id)
            .subquery("held"))


def _ordered_units(order: Order) -> dict[str, int]:
    units: dict[str, int] = defaultdict(int)
    for line in (order.summary or {}).get("lines") or []:
        sku_id, quantity = str(line.get("sku_id") or ""), int(line.get("quantity") or 0)
        if sku_id and quantity > 0:
            units[sku_id] += quantity
    return units


def _version(session: Session, store_id: str, product_id: str, variant_id: str) -> int:
    return int(session.scalar(select(VariantStock.version).where(
        VariantStock.store_id == store_id, VariantStock.product_id == product_id,
        VariantStock.variant_id == variant_id)) or 0)


def _tracked(session: Session, store_id: str, product_id: str, variant_id: str) -> bool:
    """False when the store says it does not track the variant's stock (its quantity never drops)."""
    data = session.scalar(select(ProductSnapshot.data).where(ProductSnapshot.store_id == store_id,
                                                             ProductSnapshot.product_id == product_id))
    for variant in (data or {}).get("variants") or []:
        if str(variant.get("id")) == variant_id:
            return variant.get("manage_stock") is not False
    return True


def track(session: Session, order: Order, ordered_at: int | None = None) -> None:
    """Bring the order's holds in line with its lines (TikTok's view, cancelled units left out).

    Only while the store has no order: a created order's lines are in the store's hands, and its holds,
    once released and pruned, must not come back. New or changed holds push the product, because a push
    that TikTok confirmed after the buyer ordered may have written the units back.

    `ordered_at` (TikTok's `create_time`, Unix seconds): when every push of the SKU was confirmed before
    it, TikTok took the units off the figure the hub last pushed, so `pushed_quantity` is lowered to what
    TikTok now holds and the push finds nothing to send. When a push may have landed after the order,
    it is left alone and the push sends the figure without the units.
    """
    if order.status not in HELD_STATUSES:
        return
    units = _ordered_units(order)
    existing = {h.tiktok_sku_id: h for h in session.scalars(select(StockHold).where(StockHold.order_id == order.id))}
    bindings = list(session.scalars(select(SkuBinding).join(Store, Store.id == SkuBinding.store_id).where(
        Store.merchant_id == order.merchant_id, SkuBinding.tiktok_sku_id.in_(list(units))))) if units else []
    touched: set[tuple[str, str]] = set()
    for binding in bindings:
        quantity = units[binding.tiktok_sku_id]
        hold = existing.pop(binding.tiktok_sku_id, None)
        if hold is None:
            if binding.pushed_quantity is not None and _pushed_before(binding.pushed_at, ordered_at):
                binding.pushed_quantity = max(binding.pushed_quantity - quantity, 0)
            session.add(StockHold(
                order_id=order.id, store_id=binding.store_id, product_id=binding.product_id,
                variant_id=binding.variant_id, tiktok_sku_id=binding.tiktok_sku_id, quantity=quantity,
                tracked=_tracked(session, binding.store_id, binding.product_id, binding.variant_id),
                since_version=_version(session, binding.store_id, binding.product_id, binding.variant_id)))
        elif hold.quantity != quantity:
            hold.quantity = quantity
        else:
            continue
        touched.add((binding.store_id, binding.product_id))
    for hold in existing.values():  # units TikTok no longer counts (cancelled lines)
        session.delete(hold)
        touched.add((hold.store_id, hold.product_id))
    _push_after_commit(session, touched)


def _pushed_before(pushed_at: datetime | None, ordered_at: int | None) -> bool:
    """The last confirmed push certainly happened before the buyer ordered (clocks may differ a little)."""
    if ordered_at is None:
        return False
    if pushed_at is None:
        return True
    stamp = pushed_at if pushed_at.tzinfo else pushed_at.replace(tzinfo=timezone.utc)
    return stamp.timestamp() < float(ordered_at) - CLOCK_MARGIN


def handed_off(session: Session, order: Order) -> None:
    """The store is being asked to create the order now: only a stock report after this can show it."""
    for hold in session.scalars(select(StockHold).where(StockHold.order_id == order.id)):
        hold.since_version = _version(session, hold.store_id, hold.product_id, hold.variant_id)


def status_changed(session: Session, order: Order, status: str) -> None:
    """Created or cancelled: what the order holds may have ended, so its products are pushed again."""
    if status not in (CREATED, CANCELLED):
        return
    touched = {(store_id, product_id) for store_id, product_id in session.execute(
        select(StockHold.store_id, StockHold.product_id).where(StockHold.order_id == order.id).distinct())}
    _push_after_commit(session, touched)


def _push_after_commit(session: Session, products: set[tuple[str, str]]) -> None:
    if not products:
        return
    from hub.sync.orders.aftercommit import after_commit

    by_store: dict[str, list[str]] = defaultdict(list)
    for store_id, product_id in sorted(products):
        by_store[store_id].append(product_id)

    def push() -> None:
        from hub.runtime import current
        from hub.sync.stock.schedule import enqueue_pushes

        runtime = current()
        for store_id, product_ids in by_store.items():
            enqueue_pushes(runtime, store_id, product_ids)

    after_commit(session, push)


def prune(runtime: "Runtime", store_id: str) -> int:
    """Delete holds that ended (cancelled orders; created orders the store's stock shows)."""
    with runtime.db.session_scope() as session:
        ended = (select(StockHold.id)
                 .join(Order, Order.id == StockHold.order_id)
                 .outerjoin(VariantStock, and_(VariantStock.store_id == StockHold.store_id,
                                               VariantStock.product_id == StockHold.product_id,
                                               VariantStock.variant_id == StockHold.variant_id))
                 .where(StockHold.store_id == store_id, Order.status.in_((CREATED, CANCELLED)), ~_in_force()))
        ids = list(session.scalars(ended))
        for start in range(0, len(ids), 1000):
            session.execute(delete(StockHold).where(StockHold.id.in_(ids[start:start + 1000])))
        return len(ids)
