"""VAT on the way to TikTok: TikTok Shop UK prices include VAT; a store's may not.

A store can enter its prices without VAT (WooCommerce's "prices entered exclusive of tax", Magento's
tax configuration, Shopify's `taxesIncluded` off, BigCommerce's `is_price_entered_with_tax` off). The
canonical product says so (`prices_include_tax`, absent = they include it, which is what every store
sent before the field existed) and carries the store's tax class. The merchant maps each tax class to
a UK rate on the settings page; until a class is mapped, its products stop with `vat_rate_missing`
rather than being listed about 20% cheap, or at a guessed rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

from hub.sync.products import reasons
from hub.sync.products.errors import PricingError

RATES: dict[str, Decimal] = {"standard": Decimal("0.20"), "reduced": Decimal("0.05"), "zero": Decimal("0")}
RATE_LABELS = {"standard": "standard 20%", "reduced": "reduced 5%", "zero": "zero 0%"}
NO_CLASS = ""  # a product without a tax class: the store's standard class
PENNY = Decimal("0.01")


def class_label(tax_class: str) -> str:
    return f"'{tax_class}'" if tax_class else "Standard (no tax class)"


@dataclass(frozen=True)
class Vat:
    """What a variant's store price needs before the price rule: nothing, a rate, or a stop."""

    rate: Decimal | None = None  # None: the store's prices already include VAT
    rate_name: str | None = None
    tax_class: str | None = None
    error: PricingError | None = None

    def gross(self, price: Any) -> Any:
        """The price with VAT, in pennies; the price unchanged when it includes VAT already."""
        if self.error is not None:
            raise self.error
        if self.rate is None or price in (None, ""):
            return price
        try:
            amount = Decimal(str(price).strip())
        except ArithmeticError:
            return price  # the price rule reports it as not an amount of money
        return (amount * (1 + self.rate)).quantize(PENNY, rounding=ROUND_HALF_UP)

    def step(self) -> str | None:
        """The explanation line of the price preview."""
        if self.rate is None or self.rate_name is None:
            return None
        return (f"+ VAT at the {RATE_LABELS[self.rate_name]} rate (the store's prices exclude VAT; tax class "
                f"{class_label(self.tax_class or NO_CLASS)})")


INCLUDED = Vat()


def for_variant(product: Mapping[str, Any] | None, variant: Mapping[str, Any] | None,
                classes: Mapping[str, str]) -> Vat:
    """The VAT to add to one variant's store price, from the product's flag and the merchant's mapping."""
    if not product or product.get("prices_include_tax") is not False:
        return INCLUDED
    own = variant.get("tax_class") if variant else None
    tax_class = str(own if own not in (None, "") else (product.get("tax_class") or NO_CLASS)).strip()
    rate_name = classes.get(tax_class)
    if rate_name not in RATES:
        return Vat(tax_class=tax_class, error=PricingError(
            reasons.VAT_RATE_MISSING, f"the store's prices exclude VAT and its tax class {class_label(tax_class)} "
            "has no VAT rate chosen, so the TikTok price (which includes VAT) is not known."))
    return Vat(rate=RATES[rate_name], rate_name=rate_name, tax_class=tax_class)
