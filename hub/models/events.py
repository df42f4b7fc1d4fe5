"""Event ids already applied, per store: the idempotency record of `POST /api/v1/events`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
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
