"""Alerts already e-mailed, so each one is in exactly one digest however often the digest job runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class AlertSent(Base):
    __tablename__ = "alerts_sent"
    __table_args__ = (UniqueConstraint("merchant_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    # What the alert is about, with what makes it new: "order_failed:<order id>",
    # "authorization_expiring:<shop>:<date>"; the same problem again later is a new key.
    key: Mapped[str] = mapped_column(String(200))
    sent_to: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
