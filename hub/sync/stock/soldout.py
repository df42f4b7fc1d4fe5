"""A variant sold out in the store must become unbuyable on TikTok, whatever TikTok answers to 0.

The hub sends quantity 0. TikTok's current docs give the inventory range as 1-99,999 while live products
show 0; where TikTok refuses 0 for a SKU, the product is deactivated instead (TikTok has no call that
deactivates one SKU: activate/deactivate take product ids) and activated again once none of the SKUs
that caused it is sold out any more. TikTok reviews an activated product again before buyers see it
(official SDK, `ActivateProduct`: "the products will be sent to TikTok Shop for auditing and their
status will change to Pending"), and the merchant is told so. docs/decisions.md, "Zero stock".
"""

from __future__ import annotations

from typing import Any

from hub.models import Listing
from hub.models.listings import SYNCED, UNDER_REVIEW

# Listing reason while the product is off sale because of this rule; review tracking keeps it while
# TikTok shows the product SELLER_DEACTIVATED (hub.sync.products.review).
SOLD_OUT_CODE = "sold_out_deactivated"
REACTIVATED_CODE = "restocked_in_review"
# Per-SKU refusals of a quantity: for 0 they mean "TikTok does not take 0 here".
QUANTITY_REFUSED = {"tiktok_12052055", "tiktok_12019024", "tiktok_12052393"}
# A running promotion keeps stock TikTok will not let go below (12019024 "stock count is invalid" while
# a promotion holds more; 12052393 "Product locked for Promotion and stock can't be updated below
# current stock", update-inventory-202309 error table).
PROMOTION_REFUSED = {"tiktok_12019024", "tiktok_12052393"}


def deactivated_reason(labels: list[str]) -> tuple[str, str]:
    names = ", ".join(labels)
    reason = (f"Sold out in your store ({names}), and TikTok does not accept a stock of 0 for this product, so it "
              "was deactivated on TikTok: buyers cannot order it. It is put back on sale automatically when "
              "the variant is restocked; TikTok may review the product again before buyers can see it.")
    fix = ("Restock the variant in your store (the product is then activated again), or remove the variant "
           "from the product in your store so the other variants can stay on sale.")
    return reason, fix


def promotion_problem(quantity: int, message: str) -> tuple[str, str]:
    reason = (f"TikTok kept its stock because a running promotion holds more units than the store's {quantity} "
              f"(TikTok: {message}); until then TikTok may sell units the store does not have.")
    fix = ("In TikTok Seller Center end the promotion or lower its stock (Marketing > Promotions); the "
           "store's stock is sent again at the next change or reconciliation.")
    return reason, fix


def mark_deactivated(listing: Listing | None, labels: list[str]) -> None:
    if listing is None:
        return
    reason, fix = deactivated_reason(labels)
    listing.status, listing.reason_code, listing.reason, listing.fix = SYNCED, SOLD_OUT_CODE, reason, fix


def mark_reactivated(listing: Listing | None) -> None:
    if listing is None:
        return
    listing.status, listing.reason_code = UNDER_REVIEW, REACTIVATED_CODE
    listing.reason = ("Back in stock: activated again on TikTok. TikTok reviews a product that is activated "
                      "again before buyers can see it.")
    listing.fix = None


def batch_error(data: dict[str, Any], product_id: str) -> str | None:
    """The message of the per-product error of an activate/deactivate answer, if any."""
    for error in data.get("errors") or []:
        detail = error.get("detail") or {}
        if str(detail.get("product_id") or product_id) != str(product_id):
            continue
        extra = (detail.get("extra_errors") or [{}])[0]
        return str(extra.get("message") or error.get("message") or "refused")
    return None
