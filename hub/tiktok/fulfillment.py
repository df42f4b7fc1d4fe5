"""Sending the merchant's shipment back to TikTok: tracking number and carrier.

Two documented ways exist (Partner Center "Ship Package" and "Mark Package As Shipped", API version
202309): `ship_package` when TikTok already made a package for the order, and `mark_shipped` for
UK/US seller-shipped orders that have no package yet (it creates one, optionally for some lines only).
The carrier is a `shipping_provider_id` from `LogisticsApi.shipping_providers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from hub.errors import DataError
from hub.tiktok import validation as v
from hub.tiktok.endpoint import Endpoint
from hub.tiktok.errors import require

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

SHIP_PACKAGE = Endpoint("POST", "/fulfillment/202309/packages/{package_id}/ship")
MARK_SHIPPED = Endpoint("POST", "/fulfillment/202309/orders/{order_id}/packages")


def _tracking(value: Any) -> str:
    tracking = v.text(value.strip() if isinstance(value, str) else value, "tracking_number", maximum=100)
    if not tracking.replace("-", "").isalnum():
        raise DataError("tracking_number may hold only letters, digits and dashes", field="tracking_number",
                          code="invalid_request")
    return tracking


class FulfillmentApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def ship_package(self, package_id: str, *, tracking_number: str, shipping_provider_id: str,
                     handover_method: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if handover_method is not None:
            body["handover_method"] = v.one_of(handover_method, "handover_method", ("PICKUP", "DROP_OFF"))
        body["self_shipment"] = {"tracking_number": _tracking(tracking_number),
                                 "shipping_provider_id": v.tiktok_id(shipping_provider_id, "shipping_provider_id")}
        return self.client.request(SHIP_PACKAGE, path_params={"package_id": v.tiktok_id(package_id, "package_id")},
                                   body=body)

    def mark_shipped(self, order_id: str, *, tracking_number: str, shipping_provider_id: str,
                     order_line_item_ids: Iterable[str] | None = None) -> dict[str, Any]:
        """`{"order_id", "order_line_item_ids", "package_id", "warning"?}`."""
        body: dict[str, Any] = {}
        if order_line_item_ids is not None:
            body["order_line_item_ids"] = v.id_list(list(order_line_item_ids), "order_line_item_ids", maximum=1000)
        body["tracking_number"] = _tracking(tracking_number)
        body["shipping_provider_id"] = v.tiktok_id(shipping_provider_id, "shipping_provider_id")
        data = self.client.request(MARK_SHIPPED, path_params={"order_id": v.tiktok_id(order_id, "order_id")},
                                   body=body)
        return require(data, "package_id", endpoint=MARK_SHIPPED.key)
