"""Event ids already applied, per store: the idempotency record of `POST /api/v1/events`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    # Order events (fulfilled/cancelled) are kept whole: order sync acts on them after the call returns.
    payload: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class RejectedEvent(Base):
    """An event the hub refused, kept so the merchant sees what their store's extension sent wrong.

    The extension receives the same errors in the call's answer, but nobody reads an extension's log;
    the settings page and `hub products` show these. Bounded per store (hub.sync.rejections).
    """

    __tablename__ = "rejected_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    event_id: Mapped[str | None] = mapped_column(String(64), default=None)  # as sent, cut to 64
    type: Mapped[str | None] = mapped_column(String(40), default=None)  # as sent, cut to 40
    subject: Mapped[str | None] = mapped_column(String(64), default=None)  # the product id, when one was sent
    errors: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_rejected_events_store_id_id", "store_id", "id"),)
