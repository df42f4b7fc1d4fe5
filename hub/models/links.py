"""Linking products a merchant already sells on TikTok to the store's products (docs/product-rules.md,
"Products already on TikTok").

A merchant who sold on TikTok before connecting must not get every product twice. The hub reads the
shop's products once (`link_reviews` says how far that got) and proposes, per TikTok product, the store
product it matches (`link_candidates`): by seller SKU, then by barcode. A candidate row is one pair; an
ambiguous TikTok product has one row per store product it could be, an unmatched one a single row
without a store product. Confirmed rows become ordinary SKU bindings; the rows stay as the record of
what was linked and how.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow

SCANNING, READY, FAILED = "scanning", "ready", "failed"
MATCHED, AMBIGUOUS, UNMATCHED, LINKED, DECLINED = "matched", "ambiguous", "unmatched", "linked", "declined"
PENDING_STATES = (MATCHED, AMBIGUOUS)


class LinkReview(Base):
    """The last reading of the shop's existing products for one store, and where it stands."""

    __tablename__ = "link_reviews"

    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=SCANNING)
    message: Mapped[str | None] = mapped_column(Text, default=None)  # why a reading failed, with the fix
    tiktok_products: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)


class LinkCandidate(Base):
    __tablename__ = "link_candidates"
    __table_args__ = (Index("ix_link_candidates_store_product", "store_id", "product_id"),
                      Index("ix_link_candidates_store_tiktok", "store_id", "tiktok_product_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    tiktok_product_id: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[str | None] = mapped_column(String(64), default=None)  # None: nothing in the store matches
    state: Mapped[str] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(16), default=None)  # "sku" | "barcode"
    tiktok_title: Mapped[str] = mapped_column(String(500), default="")
    tiktok_status: Mapped[str | None] = mapped_column(String(32), default=None)
    title: Mapped[str | None] = mapped_column(String(500), default=None)  # the store product's
    # Per TikTok SKU: {"tiktok_sku_id", "seller_sku", "barcode", "warehouse_id", "variant_id"}.
    skus: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    # "|sku:<seller sku>|bc:<GTIN-14>|…" of the TikTok SKUs: a store product that arrives after the
    # reading finds the TikTok product it matches with one LIKE instead of decoding every row.
    match_keys: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
