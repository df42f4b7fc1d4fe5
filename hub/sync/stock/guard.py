"""Whether a store may send anything to TikTok right now (design §7.1, the currency stop).

The listing engine owns the full preflight (`hub.sync.products.preflight.sync_blocked_reason`); price
and stock use it when it is installed. Until then the one rule that must never be broken by a stock
tick is checked here: a store whose currency differs from the TikTok shop's sends nothing, because a
£ price pushed from a € store would be wrong by the exchange rate.
"""

from __future__ import annotations

import importlib
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import Store, TikTokShop

Check = Callable[[Session, Store], "str | None"]


def _preflight() -> Check | None:
    try:
        module = importlib.import_module("hub.sync.products.preflight")
    except ModuleNotFoundError as exc:
        if exc.name in ("hub.sync.products.preflight", "hub.sync.products"):
            return None
        raise
    return getattr(module, "sync_blocked_reason", None)


def currency_stop(session: Session, store: Store) -> str | None:
    """The currency and region rule alone (used when the full preflight is not installed)."""
    if not store.sync_enabled:
        return "Sync is switched off for this store."
    shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == store.merchant_id))
    if shop is None:
        return None  # nothing to send to; the TikTok client reports "not connected" as an auth problem
    if shop.region and shop.region.upper() != "GB":
        return f"The TikTok shop is in region {shop.region}; this hub syncs to TikTok Shop UK (GB) only."
    shop_currency = (shop.currency or "GBP").upper()
    if store.currency and store.currency.upper() != shop_currency:
        return (f"The store's currency is {store.currency.upper()} but the TikTok shop sells in {shop_currency}: "
                f"synchronisation is stopped. Set the store currency to {shop_currency}.")
    return None


def sync_blocked_reason(session: Session, store: Store) -> str | None:
    check = _preflight() or currency_stop
    return check(session, store)
