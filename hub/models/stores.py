"""Store connections: one row per store, whatever connects it (an in-store extension signing Extension
API requests, or a hosted connector whose platform credentials live in `store_connections`).

Which platforms exist is the connector registry's business (`hub/stores/registry.py`), not a list here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.models.base import Base, new_id, utcnow
from hub.models.merchants import Merchant



class Store(Base):
    __tablename__ = "stores"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("st"))
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    # The HMAC secret must be recoverable to verify signatures, so it is encrypted (Fernet), not hashed.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    weight_unit: Mapped[str | None] = mapped_column(String(4), default=None)
    dimension_unit: Mapped[str | None] = mapped_column(String(4), default=None)
    platform_version: Mapped[str | None] = mapped_column(String(50), default=None)
    extension_version: Mapped[str | None] = mapped_column(String(50), default=None)
    base_url: Mapped[str | None] = mapped_column(String(500), default=None)
    sync_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The store's stock locations as it reports them ([{"id", "name"}]), and the ids of those whose stock
    # sells on TikTok (None: every location). See hub.sync.stock.locations.
    locations: Mapped[list[Any] | None] = mapped_column(default=None)
    selling_locations: Mapped[list[Any] | None] = mapped_column(default=None)
    # Command types beyond v1's that the store's extension says it carries out (store.update
    # `capabilities`, e.g. ["order.refund"]); None for an extension that never said (docs/extension-api.md).
    capabilities: Mapped[list[Any] | None] = mapped_column(default=None)
    last_contact_at: Mapped[datetime | None] = mapped_column(default=None)
    # The store went away (silent too long, uninstalled, its platform refused the app): since when, why,
    # what was done to its TikTok listings then ("zero" or "deactivate"), and the TikTok products the
    # hub took off sale for it, to put back on sale when the store returns (hub/sync/stock/away.py).
    away_since: Mapped[datetime | None] = mapped_column(default=None)
    away_reason: Mapped[str | None] = mapped_column(Text, default=None)
    away_action: Mapped[str | None] = mapped_column(String(12), default=None)
    away_deactivated: Mapped[list[Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    merchant: Mapped[Merchant] = relationship()
