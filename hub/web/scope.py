"""Merchant-scoped lookups: the only way settings-page views reach stores, products and orders.

Every query starts from the logged-in merchant's store ids, so a guessed id of another merchant's row
answers 404 exactly like an id that does not exist. A page framed in a hosted platform's admin
(hub/stores/framing.py) starts from that one store instead: the merchant's other stores, their
products, orders and activity answer 404 there too.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import Select, select

from hub.models import ActivityEntry, Listing, Order, ProductSnapshot, Store, TikTokShop
from hub.web.db import db
from hub.web.security import framed_store_id, merchant_id


def stores(include_revoked: bool = True) -> list[Store]:
    query = select(Store).where(Store.merchant_id == merchant_id()).order_by(Store.created_at)
    if framed_store_id() is not None:
        query = query.where(Store.id == framed_store_id())
    if not include_revoked:
        query = query.where(Store.revoked_at.is_(None))
    return list(db().scalars(query))


def store_ids_query() -> Select[Any]:
    query = select(Store.id).where(Store.merchant_id == merchant_id())
    if framed_store_id() is not None:
        query = query.where(Store.id == framed_store_id())
    return query


def store_or_404(store_id: str) -> Store:
    store = db().get(Store, store_id)
    if store is None or store.merchant_id != merchant_id() or framed_store_id() not in (None, store.id):
        abort(404)
    return store


def orders() -> Select[Any]:
    """The orders this page may show (a framed page: its store's only)."""
    query = select(Order).where(Order.merchant_id == merchant_id())
    if framed_store_id() is not None:
        query = query.where(Order.store_id == framed_store_id())
    return query


def order_statuses() -> Select[Any]:
    return orders().with_only_columns(Order.status)


def visible_order(order: Order | None) -> bool:
    return order is not None and order.merchant_id == merchant_id() and framed_store_id() in (None, order.store_id)


def activity() -> Select[Any]:
    query = select(ActivityEntry).where(ActivityEntry.merchant_id == merchant_id())
    if framed_store_id() is not None:
        query = query.where(ActivityEntry.store_id == framed_store_id())
    return query


def shop() -> TikTokShop | None:
    return db().scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id()))


def product_or_404(store_id: str, product_id: str) -> tuple[Store, ProductSnapshot, Listing | None]:
    store = store_or_404(store_id)
    snapshot = db().scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == store.id,
                                                         ProductSnapshot.product_id == product_id))
    if snapshot is None:
        abort(404)
    listing = db().scalar(select(Listing).where(Listing.store_id == store.id, Listing.product_id == product_id))
    return store, snapshot, listing
