"""The activity log a merchant reads: what happened to which product or order, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class ActivityEntry(Base):
    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[str | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), default=None)
    kind: Mapped[str] = mapped_column(String(40))  # e.g. product.created, order.failed, reconcile.drift
    level: Mapped[str] = mapped_column(String(10), default="info")  # info | warning | error
    subject_type: Mapped[str | None] = mapped_column(String(20), default=None)  # product | order | store | shop
    subject_id: Mapped[str | None] = mapped_column(String(64), default=None)
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
