"""The product table the settings page shows: every store product with its status, reason and fix.

Status comes from `Listing` (the listing engine writes it with the exact design §6 names). A product
without a listing is "Needs category" unless its store category is mapped (or a TikTok category is set
on the product), in which case it is "Not synced": a product never sits in a status without saying why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import and_, select

from hub.models import CategoryMapping, Listing, ListingPlan, ProductOverride, ProductSnapshot, Store
from hub.models import listings as st
from hub.web.db import db

STATUS_ORDER = (st.NEEDS_CATEGORY, st.NOT_SYNCED, st.FAILED_TO_SYNC, st.UNDER_REVIEW, st.FAILED_REVIEW,
                st.ACTIVE, st.SYNCED)


def category_key(path: Iterable[str] | str) -> str:
    """The listing engine's lookup key: case-folded, single spaces, " > " between levels."""
    parts = path.split(">") if isinstance(path, str) else list(path)
    return " > ".join(re.sub(r"\s+", " ", str(p)).strip().casefold() for p in parts if str(p).strip())


def category_paths(data: dict[str, Any]) -> list[str]:
    """Every category path of a canonical product, as the merchant reads it ("Clothing > Socks")."""
    paths = []
    for category in data.get("categories") or []:
        if not isinstance(category, dict):
            continue
        path = category.get("path") or ([category["name"]] if category.get("name") else [])
        text = " > ".join(str(p).strip() for p in path if str(p).strip())
        if text and text not in paths:
            paths.append(text)
    return paths


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


def _mappings(store_ids: list[str]) -> dict[str, dict[str, CategoryMapping]]:
    found: dict[str, dict[str, CategoryMapping]] = {}
    for mapping in db().scalars(select(CategoryMapping).where(CategoryMapping.store_id.in_(store_ids))):
        found.setdefault(mapping.store_id, {})[mapping.category_key] = mapping
    return found


def product_rows(stores: list[Store], *, store_id: str | None = None,
                 only: set[tuple[str, str]] | None = None) -> list[ProductRow]:
    by_id = {s.id: s for s in stores}
    ids = [store_id] if store_id in by_id else list(by_id)
    if not ids:
        return []
    query = (select(ProductSnapshot, Listing, ListingPlan, ProductOverride)
             .outerjoin(Listing, and_(Listing.store_id == ProductSnapshot.store_id,
                                      Listing.product_id == ProductSnapshot.product_id))
             .outerjoin(ListingPlan, and_(ListingPlan.store_id == ProductSnapshot.store_id,
                                          ListingPlan.product_id == ProductSnapshot.product_id))
             .outerjoin(ProductOverride, and_(ProductOverride.store_id == ProductSnapshot.store_id,
                                              ProductOverride.product_id == ProductSnapshot.product_id,
                                              ProductOverride.variant_id == ""))
             .where(ProductSnapshot.store_id.in_(ids), ProductSnapshot.deleted.is_(False))
             .order_by(ProductSnapshot.title, ProductSnapshot.product_id))
    mappings = _mappings(ids)
    rows = []
    for snapshot, listing, plan, override in db().execute(query):
        if only is not None and (snapshot.store_id, snapshot.product_id) not in only:
            continue
        paths = category_paths(snapshot.data)
        store_maps = mappings.get(snapshot.store_id, {})
        mapped = next((store_maps[category_key(p)] for p in paths if category_key(p) in store_maps), None)
        mapped_name = None
        if override is not None and override.tiktok_category_id:
            mapped_name = f"TikTok category {override.tiktok_category_id} (set on this product)"
        elif mapped is not None:
            mapped_name = mapped.tiktok_category_name or mapped.tiktok_category_id
        if listing is not None and listing.status != st.NEEDS_CATEGORY:
            status, reason, fix = listing.status, listing.reason, listing.fix
        elif mapped_name:
            status, reason, fix = st.NOT_SYNCED, "Waiting to be sent to TikTok.", None
        else:
            status = st.NEEDS_CATEGORY
            if paths:
                reason = f"Its store category {', '.join(repr(p) for p in paths)} is not mapped to a TikTok category."
            else:
                reason = "It has no category in the store, so the hub cannot choose a TikTok category."
            fix = ("Map the category on the Categories page, or choose a TikTok category on this product."
                   if paths else "Choose a TikTok category on this product, or give it a category in the store.")
            if listing is not None and listing.reason:
                reason, fix = listing.reason, listing.fix or fix
        rows.append(ProductRow(
            store=by_id[snapshot.store_id], product_id=snapshot.product_id,
            title=snapshot.title or snapshot.data.get("title") or f"Product {snapshot.product_id}",
            status=status, reason=reason, fix=fix,
            tiktok_product_id=listing.tiktok_product_id if listing else None,
            updated_at=listing.updated_at if listing else snapshot.updated_at, categories=paths,
            mapped_category=mapped_name, planned_for=plan.planned_for if plan else None,
            details_changed=bool(plan and plan.details_changed)))
    return rows


def counts(rows: list[ProductRow]) -> dict[str, int]:
    found = Counter(r.status for r in rows)
    return {status: found.get(status, 0) for status in STATUS_ORDER}


def matches(row: ProductRow, text: str) -> bool:
    text = text.casefold()
    return any(text in (value or "").casefold() for value in
               (row.title, row.product_id, row.tiktok_product_id, " ".join(row.categories)))
