"""A merchant's sync settings, stored as JSON on the merchant and validated here.

One schema for the settings page, the CLI and the sync jobs, so a value that passes the form is a
value the jobs understand. Missing keys take the defaults below, which is how new settings arrive
without a migration.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from decimal import Decimal

from hub.canonical.fields import Money
from hub.canonical.product import DimensionsSchema, WeightSchema

DEFAULT_CARRIERS = {
    "Royal Mail": "Royal Mail", "DPD": "DPD", "Evri": "Evri", "Hermes": "Evri", "Parcelforce": "Parcelforce",
    "UPS": "UPS", "DHL": "DHL", "Yodel": "Yodel",
}


def _between(low: int, high: int) -> validate.Validator:
    """Range check for decimal strings (kept as strings so the settings stay JSON)."""
    def check(value: str) -> bool:
        if not low <= Decimal(value) <= high:
            raise ValidationError(f"Must be between {low} and {high}.")
        return True
    return check  # type: ignore[return-value]


class PricingSchema(Schema):
    class Meta:
        unknown = RAISE

    markup_percent = Money(load_default="0", validate=_between(-90, 1000))
    markup_fixed = Money(load_default="0", validate=_between(-10000, 10000))
    rounding = fields.String(load_default="none", validate=validate.OneOf(["none", "0.99", "0.95", "0.49", "whole"]))


class StockSchema(Schema):
    class Meta:
        unknown = RAISE

    reserve_units = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    reserve_percent = Money(load_default="0", validate=_between(0, 100))
    out_of_stock_threshold = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    # What happens to the store's TikTok listings when the store goes away (hub/sync/stock/away.py):
    # "zero" offers stock 0 (listings stay live, nothing sells), "deactivate" takes them off sale.
    when_store_away = fields.String(load_default="zero", validate=validate.OneOf(["zero", "deactivate"]))


class OrdersSchema(Schema):
    class Meta:
        unknown = RAISE

    import_at = fields.String(load_default="AWAITING_SHIPMENT", validate=validate.OneOf(["AWAITING_SHIPMENT", "immediately"]))
    placeholder_email = fields.Email(load_default="tiktok-buyer@example.invalid")
    carriers = fields.Dict(keys=fields.String(), values=fields.String(), load_default=lambda: dict(DEFAULT_CARRIERS))


class PackageDefaultsSchema(Schema):
    class Meta:
        unknown = RAISE

    weight = fields.Nested(WeightSchema, allow_none=True, load_default=None)
    dimensions = fields.Nested(DimensionsSchema, allow_none=True, load_default=None)


class VatSchema(Schema):
    """The UK VAT rate of each of the store's tax classes ("" = products without a class), for stores
    whose prices exclude VAT (hub.sync.products.vat)."""

    class Meta:
        unknown = RAISE

    classes = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                          values=fields.String(validate=validate.OneOf(["standard", "reduced", "zero"])),
                          load_default=dict, validate=validate.Length(max=200))


class AlertsSchema(Schema):
    class Meta:
        unknown = RAISE

    # Where alert digests go; None: every login of the merchant.
    email = fields.Email(allow_none=True, load_default=None)


class MerchantSettingsSchema(Schema):
    class Meta:
        unknown = RAISE

    pricing = fields.Nested(PricingSchema, load_default=lambda: PricingSchema().load({}))
    stock = fields.Nested(StockSchema, load_default=lambda: StockSchema().load({}))
    orders = fields.Nested(OrdersSchema, load_default=lambda: OrdersSchema().load({}))
    package_defaults = fields.Nested(PackageDefaultsSchema, load_default=lambda: PackageDefaultsSchema().load({}))
    alerts = fields.Nested(AlertsSchema, load_default=lambda: AlertsSchema().load({}))
    # Listings TikTok accepts per day for this shop (100 for new shops, 1,000 after probation).
    daily_listing_cap = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100000))
    vat = fields.Nested(VatSchema, load_default=lambda: VatSchema().load({}))


def load_settings(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Settings with defaults filled in; raises marshmallow.ValidationError with per-field messages."""
    return MerchantSettingsSchema().load(raw or {})


def merged(current: dict[str, Any] | None, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial change (one section at a time from the settings page) and validate the result."""
    base = dict(current or {})
    for key, value in changes.items():
        base[key] = {**base.get(key, {}), **value} if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return load_settings(base)
