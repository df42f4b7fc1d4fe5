"""The rules every sync path follows, written once: listings, price and stock, reconciliation, orders and
fulfilment all ask here instead of deciding for themselves.

- **May this store sync now** (`sync_blocked_reason`): sync switched on, a UK shop, the store's currency
  the shop's. A blocked store sends nothing to TikTok (no product, price, stock or order traffic) and
  every path shows the same sentence with its fix.
- **An authorisation failure** (`park`): TikTok no longer accepts the hub's access. The connection is
  marked broken (the settings page asks to reconnect), one activity entry says what waits, and the work
  is parked, not failed: it stays where it was and `resume_parked` picks it up after reconnecting.
- **Retries** (`retry`): how long each kind of work waits before trying again after a temporary failure.
- **The last attempt** (`last_attempt`): a job with no retry left turns its temporary failure into a
  visible one with a fix, so nothing says "retrying" when no retry is coming.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from rq import Retry, get_current_job
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import AuthError
from hub.models import ActivityEntry, Store, TikTokShop
from hub.models.tiktok_shops import BROKEN, CONNECTED

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.sync.policy")

REGION = "GB"
CURRENCY = "GBP"


# -- May this store sync now ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Blocked:
    """Why a store must not sync: `code` for programs, `message` and `fix` for the merchant."""

    code: str  # sync_off | region | currency
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.message} {self.fix}"


def shop_for_store(session: Session, store: Store) -> TikTokShop | None:
    return session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == store.merchant_id))


def blocked(store: Store, shop: TikTokShop | None) -> Blocked | None:
    """The gate itself, for callers that already hold the shop (the settings page's checklist).

    Only what the merchant fixes in their store or shop set-up blocks. A missing or broken TikTok
    connection does not: the calls report it and the work is parked (`park`), not dropped.
    """
    if not store.sync_enabled:
        return Blocked("sync_off", "Synchronisation is switched off for this store.",
                       "Switch it back on with `hub store enable --store STORE_ID` to resume.")
    if shop is None:
        return None
    region = (shop.region or "").upper()
    if region and region != REGION:
        return Blocked("region", f"Synchronisation is stopped: the connected TikTok shop is in region {region}, "
                                 "and this app lists on TikTok Shop UK only.", "Connect your UK TikTok shop.")
    return currency_blocked(store.currency, shop.currency)


def currency_blocked(store_currency: str | None, shop_currency: str | None) -> Blocked | None:
    """The currency rule alone: a store that has reported a currency other than the shop's is stopped."""
    shop_currency = (shop_currency or CURRENCY).upper()
    store_currency = (store_currency or "").upper()
    if store_currency and store_currency != shop_currency:
        return Blocked("currency", f"Synchronisation is stopped: your store's currency is {store_currency} but your "
                                   f"TikTok shop sells in {shop_currency}, so every price would be wrong by the "
                                   "exchange rate.",
                       f"Set your store's currency to {shop_currency}; synchronisation resumes by itself once "
                       "the store reports it.")
    return None


def sync_blocked_reason(session: Session, store: Store) -> str | None:
    """Why this store must not sync right now (a sentence with the fix), or None when it may."""
    found = blocked(store, shop_for_store(session, store))
    return str(found) if found else None


# -- Authorisation failures ----------------------------------------------------------------------------

PARKED = "parked"
RECONNECT_FIX = "Reconnect TikTok Shop on the settings page; the waiting work resumes by itself."


def park(runtime: "Runtime", merchant_id: str, error: AuthError, work: str) -> str:
    """TikTok refused the hub's access while doing `work` ("sending price and stock", ...).

    Marks the merchant's connection broken (the settings page shows it with the reconnect button) and
    writes one activity entry per break, however many jobs hit it. Returns `PARKED` for the caller's
    outcome; the caller keeps its own work where it was.
    """
    log.warning("TikTok refused access for merchant %s while %s: %s", merchant_id, work, error.message)
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
        if shop is None:
            return PARKED  # nothing is connected: the settings page already asks to connect
        if shop.status == CONNECTED:
            shop.status = BROKEN
            shop.status_reason = (f"TikTok refused the hub's access: {error.message}. Reconnect the TikTok shop in "
                                  "the settings page.")
            shop.updated_at = datetime.now(timezone.utc)
        since = shop.updated_at
        noted = session.scalar(select(ActivityEntry.id).where(
            ActivityEntry.merchant_id == merchant_id, ActivityEntry.kind == "tiktok.parked",
            ActivityEntry.created_at >= since).limit(1))
        if noted is None:
            session.add(ActivityEntry(
                merchant_id=merchant_id, kind="tiktok.parked", level="error", subject_type="shop",
                subject_id=shop.shop_id[:64] if shop.shop_id else None,
                message=f"TikTok no longer accepts the hub's access ({error.message}); work is waiting, starting "
                        f"with {work}. Nothing is lost. {RECONNECT_FIX}"))
    return PARKED


def resume_parked(runtime: "Runtime", merchant_id: str) -> dict[str, int]:
    """After the merchant reconnected: send again what waited for the connection.

    Listings parked with "Reconnect TikTok Shop" are listed again, shipments waiting for the connection
    are sent and every store is reconciled (price and stock that waited are compared and pushed). Orders
    need nothing here: the periodic order search skipped the shop while it was broken, so its cursor
    still stands where the last search stopped and the next run (every two minutes) catches up.
    """
    from hub.models import Listing, Order
    from hub.models.orders import FULFIL_QUEUED
    from hub.sync.orders.fulfilment import enqueue_ship
    from hub.sync.products.schedule import enqueue_listings
    from hub.sync.stock.schedule import enqueue_reconcile

    with runtime.db.session_scope() as session:
        store_ids = list(session.scalars(select(Store.id).where(Store.merchant_id == merchant_id,
                                                                Store.revoked_at.is_(None))))
        listings = session.execute(select(Listing.store_id, Listing.product_id).where(
            Listing.store_id.in_(store_ids), Listing.reason_code == "reconnect")).all() if store_ids else []
        shipments = list(session.scalars(select(Order.id).where(
            Order.merchant_id == merchant_id, Order.fulfilment_status == FULFIL_QUEUED)))
    by_store: dict[str, list[str]] = {}
    for store_id, product_id in listings:
        by_store.setdefault(store_id, []).append(product_id)
    listed = sum(enqueue_listings(runtime, store_id, ids) for store_id, ids in by_store.items())
    for order_id in shipments:
        enqueue_ship(order_id, runtime=runtime)
    for store_id in store_ids:
        enqueue_reconcile(runtime, store_id)
    return {"listings": listed, "shipments": len(shipments), "stores": len(store_ids)}


# -- Retries -------------------------------------------------------------------------------------------

LISTING, STOCK, RECONCILE, ORDER_IMPORT, ORDER_EVENT, SHIPMENT, STORE_NOTIFICATION, STORE_SWEEP = (
    "listing", "stock", "reconcile", "order_import", "order_event", "shipment", "store_notification", "store_sweep")

# Seconds before each retry of a job that failed temporarily (TikTok 5xx, timeouts, rate limits beyond
# the client's own waiting, a picture server that stumbled). The last entry is the last retry.
RETRY_DELAYS: dict[str, tuple[int, ...]] = {
    # A listing waits up to ~45 min: long enough for a picture server or TikTok to come back.
    LISTING: (5, 15, 60, 180, 600, 1800),
    # Price and stock back off fast, then give up loudly: the values stay in VariantStock and the
    # periodic reconciliation pushes them anyway.
    STOCK: (1, 2, 5, 10, 30, 60, 120, 300),
    RECONCILE: (30, 120, 600),
    ORDER_IMPORT: (2, 10, 60, 300, 900),
    ORDER_EVENT: (2, 10, 60, 300, 900),
    # A shipment keeps trying for about two hours; then the order shows the failure and Sync resends it.
    SHIPMENT: (5, 30, 120, 600, 1800, 3600),
    # A hosted store's platform webhook processed, and its periodic "changed since" sweep.
    STORE_NOTIFICATION: (2, 10, 60, 300, 900),
    STORE_SWEEP: (30, 120, 600),
}

# The store said "retryable" for an order it could not create (an extension's answer, or a hosted
# connector's platform refusing for now): the same command is offered again after each of these delays;
# after the last the order is Failed with the store's reason.
STORE_REDELIVERY_DELAYS: tuple[int, ...] = (5, 30, 120, 600, 1800)


def retry(kind: str) -> Retry:
    delays = RETRY_DELAYS[kind]
    return Retry(max=len(delays), interval=list(delays))


def last_attempt() -> bool:
    """True inside an RQ job that has no retry left; outside a job the caller decides what comes next.

    A job that would say "retried automatically" on its last attempt makes a promise nobody keeps, so
    jobs use this to turn their final temporary failure into a visible one with a fix.
    """
    job = get_current_job()
    return job is not None and not job.retries_left
