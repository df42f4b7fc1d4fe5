"""A store product's life on TikTok: its status (docs/statuses.md), the reason and fix, and its TikTok id.

`status` holds exactly the names the merchant sees; "Needs category" is derived (no mapping yet).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow

NEEDS_CATEGORY = "Needs category"
NOT_SYNCED = "Not synced"
FAILED_TO_SYNC = "Failed to sync"
UNDER_REVIEW = "Under review"
FAILED_REVIEW = "Failed review"
ACTIVE = "Active"
SYNCED = "Synced"
STATUSES = (NOT_SYNCED, FAILED_TO_SYNC, UNDER_REVIEW, FAILED_REVIEW, ACTIVE, SYNCED)


class Listing(Base):
    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("store_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=NOT_SYNCED, index=True)
    reason_code: Mapped[str | None] = mapped_column(String(60), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    fix: Mapped[str | None] = mapped_column(Text, default=None)
    issues: Mapped[list[Any] | None] = mapped_column(default=None)  # every validation finding
    tiktok_product_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    # The request body of the last create or edit TikTok accepted, as sent, and when: the product page
    # shows it without calling TikTok.
    sent_body: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # While a temporary failure waits for its automatic retry: which attempt failed (1 = the first run)
    # and when the next one is due; None otherwise.
    retry_attempt: Mapped[int | None] = mapped_column(default=None)
    retry_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
