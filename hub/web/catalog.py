"""The product table the settings page shows: every store product with its status, reason and fix.

The status is `hub.sync.products.status.product_status`, the one rule the Extension API and
`hub products` use too (`docs/statuses.md`): a product never sits in a status without saying why.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, NamedTuple

import redis
from sqlalchemy import Text, and_, case, cast, false, func, or_, select, true, tuple_

from hub.models import Listing, ListingPlan, ProductOverride, ProductSnapshot, Store
from hub.models import listings as st
from hub.runtime import current
from hub.sync.products import status as product_status
from hub.web.db import db

log = logging.getLogger("hub.web.catalog")

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
                 tally: "Tally | None" = None, total_into: list[int] | None = None) -> list[ProductRow]:
    """The stores' products with their status, in title order: all of them, or one page.

    Reads only the columns the table shows (no product JSON, no ORM objects); `status` and `text`
    filter and `offset`/`limit` page in the database (`Tally.where`), so a page of a 100,000-product
    store builds the status of its fifty rows only. `total_into` receives how many products the filter
    selects, counted in the same scan (a window count), when the page has any row.
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
    if total_into is not None:
        query = query.add_columns(func.count().over().label("matches"))
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    index = product_status.CategoryIndex.load(db(), ids)
    rows = []
    for r in db().connection().execute(query):  # Core rows: no ORM bookkeeping per row
        if total_into is not None and not total_into:
            total_into.append(int(r.matches))
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


def product_page(stores: list[Store], *, store_id: str | None, status: str | None, text: str | None, offset: int,
                 limit: int, tally: "Tally") -> tuple[list[ProductRow], int]:
    """One page of the Products table and how many products its filter selects.

    Without a text the count comes from the status groups. A text search is one scan of every title,
    id and category path: its count is taken in that scan (it was a second scan as long again); only a
    page past the last match counts on its own."""
    if not text:
        return (product_rows(stores, store_id=store_id, status=status, offset=offset, limit=limit, tally=tally),
                tally.count(status=status))
    total: list[int] = []
    rows = product_rows(stores, store_id=store_id, status=status, text=text, offset=offset, limit=limit, tally=tally,
                        total_into=total)
    return rows, total[0] if total else tally.count(status=status, text=text)


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
    # When the groups of a large store came from the short-lived copy: the oldest copy's time.
    as_of: datetime | None = field(default=None)

    @classmethod
    def load(cls, stores: list[Store], *, store_id: str | None = None) -> "Tally":
        ids = _store_ids(stores, store_id)
        tally = cls({i: Counter() for i in ids}, {}, set(), {s.id: s for s in stores}, set())
        if not ids:
            return tally
        groups, tally.as_of = _store_groups(ids)
        index = product_status.CategoryIndex.load(db(), ids)
        for r in groups:
            derived = r.status is None or r.status == st.NEEDS_CATEGORY
            if derived and not r.override and r.paths is None:
                tally._legacy(r.store_id, index)
                continue
            found = json.loads(r.paths) if r.paths is not None else []
            mapped = bool(r.override) or (derived and index.mapping(r.store_id, found) is not None)
            if derived and not r.override and mapped and r.paths is not None:
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


class _Group(NamedTuple):
    """One group of a store's products that share a status: what `product_status` needs, and how many."""

    store_id: str
    status: str | None
    override: int
    paths: str | None
    n: int


def _groups_key(store_id: str) -> str:
    return f"hub:catalog:groups:{store_id}"


def _count_groups(ids: list[str]) -> list[_Group]:
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
    return [_Group(r.store_id, r.status, int(r.override), r.paths, int(r.n)) for r in db().execute(query)]


def _store_groups(ids: list[str]) -> tuple[list[_Group], datetime | None]:
    """The status groups of these stores, and when the oldest of them was counted if any came from
    the copy kept for large stores.

    Counting is a scan of every product of the store (about 0.1–0.3 s at 100,000 products), and the
    Products page, its live progress and the Overview each need it on every view. A store with at
    least `product_counts_cache_from` products keeps its groups in Redis for `product_counts_max_age`
    seconds; what a group means (the category mapping, the status rule) is applied afresh on every
    view, so a new category mapping shows at once. Without Redis the groups are counted every time.
    """
    settings = current().settings
    max_age = float(settings.product_counts_max_age)
    connection = current().redis if max_age > 0 else None
    groups: list[_Group] = []
    oldest: float | None = None
    missing = list(ids)
    if connection is not None:
        try:
            copies = connection.mget([_groups_key(i) for i in ids])
        except redis.RedisError:
            connection, copies = None, []
        missing = []
        for store_id, copy in zip(ids, copies or [None] * len(ids)):
            if copy is None:
                missing.append(store_id)
                continue
            kept = json.loads(copy)
            if time.time() - kept["at"] > max_age:  # kept under a longer setting
                missing.append(store_id)
                continue
            groups.extend(_Group(*g) for g in kept["groups"])
            oldest = kept["at"] if oldest is None else min(oldest, kept["at"])
    if missing:
        counted = _count_groups(missing)
        groups.extend(counted)
        if connection is not None:
            _keep(connection, counted, settings.product_counts_cache_from, max_age)
    as_of = datetime.fromtimestamp(oldest, tz=timezone.utc) if oldest is not None else None
    return groups, as_of


def _keep(connection: redis.Redis, groups: Iterable[_Group], large: int, max_age: float) -> None:
    by_store: dict[str, list[_Group]] = {}
    for g in groups:
        by_store.setdefault(g.store_id, []).append(g)
    now = time.time()
    try:
        pipe = connection.pipeline(transaction=False)
        for store_id, kept in by_store.items():
            if sum(g.n for g in kept) >= large:
                pipe.set(_groups_key(store_id), json.dumps({"at": now, "groups": kept}), px=int(max_age * 1000))
        pipe.execute()
    except redis.RedisError:
        log.warning("Redis is unreachable: product counts are not kept")


def forget_counts(store_id: str) -> None:
    """A change made on the settings page (an override, the Sync button) shows in the counts at once."""
    try:
        current().redis.delete(_groups_key(store_id))
    except redis.RedisError:
        pass
