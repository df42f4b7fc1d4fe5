"""Sending the merchant's shipment back to TikTok: tracking number and carrier.

Two documented ways exist (Partner Center "Ship Package" and "Mark Package As Shipped", API version
202309): `ship_package` when TikTok already made a package for the order, and `mark_shipped` for
UK/US seller-shipped orders that have no package yet (it creates one, optionally for some lines only).
The carrier is a `shipping_provider_id` from `LogisticsApi.shipping_providers`.

Orders shipped by TikTok (`shipping_type: TIKTOK`, "TikTok Shipping") take no carrier: Ship Package
with a `handover_method` (a pickup slot from `handover_time_slots` for PICKUP) books TikTok's carrier,
after which `shipping_document` gives the package's label (a URL valid for 24 hours).
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
HANDOVER_SLOTS = Endpoint("GET", "/fulfillment/202309/packages/{package_id}/handover_time_slots")
SHIPPING_DOCUMENT = Endpoint("GET", "/fulfillment/202309/packages/{package_id}/shipping_documents")
DOCUMENT_TYPES = ("SHIPPING_LABEL", "PACKING_SLIP", "SHIPPING_LABEL_AND_PACKING_SLIP", "SHIPPING_LABEL_PICTURE")


def _tracking(value: Any) -> str:
    tracking = v.text(value.strip() if isinstance(value, str) else value, "tracking_number", maximum=100)
    if not tracking.replace("-", "").isalnum():
        raise DataError("tracking_number may hold only letters, digits and dashes", field="tracking_number",
                          code="invalid_request")
    return tracking


class FulfillmentApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def ship_package(self, package_id: str, *, tracking_number: str | None = None,
                     shipping_provider_id: str | None = None, handover_method: str | None = None,
                     pickup_slot: dict[str, int] | None = None) -> dict[str, Any]:
        """Seller shipping: `tracking_number` and `shipping_provider_id`. TikTok Shipping: only the
        `handover_method` (`PICKUP` with a `pickup_slot {start_time, end_time}`, or `DROP_OFF`)."""
        body: dict[str, Any] = {}
        if handover_method is not None:
            body["handover_method"] = v.one_of(handover_method, "handover_method", ("PICKUP", "DROP_OFF"))
        if pickup_slot is not None:
            body["pickup_slot"] = {"start_time": v.int_range(pickup_slot.get("start_time"), "pickup_slot.start_time",
                                                             0, 2**40),
                                   "end_time": v.int_range(pickup_slot.get("end_time"), "pickup_slot.end_time",
                                                           0, 2**40)}
        if tracking_number is not None or shipping_provider_id is not None:
            body["self_shipment"] = {"tracking_number": _tracking(tracking_number),
                                     "shipping_provider_id": v.tiktok_id(shipping_provider_id, "shipping_provider_id")}
        elif handover_method is None:
            raise DataError("Ship Package needs a tracking number and carrier, or a handover method",
                            field="handover_method", code="invalid_request")
        return self.client.request(SHIP_PACKAGE, path_params={"package_id": v.tiktok_id(package_id, "package_id")},
                                   body=body)

    def handover_time_slots(self, package_id: str) -> dict[str, Any]:
        """`{"can_pickup", "can_drop_off", "can_van_collection"?, "drop_off_point_url"?, "pickup_slots": [...]}`."""
        return self.client.request(HANDOVER_SLOTS, path_params={"package_id": v.tiktok_id(package_id, "package_id")})

    def shipping_document(self, package_id: str, document_type: str = "SHIPPING_LABEL",
                          document_size: str | None = None) -> dict[str, Any]:
        """`{"doc_url", "tracking_number"}` of a TikTok Shipping package that has been shipped."""
        query = {"document_type": v.one_of(document_type, "document_type", DOCUMENT_TYPES),
                 "document_size": None if document_size is None else v.one_of(document_size, "document_size",
                                                                               ("A6", "A5"))}
        data = self.client.request(SHIPPING_DOCUMENT, path_params={"package_id": v.tiktok_id(package_id, "package_id")},
                                   query=query)
        return require(data, "doc_url", endpoint=SHIPPING_DOCUMENT.key)

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
