"""What the store says its products are: the latest canonical snapshot and per-variant price/stock.

Snapshots hold the whole canonical product (docs/canonical-data.md) so that mapping and validation can be re-run
at any time without asking the store again. Price and stock live per variant with the store's
monotonic `version`, so an older update that arrives late never overwrites a newer one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class ProductSnapshot(Base):
    __tablename__ = "product_snapshots"
    # The Products page reads one page in title order (hub/web/catalog.py) from this index.
    __table_args__ = (UniqueConstraint("store_id", "product_id"),
                      Index("ix_product_snapshots_store_title", "store_id", "title", "product_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column()
    # sha256 of the canonical JSON without price/stock: tells "details changed" from a stock tick.
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500), default="")
    # The store's category paths ("Clothing > Socks"), kept so product lists need not decode `data`.
    category_paths: Mapped[list[Any] | None] = mapped_column(default=None)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VariantStock(Base):
    """Desired price and stock per variant, as the store last reported them."""

    __tablename__ = "variant_stock"
    __table_args__ = (UniqueConstraint("store_id", "product_id", "variant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    variant_id: Mapped[str] = mapped_column(String(64))
    # What TikTok is offered: the store's quantity, or the sum over the locations that sell on TikTok.
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    # Per-location stock as the store reported it ([{"id", "name", "quantity"}]), or None.
    locations: Mapped[list[Any] | None] = mapped_column(default=None)
    # Decimal string: money never passes through a float.
    price: Mapped[str | None] = mapped_column(String(32), default=None)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
