"""What TikTok must hold for one variant: the store values passed through the merchant's rules.

The arithmetic lives in `hub.sync.products.pricing`; this module turns the merchant's saved settings
into rules and keeps the explanation of every step, because the settings page preview must show the
merchant *why* TikTok gets £10.99 for a £9.99 item, not only that it does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Mapping

from hub.errors import DataError
from hub.merchant_settings import load_settings
from hub.sync.products.vat import INCLUDED, Vat
from hub.sync.products.pricing import PriceRule, StockRule, apply_price, apply_stock, tiktok_price


@dataclass(frozen=True)
class Rules:
    price: PriceRule
    stock: StockRule
    vat_classes: Mapping[str, str] = field(default_factory=dict)  # store tax class → UK VAT rate name


@dataclass
class Desired:
    """One variant's TikTok values; `price` is None when the store sent none or it cannot be sent."""

    quantity: int
    price: str | None
    price_error: DataError | None = None
    price_steps: list[str] = field(default_factory=list)
    stock_steps: list[str] = field(default_factory=list)


_KEPT_RULES: dict[str, Rules] = {}
KEPT_RULES_MAX = 1024


def rules_from_settings(raw_settings: dict[str, Any] | None) -> Rules:
    """Rules from the merchant's settings JSON (defaults filled in by the one settings schema).

    Kept per settings content: every price/stock push asks, and loading the settings through their
    schema cost more than the rest of reading the push's plan. Changed settings are another key.
    """
    key = json.dumps(raw_settings or {}, sort_keys=True, separators=(",", ":"), default=str)
    rules = _KEPT_RULES.get(key)
    if rules is None:
        rules = _rules(raw_settings)
        if len(_KEPT_RULES) >= KEPT_RULES_MAX:
            _KEPT_RULES.clear()
        _KEPT_RULES[key] = rules
    return rules


def _rules(raw_settings: dict[str, Any] | None) -> Rules:
    settings = load_settings(raw_settings)
    pricing, stock = settings["pricing"], settings["stock"]
    return Rules(
        price=PriceRule(markup_percent=Decimal(pricing["markup_percent"]),
                        markup_fixed=Decimal(pricing["markup_fixed"]), rounding=pricing["rounding"]),
        stock=StockRule(reserve_units=int(stock["reserve_units"]), reserve_percent=Decimal(stock["reserve_percent"]),
                        out_of_stock_threshold=int(stock["out_of_stock_threshold"])),
        vat_classes=MappingProxyType(dict(settings["vat"]["classes"])),  # shared between pushes: read-only
    )


def _explain_price(store_price: Decimal, rule: PriceRule, result: Decimal) -> list[str]:
    steps = [f"Store price £{store_price:.2f}"]
    if rule.markup_percent:
        steps.append(f"{rule.markup_percent.normalize():f}% markup")
    if rule.markup_fixed:
        sign = "+" if rule.markup_fixed > 0 else "−"
        steps.append(f"{sign}£{abs(rule.markup_fixed):.2f} fixed markup")
    if rule.rounding == "whole":
        steps.append("rounded up to a whole pound")
    elif rule.rounding != "none":
        steps.append(f"rounded up to end in .{rule.rounding[-2:]}")
    steps.append(f"TikTok price £{result:.2f}")
    return steps


def _explain_stock(store_quantity: int, held: int, rule: StockRule, result: int) -> list[str]:
    steps = [f"Store stock {store_quantity}"]
    quantity = store_quantity
    if held:
        quantity = max(store_quantity - held, 0)
        steps.append(f"{held} unit(s) sold on TikTok and not yet in the store's stock: {quantity} left to offer")
    if quantity <= 0:
        steps.append("nothing to sell: TikTok shows the item as sold out")
    elif quantity <= rule.out_of_stock_threshold:
        steps.append(f"at or below the out-of-stock threshold of {rule.out_of_stock_threshold}: "
                     "TikTok shows the item as sold out")
    else:
        if rule.reserve_units:
            steps.append(f"{rule.reserve_units} unit(s) kept back for the store")
        if rule.reserve_percent:
            kept = math.ceil(quantity * rule.reserve_percent / 100)
            steps.append(f"{rule.reserve_percent.normalize():f}% kept back for the store ({kept} unit(s))")
    steps.append(f"TikTok stock {result}")
    return steps


def desired(quantity: int, price: str | None, rules: Rules, *, currency: str = "GBP",
            variant: str | None = None, held: int = 0, vat: Vat = INCLUDED) -> Desired:
    """The values TikTok must hold; a price TikTok would refuse becomes `price_error`, never a crash.

    `held`: units of TikTok orders the store's quantity does not show yet (hub.sync.stock.holds); they
    are sold already, so the rules apply to what is left. `vat`: what the store price lacks of VAT
    (hub.sync.products.vat.for_variant), added before the price rule.
    """
    available = max(int(quantity) - held, 0) if held > 0 else int(quantity)
    tiktok_quantity = apply_stock(available, rules.stock)
    result = Desired(quantity=tiktok_quantity, price=None,
                     stock_steps=_explain_stock(int(quantity), max(held, 0), rules.stock, tiktok_quantity))
    if price is None:
        result.price_steps = ["The store has not sent a price for this variant: TikTok keeps its current price"]
        return result
    try:
        gross = vat.gross(price)
        amount = apply_price(gross, rules.price)
        result.price = tiktok_price(amount, currency=currency or "GBP", variant=variant)["amount"]
        result.price_steps = _explain_price(Decimal(str(price)), rules.price, amount)
        step = vat.step()
        if step:
            result.price_steps.insert(1, f"{step}: £{Decimal(str(gross)):.2f}")
    except DataError as error:
        result.price_error = error
        result.price_steps = [error.message]
    return result
