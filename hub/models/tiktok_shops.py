"""A merchant's TikTok Shop connection: the shop, its cipher and the encrypted OAuth tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, new_id, utcnow

CONNECTED, BROKEN, DEAUTHORIZED = "connected", "broken", "deauthorized"


class TikTokShop(Base):
    __tablename__ = "tiktok_shops"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("tts"))
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), unique=True)
    shop_id: Mapped[str] = mapped_column(String(64), unique=True)
    shop_cipher: Mapped[str] = mapped_column(String(200))
    shop_name: Mapped[str | None] = mapped_column(String(200), default=None)
    region: Mapped[str | None] = mapped_column(String(8), default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    seller_name: Mapped[str | None] = mapped_column(String(200), default=None)
    open_id: Mapped[str | None] = mapped_column(String(64), default=None)
    granted_scopes: Mapped[list[Any] | None] = mapped_column(default=None)
    access_token_encrypted: Mapped[str] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime] = mapped_column()
    refresh_token_encrypted: Mapped[str] = mapped_column(Text)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default=CONNECTED)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    authorization_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
