"""What the merchant must be told without opening the settings page, and what to do about each.

The overview shows these; the digest job e-mails the ones not sent before (`hub.sync.alert_mail`).
Each alert has a key naming the problem *and* what makes it new (an order, an expiry date, the moment
a store fell silent), so the same problem is mailed once and a new occurrence is mailed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import Order, SkuBinding, Store, TikTokShop
from hub.models.orders import CREATED, FAILED, FULFIL_SHIPPED
from hub.models.tiktok_shops import CONNECTED

AUTHORIZATION_WARNING = timedelta(days=7)
STORE_SILENCE = timedelta(minutes=30)
SHIP_BY_WARNING = timedelta(hours=24)
MAX_FAILED_ORDERS_LISTED = 20


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str  # order_failed | connection_broken | authorization_expiring | store_silent (also away) | ship_by_near
    title: str
    detail: str
    fix: str
    level: str = "error"  # error | warning


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def connection_alerts(shop: TikTokShop | None, now: datetime) -> list[Alert]:
    if shop is None:
        return []
    name = shop.shop_name or shop.shop_id
    if shop.status != CONNECTED:
        return [Alert(f"connection_broken:{shop.id}:{shop.status}", "connection_broken",
                      f"The TikTok shop {name} needs reconnecting",
                      f"TikTok no longer accepts the hub's access ({shop.status_reason or shop.status}). Products, "
                      "prices, stock and orders are paused; nothing is lost.",
                      "Open the settings page's Overview and click “Reconnect TikTok Shop”.")]
    expiry = shop.refresh_token_expires_at or shop.authorization_expires_at
    if expiry is not None and _aware(expiry) - now < AUTHORIZATION_WARNING:
        day = _aware(expiry).strftime("%d %b %Y")
        return [Alert(f"authorization_expiring:{shop.id}:{day}", "authorization_expiring",
                      f"The TikTok authorisation for {name} ends on {day}",
                      "After that day TikTok refuses the hub's calls and synchronisation stops.",
                      "Before then, open the Overview and click “Reconnect TikTok Shop”.", "warning")]
    return []


def order_alerts(session: Session, merchant_id: str, stores: dict[str, str], now: datetime) -> list[Alert]:
    alerts = []
    failed = session.scalars(select(Order).where(Order.merchant_id == merchant_id, Order.status == FAILED)
                             .order_by(Order.updated_at.desc()).limit(MAX_FAILED_ORDERS_LISTED))
    for order in failed:
        store = stores.get(order.store_id or "", "the store")
        alerts.append(Alert(f"order_failed:{order.id}:{order.handoffs}", "order_failed",
                            f"TikTok order {order.tiktok_order_id} could not be created in {store}",
                            order.reason or "The store refused the order.",
                            (order.fix or "Fix the cause") + "; then click Sync on the order (Orders page)."))
    # Orders still to ship whose ready-to-ship deadline (TikTok's rts_sla_time) is near or past.
    open_orders = session.scalars(select(Order).where(Order.merchant_id == merchant_id,
                                                      Order.status.in_([CREATED, FAILED])))
    for order in open_orders:
        ship_by = (order.summary or {}).get("ship_by")
        if not ship_by or order.fulfilment_status == FULFIL_SHIPPED or \
                order.tiktok_status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
            continue
        deadline = datetime.fromtimestamp(int(ship_by), tz=timezone.utc)
        if deadline - now < SHIP_BY_WARNING:
            store = stores.get(order.store_id or "", "the store")
            when = deadline.strftime("%d %b %Y %H:%M UTC")
            late = deadline <= now
            alerts.append(Alert(f"ship_by_near:{order.id}", "ship_by_near",
                                f"TikTok order {order.tiktok_order_id} must ship by {when}"
                                + (" (overdue)" if late else ""),
                                f"The order is in {store} but not shipped yet; TikTok counts late shipments "
                                "against the shop and may cancel the order.",
                                "Ship it in the store with a tracking number (it is sent to TikTok by itself)."))
    return alerts


def store_alerts(session: Session, merchant_id: str, now: datetime) -> list[Alert]:
    alerts = []
    for store in session.scalars(select(Store).where(Store.merchant_id == merchant_id, Store.revoked_at.is_(None),
                                                     Store.sync_enabled.is_(True))):
        if store.away_since is not None:  # the hub has stopped its TikTok listings selling (hub.sync.stock.away)
            since = _aware(store.away_since)
            done = ("its TikTok listings were taken off sale" if store.away_action == "deactivate" else
                    "its TikTok stock was set to 0")
            alerts.append(Alert(f"store_away:{store.id}:{since:%Y%m%dT%H%M}", "store_silent",
                                f"{store.name} is away: {done}",
                                f"Since {since:%d %b %Y %H:%M} UTC: {store.away_reason or 'no contact.'} So that "
                                "TikTok sells nothing the store cannot confirm, " + done + "; it all comes back by "
                                "itself when the store is in touch again.",
                                "Check that the store is up and its TikTok Shop Sync extension or app is enabled, "
                                "or install the app again (Stores page: last contact)."))
            continue
        if store.last_contact_at is None or now - _aware(store.last_contact_at) < STORE_SILENCE:
            continue
        # Products on TikTok (a bound SKU) keep selling whether or not the store still reports.
        live = session.scalar(select(SkuBinding.id).where(SkuBinding.store_id == store.id).limit(1))
        if live is None:
            continue
        since = _aware(store.last_contact_at)
        alerts.append(Alert(f"store_silent:{store.id}:{since:%Y%m%dT%H%M}", "store_silent",
                            f"{store.name} has not contacted the hub since {since:%d %b %Y %H:%M} UTC",
                            "Its products are live on TikTok, but the hub no longer hears of its sales and stock "
                            "changes, so TikTok may sell what the store no longer has.",
                            "Check that the store is up and its TikTok Shop Sync extension or app is enabled "
                            "(Stores page: last contact)."))
    return alerts


def current_alerts(session: Session, merchant_id: str, now: datetime | None = None) -> list[Alert]:
    """Every alert that holds now, errors first."""
    now = now or datetime.now(timezone.utc)
    shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
    stores = dict(session.execute(select(Store.id, Store.name).where(Store.merchant_id == merchant_id)).all())
    alerts = connection_alerts(shop, now) + store_alerts(session, merchant_id, now) + \
        order_alerts(session, merchant_id, stores, now)
    return sorted(alerts, key=lambda a: a.level != "error")
