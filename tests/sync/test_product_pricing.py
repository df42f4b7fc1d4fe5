"""Price rules (markup, charm rounding), TikTok's price range, and the stock buffer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.sync.products.errors import PricingError
from hub.sync.products.pricing import PriceRule, StockRule, apply_price, apply_stock, check_price, tiktok_price

D = Decimal


@pytest.mark.parametrize(
    ("price", "rule", "expected"),
    [
        ("9.99", PriceRule(), "9.99"),
        ("10", PriceRule(markup_percent=D("10")), "11.00"),
        ("9.99", PriceRule(markup_percent=D("10")), "10.99"),  # 10.989 → 10.99
        ("10", PriceRule(markup_fixed=D("1.50")), "11.50"),
        ("10", PriceRule(markup_percent=D("20"), markup_fixed=D("0.50")), "12.50"),
        ("10.20", PriceRule(rounding="0.99"), "10.99"),
        ("10.99", PriceRule(rounding="0.99"), "10.99"),
        ("11.00", PriceRule(rounding="0.99"), "11.99"),  # never rounds down below the marked-up price
        ("10", PriceRule(markup_percent=D("10"), rounding="0.99"), "11.99"),
        ("10.96", PriceRule(rounding="0.95"), "11.95"),
        ("10.01", PriceRule(rounding="whole"), "11.00"),
        ("10.00", PriceRule(rounding="whole"), "10.00"),
        ("0.40", PriceRule(rounding="0.49"), "0.49"),
        ("20", PriceRule(markup_percent=D("-25")), "15.00"),
        ("1.005", PriceRule(), "1.01"),  # half pennies round up
    ],
)
def test_price_rules(price, rule, expected):
    assert apply_price(D(price), rule) == D(expected)
    assert str(apply_price(D(price), rule)) == expected


def test_apply_price_accepts_canonical_string_money():
    assert apply_price("9.99", PriceRule(markup_percent=D("10"))) == D("10.99")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rounding": "0.9"},
        {"rounding": "nearest"},
        {"rounding": "1.99"},
        {"markup_percent": D("-100")},
        {"markup_percent": "ten"},
        {"markup_fixed": 1.5},
    ],
)
def test_bad_price_rules_are_refused(kwargs):
    with pytest.raises(PricingError) as caught:
        PriceRule(**kwargs)
    assert caught.value.code in ("price_rule_invalid", "price_invalid")


@pytest.mark.parametrize("price", ["abc", None, "NaN", 9.99])
def test_bad_store_prices_are_coded_errors(price):
    with pytest.raises(PricingError) as caught:
        apply_price(price, PriceRule())
    assert caught.value.code == "price_invalid"


@pytest.mark.parametrize("price", ["0.01", "9.99", "5600", "5600.00"])
def test_prices_in_tiktok_uk_range_pass(price):
    assert check_price(D(price)) == D(price)


@pytest.mark.parametrize("price", ["0", "0.00", "-1", "5600.01", "10000"])
def test_prices_outside_tiktok_uk_range_are_refused_naming_the_variant(price):
    with pytest.raises(PricingError) as caught:
        check_price(D(price), variant="SOCK-M")
    assert caught.value.code == "price_out_of_range"
    assert caught.value.message.startswith("Variant SOCK-M: ")
    assert "£5,600.00" in caught.value.message


def test_discount_rule_that_makes_a_price_zero_is_caught_by_the_range_check():
    price = apply_price(D("1.00"), PriceRule(markup_fixed=D("-1.00")))
    with pytest.raises(PricingError) as caught:
        check_price(price)
    assert caught.value.code == "price_out_of_range"


def test_tiktok_price_object():
    assert tiktok_price(D("9.9")) == {"amount": "9.90", "currency": "GBP"}
    with pytest.raises(PricingError) as caught:
        tiktok_price(D("9.99"), currency="EUR", variant="SOCK-M")
    assert caught.value.code == "currency_not_gbp"
    with pytest.raises(PricingError) as caught:
        tiktok_price(D("9.999"))
    assert caught.value.code == "price_too_precise"


# ------------------------------------------------------------------------------------------ stock


@pytest.mark.parametrize(
    ("quantity", "rule", "expected"),
    [
        (50, StockRule(), 50),
        (0, StockRule(), 0),
        (-3, StockRule(), 0),  # back-orders never show as stock
        (50, StockRule(reserve_units=5), 45),
        (3, StockRule(reserve_units=5), 0),  # never below zero
        (5, StockRule(reserve_units=5), 0),
        (50, StockRule(reserve_percent=D("10")), 45),
        (7, StockRule(reserve_percent=D("10")), 6),  # 0.7 unit reserved rounds up to 1
        (1, StockRule(reserve_percent=D("100")), 0),
        (50, StockRule(reserve_units=2, reserve_percent=D("10")), 43),
        (3, StockRule(out_of_stock_threshold=3), 0),  # at the threshold: sold out
        (4, StockRule(out_of_stock_threshold=3), 4),
        (10, StockRule(reserve_units=2, out_of_stock_threshold=5), 8),
        (250_000, StockRule(), 99_999),  # TikTok's maximum per warehouse
    ],
)
def test_stock_buffer(quantity, rule, expected):
    assert apply_stock(quantity, rule) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"reserve_units": -1},
        {"reserve_units": 1.5},
        {"out_of_stock_threshold": -2},
        {"reserve_percent": D("101")},
        {"reserve_percent": D("-1")},
    ],
)
def test_bad_stock_rules_are_refused(kwargs):
    with pytest.raises(PricingError):
        StockRule(**kwargs)


@pytest.mark.parametrize("quantity", ["5", 5.0, None, True])
def test_non_integer_stock_is_a_coded_error(quantity):
    with pytest.raises(PricingError) as caught:
        apply_stock(quantity, StockRule())
    assert caught.value.code == "stock_invalid"
