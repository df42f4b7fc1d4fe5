"""The canonical ORDER (`docs/canonical-data.md`): what `order.create` asks a store to create.

The hub builds it from a TikTok order (`hub.sync.orders.matching`); every store connector reads it.
Money is a decimal string, quantities are integers, ids are strings; extra keys (TikTok's relay
email, the shipping type) are kept for connectors that want them.
"""

from __future__ import annotations

from marshmallow import fields, validate

from hub.canonical.fields import Id, Money, OpenSchema, StrictInt

ORDER_STATUSES = ["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
                  "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED"]


class BuyerSchema(OpenSchema):
    name = fields.String(required=True)
    email = fields.String(allow_none=True, load_default=None)
    phone = fields.String(allow_none=True, load_default=None)


class AddressSchema(OpenSchema):
    """Empty strings only while `address_pending` is true (TikTok hides the address during its hold)."""

    name = fields.String(required=True)
    line1 = fields.String(required=True)
    line2 = fields.String(load_default="")
    city = fields.String(required=True)
    region = fields.String(load_default="")
    postal_code = fields.String(required=True)
    country_code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    phone = fields.String(load_default="")


class OrderLineSchema(OpenSchema):
    product_id = Id(required=True)
    variant_id = Id(required=True)
    sku = fields.String(allow_none=True, load_default=None)
    quantity = StrictInt(required=True, validate=validate.Range(min=1))
    unit_price = Money(required=True)


class TotalsSchema(OpenSchema):
    subtotal = Money(required=True)
    shipping = Money(required=True)
    tax = Money(required=True)
    discount = Money(required=True)
    total = Money(required=True)


class OrderSchema(OpenSchema):
    tiktok_order_id = Id(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ORDER_STATUSES))
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    created_at = fields.String(allow_none=True, load_default=None,
                               metadata={"description": "ISO 8601 time TikTok created the order"})
    buyer = fields.Nested(BuyerSchema, required=True)
    shipping_address = fields.Nested(AddressSchema, required=True)
    lines = fields.List(fields.Nested(OrderLineSchema), required=True, validate=validate.Length(min=1))
    totals = fields.Nested(TotalsSchema, required=True)
    payment_method = fields.String(load_default="TikTok Shop")
    note = fields.String(load_default="")
    address_pending = fields.Boolean(load_default=False, metadata={
        "description": "True when the order was handed over during TikTok's hold, before the address is visible"})
