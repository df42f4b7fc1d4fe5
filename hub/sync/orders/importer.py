"""Bringing TikTok orders in: webhook → fetch → one order row → `order.create` at the import point.

Webhooks only say "order X changed"; the importer always fetches the order itself, so a duplicate,
late or out-of-order webhook cannot make the hub act on a stale status — it reads TikTok's current
state, and an older view than the one stored (`update_time`) is ignored. Webhooks name orders to read
in the shop's waiting set and fetch jobs read them up to 50 at a time (`hub.sync.orders.batches`), so
a burst of webhooks for one order is one read, and a burst of orders a few calls.

The import point is the merchant's `orders.import_at` setting: `AWAITING_SHIPMENT` (default; after
TikTok's one-hour hold, when the address is visible and the buyer can no longer cancel freely) or
`immediately` (as soon as the order is paid, ON_HOLD included; the address may still be hidden then,
and the ORDER says so with `address_pending`). Unpaid orders are never imported.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from hub.db import is_contention
from hub.errors import AuthError, DataError
from hub.merchant_settings import load_settings
from hub.models import Command, Merchant, Order, TikTokNotification, TikTokShop
from hub.models.commands import FAILED as COMMAND_FAILED
from hub.models.commands import LEASED as COMMAND_LEASED
from hub.models.commands import PENDING as COMMAND_PENDING
from hub.models.orders import CANCELLED, CREATED, FAILED, FULFIL_QUEUED, FULFIL_WAITING_HOLD, PENDING
from hub.sync import policy
from hub.sync.orders import batches, handoff, returns
from hub.sync.orders.matching import default_store, group_lines, match
from hub.sync.orders.status import set_status
from hub.sync.stock import holds

if TYPE_CHECKING:
    from hub.runtime import Runtime

AFTER_HOLD = ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED",
              "COMPLETED")
IN_HOLD = ("UNPAID", "ON_HOLD")
SHIPPABLE = ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")
CANCEL_STATUSES = ("CANCELLED", "CANCEL")  # the webhook docs say CANCEL where the Order API says CANCELLED

log = logging.getLogger("hub.sync.orders")


def job_id(shop_id: str) -> str:
    """The id of the shop's fetch job (`order-fetch-<shop>`)."""
    return batches.job_id(shop_id)


def _order_id(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or len(text) > 64:
        raise DataError(f"The notification has no usable order_id ({value!r})", code="tiktok_bad_notification")
    return text


def enqueue_import(runtime: "Runtime", shop_id: str, tiktok_order_id: str) -> None:
    batches.request(runtime, shop_id, [tiktok_order_id])


def on_notification(session: Session, shop: TikTokShop, notification: TikTokNotification) -> None:
    """Order status (type 1) and cancellation (type 11) webhooks: queue a fetch of the order."""
    from hub.runtime import current

    data = (notification.payload or {}).get("data") or {}
    if str(notification.shop_id) != str(shop.shop_id):
        raise DataError(f"The notification is for shop {notification.shop_id}, not {shop.shop_id}",
                        code="tiktok_wrong_shop")
    if notification.type == returns.RETURN_STATUS_CHANGE:
        returns.on_notification(shop.shop_id, data)
        return
    enqueue_import(current(), shop.shop_id, _order_id(data.get("order_id")))


def fetch_orders(runtime: "Runtime", shop: TikTokShop, tiktok_order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """TikTok's view of up to 50 orders in one call, by order id (ids TikTok did not return are absent)."""
    from hub.tiktok.connection import client_for_shop

    with client_for_shop(runtime, shop) as client:
        orders = client.orders.detail(list(tiktok_order_ids))["orders"]
    wanted = {str(tid) for tid in tiktok_order_ids}
    return {str(o.get("id")): o for o in orders if str(o.get("id")) in wanted}


def fetch_order(runtime: "Runtime", shop: TikTokShop, tiktok_order_id: str) -> dict[str, Any]:
    found = fetch_orders(runtime, shop, [tiktok_order_id]).get(str(tiktok_order_id))
    if found is None:
        raise DataError(f"TikTok returned no order {tiktok_order_id}", code="tiktok_order_not_found")
    return found


def import_orders(runtime: "Runtime", shop_id: str) -> dict[str, Any]:
    """Claim up to 50 of the shop's waiting order ids, read them in one call and apply each order.

    The orders are read outside any transaction (no lock held over HTTP) and each is applied in its own
    transaction, so a slow batch never holds one order's row lock while the next is written. One read
    of a shop at a time unless a full batch waits (`batches.reading`): what arrives meanwhile is read
    together afterwards, each order at its latest status, instead of one order per call."""
    with batches.reading(runtime, shop_id) as turn:
        if not turn:
            return {"fetched": 0, "waiting_for": "the shop's read in progress"}
        return _import_batch(runtime, shop_id)


def _import_batch(runtime: "Runtime", shop_id: str) -> dict[str, Any]:
    redis = runtime.redis
    ids, left = batches.claim(redis, shop_id)
    if not ids:
        return {"fetched": 0}
    if left:  # more waiting than one call takes: another worker can read the next batch meanwhile
        batches.enqueue_fetch(runtime, shop_id)
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
        if shop is not None:
            session.expunge(shop)
    if shop is None:
        batches.done(redis, shop_id, ids)
        return {"fetched": 0, "shop": "gone"}
    try:
        raws = fetch_orders(runtime, shop, ids)
    except AuthError as error:
        # The order search after reconnecting (policy.resume_parked) finds them again: nothing is lost.
        batches.done(redis, shop_id, ids)
        return {"fetched": 0, "outcome": policy.park(runtime, shop.merchant_id, error,
                                                     f"fetching {len(ids)} TikTok order(s)")}
    except BaseException:
        batches.give_back(redis, shop_id, ids)  # RQ retries the job, which claims them again
        raise
    statuses: dict[str, str] = {}
    for n, tid in enumerate(ids):
        raw = raws.get(tid)
        if raw is None:
            log.warning("TikTok returned no order %s of shop %s", tid, shop_id)
            continue
        try:
            status = _apply_fetched(runtime, shop_id, raw)
        except BaseException:
            batches.done(redis, shop_id, ids[:n])
            batches.give_back(redis, shop_id, ids[n:])
            raise
        if status is None:
            break
        statuses[tid] = status
    batches.done(redis, shop_id, ids)
    return {"fetched": len(raws), "statuses": dict(Counter(statuses.values()))}


CONTENTION_ATTEMPTS = 6


def _apply_fetched(runtime: "Runtime", shop_id: str, raw: dict[str, Any]) -> str | None:
    """Apply one fetched order in its own transaction; its status, or None when the shop is gone.

    A write that lost to a concurrent one (the order search applying the same order: SQLite's lock, a
    PostgreSQL deadlock) is applied again from the start; applying is idempotent."""
    for attempt in range(CONTENTION_ATTEMPTS):
        try:
            with runtime.db.session_scope() as session:
                shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
                if shop is None:
                    return None
                try:
                    with session.begin_nested():
                        return apply_order(session, shop, raw).status
                except DataError as problem:  # one unreadable order must not stop the others
                    log.warning("Skipped TikTok order %s: %s", raw.get("id"), problem.message)
                    return "skipped"
        except OperationalError as error:
            if not is_contention(error) or attempt == CONTENTION_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
    raise AssertionError("unreachable")


def _locked_row(session: Session, shop: TikTokShop, tid: str) -> Order:
    query = select(Order).where(Order.tiktok_shop_id == shop.shop_id, Order.tiktok_order_id == tid)
    locking = query.with_for_update() if session.get_bind().dialect.name == "postgresql" else query
    order = session.scalar(locking)
    if order is not None:
        return order
    order = Order(merchant_id=shop.merchant_id, tiktok_shop_id=shop.shop_id, tiktok_order_id=tid, status=PENDING)
    try:
        with session.begin_nested():
            session.add(order)
    except IntegrityError:  # another worker inserted it first: use theirs, under its lock
        order = session.scalar(locking)
        assert order is not None
    return order


def _summary(raw: dict[str, Any]) -> dict[str, Any]:
    # rts_sla_time: TikTok's ready-to-ship deadline (epoch seconds), for the "ship by" alert.
    return {"lines": [{"sku_id": line.sku_id, "seller_sku": line.seller_sku, "quantity": line.quantity,
                       "unit_price": line.unit_price} for line in group_lines(raw)],
            "ship_by": int(raw["rts_sla_time"]) if str(raw.get("rts_sla_time") or "").isdigit() else None}


def apply_order(session: Session, shop: TikTokShop, raw: dict[str, Any], *, retry: bool = False) -> Order:
    """Bring the hub's row for this order in line with TikTok's view `raw` (idempotent)."""
    tid = _order_id(raw.get("id"))
    order = _locked_row(session, shop, tid)
    update_time = int(raw.get("update_time") or 0)
    if update_time < order.tiktok_update_time and not retry:
        return order  # an older view than one already applied (a slow fetch overtaken by a newer one)
    status = str(raw.get("status") or "").upper()
    if not retry and _applied_before(session, order, update_time, status):
        return order
    order.tiktok_update_time = max(update_time, order.tiktok_update_time)
    order.tiktok_status = status
    order.paid_time = int(raw["paid_time"]) if raw.get("paid_time") else order.paid_time
    order.shipping_type = raw.get("shipping_type") or order.shipping_type
    order.delivery_option_id = str(raw.get("delivery_option_id") or "") or order.delivery_option_id
    order.summary = _summary(raw)

    if status in CANCEL_STATUSES:
        from hub.sync.orders.cancellations import tiktok_cancelled

        tiktok_cancelled(session, order, raw)
        return order
    if order.status in (CREATED, CANCELLED):
        _release_held_fulfilment(session, order, status)
        return order
    # TikTok has taken these units; the store's stock does not show them yet.
    holds.track(session, order, ordered_at=int(raw["create_time"]) if str(raw.get("create_time") or "").isdigit()
                else None)
    if order.command_id is not None:
        command = session.get(Command, order.command_id)
        in_flight = command is not None and command.status != COMMAND_FAILED
        if in_flight or (order.status == FAILED and not retry) or order.status == PENDING:
            return order

    settings = load_settings((session.get(Merchant, shop.merchant_id) or Merchant(settings={})).settings)
    immediately = settings["orders"]["import_at"] == "immediately"
    if status not in AFTER_HOLD and not (immediately and status == "ON_HOLD"):
        if order.store_id is None:
            store = default_store(session, shop.merchant_id)
            order.store_id = store.id if store else None
        waiting = "waiting for payment" if status == "UNPAID" else "waiting for TikTok's one-hour hold to end"
        set_status(session, order, PENDING, reason=f"On TikTok: {status}; {waiting}.")
        return order
    try:
        matched = match(session, shop, raw, settings, hidden_address_allowed=immediately and status == "ON_HOLD")
    except DataError as problem:
        if order.store_id is None:
            store = default_store(session, shop.merchant_id)
            order.store_id = store.id if store else None
        set_status(session, order, FAILED, code=problem.code, reason=problem.message, fix=problem.fix)
        return order
    order.store_id = matched.store_id
    handoff.hand_off(session, order, matched.order)
    return order


def _applied_before(session: Session, order: Order, update_time: int, status: str) -> bool:
    """This very view of the order was applied before and left nothing to do: the store has the order
    (and no shipment waits for the hold to end), or its `order.create` is on its way to the store.

    Every order search reads each order of its window again, and the webhook's read of the same order
    follows; during a storm most reads find an order already handed off, and this keeps them to a
    lookup. An order still waiting (for payment, the hold, a fix) is always applied again: a setting
    or a binding the merchant changed since may let it through now."""
    if update_time != order.tiktok_update_time or status != order.tiktok_status or status in CANCEL_STATUSES:
        return False
    if order.status == CREATED:
        return order.fulfilment_status not in (FULFIL_QUEUED, FULFIL_WAITING_HOLD)
    if order.status == PENDING and order.command_id is not None:
        command = session.get(Command, order.command_id)
        return command is not None and command.status in (COMMAND_PENDING, COMMAND_LEASED)
    return False


def already_applied(session: Session, shop: TikTokShop, raws: Sequence[dict[str, Any]]) -> set[str]:
    """Ids among `raws` whose view was applied before and left nothing to do (`_applied_before`), read
    in one query without locking: an order search re-reads every order of its window, and this spares
    the unchanged ones a row lock and a transaction each."""
    views = {str(raw.get("id")): (int(raw.get("update_time") or 0), str(raw.get("status") or "").upper())
             for raw in raws}
    if not views:
        return set()
    rows = session.execute(
        select(Order.tiktok_order_id, Order.tiktok_update_time, Order.tiktok_status, Order.status,
               Order.fulfilment_status, Command.status)
        .outerjoin(Command, Command.id == Order.command_id)
        .where(Order.tiktok_shop_id == shop.shop_id, Order.tiktok_order_id.in_(list(views)))).all()
    done = set()
    for tid, update_time, tiktok_status, status, fulfilment, command_status in rows:
        if views[tid] != (update_time, tiktok_status) or tiktok_status in CANCEL_STATUSES:
            continue
        if (status == CREATED and fulfilment not in (FULFIL_QUEUED, FULFIL_WAITING_HOLD)) or \
                (status == PENDING and command_status in (COMMAND_PENDING, COMMAND_LEASED)):
            done.add(tid)
    return done


def _release_held_fulfilment(session: Session, order: Order, status: str) -> None:
    """A tracking number that arrived during the hold goes to TikTok as soon as TikTok allows it."""
    if order.fulfilment_status in (FULFIL_QUEUED, FULFIL_WAITING_HOLD) and status not in IN_HOLD:
        from hub.sync.orders.fulfilment import enqueue_ship

        order_id = order.id
        from hub.sync.orders.aftercommit import after_commit

        after_commit(session, lambda: enqueue_ship(order_id))
