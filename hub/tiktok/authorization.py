"""Shops this token may act for (`GET /authorization/202309/shops`, docs/tiktok-api.md).

This is how a fresh connection learns its `shop_cipher` and shop id; it is app-level, so the
request must not carry a cipher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.tiktok.endpoint import Endpoint

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

AUTHORIZED_SHOPS = Endpoint("GET", "/authorization/202309/shops", cipher="forbidden")


class AuthorizationApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def shops(self) -> dict[str, Any]:
        """`{"shops": [{"id", "name", "region", "seller_type", "cipher", "code"}]}`."""
        data = self.client.request(AUTHORIZED_SHOPS)
        if not isinstance(data.get("shops"), list):
            data["shops"] = []
        return data
