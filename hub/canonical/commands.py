"""A store's answer to a command (`docs/canonical-data.md`, *Commands*): the same for an extension that
posts it to the Extension API and for a hosted connector that carries the command out itself.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from hub.canonical.fields import Id

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
