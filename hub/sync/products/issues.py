"""Validation findings: one per problem, each naming the product, the variant, the field and the fix.

A product is checked completely before anything is sent to TikTok and every finding is kept
(`Listing.issues`), so the merchant fixes everything in one go instead of one error per Sync click.
`Listing.reason` / `Listing.fix` carry the first finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from hub.sync.products import reasons, text_rules

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    fix: str
    field: str | None = None
    variant: str | None = None
    level: str = ERROR

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "level": self.level, "field": self.field, "variant": self.variant,
                "message": self.message, "fix": self.fix}


def product_label(product: Mapping[str, Any]) -> str:
    title = text_rules.plain_title(str(product.get("title") or ""))
    if len(title) > 60:
        title = title[:57] + "..."
    return f"“{title}” (product {product.get('id')})" if title else f"Product {product.get('id')}"


def variant_label(variant: Mapping[str, Any]) -> str:
    sku = str(variant.get("sku") or "").strip()
    return f"{sku} (variant {variant.get('id')})" if sku else f"variant {variant.get('id')}"


@dataclass
class Findings:
    """Collects the issues of one product; `errors` decide whether it may be sent."""

    product: Mapping[str, Any]
    items: list[Issue] = field(default_factory=list)

    def add(self, code: str, text: str, fix: str | None = None, *, field: str | None = None,
            variant: Mapping[str, Any] | None = None, level: str = ERROR) -> None:
        """A finding; without a `fix` of its own it carries the registry's (hub.sync.products.reasons)."""
        fix = fix or reasons.fix_for(code) or "Correct it, then click Sync."
        who = product_label(self.product)
        if variant is not None:
            who += f", {variant_label(variant)}"
        self.items.append(Issue(code=code, message=f"{who}: {text}", fix=fix, field=field,
                                variant=str(variant.get("id")) if variant is not None else None, level=level))

    def add_issue(self, issue: Issue) -> None:
        self.items.append(issue)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.items if i.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.items if i.level == WARNING]

    def as_list(self) -> list[dict[str, Any]]:
        # errors first: reason/fix carry the first error
        return [i.as_dict() for i in self.errors + self.warnings]
