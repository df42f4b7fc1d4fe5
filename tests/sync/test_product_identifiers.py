"""Barcodes as merchants type them → TikTok identifier_code, or an error naming the variant."""

from __future__ import annotations

import pytest

from hub.sync.products.errors import IdentifierError
from hub.sync.products.identifiers import identifier_for_variant, normalise_identifier


@pytest.mark.parametrize(
    ("code", "declared", "expected"),
    [
        ("5012345678900", "EAN", ("5012345678900", "EAN")),
        ("5012345678900", None, ("5012345678900", "EAN")),
        ("96385074", None, ("96385074", "EAN")),
        ("036000291452", None, ("036000291452", "UPC")),
        ("036000291452", "UPC", ("036000291452", "UPC")),
        ("15012345678907", None, ("15012345678907", "GTIN")),
        ("15012345678907", "GTIN", ("15012345678907", "GTIN")),
        ("15012345678907", "EAN", ("15012345678907", "EAN")),
        ("5 012345 678900", "ean-13", ("5012345678900", "EAN")),
        ("0-36000-29145-2", "barcode", ("036000291452", "UPC")),
        ("4901234567894", "JAN", ("4901234567894", "EAN")),
    ],
)
def test_valid_gtin_family_codes_are_typed_by_length(code, declared, expected):
    result = normalise_identifier(code, declared)
    assert (result.code, result.type) == expected
    assert result.as_tiktok() == {"code": expected[0], "type": expected[1]}


def test_upc_typed_into_an_ean_field_is_sent_as_upc():
    assert normalise_identifier("036000291452", "EAN").type == "UPC"


def test_isbn_13_is_isbn_in_a_book_category_and_ean_elsewhere():
    assert normalise_identifier("978-0-306-40615-7", None, book_category=True).as_tiktok() == {
        "code": "9780306406157",
        "type": "ISBN",
    }
    assert normalise_identifier("9780306406157", None).type == "EAN"
    assert normalise_identifier("9780306406157", "ISBN", book_category=False).type == "EAN"


def test_isbn_10_is_converted_to_isbn_13():
    assert normalise_identifier("0-306-40615-2", "ISBN", book_category=True).code == "9780306406157"
    result = normalise_identifier("080442957x", None, book_category=True)
    assert (result.code, result.type) == ("9780804429573", "ISBN")


def test_book_category_keeps_an_explicit_ean_type():
    assert normalise_identifier("9780306406157", "EAN", book_category=True).type == "EAN"


@pytest.mark.parametrize(
    ("code", "declared", "error"),
    [
        ("5012345678901", "EAN", "identifier_bad_check_digit"),
        ("96385075", None, "identifier_bad_check_digit"),
        ("036000291453", "UPC", "identifier_bad_check_digit"),
        ("15012345678908", "GTIN", "identifier_bad_check_digit"),
        ("9780306406158", "ISBN", "identifier_bad_check_digit"),
        ("0306406153", None, "identifier_bad_check_digit"),
        ("50123456789", "EAN", "identifier_wrong_length"),
        ("501234567890012", None, "identifier_wrong_length"),
        ("12345", "UPC", "identifier_wrong_length"),
        ("5012345678900", "ISBN", "identifier_wrong_length"),
        ("50123A5678900", "EAN", "identifier_invalid_characters"),
        ("5.01234567890E+12", None, "identifier_invalid_characters"),
        ("0000000000000", None, "identifier_placeholder"),
        ("", "EAN", "identifier_missing"),
        ("   ", None, "identifier_missing"),
        ("5012345678900", "MPN", "identifier_unknown_type"),
    ],
)
def test_invalid_codes_get_coded_errors_naming_the_variant(code, declared, error):
    with pytest.raises(IdentifierError) as caught:
        normalise_identifier(code, declared, variant="SOCK-M")
    assert caught.value.code == error
    assert caught.value.message.startswith("Variant SOCK-M: ")


def test_wrong_check_digit_message_says_which_digit_is_expected():
    with pytest.raises(IdentifierError) as caught:
        normalise_identifier("5012345678901", "EAN", variant="SOCK-M")
    assert "should be 0" in caught.value.message
    assert "5012345678901" in caught.value.message


def test_canonical_variant_barcode_is_read_and_missing_one_is_none():
    variant = {"id": "91", "sku": "SOCK-M", "barcode": "5012345678900", "barcode_type": "EAN"}
    assert identifier_for_variant(variant).as_tiktok() == {"code": "5012345678900", "type": "EAN"}
    assert identifier_for_variant({"id": "92", "sku": "SOCK-L", "barcode": None}) is None
    assert identifier_for_variant({"id": "93", "barcode": "  "}) is None


def test_canonical_variant_error_names_the_sku_or_id():
    with pytest.raises(IdentifierError) as caught:
        identifier_for_variant({"id": "94", "sku": "", "barcode": "123"})
    assert caught.value.message.startswith("Variant 94: ")
