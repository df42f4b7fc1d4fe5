"""TikTok returns and refunds: import them with their state, hand each refund to the store once.

TikTok → store. The RETURN_STATUS_CHANGE webhook (type 12) and the periodic search both lead to
`apply_return`, which reads TikTok's own view of the return (never the webhook's words), keeps the
newest (`update_time`), and stores it in the merchant's words: requested, approved, rejected, item
received, refunded, cancelled. When TikTok has refunded the buyer, the store gets one `order.refund`
with the lines, quantities and amounts TikTok refunded and which of them came back (restock).

Exactly one store refund per TikTok return rests on the same rules as `order.create`:
- the command's dedupe key is `order.refund:<return id>` (a merchant's Sync after a failure is
  `…:retry-<n>`, made only once the previous command has failed), so the webhook, the search and a job
  run twice all find the first command;
- the extension looks up the TikTok return id before refunding (docs/extension-api.md rule 7), so a
  command handed out again after a lost result reports the refund made before.

A refund for an order the store never created (Failed, or still Pending) is kept as *waiting for the
store order*: it is shown on the order, and sent as soon as the store reports the order created. A
store whose extension does not carry out refunds is never sent one: the refund is shown as failed
with what to do by hand.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.commands.outbox import create_command
from hub.db import rows_changed
from hub.errors import AuthError, DataError
from hub.models import Command, Order, SkuBinding, Store, TikTokShop
from hub.models.commands import FAILED as COMMAND_FAILED
from hub.models.commands import PENDING as COMMAND_PENDING
from hub.models.orders import CREATED
from hub.models.returns import (APPROVED, CANCELLED, ITEM_RECEIVED, REFUND_DONE, REFUND_FAILED, REFUND_PENDING,
                                REFUND_WAITING, REFUNDED, REJECTED, REQUESTED, TikTokReturn)
from hub.queues import ORDERS, enqueue_coalesced
from hub.sync import policy
from hub.sync.orders import reasons as r
from hub.sync.orders.aftercommit import after_commit, notify_store
from hub.sync.orders.status import log

if TYPE_CHECKING:
    from hub.runtime import Runtime

logger = logging.getLogger("hub.sync.orders.returns")

REFUND = "order.refund"
CAPABILITY = REFUND  # what a store lists in store.update `capabilities` when it carries out refunds
RETRY_DELAYS = policy.STORE_REDELIVERY_DELAYS
RETURN_STATUS_CHANGE = 12

# TikTok's return statuses (Return & Refund API 202309) in the merchant's words. TikTok has no status of
# its own for "the parcel arrived": BUYER_SHIPPED_ITEM is where the seller's next action is to respond
# to the received package, so it is shown as Item received.
STATES = {
    "RETURN_OR_REFUND_REQUEST_PENDING": REQUESTED, "REPLACEMENT_REQUEST_PENDING": REQUESTED,
    "AWAITING_BUYER_RESPONSE": REQUESTED,
    "AWAITING_BUYER_SHIP": APPROVED, "REPLACEMENT_REQUEST_COMPLETE": APPROVED,
    "BUYER_SHIPPED_ITEM": ITEM_RECEIVED,
    "REFUND_OR_RETURN_REQUEST_REJECT": REJECTED, "REJECT_RECEIVE_PACKAGE": REJECTED,
    "REPLACEMENT_REQUEST_REJECT": REJECTED,
    "RETURN_OR_REFUND_REQUEST_SUCCESS": REFUNDED, "RETURN_OR_REFUND_REQUEST_COMPLETE": REFUNDED,
    "REPLACEMENT_REQUEST_REFUND_SUCCESS": REFUNDED,
    "RETURN_OR_REFUND_REQUEST_CANCEL": CANCELLED, "REPLACEMENT_REQUEST_CANCEL": CANCELLED,
}
# The seller's decisions the settings page offers, per TikTok's next action for the seller.
APPROVE_FOR = {"SELLER_RESPOND_REFUND": "APPROVE_REFUND", "SELLER_RESPOND_RETURN": "APPROVE_RETURN",
               "SELLER_RESPOND_RECEIVE_PACKAGE": "APPROVE_RECEIVED_PACKAGE"}
REJECT_FOR = {"SELLER_RESPOND_REFUND": "REJECT_REFUND", "SELLER_RESPOND_RETURN": "REJECT_RETURN",
              "SELLER_RESPOND_RECEIVE_PACKAGE": "REJECT_RECEIVED_PACKAGE"}


# ---- import --------------------------------------------------------------------------------------------
def job_id(shop_id: str, return_id: str) -> str:
    return f"return-{shop_id}-{return_id}"


def _id(value: Any, what: str) -> str:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or len(text) > 64:
        raise DataError(f"The return has no usable {what} ({value!r})", code="tiktok_bad_notification")
    return text


def enqueue_import(runtime: "Runtime", shop_id: str, return_id: str) -> None:
    enqueue_coalesced(ORDERS, "hub.jobs.orders.import_return", job_id(shop_id, return_id), shop_id, return_id,
                      connection=runtime.redis, retry=policy.retry(policy.ORDER_IMPORT), failure_ttl=7 * 24 * 3600)


def on_notification(shop_id: str, data: dict[str, Any]) -> None:
    """RETURN_STATUS_CHANGE: queue a fetch of the return (its words are only a hint)."""
    from hub.runtime import current

    enqueue_import(current(), shop_id, _id(data.get("return_id"), "return_id"))


def fetch_return(runtime: "Runtime", shop: TikTokShop, return_id: str) -> dict[str, Any]:
    from hub.tiktok.connection import client_for_shop

    with client_for_shop(runtime, shop) as client:
        found = client.returns.search(page_size=10, return_ids=[return_id])["return_orders"]
    raw = next((x for x in found if str(x.get("return_id")) == str(return_id)), None)
    if raw is None:
        raise DataError(f"TikTok returned no return {return_id}", code="tiktok_return_not_found")
    return raw


def import_return(runtime: "Runtime", shop_id: str, return_id: str) -> str | None:
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
        if shop is None:
            return None
        session.expunge(shop)
    try:
        raw = fetch_return(runtime, shop, return_id)
    except AuthError as error:  # the search after reconnecting finds it again
        return policy.park(runtime, shop.merchant_id, error, f"fetching TikTok return {return_id}")
    with runtime.db.session_scope() as session:
        live = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
        if live is None:
            return None
        return apply_return(session, live, raw).state


def poll_returns(runtime: "Runtime", client: Any, shop_id: str, start: int, end: int) -> int:
    """Apply every return TikTok changed in [start, end) (the order search's window); returns how many."""
    applied, token = 0, None
    while True:
        page = client.returns.search(page_size=50, page_token=token, sort_field="update_time", sort_order="ASC",
                                     update_time_ge=max(start, 0), update_time_lt=end)
        with runtime.db.session_scope() as session:
            shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
            if shop is None:
                return applied
            for raw in page["return_orders"]:
                try:
                    with session.begin_nested():
                        apply_return(session, shop, raw)
                    applied += 1
                except DataError as problem:
                    logger.warning("Skipped TikTok return %s: %s", raw.get("return_id"), problem.message)
        token = page.get("next_page_token") or None
        if not token:
            return applied


def _row(session: Session, shop: TikTokShop, return_id: str, tid: str) -> tuple[TikTokReturn, bool]:
    query = select(TikTokReturn).where(TikTokReturn.tiktok_shop_id == shop.shop_id, TikTokReturn.return_id == return_id)
    locking = query.with_for_update() if session.get_bind().dialect.name == "postgresql" else query
    row = session.scalar(locking)
    if row is not None:
        return row, False
    row = TikTokReturn(merchant_id=shop.merchant_id, tiktok_shop_id=shop.shop_id, return_id=return_id,
                       tiktok_order_id=tid, return_type="REFUND", tiktok_status="", state=REQUESTED)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        row = session.scalar(locking)
        assert row is not None
        return row, False
    return row, True


def _money(value: Any) -> str | None:
    try:
        return str(Decimal(str(value))) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def _lines(raw: dict[str, Any], restock: bool) -> list[dict[str, Any]]:
    """TikTok's return lines (one per unit) grouped by SKU with their quantity and refunded amount."""
    grouped: "OrderedDict[str, dict[str, Any]]" = OrderedDict()
    for item in raw.get("return_line_items") or []:
        sku = str(item.get("sku_id") or "")
        entry = grouped.setdefault(sku, {"sku_id": sku, "seller_sku": item.get("seller_sku") or None,
                                         "product_name": item.get("product_name") or "", "quantity": 0,
                                         "amount": "0", "restock": restock, "order_line_item_ids": []})
        entry["quantity"] += 1
        entry["order_line_item_ids"].append(str(item.get("order_line_item_id") or ""))
        amount = _money((item.get("refund_amount") or {}).get("refund_total")) or "0"
        entry["amount"] = str(Decimal(entry["amount"]) + Decimal(amount))
    return list(grouped.values())


def apply_return(session: Session, shop: TikTokShop, raw: dict[str, Any]) -> TikTokReturn:
    """Bring the hub's row for this return in line with TikTok's view `raw` (idempotent)."""
    rid = _id(raw.get("return_id"), "return_id")
    tid = _id(raw.get("order_id"), "order_id")
    ret, new = _row(session, shop, rid, tid)
    update_time = int(raw.get("update_time") or 0)
    if update_time < ret.tiktok_update_time:
        return ret  # an older view than the one stored
    status = str(raw.get("return_status") or "").upper()
    state = STATES.get(status, REQUESTED)
    changed = new or status != ret.tiktok_status
    ret.tiktok_update_time = update_time
    ret.tiktok_status = status
    ret.return_type = str(raw.get("return_type") or ret.return_type)[:24]
    ret.role = str(raw.get("role") or "")[:12] or None
    ret.buyer_reason = str(raw.get("return_reason_text") or raw.get("return_reason") or "") or ret.buyer_reason
    amounts = raw.get("refund_amount") or {}
    ret.currency = str(amounts.get("currency") or "")[:3] or ret.currency
    ret.refund_total = _money(amounts.get("refund_total")) or ret.refund_total
    ret.refund_shipping = _money(amounts.get("refund_shipping_fee")) or ret.refund_shipping
    # The items come back only in a return (not a refund-only request, nor one the buyer may keep).
    restock = ret.return_type == "RETURN_AND_REFUND" and not raw.get("can_buyer_keep_item")
    ret.lines = _lines(raw, restock)
    actions = [a.get("action") for a in raw.get("seller_next_action_response") or [] if isinstance(a, dict)]
    ret.seller_action = next((str(a) for a in actions if a in APPROVE_FOR), None)
    ret.state = state
    order = session.scalar(select(Order).where(Order.tiktok_shop_id == shop.shop_id, Order.tiktok_order_id == tid))
    if order is not None:
        ret.store_id = ret.store_id or order.store_id
    if changed:
        _log(session, ret, f"TikTok return {rid} of order {tid}: {state.replace('_', ' ')} ({status})")
    if new and ret.role == "SELLER" and order is not None and _store_refund_in_flight(session, order):
        ret.origin = "store"  # the hub is reporting the store's own refund right now: not to be echoed back
    if state == REFUNDED and ret.origin == "tiktok":
        request_refund(session, ret, order)
    return ret


def _store_refund_in_flight(session: Session, order: Order) -> bool:
    from hub.models import ProcessedEvent

    rows = session.scalars(select(ProcessedEvent).where(ProcessedEvent.store_id == order.store_id,
                                                        ProcessedEvent.type == "order.refunded",
                                                        ProcessedEvent.handled_at.is_(None)))
    return any(str((row.payload or {}).get("tiktok_order_id")) == order.tiktok_order_id for row in rows)


def _log(session: Session, ret: TikTokReturn, message: str, level: str = "info") -> None:
    from hub.models import ActivityEntry

    session.add(ActivityEntry(merchant_id=ret.merchant_id, store_id=ret.store_id, kind="order.return", level=level,
                              subject_type="order", subject_id=ret.tiktok_order_id, message=message))


# ---- hand-off to the store ------------------------------------------------------------------------------
def dedupe_key(ret: TikTokReturn) -> str:
    base = f"{REFUND}:{ret.return_id}"
    return base if ret.refund_handoffs == 0 else f"{base}:retry-{ret.refund_handoffs}"


def _set(ret: TikTokReturn, status: str | None, code: str | None = None, reason: str | None = None) -> None:
    ret.refund_status, ret.reason_code, ret.reason = status, code, reason
    ret.fix = r.fix_for(code) if code else None


def supports_refunds(store: Store | None) -> bool:
    return store is not None and CAPABILITY in (store.capabilities or [])


def request_refund(session: Session, ret: TikTokReturn, order: Order | None, *, retry: bool = False) -> None:
    """Send `order.refund` for a refunded return, once (or say why it cannot be sent yet)."""
    if ret.refund_status in (REFUND_PENDING, REFUND_DONE) or (ret.refund_status == REFUND_FAILED and not retry):
        return
    if order is None or order.status != CREATED or not order.platform_order_id or order.store_id is None:
        where = "the hub has not seen the order" if order is None else f"the order is {order.status} in the hub"
        _set(ret, REFUND_WAITING, r.ORDER_NOT_IN_STORE,
             f"TikTok refunded the buyer, but the store has no order to refund ({where}); the refund is sent "
             "to the store as soon as the store order exists.")
        return
    store = session.get(Store, order.store_id)
    if not supports_refunds(store):
        _set(ret, REFUND_FAILED, r.REFUND_NOT_SUPPORTED,
             f"TikTok refunded {ret.currency or ''} {ret.refund_total or '?'} but the store's extension does not "
             f"carry out refunds; store order {order.platform_order_id} was not refunded.")
        return
    lines = []
    for line in ret.lines or []:
        binding = session.scalar(select(SkuBinding).where(SkuBinding.store_id == order.store_id,
                                                          SkuBinding.tiktok_sku_id == line["sku_id"]))
        if binding is None:
            _set(ret, REFUND_FAILED, r.SKU_NOT_LINKED,
                 f"TikTok SKU {line['sku_id']} ({line.get('seller_sku') or 'no seller SKU'}) of this return is not "
                 "linked to a store product, so the store cannot tell which line to refund.")
            return
        lines.append({"product_id": binding.product_id, "variant_id": binding.variant_id,
                      "sku": binding.seller_sku or line.get("seller_sku"), "quantity": line["quantity"],
                      "amount": line["amount"], "restock": bool(line.get("restock"))})
    payload = {"tiktok_order_id": ret.tiktok_order_id, "platform_order_id": order.platform_order_id,
               "tiktok_return_id": ret.return_id, "currency": ret.currency, "amount": ret.refund_total or "0",
               "shipping": ret.refund_shipping or "0", "reason": ret.buyer_reason or "Refunded on TikTok Shop",
               "lines": lines}
    command, created = create_command(session, order.store_id, REFUND, payload, dedupe_key(ret))
    if created:
        ret.refund_handoffs += 1
        notify_store(session, order.store_id)
    ret.refund_command_id = command.id
    ret.store_retries = 0
    _set(ret, REFUND_PENDING)


def after_order_created(session: Session, order: Order) -> None:
    """The store created the order: refunds that waited for it go now."""
    waiting = session.scalars(select(TikTokReturn).where(TikTokReturn.tiktok_shop_id == order.tiktok_shop_id,
                                                         TikTokReturn.tiktok_order_id == order.tiktok_order_id,
                                                         TikTokReturn.refund_status == REFUND_WAITING))
    for ret in waiting:
        ret.store_id = order.store_id
        request_refund(session, ret, order)


def _return_for(session: Session, command: Command) -> TikTokReturn | None:
    ret = session.scalar(select(TikTokReturn).where(TikTokReturn.refund_command_id == command.id))
    if ret is None:
        rid = str((command.payload or {}).get("tiktok_return_id") or "")
        ret = session.scalar(select(TikTokReturn).where(TikTokReturn.store_id == command.store_id,
                                                        TikTokReturn.return_id == rid))
    return ret


def on_refund_result(session: Session, command: Command) -> None:
    """Runs in the transaction that records the result (hub.commands.results)."""
    ret = _return_for(session, command)
    if ret is None:
        return
    result = command.result or {}
    if result.get("status") == "done":
        ret.refund_command_id = command.id
        ret.platform_refund_id = str(result.get("platform_refund_id") or "") or ret.platform_refund_id
        _set(ret, REFUND_DONE)
        _log(session, ret, f"TikTok return {ret.return_id}: refunded in the store"
             + (f" (refund {ret.platform_refund_id})" if ret.platform_refund_id else ""))
        return
    if ret.refund_command_id != command.id or ret.refund_status != REFUND_PENDING:
        return  # a late answer to a superseded command
    code = str(result.get("reason") or r.PLATFORM_ERROR)
    message = str(result.get("message") or "The store did not say why.")
    if result.get("retryable") and ret.store_retries < len(RETRY_DELAYS):
        delay = RETRY_DELAYS[ret.store_retries]
        ret.store_retries += 1
        _set(ret, REFUND_PENDING, code, f"The store could not refund yet ({message}); trying again in {delay} s.")
        command_id = command.id
        after_commit(session, lambda: _schedule_redelivery(command_id, delay))
        return
    _set(ret, REFUND_FAILED, code, f"The store refused the refund: {message}")
    _log(session, ret, f"TikTok return {ret.return_id}: the store refused the refund — {message}", "error")


def _schedule_redelivery(command_id: str, delay: float) -> None:
    from hub.queues import queue
    from hub.runtime import current

    queue(ORDERS, current().redis).enqueue_in(timedelta(seconds=delay), "hub.jobs.orders.redeliver_refund",
                                             command_id, job_id=f"refund-redeliver-{command_id}")


def redeliver(session: Session, command_id: str) -> bool:
    command = session.get(Command, command_id)
    if command is None:
        return False
    ret = _return_for(session, command)
    if ret is None or ret.refund_status != REFUND_PENDING or ret.refund_command_id != command_id:
        return False
    reset = rows_changed(session, update(Command).where(Command.id == command_id, Command.status == COMMAND_FAILED)
                         .values(status=COMMAND_PENDING, result=None, leased_until=None, completed_at=None))
    if reset:
        notify_store(session, command.store_id)
    return bool(reset)


def retry_refunds(session: Session, order: Order) -> int:
    """The merchant's **Sync** on an order: send again every refund of it that failed; returns how many."""
    count = 0
    rows = session.scalars(select(TikTokReturn).where(TikTokReturn.tiktok_shop_id == order.tiktok_shop_id,
                                                      TikTokReturn.tiktok_order_id == order.tiktok_order_id,
                                                      TikTokReturn.refund_status.in_([REFUND_FAILED, REFUND_WAITING])))
    for ret in rows:
        if ret.refund_command_id:
            command = session.get(Command, ret.refund_command_id)
            if command is not None and command.status != COMMAND_FAILED:
                continue
        request_refund(session, ret, order, retry=True)
        count += ret.refund_status == REFUND_PENDING
    return count


def returns_of(session: Session, tiktok_shop_id: str, tiktok_order_id: str) -> list[TikTokReturn]:
    return list(session.scalars(select(TikTokReturn).where(TikTokReturn.tiktok_shop_id == tiktok_shop_id,
                                                           TikTokReturn.tiktok_order_id == tiktok_order_id)
                                .order_by(TikTokReturn.created_at, TikTokReturn.id)))


# ---- the merchant's decision --------------------------------------------------------------------------
def decide(runtime: "Runtime", merchant_id: str, return_row_id: str, approve: bool,
           reject_reason: str | None = None, comment: str | None = None) -> TikTokReturn:
    """Approve or reject a return at TikTok (the seller's decision for TikTok's next action), then re-read it."""
    from hub.tiktok.connection import client_for_shop

    with runtime.db.session_scope() as session:
        ret = session.get(TikTokReturn, return_row_id)
        if ret is None or ret.merchant_id != merchant_id:
            raise DataError("There is no such return.", code="unknown_return")
        if ret.seller_action not in APPROVE_FOR:
            raise DataError(f"TikTok return {ret.return_id} is {ret.state.replace('_', ' ')}: it is not waiting "
                            "for your decision.", code="return_not_awaiting_decision")
        decision = APPROVE_FOR[ret.seller_action] if approve else REJECT_FOR[ret.seller_action]
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == ret.tiktok_shop_id))
        if shop is None:
            raise DataError("The TikTok shop of this return is no longer connected.", code="tiktok_not_connected")
        session.expunge(shop)
        return_id = ret.return_id
    error: DataError | None = None
    with client_for_shop(runtime, shop) as client:
        try:
            if approve:
                client.returns.approve(return_id, decision)
            else:
                reasons = [str(x.get("name")) for x in client.returns.reject_reasons(return_id) if x.get("name")]
                reason = reject_reason if reject_reason in reasons else (reasons[0] if reasons else None)
                if reason is None:
                    raise DataError("TikTok offers no reason to reject this return.", code="no_reject_reason")
                client.returns.reject(return_id, decision, reason, comment)
        except DataError as problem:
            error = problem
    raw = fetch_return(runtime, shop, return_id) if error is None else None
    with runtime.db.session_scope() as session:
        ret = session.get(TikTokReturn, return_row_id)
        assert ret is not None
        ret.decision = decision
        ret.decision_error = f"TikTok refused the decision: {error.message}" if error else None
        live = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == ret.tiktok_shop_id))
        if raw is not None and live is not None:
            apply_return(session, live, raw)
        _log(session, ret, f"TikTok return {return_id}: {decision} sent to TikTok"
             + (f" — refused: {error.message}" if error else ""), "error" if error else "info")
        session.flush()
        session.expunge(ret)
    if error is not None:
        raise error
    return ret


# ---- the store's own refund --------------------------------------------------------------------------
def store_refunded(runtime: "Runtime", store_id: str, payload: dict[str, Any]) -> str:
    """Apply the store's `order.refunded` event: report it to TikTok where TikTok lets a seller start a
    refund (Create Return for the line items Get Aftersale Eligibility reports eligible, then approve it);
    otherwise show it as needing action in Seller Center. Never echoes a refund the hub asked for."""
    from hub.tiktok.connection import client_for_shop

    tid = str(payload.get("tiktok_order_id") or "")
    refund_id = str(payload.get("platform_refund_id") or "")
    with runtime.db.session_scope() as session:
        order = session.scalar(select(Order).where(Order.store_id == store_id, Order.tiktok_order_id == tid))
        if order is None:
            return "unknown_order"
        if payload.get("tiktok_return_id") or session.scalar(select(TikTokReturn.id).where(
                TikTokReturn.store_id == store_id, TikTokReturn.platform_refund_id == refund_id)):
            return "from_tiktok"  # the store carried out a refund TikTok made: never report it back
        skus: list[dict[str, Any]] = []
        for line in payload.get("lines") or []:
            binding = session.scalar(select(SkuBinding).where(SkuBinding.store_id == store_id,
                                                              SkuBinding.product_id == str(line.get("product_id")),
                                                              SkuBinding.variant_id == str(line.get("variant_id"))))
            if binding is None:
                return _needs_action(session, order, refund_id, "a refunded product is not linked to a TikTok SKU")
            skus.append({"sku_id": binding.tiktok_sku_id, "quantity": int(line.get("quantity") or 1)})
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == order.tiktok_shop_id))
        if shop is None or not skus:
            return _needs_action(session, order, refund_id, "the refund names no items")
        session.expunge(shop)
        currency = str(payload.get("currency") or "")
    why: str | None = None
    created: dict[str, Any] | None = None
    with client_for_shop(runtime, shop) as client:
        eligible: dict[str, int] = {}
        for entry in client.returns.aftersale_eligibility(tid, user="SELLER"):
            for item in entry.get("line_item_eligibility") or []:
                if item.get("request_type") == "REFUND" and item.get("eligible"):
                    eligible[str(entry.get("sku_id"))] = len(item.get("order_line_items_ids") or [])
                elif item.get("request_type") == "REFUND" and not why:
                    why = str(item.get("ineligible_reason") or "") or None
        if all(eligible.get(s["sku_id"], 0) >= s["quantity"] for s in skus):
            try:
                created = client.returns.create(tid, return_type="REFUND", skus=skus,
                                                refund_total=str(payload.get("amount")), currency=currency,
                                                return_reason=str(payload.get("reason") or "seller_refund")[:200])
                client.returns.approve(str(created["return_id"]), "APPROVE_REFUND")
            except DataError as problem:
                why, created = problem.message, None
        else:
            why = why or "TikTok does not let the seller start a refund for these items"
    with runtime.db.session_scope() as session:
        order = session.scalar(select(Order).where(Order.store_id == store_id, Order.tiktok_order_id == tid))
        assert order is not None
        if created is None:
            return _needs_action(session, order, refund_id, why or "TikTok refused the refund")
        live = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == order.tiktok_shop_id))
        assert live is not None
        ret, _ = _row(session, live, str(created["return_id"]), tid)
        ret.origin, ret.store_id, ret.platform_refund_id = "store", store_id, refund_id or None
        ret.refund_status = REFUND_DONE
        ret.return_type, ret.state, ret.tiktok_status = "REFUND", REFUNDED, str(created.get("return_status") or "")
        ret.refund_total, ret.currency = _money(payload.get("amount")), currency or None
        log(session, order, "order.refund", f"TikTok order {tid}: the store's refund {refund_id} was reported to "
                                            f"TikTok (return {created['return_id']})")
    return "refunded_on_tiktok"


def _needs_action(session: Session, order: Order, refund_id: str, why: str) -> str:
    from hub.sync.orders.status import set_status

    set_status(session, order, order.status, code=r.TIKTOK_REFUND_NEEDS_ACTION,
               reason=f"Store refund {refund_id or '?'} was not passed on to TikTok: {why}.",
               fix=r.fix_for(r.TIKTOK_REFUND_NEEDS_ACTION))
    return "needs_action"
