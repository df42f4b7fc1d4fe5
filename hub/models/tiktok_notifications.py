"""TikTok webhook notifications as received: the dedupe record and the replay queue.

TikTok delivers at least once and retries for hours, so `tts_notification_id` is unique and a repeat
delivery is recognised by the insert failing. The payload is kept (ids as strings) so that a
notification whose handler does not exist yet stays `unhandled` and can be replayed later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, new_id, utcnow

RECEIVED, PROCESSED, UNHANDLED, FAILED, IGNORED = "received", "processed", "unhandled", "failed", "ignored"


class TikTokNotification(Base):
    __tablename__ = "tiktok_notifications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("ttn"))
    notification_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[int] = mapped_column(Integer, index=True)
    shop_id: Mapped[str] = mapped_column(String(64), index=True)
    sent_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=RECEIVED, index=True)
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
