"""Warehouses, delivery options and shipping providers (docs/tiktok-api.md).

Warehouses decide where stock is written and whether the shop can list at all; shipping providers
are what the merchant's carrier name is matched against when a tracking number goes back to TikTok.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.tiktok import validation as v
from hub.tiktok.endpoint import Endpoint

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

WAREHOUSES = Endpoint("GET", "/logistics/202309/warehouses")
DELIVERY_OPTIONS = Endpoint("GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options")
SHIPPING_PROVIDERS = Endpoint("GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers")


class LogisticsApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def warehouses(self) -> dict[str, Any]:
        """`{"warehouses": [{"id", "name", "effect_status", "type", "sub_type", "is_default", "address"}]}`."""
        data = self.client.request(WAREHOUSES)
        data.setdefault("warehouses", [])
        return data

    def delivery_options(self, warehouse_id: str, *, scope: str | None = None) -> dict[str, Any]:
        query = {"scope": v.one_of(scope, "scope", ("WAREHOUSE", "PRODUCT")) if scope else None}
        data = self.client.request(DELIVERY_OPTIONS,
                                   path_params={"warehouse_id": v.tiktok_id(warehouse_id, "warehouse_id")},
                                   query=query)
        data.setdefault("delivery_options", [])
        return data

    def shipping_providers(self, delivery_option_id: str) -> dict[str, Any]:
        """`{"shipping_providers": [{"id", "name"}]}` for one delivery option."""
        data = self.client.request(SHIPPING_PROVIDERS, path_params={
            "delivery_option_id": v.tiktok_id(delivery_option_id, "delivery_option_id")})
        data.setdefault("shipping_providers", [])
        return data
