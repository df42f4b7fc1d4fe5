"""All models, imported here so that Alembic and `create_all` see the whole schema."""

from hub.models.activity import ActivityEntry
from hub.models.alerts import AlertSent
from hub.models.base import Base, utcnow
from hub.models.bindings import SkuBinding
from hub.models.catalog import (CategoryDefaults, CategoryMapping, ImageUpload, ListingPlan, ProductOverride,
                                TikTokCategoryInfo)
from hub.models.commands import Command
from hub.models.events import ProcessedEvent, RejectedEvent
from hub.models.links import LinkCandidate, LinkReview
from hub.models.listings import Listing
from hub.models.merchants import Merchant, User
from hub.models.orders import Order, OrderPollCursor
from hub.models.products import ProductSnapshot, VariantStock
from hub.models.returns import TikTokReturn
from hub.models.stock_holds import StockHold
from hub.models.store_connections import StoreCredential, StoreNotification, StoreOrderLink
from hub.models.stores import Store
from hub.models.tiktok_notifications import TikTokNotification
from hub.models.tiktok_shops import TikTokShop

__all__ = [
    "ActivityEntry", "AlertSent", "Base", "CategoryDefaults", "CategoryMapping", "Command", "ImageUpload", "ListingPlan",
    "ProductOverride", "TikTokCategoryInfo", "LinkCandidate", "LinkReview", "Listing", "Merchant", "ProcessedEvent",
    "ProductSnapshot", "RejectedEvent",
    "SkuBinding", "StockHold", "TikTokReturn", "Store", "StoreCredential", "StoreNotification", "StoreOrderLink",
    "TikTokNotification",
    "TikTokShop", "User", "VariantStock", "utcnow",
    "Order", "OrderPollCursor",
]
