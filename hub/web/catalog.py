"""The product table the settings page shows: every store product with its status, reason and fix.

The status is `hub.sync.products.status.product_status`, the one rule the Extension API and
`hub products` use too (`docs/statuses.md`): a product never sits in a status without saying why.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, tuple_

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


def product_rows(stores: list[Store], *, store_id: str | None = None,
                 only: set[tuple[str, str]] | None = None) -> list[ProductRow]:
    """Every product of the stores with its status, in title order.

    Reads only the columns the table shows (no product JSON, no ORM objects): with tens of thousands
    of products this is what keeps the Products page and the Overview fast.
    """
    by_id = {s.id: s for s in stores}
    ids = [store_id] if store_id in by_id else list(by_id)
    if not ids:
        return []
    snap = ProductSnapshot
    query = (select(snap.store_id, snap.product_id, snap.title, snap.updated_at, snap.category_paths,
                    Listing.status, Listing.reason, Listing.fix, Listing.reason_code, Listing.tiktok_product_id,
                    Listing.updated_at.label("listed_at"), ListingPlan.planned_for, ListingPlan.details_changed,
                    ProductOverride.tiktok_category_id.label("override_category"))
             .outerjoin(Listing, and_(Listing.store_id == snap.store_id, Listing.product_id == snap.product_id))
             .outerjoin(ListingPlan, and_(ListingPlan.store_id == snap.store_id,
                                          ListingPlan.product_id == snap.product_id))
             .outerjoin(ProductOverride, and_(ProductOverride.store_id == snap.store_id,
                                              ProductOverride.product_id == snap.product_id,
                                              ProductOverride.variant_id == ""))
             .where(snap.store_id.in_(ids), snap.deleted.is_(False))
             .order_by(snap.title, snap.product_id))
    if only is not None:
        query = query.where(tuple_(snap.store_id, snap.product_id).in_(sorted(only)))
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


def stored_paths(store_id: str, product_id: str) -> list[str]:
    """Category paths of a snapshot stored before they were kept in their own column."""
    return product_status.stored_paths(db(), store_id, product_id)


def counts(rows: list[ProductRow]) -> dict[str, int]:
    found = Counter(r.status for r in rows)
    return {status: found.get(status, 0) for status in STATUS_ORDER}


def matches(row: ProductRow, text: str) -> bool:
    text = text.casefold()
    return any(text in (value or "").casefold() for value in
               (row.title, row.product_id, row.tiktok_product_id, " ".join(row.categories)))
