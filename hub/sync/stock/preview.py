"""What TikTok will receive for a product, variant by variant, for the settings page.

Built from the same functions the push uses (`rules.desired`), so the preview cannot drift from what
is actually sent: a test compares the preview with what the sandbox holds after a push.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import DataError
from hub.models import ProductSnapshot, SkuBinding, Store, VariantStock
from hub.sync.products import vat
from hub.sync.stock import holds
from hub.sync.stock.rules import Rules, desired, rules_from_settings


def preview(session: Session, store_id: str, product_id: str, rules: Rules | None = None) -> list[dict[str, Any]]:
    """One row per variant: store and TikTok price/quantity and the rule steps between them.

    `rules` lets the settings page preview a rule before saving it; by default the saved rules apply.
    """
    store = session.get(Store, store_id)
    if store is None:
        raise DataError(f"Unknown store {store_id}", code="store_not_found")
    rules = rules or rules_from_settings(store.merchant.settings)
    held = holds.held_units(session, store_id, [product_id])
    stock = list(session.scalars(select(VariantStock).where(
        VariantStock.store_id == store_id, VariantStock.product_id == product_id).order_by(VariantStock.id)))
    bindings = {b.variant_id: b for b in session.scalars(select(SkuBinding).where(
        SkuBinding.store_id == store_id, SkuBinding.product_id == product_id))}
    snapshot = session.scalar(select(ProductSnapshot).where(
        ProductSnapshot.store_id == store_id, ProductSnapshot.product_id == product_id))
    variants = {str(v.get("id")): v for v in ((snapshot.data or {}).get("variants") or [])} if snapshot else {}
    order = {vid: i for i, vid in enumerate(variants)}
    stock.sort(key=lambda row: order.get(row.variant_id, len(order)))
    rows = []
    for row in stock:
        binding = bindings.get(row.variant_id)
        seller_sku = (binding.seller_sku if binding else None) or variants.get(row.variant_id, {}).get("sku")
        want = desired(row.quantity, row.price, rules, currency=store.currency or "GBP",
                       variant=seller_sku or row.variant_id, held=held.get((product_id, row.variant_id), 0),
                       vat=vat.for_variant(snapshot.data if snapshot else None, variants.get(row.variant_id),
                                           rules.vat_classes))
        rows.append({
            "variant_id": row.variant_id, "seller_sku": seller_sku,
            "store_price": row.price, "tiktok_price": want.price,
            "store_quantity": row.quantity, "tiktok_quantity": want.quantity,
            "held_by_tiktok_orders": held.get((product_id, row.variant_id), 0),
            "price_rule": want.price_steps, "stock_rule": want.stock_steps,
            "error": ({"code": want.price_error.code, "message": want.price_error.message}
                      if want.price_error else None),
            "on_tiktok": binding is not None,
            "pushed_price": binding.pushed_price if binding else None,
            "pushed_quantity": binding.pushed_quantity if binding else None,
        })
    return rows
