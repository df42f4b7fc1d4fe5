"""Units TikTok has sold that the store's stock does not show yet (one row per order line).

TikTok lowers its own stock when a buyer orders; the store's stock drops only once the hub has handed
the order over and the store created it. Until the store reports its new stock, an absolute quantity
pushed from the store would hand those units back to TikTok and they could sell twice. The push
subtracts the units of the lines whose hold is still in force (`hub.sync.stock.holds`); whether it is
is read from the order's status at push time, so nothing has to remember to "release" a hold.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class StockHold(Base):
    __tablename__ = "stock_holds"
    __table_args__ = (
        UniqueConstraint("order_id", "variant_id"),
        Index("ix_stock_holds_store_product", "store_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(String(64))
    variant_id: Mapped[str] = mapped_column(String(64))
    tiktok_sku_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    # False when the store does not track this variant's stock: creating the order changes nothing there.
    tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    # The store's stock version for the variant when the order was (last) handed to the store; a stock
    # report with a higher version, once the order is created, is the one that shows the sale.
    since_version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
