"""The preflight checklist: every item says what is wrong and how to fix it.

The rules that only need the hub's own data (connection, region, currencies) are checked on every page
view, the store gate through `hub.sync.policy` (the same rule every sync path applies). The TikTok-side
items (listing prerequisites, warehouses) come from `hub.sync.products.preflight`, shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session

from hub.models import Store, TikTokShop
from hub.models.tiktok_shops import CONNECTED, DEAUTHORIZED
from hub.sync import policy
from hub.sync.products import preflight

OK, FAIL, WARN = "ok", "fail", "warn"


@dataclass
class Item:
    key: str
    title: str
    state: str
    detail: str
    fix: str | None = None
    store: str | None = None  # the store an item concerns (None: the TikTok shop, and so every store)


def connection_items(shop: TikTokShop | None) -> list[Item]:
    if shop is None:
        return [Item("connected", "TikTok shop connected", FAIL, "No TikTok shop is connected yet.",
                     "Click “Connect TikTok Shop” and approve the hub on TikTok's page.")]
    now = datetime.now(timezone.utc)
    items = []
    if shop.status == CONNECTED:
        detail = f"Connected to {shop.shop_name or shop.shop_id}."
        state, fix = OK, None
        expiry = shop.refresh_token_expires_at or shop.authorization_expires_at
        if expiry is not None and expiry - now < timedelta(days=7):
            state = WARN
            detail += f" The authorization ends on {expiry:%d %b %Y}."
            fix = "Reconnect the TikTok shop before then so nothing stops."
        items.append(Item("connected", "TikTok shop connected", state, detail, fix))
    else:
        why = "The shop removed the hub's access on TikTok." if shop.status == DEAUTHORIZED else \
            "TikTok no longer accepts the hub's access."
        items.append(Item("connected", "TikTok shop connected", FAIL,
                          f"{why} {shop.status_reason or ''}".strip() + " Work is paused; nothing is lost.",
                          "Click “Reconnect TikTok Shop” and approve the hub again."))
    region = (shop.region or "").upper()
    if region == "GB":
        items.append(Item("region", "The shop is a UK shop", OK, "Region GB (TikTok Shop UK)."))
    else:
        items.append(Item("region", "The shop is a UK shop", FAIL,
                          f"The connected shop is in region {region or 'unknown'}; this hub lists on TikTok Shop UK only.",
                          "Connect your UK TikTok shop instead (log in to TikTok with the UK seller account)."))
    currency = (shop.currency or "").upper()
    if currency == "GBP":
        items.append(Item("shop_currency", "The shop sells in pounds (GBP)", OK, "TikTok shop currency GBP."))
    else:
        items.append(Item("shop_currency", "The shop sells in pounds (GBP)", FAIL,
                          f"The TikTok shop's currency is {currency or 'unknown'}, not GBP.",
                          "Connect a TikTok Shop UK shop, which sells in GBP."))
    return items


def store_items(stores: list[Store], shop: TikTokShop | None) -> list[Item]:
    shop_currency = (shop.currency if shop and shop.currency else "GBP").upper()
    active = [s for s in stores if s.revoked_at is None]
    if not active:
        return [Item("stores", "A store is connected", FAIL, "No store is connected to the hub yet.",
                     "Create store credentials on the Stores page and enter them in your store's extension.")]
    items = []
    for store in active:
        key = f"store_currency_{store.id}"
        title = f"{store.name}: currency matches the TikTok shop"
        if store.last_contact_at is None:
            items.append(Item(key, f"{store.name}: extension has contacted the hub", WARN,
                              "The store has not contacted the hub yet.",
                              "Enter the key and secret in the store's TikTok Shop Sync extension and save.",
                              store.name))
        elif not store.currency:
            items.append(Item(key, title, WARN, "The store has not reported its currency yet.",
                              "Update the store's extension; it reports the currency when it connects.", store.name))
        elif (stop := policy.currency_blocked(store.currency, shop_currency)) is not None:
            items.append(Item(key, title, FAIL, stop.message + " No products, prices, stock or orders move for "
                                                               "this store until the currencies match; other stores are "
                                                               "not affected.", stop.fix, store.name))
        else:
            items.append(Item(key, title, OK, f"Both sell in {shop_currency}.", store=store.name))
    return items


def engine_items(session: Session, merchant_id: str, shop: TikTokShop | None) -> list[Item]:
    """TikTok-side checks (listing prerequisites, warehouses) from the listing engine, asked live."""
    if shop is None:
        return []
    return [Item(found.key, found.title, OK if found.ok else FAIL, found.message, found.fix)
            for found in preflight.checklist(session, merchant_id)]


def checklist(session: Session, merchant_id: str, stores: list[Store], shop: TikTokShop | None) -> list[Item]:
    return connection_items(shop) + store_items(stores, shop) + engine_items(session, merchant_id, shop)
