"""Bindings: which TikTok product and SKU a store product and variant became (connector pattern).

The unique constraints make "one TikTok listing per store product" and "one store variant per TikTok
SKU" database rules, so a retried create after a lost response can never bind twice. The last values
pushed to TikTok are kept per SKU, so price/stock jobs send only what changed and reconciliation can
tell drift from a pending update.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class SkuBinding(Base):
    __tablename__ = "sku_bindings"
    __table_args__ = (
        UniqueConstraint("store_id", "product_id", "variant_id"),
        UniqueConstraint("store_id", "tiktok_sku_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    variant_id: Mapped[str] = mapped_column(String(64))
    tiktok_product_id: Mapped[str] = mapped_column(String(64), index=True)
    tiktok_sku_id: Mapped[str] = mapped_column(String(64))
    seller_sku: Mapped[str | None] = mapped_column(String(64), default=None)
    # The TikTok warehouse the SKU was created with: every inventory update names it, because TikTok
    # only lets `warehouse_id` be left out when there is a single warehouse. NULL for bindings made before
    # it was recorded; the first stock push fills it in from TikTok's product detail.
    tiktok_warehouse_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # Set when TikTok refused quantity 0 for this SKU and the hub took the product off sale instead; the
    # product is activated again once no such SKU is sold out any more (hub.sync.stock.soldout).
    sold_out_deactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    pushed_price: Mapped[str | None] = mapped_column(String(32), default=None)
    pushed_quantity: Mapped[int | None] = mapped_column(Integer, default=None)
    pushed_version: Mapped[int] = mapped_column(BigInteger, default=0)
    pushed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
