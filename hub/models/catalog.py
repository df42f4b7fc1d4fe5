"""What the product listing engine keeps besides `Listing`: mappings, merchant overrides, the listing
plan, TikTok's category metadata and the image upload cache.

- `CategoryMapping`: a store category (by path, e.g. "Clothing > Socks") → a TikTok leaf category, per
  store, with the category tree version (`v1`/`v2`) the id was found in.
- `CategoryDefaults`: per store and TikTok category, what the merchant chose for required attributes
  the products do not carry themselves, and the size chart / certifications the category needs.
- `ProductOverride`: per product (variant_id "") or per variant, what the settings page lets the
  merchant set when the store lacks it: TikTok category, brand, package weight and dimensions,
  identifier code. Override beats store data beats store defaults.
- `ListingPlan`: one row per listed (or to-be-listed) product: priority and expected listing date for
  the upload-cap planner, the idempotency key of the create, the content hash last sent to TikTok and
  the "details changed in store" flag.
- `TikTokCategoryInfo`: Get Attributes and Get Category Rules answers per shop and category, cached.
- `ImageUpload`: the content-hash cache that makes an identical image one upload per shop and use case.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class CategoryMapping(Base):
    __tablename__ = "category_mappings"
    __table_args__ = (UniqueConstraint("store_id", "category_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    # Normalised path (case-folded, single spaces, " > " between levels): the lookup key.
    category_key: Mapped[str] = mapped_column(String(500))
    category_path: Mapped[str] = mapped_column(String(500))  # as the merchant wrote it
    tiktok_category_id: Mapped[str] = mapped_column(String(32))
    tiktok_category_name: Mapped[str | None] = mapped_column(String(300), default=None)
    category_version: Mapped[str] = mapped_column(String(4), default="v1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CategoryDefaults(Base):
    __tablename__ = "category_defaults"
    __table_args__ = (UniqueConstraint("store_id", "tiktok_category_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    tiktok_category_id: Mapped[str] = mapped_column(String(32))
    # {"<attribute id or name>": "value" | ["value", ...]} — values by TikTok value id or by name.
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {"template_id", "template_name"?} | {"image_url"} | {"image_uri", "image_url"} (hosted by TikTok)
    size_chart: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # [{"id": "<certification id>", "image_urls": [...], "images": [{"uri", "url"}], "files": [{"id", "name",
    #   "format", "url"}], "expiration_date": 1767225600?}] (docs/canonical-data.md, Size charts and certificates)
    certifications: Mapped[list[Any] | None] = mapped_column(default=None)
    # {"weight": {"value", "unit"} | None, "dimensions": {"length", "width", "height", "unit"} | None}: used
    # for products of this category with no package of their own, before the merchant-wide default.
    package: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProductOverride(Base):
    __tablename__ = "product_overrides"
    __table_args__ = (UniqueConstraint("store_id", "product_id", "variant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    variant_id: Mapped[str] = mapped_column(String(64), default="")  # "" = the whole product
    tiktok_category_id: Mapped[str | None] = mapped_column(String(32), default=None)  # product level only
    brand: Mapped[str | None] = mapped_column(String(100), default=None)
    # canonical shapes (docs/canonical-data.md): {"value", "unit"} and {"length", "width", "height", "unit"}
    package_weight: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    package_dimensions: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    identifier_code: Mapped[str | None] = mapped_column(String(32), default=None)
    identifier_type: Mapped[str | None] = mapped_column(String(10), default=None)
    # product level only, set by the merchant in the hub; shapes as CategoryDefaults' (docs/canonical-data.md)
    size_chart: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    certifications: Mapped[list[Any] | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ListingPlan(Base):
    __tablename__ = "listing_plans"
    __table_args__ = (UniqueConstraint("store_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher goes first under the daily cap
    # The day the product is expected to be listed when the daily cap pushed it back (None: as soon as
    # possible); shown on the settings page.
    planned_for: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    # Stable per store product, so a retried create after a lost answer returns the same TikTok product.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_on: Mapped[date | None] = mapped_column(Date, default=None, index=True)  # day TikTok accepted it
    sent_hash: Mapped[str | None] = mapped_column(String(64), default=None)  # content_hash sent to TikTok
    details_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    tiktok_status: Mapped[str | None] = mapped_column(String(32), default=None)  # TikTok's own status
    review_reason: Mapped[str | None] = mapped_column(Text, default=None)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)  # last review poll
    # Set when a create is sent and cleared when one is recorded: a create sent while it is still set may
    # be answered with the product of the earlier attempt (same idempotency key), holding its values.
    create_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TikTokCategoryInfo(Base):
    __tablename__ = "tiktok_category_info"
    __table_args__ = (UniqueConstraint("shop_id", "category_id", "category_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), index=True)
    category_id: Mapped[str] = mapped_column(String(32))
    category_version: Mapped[str] = mapped_column(String(4))
    attributes: Mapped[list[Any]] = mapped_column(default=list)
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Learned from a listing check: None = not known yet, True = every SKU needs an identifier code.
    identifier_required: Mapped[bool | None] = mapped_column(Boolean, default=None)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImageUpload(Base):
    __tablename__ = "image_uploads"
    __table_args__ = (UniqueConstraint("shop_id", "sha256", "use_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    use_case: Mapped[str] = mapped_column(String(24))
    uri: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(Text)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
