"""The product table the settings page shows: every store product with its status, reason and fix.

The status is `hub.sync.products.status.product_status`, the one rule the Extension API and
`hub products` use too (`docs/statuses.md`): a product never sits in a status without saying why.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, case, cast, false, func, or_, select, true, tuple_

from hub.models import Listing, ListingPlan, ProductOverride, ProductSnapshot, Store
from hub.models import listings as st
from hub.sync.products import status as product_status
from hub.web.db import db

STATUS_ORDER = (st.NEEDS_CATEGORY, st.NOT_SYNCED, st.FAILED_TO_SYNC, st.UNDER_REVIEW, st.FAILED_REVIEW,
                st.ACTIVE, st.SYNCED)


@dataclass
class ProductRow:
    store: Store
    product_id: str
    title: str
    status: str
    reason: str | None
    fix: str | None
    tiktok_product_id: str | None
    updated_at: datetime | None
    categories: list[str]
    mapped_category: str | None
    planned_for: Any = None
    details_changed: bool = False

    @property
    def key(self) -> str:
        return f"{self.store.id}:{self.product_id}"

    @property
    def seller_center_url(self) -> str | None:
        if self.status == st.FAILED_REVIEW and self.tiktok_product_id:
            from hub.sync.products.review import seller_center_link

            return seller_center_link(self.tiktok_product_id)
        return None


def _base(ids: list[str]) -> Any:
    """The columns the table shows, for the stores' products that are not deleted (no product JSON)."""
    snap = ProductSnapshot
    return (select(snap.store_id, snap.product_id, snap.title, snap.updated_at, snap.category_paths,
                   Listing.status, Listing.reason, Listing.fix, Listing.reason_code, Listing.tiktok_product_id,
                   Listing.updated_at.label("listed_at"), ListingPlan.planned_for, ListingPlan.details_changed,
                   ProductOverride.tiktok_category_id.label("override_category"))
            .outerjoin(Listing, and_(Listing.store_id == snap.store_id, Listing.product_id == snap.product_id))
            .outerjoin(ListingPlan, and_(ListingPlan.store_id == snap.store_id,
                                         ListingPlan.product_id == snap.product_id))
            .outerjoin(ProductOverride, and_(ProductOverride.store_id == snap.store_id,
                                             ProductOverride.product_id == snap.product_id,
                                             ProductOverride.variant_id == ""))
            .where(snap.store_id.in_(ids), snap.deleted.is_(False)))


def _store_ids(stores: list[Store], store_id: str | None) -> list[str]:
    ids = [s.id for s in stores]
    return [store_id] if store_id in ids else ids


def product_rows(stores: list[Store], *, store_id: str | None = None,
                 only: set[tuple[str, str]] | None = None, status: str | None = None, text: str | None = None,
                 offset: int = 0, limit: int | None = None, planned: bool = False,
                 tally: "Tally | None" = None) -> list[ProductRow]:
    """The stores' products with their status, in title order: all of them, or one page.

    Reads only the columns the table shows (no product JSON, no ORM objects); `status` and `text`
    filter and `offset`/`limit` page in the database (`Tally.where`), so a page of a 100,000-product
    store builds the status of its fifty rows only.
    """
    by_id = {s.id: s for s in stores}
    ids = _store_ids(stores, store_id)
    if not ids:
        return []
    snap = ProductSnapshot
    query = _base(ids).order_by(snap.title, snap.product_id)
    if only is not None:
        query = query.where(tuple_(snap.store_id, snap.product_id).in_(sorted(only)))
    if planned:
        query = query.where(ListingPlan.planned_for.is_not(None))
    if status or text:
        tally = tally if tally is not None else Tally.load(stores, store_id=store_id)
        query = query.where(tally.where(status=status, text=text))
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    index = product_status.CategoryIndex.load(db(), ids)
    rows = []
    for r in db().connection().execute(query):  # Core rows: no ORM bookkeeping per row
        paths = list(r.category_paths) if r.category_paths is not None else stored_paths(r.store_id, r.product_id)
        mapped = index.mapping(r.store_id, paths)
        mapped_name = None
        if r.override_category:
            mapped_name = f"TikTok category {r.override_category} (set on this product)"
        elif mapped is not None:
            mapped_name = mapped.tiktok_category_name or mapped.tiktok_category_id
        shown = product_status.product_status(r if r.status is not None else None, mapped=bool(mapped_name),
                                              paths=paths)
        rows.append(ProductRow(
            store=by_id[r.store_id], product_id=r.product_id, title=r.title or f"Product {r.product_id}",
            status=shown.status, reason=shown.reason, fix=shown.fix, tiktok_product_id=r.tiktok_product_id,
            updated_at=r.listed_at if r.status is not None else r.updated_at, categories=paths,
            mapped_category=mapped_name, planned_for=r.planned_for, details_changed=bool(r.details_changed)))
    return rows


def _has_override() -> Any:
    return and_(ProductOverride.tiktok_category_id.is_not(None), ProductOverride.tiktok_category_id != "")


def _derived() -> Any:
    """No listing row, or a stale "Needs category" one: the status comes from the category mapping."""
    return or_(Listing.status.is_(None), Listing.status == st.NEEDS_CATEGORY)


def _paths_text() -> Any:
    return cast(ProductSnapshot.category_paths, Text)


@dataclass
class Tally:
    """Products per store and status, counted by the database in a few groups.

    `product_status` decides a status from the listing row, whether a category is set on the product,
    and its store category paths; products sharing those share a status, so the database groups by
    them and the rule runs once per group (a catalogue has few distinct paths). The groups also say
    which paths of which store are mapped, which turns a derived status into a SQL condition (`where`)
    for filtering and paging.
    """

    by_store: dict[str, Counter[str]]
    mapped: dict[str, set[str]]  # store id → category path texts (as the database prints them) that are mapped
    legacy_mapped: set[tuple[str, str]]  # products stored before their paths had a column, that are mapped
    stores: dict[str, Store]
    legacy_read: set[str]  # stores whose legacy products were read

    @classmethod
    def load(cls, stores: list[Store], *, store_id: str | None = None) -> "Tally":
        ids = _store_ids(stores, store_id)
        tally = cls({i: Counter() for i in ids}, {}, set(), {s.id: s for s in stores}, set())
        if not ids:
            return tally
        snap = ProductSnapshot
        override = case((_has_override(), 1), else_=0).label("override")
        paths = case((and_(_derived(), ~_has_override()), _paths_text()), else_=None).label("paths")
        query = (select(snap.store_id, Listing.status, override, paths, func.count().label("n"))
                 .outerjoin(Listing, and_(Listing.store_id == snap.store_id, Listing.product_id == snap.product_id))
                 .outerjoin(ProductOverride, and_(ProductOverride.store_id == snap.store_id,
                                                  ProductOverride.product_id == snap.product_id,
                                                  ProductOverride.variant_id == ""))
                 .where(snap.store_id.in_(ids), snap.deleted.is_(False))
                 .group_by(snap.store_id, Listing.status, override, paths))
        index = product_status.CategoryIndex.load(db(), ids)
        session = db()
        for r in session.execute(query):
            derived = r.status is None or r.status == st.NEEDS_CATEGORY
            if derived and not r.override and r.paths is None:
                tally._legacy(r.store_id, index)
                continue
            found = json.loads(r.paths) if r.paths is not None else []
            mapped = bool(r.override) or (derived and index.mapping(r.store_id, found) is not None)
            if derived and not r.override and mapped:
                tally.mapped.setdefault(r.store_id, set()).add(r.paths)
            listing = None if r.status is None else _Listed(r.status)
            tally.by_store[r.store_id][product_status.product_status(listing, mapped=mapped, paths=found).status] += r.n
        return tally

    def _legacy(self, store_id: str, index: product_status.CategoryIndex) -> None:
        """Products without a `category_paths` value (stored before revision 0005 filled it): one by one."""
        if store_id in self.legacy_read:
            return
        self.legacy_read.add(store_id)
        snap = ProductSnapshot
        query = (select(snap.product_id).outerjoin(Listing, and_(Listing.store_id == snap.store_id,
                                                                 Listing.product_id == snap.product_id))
                 .outerjoin(ProductOverride, and_(ProductOverride.store_id == snap.store_id,
                                                  ProductOverride.product_id == snap.product_id,
                                                  ProductOverride.variant_id == ""))
                 .where(snap.store_id == store_id, snap.deleted.is_(False), snap.category_paths.is_(None),
                        _derived(), ~_has_override()))
        for product_id in db().scalars(query):
            paths = stored_paths(store_id, product_id)
            if index.mapping(store_id, paths) is not None:
                self.legacy_mapped.add((store_id, product_id))
                self.by_store[store_id][st.NOT_SYNCED] += 1
            else:
                self.by_store[store_id][st.NEEDS_CATEGORY] += 1

    def _mapped_condition(self) -> Any:
        conditions = [and_(ProductSnapshot.store_id == store_id, _paths_text().in_(sorted(texts)))
                      for store_id, texts in self.mapped.items() if texts]
        if self.legacy_mapped:
            conditions.append(tuple_(ProductSnapshot.store_id, ProductSnapshot.product_id).in_(sorted(self.legacy_mapped)))
        return or_(*conditions) if conditions else false()

    def where(self, *, status: str | None = None, text: str | None = None) -> Any:
        """The SQL condition for products showing `status` and matching `text` (as `matches` does)."""
        conditions = []
        if status == st.NOT_SYNCED:
            conditions.append(or_(Listing.status == st.NOT_SYNCED,
                                  and_(_derived(), or_(_has_override(), self._mapped_condition()))))
        elif status == st.NEEDS_CATEGORY:
            conditions.append(and_(_derived(), ~_has_override(), ~func.coalesce(self._mapped_condition(), false())))
        elif status:
            conditions.append(Listing.status == status)
        if text:
            folded = text.casefold()
            title = func.coalesce(ProductSnapshot.title, "")
            conditions.append(or_(
                func.lower(title).contains(folded, autoescape=True),
                and_(title == "", func.lower("product " + ProductSnapshot.product_id).contains(folded, autoescape=True)),
                func.lower(ProductSnapshot.product_id).contains(folded, autoescape=True),
                func.lower(func.coalesce(Listing.tiktok_product_id, "")).contains(folded, autoescape=True),
                func.lower(func.coalesce(_paths_text(), "")).contains(folded, autoescape=True)))
        return and_(true(), *conditions)

    def counts(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for counter in self.by_store.values():
            found.update(counter)
        return {status: found.get(status, 0) for status in STATUS_ORDER}

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.by_store.values())

    def count(self, *, status: str | None = None, text: str | None = None) -> int:
        """How many products `where` selects; without a text this is read from the groups."""
        if not text:
            return self.counts().get(status, 0) if status in STATUS_ORDER else (self.total if not status else 0)
        ids = list(self.by_store)
        if not ids:
            return 0
        query = _base(ids).where(self.where(status=status, text=text)).subquery()
        return int(db().scalar(select(func.count()).select_from(query)) or 0)


@dataclass(frozen=True)
class _Listed:
    """A listing's status alone: all `product_status` reads of a group's listing."""

    status: str
    reason: str | None = None
    fix: str | None = None
    reason_code: str | None = None


def stored_paths(store_id: str, product_id: str) -> list[str]:
    """Category paths of a snapshot stored before they were kept in their own column."""
    return product_status.stored_paths(db(), store_id, product_id)
