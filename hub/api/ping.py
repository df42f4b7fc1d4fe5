"""`GET /api/v1/ping`: lets an extension's "Test connection" button prove keys, clock and TikTok link."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from hub.api.context import db_session, protect
from hub.api.schemas import PingResponseSchema
from hub.models import TikTokShop
from hub.models.tiktok_shops import CONNECTED

blp = Blueprint("ping", __name__, url_prefix="/api/v1", description="Connection check")
protect(blp)


@blp.route("/ping")
@blp.response(200, PingResponseSchema)
def ping():  # noqa: ANN201
    store = g.store
    shop = db_session().scalar(select(TikTokShop).where(TikTokShop.merchant_id == store.merchant_id))
    return {
        "store_id": store.id, "store_name": store.name, "platform": store.platform,
        "tiktok": {"connected": bool(shop and shop.status == CONNECTED),
                   "shop_name": shop.shop_name if shop else None,
                   "region": shop.region if shop else None,
                   "currency": shop.currency if shop else None},
        "server_time": datetime.now(timezone.utc),
        "features": ["order.refund", "order.refunded", "store.capabilities"],
    }
