"""Barcodes (GTIN/EAN/UPC/ISBN) checked and typed the way TikTok's ``skus[].identifier_code`` wants.

TikTok refuses a code whose digit count does not match its ``type`` (12052591) and an identifier code can
no longer be changed once the product has left DRAFT (12052593), so a wrong code is expensive: we check
lengths and check digits before sending (docs/product-rules.md).

Store platforms rarely say reliably what kind of barcode a field holds (WooCommerce and Shopify have a
single "barcode" field, merchants type UPCs into "EAN" fields), and EAN-8, UPC-A, EAN-13 and GTIN-14 are
all members of one GTIN family distinguished by length. So within that family the type is taken from the
digit count, and a declared type only chooses between equally valid answers (14 digits: ``EAN`` when the
store says EAN, else ``GTIN``). ISBN is only used for book categories (docs/product-rules.md); elsewhere
an ISBN-13 is sent as the EAN-13 it also is, and an ISBN-10 is converted to ISBN-13 first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from stdnum import ean, isbn
from stdnum.exceptions import InvalidChecksum, ValidationError

from hub.sync.products.errors import IdentifierError

TIKTOK_TYPES = ("GTIN", "EAN", "UPC", "ISBN")

_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")
_ISBN10 = re.compile(r"^\d{9}[\dX]$")

# Declared store types → what they tell us. None means "some GTIN, go by length".
_DECLARED: dict[str, str | None] = {
    "": None, "BARCODE": None, "GTIN": None, "GTIN8": None, "GTIN12": None, "GTIN13": None,
    "GTIN14": "GTIN", "ITF14": "GTIN",
    "EAN": "EAN", "EAN8": "EAN", "EAN13": "EAN", "EAN14": "EAN", "JAN": "EAN",
    "UPC": "UPC", "UPCA": "UPC",
    "ISBN": "ISBN", "ISBN10": "ISBN", "ISBN13": "ISBN",
}


@dataclass(frozen=True)
class IdentifierCode:
    code: str
    type: str

    def as_tiktok(self) -> dict[str, str]:
        return {"code": self.code, "type": self.type}


def _who(variant: str | None) -> str:
    return f"Variant {variant}: " if variant else ""


def _fail(code: str, variant: str | None, text: str) -> IdentifierError:
    return IdentifierError(code, f"{_who(variant)}{text}")


def _isbn(cleaned: str, shown: str, variant: str | None, book_category: bool) -> IdentifierCode:
    try:
        valid = isbn.validate(cleaned)
    except InvalidChecksum:
        raise _fail(
            "identifier_bad_check_digit", variant,
            f"the ISBN {shown} has a wrong check digit. Check the ISBN printed on the book.",
        ) from None
    except ValidationError:
        raise _fail(
            "identifier_wrong_length", variant,
            f"{shown} is not an ISBN (an ISBN has 13 digits starting 978 or 979, or 10 characters).",
        ) from None
    thirteen = isbn.to_isbn13(valid)
    return IdentifierCode(thirteen, "ISBN" if book_category else "EAN")


def normalise_identifier(
    code: object,
    declared_type: str | None = None,
    *,
    variant: str | None = None,
    book_category: bool = False,
) -> IdentifierCode:
    """Clean, validate and type one barcode, or raise ``IdentifierError`` naming the variant."""
    shown = str(code).strip() if code is not None else ""
    cleaned = _SEPARATORS.sub("", shown).upper()
    if not cleaned:
        raise _fail("identifier_missing", variant, "no barcode (GTIN, EAN, UPC or ISBN) is set.")

    declared_key = re.sub(r"[^A-Z0-9]", "", str(declared_type or "").upper())
    if declared_key not in _DECLARED:
        raise _fail(
            "identifier_unknown_type", variant,
            f"the code type {declared_type!r} is not one TikTok accepts; use a GTIN, EAN, UPC or ISBN.",
        )
    declared = _DECLARED[declared_key]

    if declared == "ISBN" or (len(cleaned) == 10 and _ISBN10.match(cleaned)):
        return _isbn(cleaned, shown, variant, book_category)

    if not cleaned.isdigit():
        raise _fail(
            "identifier_invalid_characters", variant,
            f"the barcode {shown} must contain only digits (spaces and hyphens are ignored).",
        )
    length = len(cleaned)
    if length not in (8, 12, 13, 14):
        raise _fail(
            "identifier_wrong_length", variant,
            f"the barcode {shown} has {length} digits; TikTok accepts EAN-8 (8), UPC (12), EAN-13 (13) "
            "or GTIN-14 (14 digits).",
        )
    if set(cleaned) == {"0"}:
        raise _fail("identifier_placeholder", variant, f"the barcode {shown} is all zeros; enter the real barcode.")
    try:
        ean.validate(cleaned)
    except InvalidChecksum:
        expected = ean.calc_check_digit(cleaned[:-1])
        raise _fail(
            "identifier_bad_check_digit", variant,
            f"the barcode {shown} has a wrong check digit (the last digit should be {expected}). "
            "Check the barcode in your store.",
        ) from None

    if length == 12:
        kind = "UPC"
    elif length == 14:
        kind = "EAN" if declared == "EAN" else "GTIN"
    elif length == 13 and book_category and declared is None and cleaned[:3] in ("978", "979"):
        kind = "ISBN"
    else:
        kind = "EAN"
    return IdentifierCode(cleaned, kind)


def identifier_for_variant(variant: Mapping[str, object], *, book_category: bool = False) -> IdentifierCode | None:
    """The code for a canonical variant (docs/canonical-data.md ``barcode``/``barcode_type``); ``None`` when it has none,
    so the caller can decide whether the category may be exempted."""
    barcode = variant.get("barcode")
    if barcode is None or not str(barcode).strip():
        return None
    label = str(variant.get("sku") or variant.get("id") or "") or None
    barcode_type = variant.get("barcode_type")
    return normalise_identifier(
        barcode, str(barcode_type) if barcode_type is not None else None, variant=label, book_category=book_category
    )
