"""The merchant's price and stock rules for TikTok, applied to store values.

Merchants sell on TikTok at a markup (TikTok takes a commission) with "charm" endings such as .99, and
keep a stock buffer so that an order on TikTok and one in the store cannot both take the last unit.
Money is ``Decimal`` in GBP throughout: TikTok UK accepts only GBP, as strings, 0.01 – 5,600
(docs/tiktok-api.md); anything else is reported as a coded error rather than sent and refused.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from hub.sync.products.errors import PricingError

CURRENCY = "GBP"
MIN_PRICE = Decimal("0.01")
MAX_PRICE = Decimal("5600")
MAX_QUANTITY = 99_999
PENNY = Decimal("0.01")

# "none": pennies only; "whole": up to the next whole pound; "0.99", "0.95", "0.49"...: up to the next
# price ending in those pence.
_ENDING = re.compile(r"^0\.\d{2}$")


def _money(value: object, what: str) -> Decimal:
    if isinstance(value, (bool, float)) or value is None:
        raise PricingError("price_invalid", f"The {what} {value!r} is not an amount of money.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise PricingError("price_invalid", f"The {what} {value!r} is not an amount of money.") from None
    if not amount.is_finite():
        raise PricingError("price_invalid", f"The {what} {value!r} is not an amount of money.")
    return amount


@dataclass(frozen=True)
class PriceRule:
    """Markup then rounding: ``price × (1 + markup_percent/100) + markup_fixed``, then the ending.

    Rounding only ever goes *up* to the chosen ending, so a markup set to cover TikTok's commission is
    never eaten by rounding (9.99 + 10% = 10.989 → 10.99 with "0.99", 11.00 → 11.99).
    """

    markup_percent: Decimal = Decimal("0")
    markup_fixed: Decimal = Decimal("0")
    rounding: str = "none"

    def __post_init__(self) -> None:
        percent = _money(self.markup_percent, "markup percentage")
        fixed = _money(self.markup_fixed, "fixed markup")
        if percent <= Decimal("-100"):
            raise PricingError(
                "price_rule_invalid", "The markup percentage must be more than -100% (that would make prices zero)."
            )
        if self.rounding not in ("none", "whole") and not _ENDING.match(str(self.rounding)):
            raise PricingError(
                "price_rule_invalid",
                f"The price rounding {self.rounding!r} is not recognised; use none, whole, or an ending like 0.99.",
            )
        object.__setattr__(self, "markup_percent", percent)
        object.__setattr__(self, "markup_fixed", fixed)


@dataclass(frozen=True)
class StockRule:
    """What TikTok is told is available, out of what the store has.

    ``reserve_units`` and ``reserve_percent`` (rounded up to whole units) are held back for the store;
    when the store quantity is at or below ``out_of_stock_threshold`` TikTok shows the item as sold out.
    """

    reserve_units: int = 0
    reserve_percent: Decimal = Decimal("0")
    out_of_stock_threshold: int = 0

    def __post_init__(self) -> None:
        for name in ("reserve_units", "out_of_stock_threshold"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PricingError("stock_rule_invalid", f"The stock {name.replace('_', ' ')} must be a whole number, 0 or more.")
        percent = _money(self.reserve_percent, "reserve percentage")
        if not Decimal("0") <= percent <= Decimal("100"):
            raise PricingError("stock_rule_invalid", "The stock reserve percentage must be between 0 and 100.")
        object.__setattr__(self, "reserve_percent", percent)


def _round_to_ending(price: Decimal, rounding: str) -> Decimal:
    if rounding == "none":
        return price
    if rounding == "whole":
        return price.to_integral_value(rounding=ROUND_CEILING)
    ending = Decimal(rounding)
    candidate = price.to_integral_value(rounding=ROUND_FLOOR) + ending
    if candidate < price:
        candidate += 1
    return candidate


def apply_price(price: object, rule: PriceRule) -> Decimal:
    """The TikTok price for a store price, in pence precision (not yet range-checked: see ``tiktok_price``)."""
    base = _money(price, "store price")
    marked_up = base * (1 + rule.markup_percent / 100) + rule.markup_fixed
    in_pence = marked_up.quantize(PENNY, rounding=ROUND_HALF_UP)
    return _round_to_ending(in_pence, rule.rounding).quantize(PENNY)


def check_price(price: object, *, variant: str | None = None) -> Decimal:
    """Refuse prices TikTok UK would reject (12052073 / 12052570), naming the variant."""
    amount = _money(price, "price")
    who = f"Variant {variant}: " if variant else ""
    if amount != amount.quantize(PENNY):
        raise PricingError("price_too_precise", f"{who}the price {amount} has more than 2 decimal places.")
    if not MIN_PRICE <= amount <= MAX_PRICE:
        raise PricingError(
            "price_out_of_range",
            f"{who}the TikTok price would be £{amount:,.2f}; TikTok Shop UK accepts £0.01 to £5,600.00. "
            "Change the price in your store or the price rule.",
        )
    return amount


def tiktok_price(price: object, *, currency: str = CURRENCY, variant: str | None = None) -> dict[str, str]:
    """The ``skus[].price`` object TikTok expects: ``{"amount": "9.99", "currency": "GBP"}``."""
    if str(currency).upper() != CURRENCY:
        who = f"Variant {variant}: " if variant else ""
        raise PricingError(
            "currency_not_gbp", f"{who}the price is in {currency}; TikTok Shop UK sells only in GBP (£)."
        )
    amount = check_price(price, variant=variant)
    return {"amount": format(amount.quantize(PENNY), "f"), "currency": CURRENCY}


def apply_stock(quantity: object, rule: StockRule) -> int:
    """Units to offer on TikTok: never negative, never more than TikTok's 99,999 per warehouse.

    Negative store quantities (back-orders) count as none. The threshold compares the store quantity,
    because that is the number the merchant sees and sets the threshold against.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise PricingError("stock_invalid", f"The stock quantity {quantity!r} is not a whole number.")
    if quantity <= 0 or quantity <= rule.out_of_stock_threshold:
        return 0
    reserved = rule.reserve_units + math.ceil(quantity * rule.reserve_percent / 100)
    return min(max(quantity - reserved, 0), MAX_QUANTITY)
