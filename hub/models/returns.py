"""TikTok returns and refunds as the hub tracks them on their way to the store (docs/statuses.md, *Returns*).

One row per TikTok return (unique per TikTok shop), so the RETURN_STATUS_CHANGE webhook, the periodic
search and retries all land on the same row. `state` is TikTok's status in the merchant's words;
`refund_status` is how far the store's refund (`order.refund`) got, with `reason`/`fix` saying why it
is stuck and what to do. `origin` is `tiktok` for a buyer's request, `store` for a refund made in the
store and reported to TikTok.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, new_id, utcnow

# What TikTok says, in the merchant's words.
REQUESTED, APPROVED, REJECTED, ITEM_RECEIVED, REFUNDED, CANCELLED = (
    "requested", "approved", "rejected", "item_received", "refunded", "cancelled")
STATE_LABELS = {REQUESTED: "Requested", APPROVED: "Approved", REJECTED: "Rejected", ITEM_RECEIVED: "Item received",
                REFUNDED: "Refunded", CANCELLED: "Cancelled"}

# The store's refund.
REFUND_NONE, REFUND_PENDING, REFUND_DONE, REFUND_FAILED, REFUND_WAITING = (
    None, "pending", "done", "failed", "waiting_order")
REFUND_LABELS = {REFUND_PENDING: "Sent to the store", REFUND_DONE: "Refunded in the store",
                 REFUND_FAILED: "Failed", REFUND_WAITING: "Waiting for the store order"}


class TikTokReturn(Base):
    __tablename__ = "tiktok_returns"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "return_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("ret"))
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[str | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True,
                                                 default=None)
    tiktok_shop_id: Mapped[str] = mapped_column(String(64))
    return_id: Mapped[str] = mapped_column(String(64))
    tiktok_order_id: Mapped[str] = mapped_column(String(64), index=True)
    origin: Mapped[str] = mapped_column(String(8), default="tiktok")
    return_type: Mapped[str] = mapped_column(String(24))
    role: Mapped[str | None] = mapped_column(String(12), default=None)
    tiktok_status: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    tiktok_update_time: Mapped[int] = mapped_column(BigInteger, default=0)
    buyer_reason: Mapped[str | None] = mapped_column(Text, default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    refund_total: Mapped[str | None] = mapped_column(String(20), default=None)
    refund_shipping: Mapped[str | None] = mapped_column(String(20), default=None)
    # [{"sku_id", "seller_sku", "product_name", "quantity", "amount"}] grouped by SKU (one TikTok line is one unit).
    lines: Mapped[list[Any] | None] = mapped_column(default=None)
    seller_action: Mapped[str | None] = mapped_column(String(40), default=None)
    # The merchant's decision from the settings page, and TikTok's answer to it.
    decision: Mapped[str | None] = mapped_column(String(30), default=None)
    decision_error: Mapped[str | None] = mapped_column(Text, default=None)
    # The store's refund.
    refund_status: Mapped[str | None] = mapped_column(String(14), default=None)
    refund_command_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    refund_handoffs: Mapped[int] = mapped_column(Integer, default=0)
    store_retries: Mapped[int] = mapped_column(Integer, default=0)
    platform_refund_id: Mapped[str | None] = mapped_column(String(64), default=None)
    reason_code: Mapped[str | None] = mapped_column(String(40), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    fix: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
