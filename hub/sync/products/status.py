"""A product's status as the merchant sees it, decided in one place (`docs/statuses.md`).

The settings page, the Extension API's status endpoint and `hub products` all call `product_status`,
so one product never shows two statuses. The listing engine writes the six TikTok statuses on the
`Listing` row; what has no row (or a stale "Needs category" row) is derived here from the category
mapping: a product whose store category is mapped, or that has a TikTok category of its own, is
"Not synced" (waiting to be sent); otherwise it is "Needs category", naming the unmapped paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import CategoryMapping, Listing, ProductOverride, ProductSnapshot
from hub.models.listings import NEEDS_CATEGORY, NOT_SYNCED
from hub.sync.products.categories import category_key, category_paths

WAITING = "Waiting to be sent to TikTok."


@dataclass(frozen=True)
class ProductStatus:
    status: str
    reason: str | None
    fix: str | None
    reason_code: str | None


def product_status(listing: Any | None, *, mapped: bool, paths: list[str]) -> ProductStatus:
    """The status of one product.

    `listing` is the product's `Listing` row or anything with its `status`, `reason`, `fix` and
    `reason_code` (None when it has none); `mapped` says whether its category resolves to a TikTok
    category (a mapping of one of its store categories, or a category set on the product itself);
    `paths` are its store category paths, named when it needs a category.
    """
    if listing is not None and listing.status is not None and listing.status != NEEDS_CATEGORY:
        return ProductStatus(listing.status, listing.reason, listing.fix, listing.reason_code)
    if mapped:
        return ProductStatus(NOT_SYNCED, WAITING, None, None)
    if paths:
        reason = f"Its store category {', '.join(repr(p) for p in paths)} is not mapped to a TikTok category."
        fix = "Map the category on the Categories page (or `hub category map`), or choose a TikTok category on this product."
    else:
        reason = "It has no category in the store, so the hub cannot choose a TikTok category."
        fix = "Choose a TikTok category on this product, or give it a category in the store."
    return ProductStatus(NEEDS_CATEGORY, reason, fix, "needs_category")


class CategoryIndex:
    """Which store category paths are mapped, per store, for many products at once."""

    def __init__(self, mappings: Mapping[str, Mapping[str, CategoryMapping]]):
        self.mappings = mappings
        self._keys: dict[str, str] = {}  # path → key: a catalogue has few distinct paths

    @classmethod
    def load(cls, session: Session, store_ids: Iterable[str]) -> "CategoryIndex":
        found: dict[str, dict[str, CategoryMapping]] = {}
        for mapping in session.scalars(select(CategoryMapping).where(CategoryMapping.store_id.in_(list(store_ids)))):
            found.setdefault(mapping.store_id, {})[mapping.category_key] = mapping
        return cls(found)

    def mapping(self, store_id: str, paths: Iterable[str]) -> CategoryMapping | None:
        store_maps = self.mappings.get(store_id, {})
        for path in paths:
            key = self._keys.get(path)
            if key is None:
                key = self._keys[path] = category_key(path)
            if key in store_maps:
                return store_maps[key]
        return None


def stored_paths(session: Session, store_id: str, product_id: str) -> list[str]:
    """Category paths of a snapshot stored before they were kept in their own column."""
    data = session.scalar(select(ProductSnapshot.data).where(ProductSnapshot.store_id == store_id,
                                                             ProductSnapshot.product_id == product_id))
    return category_paths(data or {})


def statuses(session: Session, store_id: str, product_ids: Iterable[str] | None = None) -> dict[str, ProductStatus]:
    """`product_status` of the store's products (all, or those of `product_ids` it has), by product id."""
    ids = None if product_ids is None else sorted(set(product_ids))
    query = (select(ProductSnapshot.product_id, ProductSnapshot.category_paths, ProductOverride.tiktok_category_id)
             .outerjoin(ProductOverride, (ProductOverride.store_id == ProductSnapshot.store_id)
                        & (ProductOverride.product_id == ProductSnapshot.product_id) & (ProductOverride.variant_id == ""))
             .where(ProductSnapshot.store_id == store_id, ProductSnapshot.deleted.is_(False)))
    listings = select(Listing).where(Listing.store_id == store_id)
    if ids is not None:
        query = query.where(ProductSnapshot.product_id.in_(ids))
        listings = listings.where(Listing.product_id.in_(ids))
    by_product = {row.product_id: row for row in session.scalars(listings)}
    index = CategoryIndex.load(session, [store_id])
    found: dict[str, ProductStatus] = {}
    for product_id, paths, override in session.execute(query):
        paths = list(paths) if paths is not None else stored_paths(session, store_id, product_id)
        mapped = bool(override) or index.mapping(store_id, paths) is not None
        found[product_id] = product_status(by_product.get(product_id), mapped=mapped, paths=paths)
    return found
