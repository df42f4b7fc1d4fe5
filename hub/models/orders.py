"""TikTok orders as the hub tracks them on their way into the store, and the polling cursor.

One row per TikTok order (unique per TikTok shop), so duplicate webhooks, polling and retries all
land on the same row; the row's `status` is what the merchant sees (Pending, Created, Failed,
Cancelled) and `reason`/`fix` say why and what to do. Fulfilment and cancellation state live on the
same row because each order has at most one of each in flight.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, new_id, utcnow

# Order status as the merchant sees it (docs/statuses.md).
PENDING, CREATED, FAILED, CANCELLED = "pending", "created", "failed", "cancelled"
STATUS_LABELS = {PENDING: "Pending", CREATED: "Created", FAILED: "Failed", CANCELLED: "Cancelled"}

# Fulfilment (tracking back to TikTok).
FULFIL_QUEUED, FULFIL_WAITING_HOLD, FULFIL_SHIPPED, FULFIL_FAILED = "queued", "waiting_hold", "shipped", "failed"

# Cancellation progress.
CANCEL_WANTED, CANCEL_SENT, CANCEL_DONE, CANCEL_FAILED = "wanted", "sent", "done", "failed"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "tiktok_order_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("ord"))
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[str | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True,
                                                 default=None)
    tiktok_shop_id: Mapped[str] = mapped_column(String(64))
    tiktok_order_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    reason_code: Mapped[str | None] = mapped_column(String(40), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    fix: Mapped[str | None] = mapped_column(Text, default=None)
    # What TikTok last said; `tiktok_update_time` orders concurrent fetches (an older view never wins).
    tiktok_status: Mapped[str | None] = mapped_column(String(24), default=None)
    tiktok_update_time: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_time: Mapped[int | None] = mapped_column(BigInteger, default=None)
    shipping_type: Mapped[str | None] = mapped_column(String(12), default=None)
    delivery_option_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # The sku_id -> quantity the store was asked for (cancel/fulfil need TikTok line ids, not ours).
    summary: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # Hand-off to the store.
    command_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    handoffs: Mapped[int] = mapped_column(Integer, default=0)  # commands created (first + merchant retries)
    store_retries: Mapped[int] = mapped_column(Integer, default=0)  # automatic re-deliveries after retryable failures
    platform_order_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # Cancellation: who started it (tiktok | store) and how far it got.
    cancel_origin: Mapped[str | None] = mapped_column(String(8), default=None)
    cancel_state: Mapped[str | None] = mapped_column(String(12), default=None)
    cancel_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Fulfilment back to TikTok.
    fulfilment_status: Mapped[str | None] = mapped_column(String(14), default=None)
    tracking_number: Mapped[str | None] = mapped_column(String(100), default=None)
    carrier: Mapped[str | None] = mapped_column(String(100), default=None)
    fulfilment_reason: Mapped[str | None] = mapped_column(Text, default=None)
    tiktok_package_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the retention policy erased the buyer's data of this order (hub/sync/orders/retention.py).
    buyer_data_erased_at: Mapped[datetime | None] = mapped_column(default=None)


class OrderPollCursor(Base):
    """How far the update-time search has covered, per TikTok shop (the next search overlaps it)."""

    __tablename__ = "order_poll_cursors"

    tiktok_shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    polled_until: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
