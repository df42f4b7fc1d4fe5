"""Request and response envelopes of the Extension API v1 (`docs/extension-api.md`).

The data inside them (products, orders, store events, command results) is the canonical contract of `hub.canonical`;
both generate the OpenAPI document, so the contract and its description cannot drift apart.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate



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
    type = fields.String(metadata={"description": "order.create (payload {order: Order}), order.cancel, "
                                                  "catalog.resend; order.refund (payload OrderRefund) only to "
                                                  "stores whose capabilities list it"})
    payload = fields.Dict()
    attempts = fields.Integer()
    lease_expires_at = fields.DateTime()
    created_at = fields.DateTime()


class CommandsResponseSchema(Schema):
    commands = fields.List(fields.Nested(CommandSchema))
    retry_after = fields.Integer(metadata={"description": (
        "Present when the poll was answered at once without waiting because the store already has 2 polls "
        "waiting (or the server its share of waiting polls): wait this many seconds before the next scheduled "
        "poll; the waiting polls receive any new command meanwhile. Also sent as the Retry-After header.")})


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
    features = fields.List(fields.String(), metadata={
        "description": "Contract additions this hub understands (v1.2: order.refund, order.refunded, "
                       "store.capabilities); a hub without the field is older"})


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "snake_case, stable: branch on it"})
    message = fields.String(required=True, metadata={"description": "a sentence for a person"})
    details = fields.Dict(required=True, metadata={"description": "per-field messages for validation errors"})


class ErrorSchema(Schema):
    """The body of every error answer of the Extension API (docs/extension-api.md, "Errors")."""

    error = fields.Nested(ErrorBodySchema, required=True)
