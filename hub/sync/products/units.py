"""Package weight and dimensions in the units a UK TikTok shop accepts.

TikTok UK takes ``package_weight`` only in ``KILOGRAM`` (a string, > 0, at most 3 decimals) and
``package_dimensions`` only in ``CENTIMETER`` (strings holding positive whole numbers); metric and
imperial units may not be mixed (docs/tiktok-api.md). Stores hand us kg, g, lb, oz and cm, mm,
m, in, so we convert with ``Decimal`` (no float drift) and always round *up*: declaring a parcel lighter
or smaller than it is gets the shipping label refused, declaring it slightly larger costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Mapping

from hub.sync.products.errors import UnitError

WEIGHT_UNIT = "KILOGRAM"
DIMENSION_UNIT = "CENTIMETER"

_KG_PER_UNIT: dict[str, Decimal] = {
    "kg": Decimal("1"),
    "g": Decimal("0.001"),
    "lb": Decimal("0.45359237"),
    "oz": Decimal("0.028349523125"),
}
_WEIGHT_ALIASES: dict[str, str] = {
    "kg": "kg", "kgs": "kg", "kilogram": "kg", "kilograms": "kg", "kilo": "kg", "kilos": "kg",
    "g": "g", "gr": "g", "gram": "g", "grams": "g", "gramme": "g", "grammes": "g",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
    "oz": "oz", "ounce": "oz", "ounces": "oz",
}

_CM_PER_UNIT: dict[str, Decimal] = {
    "cm": Decimal("1"),
    "mm": Decimal("0.1"),
    "m": Decimal("100"),
    "in": Decimal("2.54"),
}
_LENGTH_ALIASES: dict[str, str] = {
    "cm": "cm", "centimeter": "cm", "centimeters": "cm", "centimetre": "cm", "centimetres": "cm",
    "mm": "mm", "millimeter": "mm", "millimeters": "mm", "millimetre": "mm", "millimetres": "mm",
    "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "in": "in", "inch": "in", "inches": "in", '"': "in",
}

_GRAM_STEP = Decimal("0.001")


@dataclass(frozen=True)
class PackageWeight:
    value: str
    unit: str = WEIGHT_UNIT

    def as_tiktok(self) -> dict[str, str]:
        return {"value": self.value, "unit": self.unit}


@dataclass(frozen=True)
class PackageDimensions:
    length: str
    width: str
    height: str
    unit: str = DIMENSION_UNIT

    def as_tiktok(self) -> dict[str, str]:
        return {"length": self.length, "width": self.width, "height": self.height, "unit": self.unit}


def _decimal(value: object, what: str) -> Decimal:
    """Accept what store payloads carry (strings, ints, Decimals) and refuse what cannot be a measure."""
    if isinstance(value, bool) or value is None:
        raise UnitError(f"{what}_invalid", f"The {what} is missing or not a number.")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise UnitError(f"{what}_invalid", f"The {what} {value!r} is not a number.") from None
    if not number.is_finite():
        raise UnitError(f"{what}_invalid", f"The {what} {value!r} is not a number.")
    return number


def _unit(unit: object, aliases: Mapping[str, str], what: str) -> str:
    key = str(unit or "").strip().lower().rstrip(".")
    if key not in aliases:
        known = ", ".join(sorted(set(aliases.values())))
        raise UnitError(f"{what}_unit_unknown", f"The {what} unit {unit!r} is not recognised; use one of {known}.")
    return aliases[key]


def _plain(number: Decimal) -> str:
    """'0.250' -> '0.25', '2.000' -> '2', never exponent notation ('1E+1')."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_package_weight(value: object, unit: object) -> PackageWeight:
    """Convert to kilograms, rounded up to the gram (TikTok allows 3 decimals)."""
    amount = _decimal(value, "weight")
    if amount <= 0:
        raise UnitError("weight_not_positive", f"The weight must be more than zero (it is {_plain(amount)} {unit}).")
    kilograms = (amount * _KG_PER_UNIT[_unit(unit, _WEIGHT_ALIASES, "weight")]).quantize(
        _GRAM_STEP, rounding=ROUND_CEILING
    )
    return PackageWeight(_plain(max(kilograms, _GRAM_STEP)))


def to_whole_centimetres(value: object, unit: object) -> int:
    """Round up to a whole centimetre, at least 1, since TikTok takes positive whole numbers only."""
    amount = _decimal(value, "dimension")
    if amount <= 0:
        raise UnitError(
            "dimension_not_positive", f"Each package dimension must be more than zero (one is {_plain(amount)} {unit})."
        )
    centimetres = (amount * _CM_PER_UNIT[_unit(unit, _LENGTH_ALIASES, "dimension")]).to_integral_value(
        rounding=ROUND_CEILING
    )
    return max(int(centimetres), 1)


def to_package_dimensions(length: object, width: object, height: object, unit: object) -> PackageDimensions:
    return PackageDimensions(
        *(str(to_whole_centimetres(side, unit)) for side in (length, width, height))
    )


def package_weight_from_canonical(weight: Mapping[str, object]) -> PackageWeight:
    """Canonical shape (docs/canonical-data.md): ``{"value": "0.25", "unit": "kg"}``."""
    return to_package_weight(weight.get("value"), weight.get("unit"))


def package_dimensions_from_canonical(dimensions: Mapping[str, object]) -> PackageDimensions:
    """Canonical shape (docs/canonical-data.md): ``{"length", "width", "height", "unit"}``."""
    return to_package_dimensions(
        dimensions.get("length"), dimensions.get("width"), dimensions.get("height"), dimensions.get("unit")
    )
