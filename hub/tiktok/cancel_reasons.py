"""TikTok's seller cancel reasons, by market and order status.

TikTok refuses a reason that does not match the order's status (`25001021` "Reason not match order
status"), and the UK has its own keys (`..._uk`). The lists are TikTok's "Cancel reasons" page
(docs/tiktok-client.md, "UK cancel reasons"): the reasons a seller may give while the order is
UNPAID, and once it is paid (ON_HOLD, AWAITING_SHIPMENT; PARTIALLY_SHIPPING is a paid status too).
"""

from __future__ import annotations

UNPAID = "UNPAID"

# market -> (reasons while unpaid, reasons once paid); the first of each is "Out of stock".
SELLER_REASONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "GB": (("seller_cancel_unpaid_reason_out_of_stock_uk", "seller_cancel_unpaid_reason_wrong_price_uk",
            "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed_uk"),
           ("seller_cancel_reason_out_of_stock_uk", "seller_cancel_reason_wrong_price_uk",
            "seller_cancel_paid_reason_address_not_deliver_uk")),
    "US": (("seller_cancel_unpaid_reason_out_of_stock", "seller_cancel_unpaid_reason_wrong_price",
            "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed",
            "seller_cancel_unpaid_reason_buyer_requested_cancellation"),
           ("seller_cancel_reason_out_of_stock", "seller_cancel_reason_wrong_price",
            "seller_cancel_paid_reason_address_not_deliver", "seller_cancel_paid_reason_buyer_requested_cancellation")),
}
# Every other market on the page (ID, MY, ...) uses the keys without a suffix.
OTHER_MARKETS = (("seller_cancel_unpaid_reason_out_of_stock", "seller_cancel_unpaid_reason_wrong_price",
                  "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed"),
                 ("seller_cancel_reason_out_of_stock", "seller_cancel_reason_wrong_price",
                  "seller_cancel_paid_reason_address_not_deliver"))


def seller_reasons(region: str | None, status: str) -> tuple[str, ...]:
    """The reasons TikTok accepts from a seller of `region` for an order in `status`."""
    unpaid, paid = SELLER_REASONS.get((region or "GB").upper(), OTHER_MARKETS)
    return unpaid if status.upper() == UNPAID else paid


def out_of_stock(region: str | None, status: str) -> str:
    """"Out of stock" in the key TikTok expects for this market and status (the store cannot fulfil)."""
    return seller_reasons(region, status)[0]
