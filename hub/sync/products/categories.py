"""Category mapping: store category (by path) → TikTok leaf category, per store (docs/product-rules.md).

A mapping records the category tree version (`v1` 3-level / `v2` 7-level) the TikTok id was found in,
because TikTok rejects an id sent with the wrong version (12052217 / 12052230). Mapping a category
gives its products the status "Not synced"; products in unmapped categories are "Needs category".
A per-product override (`ProductOverride.tiktok_category_id`) wins over the category mapping.

TikTok's attributes and rules for a category are cached per shop (`TikTokCategoryInfo`) for a day:
TikTok advises against caching categories for long, and a day is short enough to pick up changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.db import hold_row
from hub.errors import DataError
from hub.models import (CategoryMapping, Listing, ListingPlan, ProductOverride, ProductSnapshot, Store,
                        TikTokCategoryInfo)
from hub.models.listings import NEEDS_CATEGORY, NOT_SYNCED
from hub.sync.products import text_rules

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.tiktok.client import ShopClient

CATEGORY_INFO_TTL = timedelta(hours=24)
VERSIONS = ("v2", "v1")  # newest first: TikTok now says "All region shops must use V2 categories"
_SPACES = re.compile(r"\s+")


def category_key(path: str | Iterable[str]) -> str:
    """'Clothing > Socks', ['Clothing', 'Socks'] and ' clothing >socks ' are the same key."""
    parts = path.split(">") if isinstance(path, str) else list(path)
    cleaned = [_SPACES.sub(" ", str(p)).strip().casefold() for p in parts]
    return " > ".join(p for p in cleaned if p)


def category_paths(product: Mapping[str, Any]) -> list[str]:
    """Every category path of a canonical product, as the merchant reads it ("Clothing > Socks").

    Kept on the snapshot at intake (`ProductSnapshot.category_paths`), so that lists of thousands of
    products never decode each product's JSON to show or match its categories.
    """
    paths: list[str] = []
    for category in product.get("categories") or []:
        if not isinstance(category, Mapping):
            continue
        path = category.get("path") or ([category["name"]] if category.get("name") else [])
        text = " > ".join(str(p).strip() for p in path if str(p).strip())
        if text and text not in paths:
            paths.append(text)
    return paths


def product_category_keys(product: Mapping[str, Any]) -> list[str]:
    """The product's categories as keys, most specific (longest path) first."""
    keys = []
    for category in product.get("categories") or []:
        if not isinstance(category, Mapping):
            continue
        path = category.get("path") or ([category["name"]] if category.get("name") else [])
        key = category_key(path)
        if key and key not in keys:
            keys.append(key)
    return sorted(keys, key=lambda k: -k.count(" > "))


@dataclass(frozen=True)
class ResolvedCategory:
    category_id: str
    version: str
    name: str | None
    source: str  # "mapping:<path>" | "override"

    @property
    def is_book(self) -> bool:
        return "book" in (self.name or "").lower()


def resolve(session: Session, store_id: str, product: Mapping[str, Any],
            mappings: Mapping[str, CategoryMapping] | None = None,
            override: ProductOverride | None = None) -> ResolvedCategory | None:
    """The TikTok category this product goes to, or None ("Needs category")."""
    if mappings is None:
        mappings = store_mappings(session, store_id)
    if override is not None and override.tiktok_category_id:
        same = next((m for m in mappings.values() if m.tiktok_category_id == override.tiktok_category_id), None)
        return ResolvedCategory(override.tiktok_category_id, same.category_version if same else VERSIONS[-1],
                                same.tiktok_category_name if same else None, "override")
    for key in product_category_keys(product):
        mapping = mappings.get(key)
        if mapping is not None:
            return ResolvedCategory(mapping.tiktok_category_id, mapping.category_version,
                                    mapping.tiktok_category_name, f"mapping:{mapping.category_path}")
    return None


def resolve_on_fresh_read(session: Session, store_id: str,
                          products: Mapping[str, tuple[Mapping[str, Any], ProductOverride | None]]
                          ) -> dict[str, ResolvedCategory | None]:
    """`resolve` for each of `products` (id → canonical data, override), the mappings read again under
    the store's row hold that `map_category` also takes.

    "Needs category" is written on this answer only: a mapping saved after the caller's first read is
    seen here, and one saved later sees the caller's "Needs category" and undoes it. Nothing else ever
    looks at a product waiting for a category again, so a stale "unmapped" would strand it.
    """
    if not products:
        return {}
    with session.no_autoflush:  # the store's row first, the caller's pending writes after: the order
        hold_row(session, Store, store_id)  # `map_category` takes its locks in, so neither waits on the other
        mappings = {m.category_key: m for m in session.scalars(select(CategoryMapping).where(
            CategoryMapping.store_id == store_id).execution_options(populate_existing=True))}
        return {pid: resolve(session, store_id, data, mappings, override) for pid, (data, override) in products.items()}


def with_version(runtime: "Runtime", shop_id: str, client: "ShopClient",
                 resolved: ResolvedCategory) -> ResolvedCategory:
    """A per-product override names only an id: learn its tree version and name from TikTok (cached a day)."""
    if resolved.source != "override" or resolved.name is not None:
        return resolved
    key = f"hub:tiktok:leaf:{shop_id}:{resolved.category_id}"
    cached = runtime.redis.get(key)
    if cached is not None:
        version, _, name = (cached.decode() if isinstance(cached, bytes) else str(cached)).partition("|")
    else:
        version, name = find_leaf(client, resolved.category_id)
        runtime.redis.set(key, f"{version}|{name}", ex=int(CATEGORY_INFO_TTL.total_seconds()))
    return ResolvedCategory(resolved.category_id, version, name, "override")


def store_mappings(session: Session, store_id: str) -> dict[str, CategoryMapping]:
    return {m.category_key: m for m in session.scalars(
        select(CategoryMapping).where(CategoryMapping.store_id == store_id))}


def _chain_name(categories: dict[str, dict], category_id: str) -> str:
    names, seen = [], set()
    current = categories.get(category_id)
    while current is not None and current["id"] not in seen:
        seen.add(current["id"])
        names.append(str(current.get("local_name") or current["id"]))
        current = categories.get(str(current.get("parent_id")))
    return " > ".join(reversed(names))


def find_leaf(client: "ShopClient", category_id: str) -> tuple[str, str]:
    """(version, full name) of a TikTok leaf category, trying the newest tree version first."""
    last_error: DataError | None = None
    for version in VERSIONS:
        try:
            listed = client.catalog.categories(category_version=version).get("categories") or []
        except DataError as error:  # this shop does not use that tree version (12052217)
            last_error = error
            continue
        categories = {str(c.get("id")): c for c in listed}
        found = categories.get(str(category_id))
        if found is None:
            continue
        if not found.get("is_leaf"):
            raise DataError(f"TikTok category {category_id} ({found.get('local_name')}) is not a leaf category; "
                            "products can only be listed in the most specific categories.",
                            code="category_not_leaf", fix="Choose one of its sub-categories.")
        statuses = set(found.get("permission_statuses") or [])
        if statuses & {"INVITE_ONLY", "PROHIBITED"}:
            raise DataError(f"TikTok category {category_id} ({found.get('local_name')}) is "
                            f"{', '.join(sorted(statuses)).lower().replace('_', '-')} for your shop.",
                            code="category_restricted",
                            fix="Apply for it in TikTok Seller Center's Qualification Center, or choose another category.")
        return version, _chain_name(categories, str(category_id))
    if last_error is not None and last_error.code == "tiktok_12052217":
        raise last_error
    raise DataError(f"TikTok has no category {category_id}.", code="category_unknown",
                    fix="Check the TikTok category id (hub category suggestions can propose one).")


def map_category(session: Session, store_id: str, path: str, tiktok_category_id: str, *, version: str,
                 name: str | None = None) -> tuple[CategoryMapping, list[str]]:
    """Store the mapping and give the category's products the status "Not synced".

    Returns the mapping and the ids of the products now in a mapped category (to be listed).
    """
    key = category_key(path)
    if not key:
        raise DataError("The store category path is empty.", code="category_path_empty",
                        fix='Give the path as shown in your store, e.g. "Clothing > Socks".')
    store = session.get(Store, store_id)
    if store is None:
        raise DataError(f"There is no store {store_id}.", code="store_unknown")
    hold_row(session, Store, store_id)  # no product of the store is judged unmapped on a stale read meanwhile
    mapping = session.scalar(select(CategoryMapping).where(CategoryMapping.store_id == store_id,
                                                          CategoryMapping.category_key == key))
    if mapping is None:
        mapping = CategoryMapping(store_id=store_id, category_key=key)
        session.add(mapping)
    mapping.category_path = " > ".join(p.strip() for p in path.split(">")) if isinstance(path, str) else path
    mapping.tiktok_category_id = str(tiktok_category_id)
    mapping.category_version = version
    mapping.tiktok_category_name = name
    session.flush()

    affected = []
    mappings = store_mappings(session, store_id)
    listings = {l.product_id: l for l in session.scalars(select(Listing).where(Listing.store_id == store_id))}
    for snapshot in session.scalars(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                                  ProductSnapshot.deleted.is_(False))):
        if key not in product_category_keys(snapshot.data):
            continue
        resolved = resolve(session, store_id, snapshot.data, mappings)
        if resolved is None:
            continue
        listing = listings.get(snapshot.product_id)
        if listing is None:
            listing = Listing(store_id=store_id, product_id=snapshot.product_id, status=NOT_SYNCED,
                              reason="Ready to be sent to TikTok.", fix=None)
            session.add(listing)
        elif listing.status == NEEDS_CATEGORY:
            listing.status = NOT_SYNCED
            listing.reason, listing.fix, listing.reason_code = "Ready to be sent to TikTok.", None, None
        if listing.tiktok_product_id is None:
            affected.append(snapshot.product_id)
    session.flush()
    return mapping, affected


def ensure_plan(session: Session, store_id: str, product_id: str) -> ListingPlan:
    import uuid

    plan = session.scalar(select(ListingPlan).where(ListingPlan.store_id == store_id,
                                                   ListingPlan.product_id == product_id))
    if plan is None:
        plan = ListingPlan(store_id=store_id, product_id=product_id, idempotency_key=str(uuid.uuid4()))
        try:
            with session.begin_nested():
                session.add(plan)
                session.flush()
        except IntegrityError:  # another worker made it first: use theirs (same idempotency key)
            plan = session.scalars(select(ListingPlan).where(ListingPlan.store_id == store_id,
                                                            ListingPlan.product_id == product_id)).one()
    return plan


def suggest(client: "ShopClient", product: Mapping[str, Any]) -> list[dict[str, Any]]:
    """TikTok's recommended leaf category for a product (recommend endpoint), as suggestions."""
    title = text_rules.plain_title(str(product.get("title") or ""))
    if not title:
        return []
    try:
        data = client.catalog.recommend(title[:255])
    except DataError:  # 12019064 & co: TikTok has no suggestion for this title
        return []
    chain = data.get("categories") or []
    leaf = str(data.get("leaf_category_id") or "")
    if not leaf:
        return []
    return [{"tiktok_category_id": leaf, "name": " > ".join(str(c.get("name")) for c in chain),
             "permission_statuses": (chain[-1].get("permission_statuses") if chain else None) or []}]


def category_info(session: Session, shop_id: str, client: "ShopClient", category_id: str,
                  version: str, *, fresh: bool = False) -> TikTokCategoryInfo:
    """Attributes and rules of a category, from the cache or TikTok (Get Attributes, Get Category Rules)."""
    info = session.scalar(select(TikTokCategoryInfo).where(TikTokCategoryInfo.shop_id == shop_id,
                                                          TikTokCategoryInfo.category_id == category_id,
                                                          TikTokCategoryInfo.category_version == version))
    now = datetime.now(timezone.utc)
    if info is not None and not fresh and now - info.fetched_at < CATEGORY_INFO_TTL:
        return info
    attributes = client.catalog.attributes(category_id, category_version=version).get("attributes") or []
    rules = client.catalog.rules(category_id, category_version=version)
    if info is None:
        # Complete before it is inserted: on SQLite a row written in a savepoint can be seen by other
        # workers before this transaction ends, and an empty one would read as "no attributes".
        info = TikTokCategoryInfo(shop_id=shop_id, category_id=category_id, category_version=version,
                                  attributes=attributes, rules=rules, fetched_at=now)
        try:
            with session.begin_nested():
                session.add(info)
                session.flush()
        except IntegrityError:  # another worker cached it first: refresh theirs
            info = session.scalars(select(TikTokCategoryInfo).where(
                TikTokCategoryInfo.shop_id == shop_id, TikTokCategoryInfo.category_id == category_id,
                TikTokCategoryInfo.category_version == version)).one()
    info.attributes = attributes
    info.rules = rules
    info.fetched_at = now
    session.flush()
    return info
