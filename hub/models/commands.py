"""Work the store must do (create an order, cancel one, resend the catalog), leased to its poller.

A command is *available* when pending, or when its lease ran out without a result; `dedupe_key` makes
"one order.create per TikTok order" a database rule rather than a hope.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, new_id, utcnow

PENDING, LEASED, DONE, FAILED = "pending", "leased", "done", "failed"


class Command(Base):
    __tablename__ = "commands"
    __table_args__ = (UniqueConstraint("store_id", "dedupe_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("cmd"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column()
    dedupe_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    leased_until: Mapped[datetime | None] = mapped_column(default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
