"""A store's answer to a command (`docs/canonical-data.md`, *Commands*): the same for an extension that
posts it to the Extension API and for a hosted connector that carries the command out itself.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from hub.canonical.fields import Id, Money, OpenSchema, StrictInt

FAILURE_REASONS = ["PRODUCT_DELETED", "PRODUCT_DISABLED", "OUT_OF_STOCK", "INVALID_ADDRESS", "ADDRESS_REFUSED",
                   "MISSING_FIELD", "PLATFORM_ERROR"]


class CommandResultSchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf(["done", "failed"]))
    platform_order_id = Id(allow_none=True, load_default=None)
    platform_refund_id = Id(allow_none=True, load_default=None,
                            metadata={"description": "order.refund: the store's own id of the refund it made"})
    reason = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(FAILURE_REASONS))
    message = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    retryable = fields.Boolean(load_default=False)

    @validates_schema
    def _reason_for_failures(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("status") == "failed" and not data.get("reason"):
            raise ValidationError("A failed result needs a reason.", "reason")


class RefundLineSchema(OpenSchema):
    product_id = Id(required=True)
    variant_id = Id(required=True)
    sku = fields.String(allow_none=True, load_default=None)
    quantity = StrictInt(required=True, validate=validate.Range(min=1))
    amount = Money(required=True, metadata={"description": "Refunded for this line (all its units)"})
    restock = fields.Boolean(required=True, metadata={"description": "The units came back: put them back in stock"})


class OrderRefundSchema(OpenSchema):
    """The payload of an `order.refund` command (Extension API v1.2): refund a store order for what TikTok
    refunded. Sent only to stores that list `order.refund` in their `store.update` capabilities."""

    tiktok_order_id = Id(required=True)
    platform_order_id = Id(required=True)
    tiktok_return_id = Id(required=True, metadata={
        "description": "One store refund per TikTok return: look for a refund carrying it before making one"})
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    amount = Money(required=True, metadata={"description": "Total refunded, shipping included"})
    shipping = Money(required=True, metadata={"description": "The part of `amount` that refunds shipping"})
    reason = fields.String(required=True)
    lines = fields.List(fields.Nested(RefundLineSchema), required=True)
