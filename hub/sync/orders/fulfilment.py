"""Sending the store's shipment (tracking number and carrier) to TikTok.

Never during TikTok's one-hour hold (ON_HOLD): TikTok rejects tracking then, and connectors that try
lose the update. A shipment reported during the hold waits (`waiting_hold`) and goes out when the
hold ends — on the webhook/poll that shows the new status, or at the latest from a job scheduled for
the end of the hold. The store's carrier name is mapped to one of TikTok's shipping providers for the
order's delivery option through the merchant's editable `orders.carriers` table, then through the UK
carriers' common slugs and names that tracking plugins store (`carriers.py`).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import AuthError, DataError, RetryableError
from hub.merchant_settings import load_settings
from hub.models import Merchant, Order, TikTokShop
from hub.models.orders import FULFIL_FAILED, FULFIL_QUEUED, FULFIL_SHIPPED, FULFIL_WAITING_HOLD
from hub.sync import policy
from hub.sync.orders.carriers import key as carrier_key
from hub.sync.orders import reasons, tiktok_shipping
from hub.sync.orders.carriers import match_provider
from hub.sync.orders.status import log

if TYPE_CHECKING:
    from hub.runtime import Runtime

HOLD_SECONDS = 3600
HOLD_MARGIN = 30  # check a little after the hold's end rather than a little before it
IN_HOLD = ("UNPAID", "ON_HOLD")
SHIPPABLE = ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")


def record_fulfilled(session: Session, order: Order, payload: dict[str, Any]) -> bool:
    """Keep the store's shipment on the order; False when this exact shipment was already sent."""
    tracking = str(payload.get("tracking_number") or "").strip()
    carrier = str(payload.get("carrier") or "").strip()
    if payload.get("platform_order_id") and not order.platform_order_id:
        order.platform_order_id = str(payload["platform_order_id"])
    if order.fulfilment_status == FULFIL_SHIPPED and order.tracking_number == tracking:
        return False
    order.tracking_number, order.carrier = tracking, carrier
    order.fulfilment_status, order.fulfilment_reason = FULFIL_QUEUED, None
    if not tracking:
        _fail(session, order, "The store reported the shipment without a tracking number.")
        return False
    return True


def _fail(session: Session, order: Order, reason: str) -> None:
    order.fulfilment_status, order.fulfilment_reason = FULFIL_FAILED, reason
    log(session, order, "order.fulfilment_failed", f"TikTok order {order.tiktok_order_id}: shipment not sent — {reason}",
        level="error")


def enqueue_ship(order_row_id: str, delay: float | None = None, *, runtime: "Runtime | None" = None) -> None:
    from hub.queues import ORDERS, enqueue_coalesced, queue
    from hub.runtime import current

    runtime = runtime or current()
    retry = policy.retry(policy.SHIPMENT)
    if delay:
        queue(ORDERS, runtime.redis).enqueue_in(timedelta(seconds=delay), "hub.jobs.orders.ship_order", order_row_id,
                                                job_id=f"order-ship-{order_row_id}-hold", retry=retry)
    else:
        enqueue_coalesced(ORDERS, "hub.jobs.orders.ship_order", f"order-ship-{order_row_id}", order_row_id,
                          connection=runtime.redis, retry=retry)


def _note(runtime: "Runtime", order_row_id: str, reason: str) -> None:
    with runtime.db.session_scope() as session:
        order = session.get(Order, order_row_id)
        if order is not None and order.fulfilment_status == FULFIL_QUEUED:
            order.fulfilment_reason = reason


def requeue_failed_shipment(session: Session, order: Order) -> bool:
    """The order's Sync action for a shipment TikTok did not take: send it again once committed.

    After the merchant fixed the cause (mapped the carrier, reconnected TikTok) nothing else would
    send it, because the store reports a shipment only once. A queued shipment is queued again too
    (it coalesces with a job still waiting), which covers one parked by a broken connection.
    """
    if order.fulfilment_status not in (FULFIL_FAILED, FULFIL_QUEUED) or not order.tracking_number:
        return False
    from hub.sync.orders.aftercommit import after_commit

    order.fulfilment_status, order.fulfilment_reason = FULFIL_QUEUED, None
    log(session, order, "order.fulfilment_retry", f"TikTok order {order.tiktok_order_id}: shipment retry requested")
    order_id = order.id
    after_commit(session, lambda: enqueue_ship(order_id))
    return True


def resolve_carrier(providers: list[dict[str, Any]], carrier: str, mapping: dict[str, str]) -> str:
    """TikTok's shipping_provider_id for the store's carrier name or slug.

    The merchant's mapping comes first (its keys compared like the carrier, ignoring case and
    punctuation), then the UK carriers' common slugs and names (`carriers.py`), then TikTok's own names.
    """
    by_key = {k.casefold(): v for k, v in mapping.items()}
    by_loose_key = {carrier_key(k): v for k, v in mapping.items()}
    target = by_key.get(carrier.casefold()) or by_loose_key.get(carrier_key(carrier)) or carrier
    found = match_provider(providers, target.strip())
    if found:
        return found
    names = {str(p.get("name") or "").casefold(): str(p.get("id")) for p in providers if p.get("id")}
    lowered = target.casefold().strip()
    close = [pid for name, pid in names.items() if name.startswith(lowered + " ") or lowered in name.split()]
    if len(close) == 1:
        return close[0]
    offered = ", ".join(sorted(str(p.get("name")) for p in providers)) or "none"
    raise DataError(f"The carrier {carrier!r} is not one of TikTok's shipping providers for this order.",
                    code=reasons.CARRIER_NOT_SUPPORTED, field="carrier",
                    fix=f"Map {carrier!r} to one of TikTok's providers ({offered}) in the settings page "
                        "(Orders → carriers), then send the shipment again.")


def ship(runtime: "Runtime", order_row_id: str) -> str:
    """Send the order's shipment to TikTok if TikTok allows it now; returns the fulfilment status."""
    from hub.sync.orders.importer import fetch_order
    from hub.tiktok.connection import client_for_shop

    with runtime.db.session_scope() as session:
        order = session.get(Order, order_row_id)
        if order is None:
            return "missing"
        if order.fulfilment_status in (None, FULFIL_SHIPPED, FULFIL_FAILED):
            return order.fulfilment_status or "nothing to ship"
        shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == order.tiktok_shop_id))
        if shop is None:
            return order.fulfilment_status or "nothing to ship"
        settings = load_settings((session.get(Merchant, order.merchant_id) or Merchant(settings={})).settings)
        tid, tracking, carrier = order.tiktok_order_id, order.tracking_number or "", order.carrier or ""
        session.expunge(shop)
    outcome: tuple[str, str | None, str | None] | None = None  # status, reason, package id
    hold_delay: float | None = None
    try:
        raw = fetch_order(runtime, shop, tid)
        status = str(raw.get("status") or "").upper()
        if status in IN_HOLD:
            paid = int(raw.get("paid_time") or 0) or int(time.time())
            ends = paid + HOLD_SECONDS
            hold_delay = max(5.0, ends + HOLD_MARGIN - time.time())
            at = datetime.fromtimestamp(ends, tz=timezone.utc).strftime("%H:%M UTC")
            outcome = (FULFIL_WAITING_HOLD, f"TikTok accepts tracking only after its one-hour hold; it will be "
                                            f"sent when the hold ends (about {at}).", None)
        elif status in ("CANCELLED", "CANCEL"):
            outcome = (FULFIL_FAILED, "The order was cancelled on TikTok, so there is nothing to ship.", None)
        elif status not in SHIPPABLE:
            outcome = (FULFIL_SHIPPED, f"TikTok already shows the order as {status}.", None)
        elif tiktok_shipping.is_tiktok_shipping(raw):
            # TikTok books its own carrier: no store carrier or tracking is pushed; the package is shipped
            # with a handover (drop-off when offered) and its label is printed from the Orders page.
            tiktok_package = tiktok_shipping.package_id(raw)
            with client_for_shop(runtime, shop) as client:
                method = tiktok_shipping.arrange_handover(client, tiktok_package)
                tracking = tiktok_shipping.label(client, tiktok_package)["tracking_number"]
                carrier = "TikTok Shipping"
            how = "drop it off at a TikTok drop-off point" if method == "DROP_OFF" else "TikTok's carrier collects it"
            outcome = (FULFIL_SHIPPED, f"TikTok Shipping: print TikTok's shipping label on the Orders page, then "
                                       f"{how}. The store's tracking number is not used.", tiktok_package)
        else:
            with client_for_shop(runtime, shop) as client:
                providers = client.logistics.shipping_providers(str(raw.get("delivery_option_id")))
                provider_id = resolve_carrier(providers["shipping_providers"], carrier,
                                              settings["orders"]["carriers"])
                result = client.fulfillment.mark_shipped(tid, tracking_number=tracking,
                                                         shipping_provider_id=provider_id)
            outcome = (FULFIL_SHIPPED, None, str(result.get("package_id") or "") or None)
    except DataError as problem:
        outcome = (FULFIL_FAILED, problem.message + (f" {problem.fix}" if problem.fix else ""), None)
    except AuthError as problem:
        policy.park(runtime, shop.merchant_id, problem, f"sending the shipment of TikTok order {tid}")
        outcome = (FULFIL_QUEUED, f"Waiting for the TikTok connection: {problem.message}", None)
    except RetryableError as problem:
        if not policy.last_attempt():
            _note(runtime, order_row_id, f"TikTok could not be reached ({problem.message}); the shipment is "
                                         "sent again automatically.")
            raise
        outcome = (FULFIL_FAILED, f"TikTok could not be reached ({problem.message}) and automatic retries did "
                                  "not get through. Click Sync on the order to send the shipment again.", None)
    with runtime.db.session_scope() as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        status_, reason, package = outcome
        if status_ == FULFIL_FAILED:
            _fail(session, order, reason or "")
        else:
            order.fulfilment_status, order.fulfilment_reason = status_, reason
            if package:
                order.tiktok_package_id = package
            if status_ == FULFIL_SHIPPED and carrier == "TikTok Shipping":
                order.tracking_number, order.carrier = tracking, carrier
            if status_ == FULFIL_SHIPPED:
                log(session, order, "order.shipped", f"TikTok order {tid}: shipped with {carrier} {tracking}")
    if hold_delay is not None:
        enqueue_ship(order_row_id, delay=hold_delay)
    return outcome[0]
