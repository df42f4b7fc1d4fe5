"""The canonical PRODUCT (`docs/canonical-data.md`): what a store connector says a product is.

Money is a decimal string, quantities are integers, ids are strings. A simple product is one variant
with empty `options`. Unknown extra keys are kept (platform hints) and never required.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from hub.canonical.fields import QUANTITY_RANGE, VERSION_RANGE, Id, Measure, OpenSchema, Price, StrictInt

WEIGHT_UNITS = ["kg", "g", "lb", "oz"]
DIMENSION_UNITS = ["cm", "mm", "m", "in"]
MAX_LOCATIONS = 200


class CategorySchema(OpenSchema):
    id = Id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    path = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list)


class ImageSchema(OpenSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    alt = fields.String(allow_none=True, load_default=None)


class WeightSchema(OpenSchema):
    value = Measure(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(WEIGHT_UNITS))


class DimensionsSchema(OpenSchema):
    length = Measure(required=True)
    width = Measure(required=True)
    height = Measure(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(DIMENSION_UNITS))


class LocationStockSchema(OpenSchema):
    """Stock of one variant at one of the store's locations (warehouse, shop, depot)."""

    id = Id(required=True)
    name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    quantity = StrictInt(required=True, validate=QUANTITY_RANGE)


def unique_location_ids(locations: list[dict[str, Any]] | None) -> None:
    if not locations:
        return  # most stock items have no locations: every item of a batch passes here
    ids = [location["id"] for location in locations]
    if len(ids) != len(set(ids)):
        raise ValidationError("Location ids must be unique within a variant.", "locations")


class VariantSchema(OpenSchema):
    id = Id(required=True)
    sku = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    price = Price(required=True)
    compare_at_price = Price(allow_none=True, load_default=None)
    currency = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    quantity = StrictInt(load_default=0, validate=QUANTITY_RANGE)
    # Optional per-location stock; absent (not null) by default so products that never send it keep
    # exactly the stored form they had.
    locations = fields.List(fields.Nested(LocationStockSchema), allow_none=True,
                            validate=validate.Length(max=MAX_LOCATIONS))
    manage_stock = fields.Boolean(load_default=True)
    options = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)),
                          values=fields.String(validate=validate.Length(max=500)), load_default=dict)
    barcode = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=64))
    barcode_type = fields.String(allow_none=True, load_default=None)
    image_url = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    weight = fields.Nested(WeightSchema, allow_none=True, load_default=None)
    dimensions = fields.Nested(DimensionsSchema, allow_none=True, load_default=None)
    # The variant's own tax class where it differs from the product's; absent by default.
    tax_class = fields.String(allow_none=True, validate=validate.Length(max=100))

    @validates_schema
    def _unique_locations(self, data: dict[str, Any], **_: Any) -> None:
        unique_location_ids(data.get("locations"))


class SizeChartSchema(OpenSchema):
    """A size chart template of the TikTok shop (by id) or a picture of the chart (a public https address)."""

    template_id = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(r"^\d{1,30}$"))
    image_url = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=2000))

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("template_id") and not data.get("image_url"):
            raise ValidationError("Give a template_id or an image_url.", "size_chart")


class CertificateSchema(OpenSchema):
    """Pictures of a certificate a TikTok category's rules ask for, by the rule's certification id."""

    id = fields.String(required=True, validate=validate.Regexp(r"^\d{1,30}$"))
    image_urls = fields.List(fields.String(validate=validate.Length(min=1, max=2000)), required=True,
                             validate=validate.Length(min=1, max=10))
    expiration_date = StrictInt(allow_none=True, load_default=None, validate=validate.Range(min=0))


class ProductSchema(OpenSchema):
    id = Id(required=True)
    version = StrictInt(required=True, validate=VERSION_RANGE)
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
    # Optional and absent by default (products that never send them keep their stored form).
    size_chart = fields.Nested(SizeChartSchema, allow_none=True)
    certifications = fields.List(fields.Nested(CertificateSchema), allow_none=True, validate=validate.Length(max=10))
    # Whether the prices include VAT (absent or null: they do, as every store sent before the field
    # existed), and the store's tax class, whose VAT rate the merchant chooses (hub.sync.products.vat).
    prices_include_tax = fields.Boolean(allow_none=True)
    tax_class = fields.String(allow_none=True, validate=validate.Length(max=100))
    variants = fields.List(fields.Nested(VariantSchema), required=True,
                           validate=validate.Length(min=1, max=5000, error="A product needs 1 to 5000 variants."))

    @validates_schema
    def _unique_variant_ids(self, data: dict[str, Any], **_: Any) -> None:
        ids = [v["id"] for v in data.get("variants", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("Variant ids must be unique within a product.", "variants")
