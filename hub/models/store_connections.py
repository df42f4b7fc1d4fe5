"""Hosted store connections: the platform's credentials for a store, and its webhook notifications.

A hosted connector (an app the hub runs for a platform such as Shopify) has no code inside the store,
so the hub holds what the in-store extension would: the platform's access and refresh tokens
(encrypted, like the TikTok tokens), and the platform's notifications as received, so that a repeat
delivery is recognised by its dedupe key and a notification is never lost between the answer to the
platform and the job that reads it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, new_id, utcnow

CONNECTED, BROKEN, UNINSTALLED = "connected", "broken", "uninstalled"
RECEIVED, PROCESSED, FAILED, IGNORED = "received", "processed", "failed", "ignored"


class StoreCredential(Base):
    """One per hosted store: who the store is on its platform, and the tokens to call it with."""

    __tablename__ = "store_credentials"
    __table_args__ = (UniqueConstraint("platform", "shop_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sc"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    # The platform's own identifier of the shop (a myshopify domain, a BigCommerce store hash, ...):
    # a reinstall finds the same store by it, so nothing is listed twice.
    shop_id: Mapped[str] = mapped_column(String(255))
    access_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    scopes: Mapped[list[Any] | None] = mapped_column(default=None)
    # Non-secret facts the connector keeps about the shop (API base URL, admin host, ...).
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=CONNECTED)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    swept_until: Mapped[datetime | None] = mapped_column(default=None)
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)
    uninstalled_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StoreNotification(Base):
    """A platform webhook as received; `(platform, dedupe_key)` is unique, so a repeat is a no-op."""

    __tablename__ = "store_notifications"
    __table_args__ = (UniqueConstraint("platform", "dedupe_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sn"))
    platform: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    shop_id: Mapped[str] = mapped_column(String(255), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=RECEIVED, index=True)
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)


class StoreOrderLink(Base):
    """A hosted store's order for a TikTok order, written before the platform is asked to create it.

    The row exists (with `attempts` counted) before the create call goes out, so a run that finds it
    with no platform order id knows an earlier create may have succeeded with its answer lost, and
    looks the order up on the platform before creating again (hub/stores/orders.py).
    """

    __tablename__ = "store_order_links"
    __table_args__ = (UniqueConstraint("store_id", "tiktok_order_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sol"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    tiktok_order_id: Mapped[str] = mapped_column(String(64))
    platform_order_id: Mapped[str | None] = mapped_column(String(255), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
