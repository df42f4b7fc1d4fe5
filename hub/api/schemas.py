"""Marshmallow schemas of the Extension API v1 and the canonical data (design §4, §5).

They validate input and generate the OpenAPI document, so the contract and its description cannot
drift apart. Canonical products keep unknown keys (platform hints) and never require them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

_MONEY = re.compile(r"^-?\d{1,12}(\.\d{1,4})?$")


class Id(fields.String):
    """Store ids are strings in the contract; integers are accepted and kept as strings."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool):
            raise ValidationError("Must be a string id.")
        if isinstance(value, int):
            value = str(value)
        result = super()._deserialize(value, attr, data, **kwargs)
        if not result.strip() or len(result) > 64:
            raise ValidationError("Must be a non-empty id of at most 64 characters.")
        return result


class Money(fields.String):
    """Money is a decimal string ("9.99"): a float would silently change the price."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not _MONEY.match(value.strip()):
            raise ValidationError('Must be a decimal string such as "9.99".')
        try:
            Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes this
            raise ValidationError('Must be a decimal string such as "9.99".') from exc
        return value.strip()


class Measure(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not _MONEY.match(value.strip()) or Decimal(value) < 0:
            raise ValidationError('Must be a non-negative decimal string such as "0.25".')
        return value.strip()


class StrictInt(fields.Integer):
    def __init__(self, **kwargs: Any):
        super().__init__(strict=True, **kwargs)


class OpenSchema(Schema):
    class Meta:
        unknown = INCLUDE


class CategorySchema(OpenSchema):
    id = Id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    path = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list)


class ImageSchema(OpenSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    alt = fields.String(allow_none=True, load_default=None)


class WeightSchema(OpenSchema):
    value = Measure(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(["kg", "g", "lb", "oz"]))


class DimensionsSchema(OpenSchema):
    length = Measure(required=True)
    width = Measure(required=True)
    height = Measure(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(["cm", "mm", "m", "in"]))


class VariantSchema(OpenSchema):
    id = Id(required=True)
    sku = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    price = Money(required=True)
    compare_at_price = Money(allow_none=True, load_default=None)
    currency = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    quantity = StrictInt(load_default=0)
    manage_stock = fields.Boolean(load_default=True)
    options = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)),
                          values=fields.String(validate=validate.Length(max=500)), load_default=dict)
    barcode = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=64))
    barcode_type = fields.String(allow_none=True, load_default=None)
    image_url = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    weight = fields.Nested(WeightSchema, allow_none=True, load_default=None)
    dimensions = fields.Nested(DimensionsSchema, allow_none=True, load_default=None)


class ProductSchema(OpenSchema):
    id = Id(required=True)
    version = StrictInt(required=True, validate=validate.Range(min=0))
    status = fields.String(load_default="active", validate=validate.OneOf(["active", "draft", "archived"]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    description_html = fields.String(load_default="", validate=validate.Length(max=1_000_000))
    url = fields.String(allow_none=True, load_default=None)
    brand = fields.String(allow_none=True, load_default=None)
    categories = fields.List(fields.Nested(CategorySchema), load_default=list)
    images = fields.List(fields.Nested(ImageSchema), load_default=list)
    attributes = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
    weight = fields.Nested(WeightSchema, allow_none=True, load_default=None)
    dimensions = fields.Nested(DimensionsSchema, allow_none=True, load_default=None)
    variants = fields.List(fields.Nested(VariantSchema), required=True,
                           validate=validate.Length(min=1, max=5000, error="A product needs 1 to 5000 variants."))

    @validates_schema
    def _unique_variant_ids(self, data: dict[str, Any], **_: Any) -> None:
        ids = [v["id"] for v in data.get("variants", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("Variant ids must be unique within a product.", "variants")


class StoreInfoSchema(Schema):
    class Meta:
        unknown = RAISE

    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="Must be an ISO 4217 code such as GBP."))
    weight_unit = fields.String(validate=validate.OneOf(["kg", "g", "lb", "oz"]))
    dimension_unit = fields.String(validate=validate.OneOf(["cm", "mm", "m", "in"]))
    platform_version = fields.String(validate=validate.Length(max=50), allow_none=True)
    extension_version = fields.String(validate=validate.Length(max=50), allow_none=True)
    base_url = fields.String(validate=validate.Length(max=500), allow_none=True)


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
    quantity = StrictInt(required=True)
    price = Money(allow_none=True, load_default=None)
    version = StrictInt(required=True, validate=validate.Range(min=0))


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


EVENT_SCHEMAS: dict[str, type[EventBase]] = {
    "store.update": StoreUpdateEvent,
    "product.upsert": ProductUpsertEvent,
    "product.delete": ProductDeleteEvent,
    "inventory.update": InventoryUpdateEvent,
    "order.fulfilled": OrderFulfilledEvent,
    "order.cancelled": OrderCancelledEvent,
}


class EventsRequestSchema(Schema):
    events = fields.List(fields.Dict(), required=True, metadata={
        "description": "At most 500 events; each is one of the *Event schemas, told apart by `type`."})


class EventResultSchema(Schema):
    id = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["accepted", "duplicate", "rejected"]))
    errors = fields.Dict()


class EventsResponseSchema(Schema):
    results = fields.List(fields.Nested(EventResultSchema))


class CommandsQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    wait = fields.Integer(load_default=0, validate=validate.Range(min=0, max=30))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class CommandSchema(Schema):
    id = fields.String()
    type = fields.String()
    payload = fields.Dict()
    attempts = fields.Integer()
    lease_expires_at = fields.DateTime()
    created_at = fields.DateTime()


class CommandsResponseSchema(Schema):
    commands = fields.List(fields.Nested(CommandSchema))


FAILURE_REASONS = ["PRODUCT_DELETED", "PRODUCT_DISABLED", "OUT_OF_STOCK", "INVALID_ADDRESS", "ADDRESS_REFUSED", "MISSING_FIELD",
                   "PLATFORM_ERROR"]


class CommandResultSchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf(["done", "failed"]))
    platform_order_id = Id(allow_none=True, load_default=None)
    reason = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(FAILURE_REASONS))
    message = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    retryable = fields.Boolean(load_default=False)

    @validates_schema
    def _reason_for_failures(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("status") == "failed" and not data.get("reason"):
            raise ValidationError("A failed result needs a reason.", "reason")


class CommandResultResponseSchema(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "accepted, or duplicate for a repeated identical result"})


class StatusQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    ids = fields.String(required=True, metadata={"description": "Comma-separated product ids, at most 100"})


class ProductStatusSchema(Schema):
    product_id = fields.String()
    status = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    tiktok_product_id = fields.String(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class ProductStatusResponseSchema(Schema):
    products = fields.List(fields.Nested(ProductStatusSchema))


class TikTokInfoSchema(Schema):
    connected = fields.Boolean()
    shop_name = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)


class PingResponseSchema(Schema):
    store_id = fields.String()
    store_name = fields.String()
    platform = fields.String()
    tiktok = fields.Nested(TikTokInfoSchema)
    server_time = fields.DateTime()


class ErrorBodySchema(Schema):
    code = fields.String()
    message = fields.String()
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)
