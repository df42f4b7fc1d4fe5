"""Field types of the canonical data: ids, money and measures as strings, integers that are integers.

Each is strict where a lenient reading would change a value silently (a float price), and lenient
where nothing can be lost (an integer id is kept as its string).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

# "9.99", and the forms stores write for the same numbers: ".5" (WooCommerce's weights) and "5.".
MONEY = re.compile(r"^-?(\d{1,12}(\.\d{0,4})?|\.\d{1,4})$")


def _decimal_text(value: str) -> str:
    """The decimal as the contract writes it: ".5" is "0.5" and "5." is "5"; the digits otherwise kept."""
    sign, digits = ("-", value[1:]) if value.startswith("-") else ("", value)
    if digits.startswith("."):
        digits = "0" + digits
    return sign + digits.rstrip(".") if digits.endswith(".") else sign + digits


def _shown(value: Any) -> str:
    """The offending value echoed in an error, short enough for a log line and a settings page."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


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
        if not isinstance(value, str) or not MONEY.match(value.strip()):
            raise ValidationError(f'Must be a decimal string such as "9.99" (got {_shown(value)}).')
        try:
            Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes this
            raise ValidationError(f'Must be a decimal string such as "9.99" (got {_shown(value)}).') from exc
        return _decimal_text(value.strip())


class Measure(fields.String):
    """A weight or length: a non-negative decimal string; a JSON number is taken as its decimal text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not MONEY.match(value.strip()) or Decimal(value) < 0:
            raise ValidationError(f'Must be a non-negative decimal string such as "0.25" (got {_shown(value)}).')
        return _decimal_text(value.strip())


# What the columns hold: stock in a 32-bit integer, versions (store timestamps in ms) in a 64-bit one.
QUANTITY_LIMIT = 2**31 - 1
VERSION_LIMIT = 2**63 - 1
QUANTITY_RANGE = validate.Range(min=-QUANTITY_LIMIT, max=QUANTITY_LIMIT)
VERSION_RANGE = validate.Range(min=0, max=VERSION_LIMIT)


class StrictInt(fields.Integer):
    """Quantities and versions: 5 is accepted, 5.0 and "5" are not."""

    def __init__(self, **kwargs: Any):
        super().__init__(strict=True, **kwargs)


class OpenSchema(Schema):
    """Unknown keys are kept: a platform's extra hints travel with the data, never required."""

    class Meta:
        unknown = INCLUDE


class Price(Money):
    """A store price: money that is 0 or more. TikTok sells nothing below £0.01, and a negative price is
    the extension's mistake, refused per event at the door rather than as a product reason later."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        result = super()._deserialize(value, attr, data, **kwargs)
        if Decimal(result) < 0:
            raise ValidationError('Must be a price of 0 or more, as a decimal string such as "9.99".')
        return result
