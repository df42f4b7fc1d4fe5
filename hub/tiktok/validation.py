"""Form checks run before a request leaves the hub.

A request TikTok would reject for its form (a page size out of range, a missing id, an id that is not
a number) costs a round trip and a slot of the shop's rate budget, and TikTok's answer is less clear
than ours; so the client raises `DataError` naming the field instead of sending it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from hub.errors import DataError

_ID = re.compile(r"^[0-9]{1,32}$")
_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")


def tiktok_id(value: Any, field: str) -> str:
    """TikTok ids are numeric strings (18-19 digits in practice); ints are accepted and stringified."""
    if isinstance(value, bool) or value is None:
        raise DataError(f"{field} is required", field=field, code="invalid_request")
    text = str(value).strip()
    if not _ID.match(text):
        raise DataError(f"{field} must be a TikTok id made of digits, not {text[:40]!r}", field=field,
                        code="invalid_request")
    return text


def id_list(values: Iterable[Any] | None, field: str, *, maximum: int, minimum: int = 1) -> list[str]:
    if values is None or isinstance(values, (str, bytes)):
        raise DataError(f"{field} must be a list of TikTok ids", field=field, code="invalid_request")
    ids = [tiktok_id(v, field) for v in values]
    if not minimum <= len(ids) <= maximum:
        raise DataError(f"{field} takes {minimum} to {maximum} ids, got {len(ids)}", field=field,
                        code="invalid_request")
    if len(set(ids)) != len(ids):
        raise DataError(f"{field} lists the same id twice", field=field, code="invalid_request")
    return ids


def int_range(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise DataError(f"{field} must be a whole number", field=field, code="invalid_request")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DataError(f"{field} must be a whole number", field=field, code="invalid_request") from None
    if number != value and str(number) != str(value).strip():
        raise DataError(f"{field} must be a whole number", field=field, code="invalid_request")
    if not low <= number <= high:
        raise DataError(f"{field} must be between {low} and {high}, got {number}", field=field,
                        code="invalid_request")
    return number


def text(value: Any, field: str, *, minimum: int = 1, maximum: int = 10_000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{field} is required", field=field, code="invalid_request")
    if not minimum <= len(value) <= maximum:
        raise DataError(f"{field} must have {minimum} to {maximum} characters", field=field,
                        code="invalid_request")
    return value


def optional_text(value: Any, field: str, *, maximum: int = 10_000) -> str | None:
    if value is None or value == "":
        return None
    return text(value, field, maximum=maximum)


def one_of(value: Any, field: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise DataError(f"{field} must be one of {', '.join(allowed)}", field=field, code="invalid_request")
    return value


def amount(value: Any, field: str) -> str:
    """Money goes to TikTok as a decimal string with at most two decimals."""
    text_value = str(value).strip() if value is not None else ""
    if not _AMOUNT.match(text_value):
        raise DataError(f"{field} must be an amount like 9.99, not {text_value!r}", field=field,
                        code="invalid_request")
    try:
        if Decimal(text_value) <= 0:
            raise DataError(f"{field} must be more than zero", field=field, code="invalid_request")
    except InvalidOperation:
        raise DataError(f"{field} is not a number", field=field, code="invalid_request") from None
    return text_value


def mapping(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise DataError(f"{field} must be an object", field=field, code="invalid_request")
    return dict(value)


def non_empty_list(value: Any, field: str, *, maximum: int) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise DataError(f"{field} must be a non-empty list", field=field, code="invalid_request")
    if len(value) > maximum:
        raise DataError(f"{field} takes at most {maximum} entries, got {len(value)}", field=field,
                        code="invalid_request")
    return value


def unix_time(value: Any, field: str) -> int:
    return int_range(value, field, 0, 4_102_444_800)
