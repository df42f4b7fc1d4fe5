"""The store events of the canonical contract: what a store connector tells the hub (`docs/canonical-data.md`).

Each event carries a client-generated UUID `id` (the idempotency key) and a `type`; `EVENT_SCHEMAS`
maps each type to its schema. The Extension API receives them over HTTP and hosted connectors build
them from platform webhooks; both go through the same intake (`hub.sync.intake`).
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate, validates_schema

from hub.canonical.fields import QUANTITY_RANGE, VERSION_RANGE, Id, Money, Price, StrictInt
from hub.canonical.product import (DIMENSION_UNITS, MAX_LOCATIONS, WEIGHT_UNITS, LocationStockSchema,
                                   ProductSchema, unique_location_ids)


class StoreLocationSchema(Schema):
    class Meta:
        unknown = RAISE

    id = Id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class StoreInfoSchema(Schema):
    class Meta:
        unknown = RAISE

    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="Must be an ISO 4217 code such as GBP."))
    weight_unit = fields.String(validate=validate.OneOf(WEIGHT_UNITS))
    dimension_unit = fields.String(validate=validate.OneOf(DIMENSION_UNITS))
    platform_version = fields.String(validate=validate.Length(max=50), allow_none=True)
    extension_version = fields.String(validate=validate.Length(max=50), allow_none=True)
    base_url = fields.String(validate=validate.Length(max=500), allow_none=True)
    locations = fields.List(fields.Nested(StoreLocationSchema), validate=validate.Length(max=MAX_LOCATIONS),
                            metadata={"description": "The store's stock locations, for the merchant to choose "
                                                     "which sell on TikTok"})
    capabilities = fields.List(fields.String(validate=validate.OneOf(["order.refund"])),
                               validate=validate.Length(max=20), metadata={
                                   "description": "Commands added after v1 that the extension carries out; the hub "
                                                  "sends them only to stores that list them (v1.2: order.refund)"})

    @validates_schema
    def _unique_locations(self, data: dict[str, Any], **_: Any) -> None:
        unique_location_ids(data.get("locations"))


class EventBase(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
        error="Must be a UUID."))
    type = fields.String(required=True)


class StoreUpdateEvent(EventBase):
    store = fields.Nested(StoreInfoSchema, required=True)


class ProductUpsertEvent(EventBase):
    product = fields.Nested(ProductSchema, required=True)


class ProductDeleteEvent(EventBase):
    product_id = Id(required=True)


class InventoryItemSchema(Schema):
    product_id = Id(required=True)
    variant_id = Id(required=True)
    quantity = StrictInt(required=True, validate=QUANTITY_RANGE)
    locations = fields.List(fields.Nested(LocationStockSchema), allow_none=True,
                            validate=validate.Length(max=MAX_LOCATIONS))
    price = Price(allow_none=True, load_default=None)
    version = StrictInt(required=True, validate=VERSION_RANGE)

    @validates_schema
    def _unique_locations(self, data: dict[str, Any], **_: Any) -> None:
        unique_location_ids(data.get("locations"))


class InventoryUpdateEvent(EventBase):
    items = fields.List(fields.Nested(InventoryItemSchema), required=True,
                        validate=validate.Length(min=1, max=5000))


class OrderFulfilledEvent(EventBase):
    tiktok_order_id = Id(required=True)
    platform_order_id = Id(allow_none=True, load_default=None)
    tracking_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    carrier = fields.String(required=True, validate=validate.Length(min=1, max=100))
    shipped_at = fields.DateTime(allow_none=True, load_default=None)


class OrderCancelledEvent(EventBase):
    tiktok_order_id = Id(required=True)
    platform_order_id = Id(allow_none=True, load_default=None)
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))


class StoreRefundLineSchema(Schema):
    class Meta:
        unknown = RAISE

    product_id = Id(required=True)
    variant_id = Id(required=True)
    quantity = StrictInt(required=True, validate=validate.Range(min=1, max=99_999))
    amount = Money(allow_none=True, load_default=None)
    restocked = fields.Boolean(load_default=False)


class OrderRefundedEvent(EventBase):
    """A refund the merchant made in the store (not one the hub asked for with `order.refund`)."""

    tiktok_order_id = Id(required=True)
    platform_order_id = Id(allow_none=True, load_default=None)
    platform_refund_id = Id(required=True, metadata={"description": "The store's own id of the refund"})
    amount = Money(required=True)
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    lines = fields.List(fields.Nested(StoreRefundLineSchema), required=True, validate=validate.Length(min=1, max=1000))


EVENT_SCHEMAS: dict[str, type[EventBase]] = {
    "store.update": StoreUpdateEvent,
    "product.upsert": ProductUpsertEvent,
    "product.delete": ProductDeleteEvent,
    "inventory.update": InventoryUpdateEvent,
    "order.fulfilled": OrderFulfilledEvent,
    "order.cancelled": OrderCancelledEvent,
    "order.refunded": OrderRefundedEvent,
}
