"""Why an order failed, in the merchant's words, and what fixes it.

Codes the hub finds itself (matching and validation) and the codes a store reports for `order.create`
(docs/extension-api.md) share one table, so the settings page, the CLI and the activity log say the same thing.
"""

from __future__ import annotations

from hub.errors import DataError

# Found by the hub before anything reaches the store.
SKU_NOT_LINKED = "SKU_NOT_LINKED"
PRODUCT_DELETED = "PRODUCT_DELETED"
MISSING_ADDRESS = "MISSING_ADDRESS"
INVALID_POSTCODE = "INVALID_POSTCODE"
MISSING_PHONE = "MISSING_PHONE"
CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
INVALID_TOTALS = "INVALID_TOTALS"
NO_ITEMS = "NO_ITEMS"
MIXED_STORES = "MIXED_STORES"
NO_STORE = "NO_STORE"
# Found when a store cancellation is passed on to TikTok.
TIKTOK_CANCEL_REFUSED = "TIKTOK_CANCEL_REFUSED"
# Returns and refunds (hub.sync.orders.returns).
ORDER_NOT_IN_STORE = "ORDER_NOT_IN_STORE"
REFUND_NOT_SUPPORTED = "REFUND_NOT_SUPPORTED"
TIKTOK_REFUND_NEEDS_ACTION = "TIKTOK_REFUND_NEEDS_ACTION"
# Found when a store's shipment is passed on to TikTok (hub.sync.orders.fulfilment).
CARRIER_NOT_SUPPORTED = "CARRIER_NOT_SUPPORTED"
# Reported by the store's extension (docs/extension-api.md); PRODUCT_DELETED is shared.
OUT_OF_STOCK = "OUT_OF_STOCK"
PRODUCT_DISABLED = "PRODUCT_DISABLED"
INVALID_ADDRESS = "INVALID_ADDRESS"
ADDRESS_REFUSED = "ADDRESS_REFUSED"
MISSING_FIELD = "MISSING_FIELD"
PLATFORM_ERROR = "PLATFORM_ERROR"

SYNC = "then click Sync on the order (or run `hub sync --order ID`)"

FIXES = {
    SKU_NOT_LINKED: f"Link the TikTok SKU to a store product (sync the product from the store, or link it in the "
                    f"settings page), {SYNC}.",
    PRODUCT_DELETED: f"Restore the product in the store, or link the TikTok SKU to another product, {SYNC}.",
    MISSING_ADDRESS: f"Check the buyer's address in TikTok Seller Center; once TikTok shows it in full, {SYNC}.",
    INVALID_POSTCODE: f"Check the postcode in TikTok Seller Center (contact the buyer if it is wrong), {SYNC}.",
    MISSING_PHONE: f"Make the phone number optional for orders in the store, or contact the buyer, {SYNC}.",
    CURRENCY_MISMATCH: f"Set the store's currency to the TikTok shop's currency (GBP for TikTok Shop UK), {SYNC}.",
    INVALID_TOTALS: "Check the order in TikTok Seller Center; the hub will not create an order whose amounts do "
                    "not add up. Contact support if TikTok shows it correctly.",
    NO_ITEMS: "Nothing to do: every item of this order was cancelled on TikTok.",
    MIXED_STORES: "Split fulfilment across stores is not supported: link all SKUs of the order to products in "
                  f"one store, {SYNC}.",
    NO_STORE: f"Connect a store to the hub (install the extension), {SYNC}.",
    TIKTOK_CANCEL_REFUSED: "Resolve it in TikTok Seller Center (contact the buyer about a return or refund).",
    ORDER_NOT_IN_STORE: "Nothing to refund in the store yet: fix why the order failed (its own reason) and click "
                        "Sync; the refund follows the store order as soon as the store creates it.",
    REFUND_NOT_SUPPORTED: "Refund the store order by hand (TikTok has already refunded the buyer), or update the "
                          "store's extension to a version that carries out refunds.",
    TIKTOK_REFUND_NEEDS_ACTION: "Refund the buyer in TikTok Seller Center (Orders → Returns/Refunds); TikTok does "
                                "not let a seller start this refund through the API.",
    CARRIER_NOT_SUPPORTED: "Map the store's carrier name to one of TikTok's shipping providers on the settings page "
                           f"(Orders → carriers), {SYNC}.",
    OUT_OF_STOCK: f"Restock the product in the store (or allow backorders), {SYNC}.",
    PRODUCT_DISABLED: f"Enable the product in the store (and make sure it is sold on the store's website), {SYNC}.",
    INVALID_ADDRESS: f"Check the address rules of the store (required fields, countries it ships to), {SYNC}.",
    ADDRESS_REFUSED: f"Allow the buyer's country in the store (the countries it ships to) or fix the address rule the "
                     f"store names, {SYNC}.",
    MISSING_FIELD: f"Make the field the store asks for optional, or fill it in the store's settings, {SYNC}.",
    PLATFORM_ERROR: f"Check the store's error log; when the cause is fixed, {SYNC}.",
}


def fix_for(code: str | None) -> str | None:
    return FIXES.get(code or "", FIXES[PLATFORM_ERROR] if code else None)


def problem(code: str, message: str, field: str | None = None) -> DataError:
    """A coded order failure in the one error taxonomy (DataError: no automatic retry)."""
    return DataError(message, code=code, fix=fix_for(code), field=field)
