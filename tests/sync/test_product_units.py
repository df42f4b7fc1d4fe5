"""Package weight and dimensions in TikTok UK's KILOGRAM / whole CENTIMETER strings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.sync.products.errors import UnitError
from hub.sync.products.units import (
    package_dimensions_from_canonical,
    package_weight_from_canonical,
    to_package_dimensions,
    to_package_weight,
    to_whole_centimetres,
)


@pytest.mark.parametrize(
    ("value", "unit", "kilograms"),
    [
        ("0.25", "kg", "0.25"),
        ("2", "KG", "2"),
        ("2.000", "kgs", "2"),
        ("250", "g", "0.25"),
        ("1", "grams", "0.001"),
        ("0.1", "g", "0.001"),  # rounds up to the smallest weight TikTok can hold
        ("1", "lb", "0.454"),  # 0.45359237 rounded up
        ("2.5", "lbs", "1.134"),
        ("8", "oz", "0.227"),
        ("16", "Ounces", "0.454"),
        (Decimal("1.2345"), "kg", "1.235"),
        (3, "kg", "3"),
        ("100", "kg", "100"),
    ],
)
def test_weight_is_converted_to_kilograms_rounded_up(value, unit, kilograms):
    weight = to_package_weight(value, unit)
    assert weight.as_tiktok() == {"value": kilograms, "unit": "KILOGRAM"}


@pytest.mark.parametrize(
    ("value", "unit", "error"),
    [
        ("0", "kg", "weight_not_positive"),
        ("-1", "kg", "weight_not_positive"),
        ("heavy", "kg", "weight_invalid"),
        ("NaN", "kg", "weight_invalid"),
        ("Infinity", "g", "weight_invalid"),
        (None, "kg", "weight_invalid"),
        ("1", "stone", "weight_unit_unknown"),
        ("1", "", "weight_unit_unknown"),
    ],
)
def test_bad_weights_get_coded_errors(value, unit, error):
    with pytest.raises(UnitError) as caught:
        to_package_weight(value, unit)
    assert caught.value.code == error
    assert caught.value.message


@pytest.mark.parametrize(
    ("value", "unit", "centimetres"),
    [
        ("20", "cm", 20),
        ("20.1", "cm", 21),
        ("25", "mm", 3),
        ("0.2", "mm", 1),
        ("0.5", "m", 50),
        ("1.234", "metres", 124),
        ("10", "in", 26),  # 25.4 rounded up
        ("1", "inches", 3),
        ("0.01", "cm", 1),
    ],
)
def test_dimensions_are_whole_centimetres_rounded_up_at_least_one(value, unit, centimetres):
    assert to_whole_centimetres(value, unit) == centimetres


def test_package_dimensions_object_has_string_values():
    assert to_package_dimensions("20", "15", "4.2", "cm").as_tiktok() == {
        "length": "20",
        "width": "15",
        "height": "5",
        "unit": "CENTIMETER",
    }


@pytest.mark.parametrize(
    ("sides", "unit", "error"),
    [
        (("20", "0", "5"), "cm", "dimension_not_positive"),
        (("20", "-3", "5"), "cm", "dimension_not_positive"),
        (("20", "wide", "5"), "cm", "dimension_invalid"),
        (("20", "15", "5"), "ft", "dimension_unit_unknown"),
    ],
)
def test_bad_dimensions_get_coded_errors(sides, unit, error):
    with pytest.raises(UnitError) as caught:
        to_package_dimensions(*sides, unit)
    assert caught.value.code == error


def test_canonical_product_shapes_are_converted():
    assert package_weight_from_canonical({"value": "0.25", "unit": "kg"}).as_tiktok() == {
        "value": "0.25",
        "unit": "KILOGRAM",
    }
    dims = package_dimensions_from_canonical({"length": "8", "width": "6", "height": "2", "unit": "in"})
    assert dims.as_tiktok() == {"length": "21", "width": "16", "height": "6", "unit": "CENTIMETER"}


def test_canonical_shape_with_missing_value_is_a_coded_error():
    with pytest.raises(UnitError) as caught:
        package_weight_from_canonical({"unit": "kg"})
    assert caught.value.code == "weight_invalid"
