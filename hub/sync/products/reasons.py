"""Why a product is not (or not fully) on TikTok, in the merchant's words, and what fixes it.

One registry for every reason code a product can show (the Products page, `hub products --json`, the
activity log): the code, what it means, and the fix. The message a product shows names the product,
the variant and the value; the registry's `message` is the general meaning, the one
`docs/troubleshooting.md` lists (a test checks the page against this registry and the order reasons,
so they cannot drift).

To add a reason: add one `_reason(...)` line in the right group below, use the constant where the
finding is made, and add the code to `docs/troubleshooting.md`. `Findings.add` takes its fix from here
when the caller has no more precise one.

TikTok's own refusals are `tiktok_<TikTok code>` (`TIKTOK_CODE`); price and stock pushes prefix the
code with `push.` (`PUSH_PREFIX`): both are families, not single codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    fix: str


REASONS: dict[str, Reason] = {}

SYNC = "then click Sync"
TIKTOK_CODE = re.compile(r"^tiktok_\d+$")
PUSH_PREFIX = "push."


def _reason(code: str, message: str, fix: str) -> str:
    if code in REASONS:
        raise ValueError(f"The product reason {code!r} is registered twice")
    REASONS[code] = Reason(code, message, fix)
    return code


def get(code: str | None) -> Reason | None:
    """The registered reason for `code` (a `push.` code by its base code), or None."""
    if not code:
        return None
    found = REASONS.get(code)
    if found is None and code.startswith(PUSH_PREFIX):
        found = REASONS.get(code[len(PUSH_PREFIX):])
    return found


def fix_for(code: str | None, default: str | None = None) -> str | None:
    """The registry's fix for `code`, else `default`."""
    found = get(code)
    return found.fix if found is not None else default


def is_known(code: str) -> bool:
    """A registered code, a TikTok refusal (`tiktok_<n>`) or a push of either."""
    base = code[len(PUSH_PREFIX):] if code.startswith(PUSH_PREFIX) else code
    return base in REASONS or bool(TIKTOK_CODE.match(base))


# ---- waiting, not failed ------------------------------------------------------------------------------
NEEDS_CATEGORY = _reason("needs_category", "The product's store category is not mapped to a TikTok category.",
                         "Map its category on the Categories page (or hub category map), or set a TikTok category "
                         "on the product page.")
SCHEDULED = _reason("scheduled", "TikTok's daily allowance of new products is used; the product is planned for a "
                    "later day.", "Nothing; or raise its priority on the product page.")
SYNC_BLOCKED = _reason("sync_blocked", "Synchronisation is stopped for the store (currency, region, or switched "
                       "off).", "Fix the store set-up described in the reason; products resume by themselves.")
RETRYING = _reason("retrying", "A temporary TikTok or network problem stopped this sync; it is retried "
                   "automatically.", "Nothing.")
RETRIES_EXHAUSTED = _reason("retries_exhausted", "A temporary problem lasted through every automatic retry.",
                            f"Check that the store's pictures open in a browser and that TikTok Shop is reachable, "
                            f"{SYNC}.")
RECONNECT = _reason("reconnect", "TikTok no longer accepts the hub's access; the product waits.",
                    "Reconnect TikTok Shop on the Overview page, then click Sync.")
NOT_CONNECTED = _reason("tiktok_not_connected", "No TikTok shop is connected, or the connection is not usable.",
                        "Connect (or reconnect) TikTok Shop on the Overview page.")
LINK_SCAN = _reason("link_scan", "The hub is reading the products your TikTok shop already has, so that none is "
                   "listed twice.", "Nothing; the product is sent (or proposed for linking) when the reading ends.")
LINK_SCAN_FAILED = _reason("link_scan_failed", "The hub could not read the products your TikTok shop already has, "
                           "so it lists nothing new rather than risk duplicates.",
                           "Click Check again on the Link existing TikTok products page (or hub products link).")
LINK_PENDING = _reason("link_pending", "The product matches a product your TikTok shop already has (same seller "
                       "SKU or barcode); it is not listed again.",
                       "Confirm or decline the link on the Link existing TikTok products page "
                       "(or hub products link --confirm).")
NO_SALES_WAREHOUSE = _reason("no_sales_warehouse", "The TikTok shop has no enabled sales warehouse.",
                             f"Add or enable a sales warehouse in TikTok Shop Seller Center, {SYNC}.")

# ---- category mapping ------------------------------------------------------------------------------------
CATEGORY_NOT_LEAF = _reason("category_not_leaf", "The TikTok category has sub-categories.",
                            "Choose one of its sub-categories.")
CATEGORY_RESTRICTED = _reason("category_restricted", "The TikTok category is invite-only or prohibited for the shop.",
                              "Apply in Seller Center's Qualification Center, or choose another category.")
CATEGORY_UNKNOWN = _reason("category_unknown", "TikTok has no category with that id.",
                           "Check the id; the Categories page shows TikTok's suggestion.")
CATEGORY_PATH_EMPTY = _reason("category_path_empty", "The store category path is empty.",
                              "Give the path as shown in the store, e.g. \"Clothing > Socks\".")

# ---- title -------------------------------------------------------------------------------------------------
FIX_TITLE = f"Edit the product title in your store, {SYNC}."
TITLE_MISSING = _reason("title_missing", "The product has no title; TikTok requires one.", FIX_TITLE)
TITLE_TOO_LONG = _reason("title_too_long", "The title is longer than TikTok allows (255 characters).",
                         f"Shorten the title to 255 characters in your store, {SYNC}.")
TITLE_CHINESE = _reason("title_chinese", "The title contains Chinese characters, which TikTok Shop UK does not "
                        "accept.", FIX_TITLE)
TITLE_FORMAT = _reason("title_format", "The title (as plain text: tags removed, HTML codes decoded) has emoji, "
                       "control characters, an HTML code such as &bogus;, one character repeated more than 9 times "
                       "in a row, or only symbols.", f"Write the title without them in your store, {SYNC}.")

# ---- images and description -----------------------------------------------------------------------------------
IMAGES_MISSING = _reason("images_missing", "The product has no images; TikTok requires at least one.",
                         f"Add a product image in your store, {SYNC}.")
IMAGES_TOO_MANY = _reason("images_too_many", "More than 9 images: the first 9 are used.",
                          "Reorder the images in your store if others matter more.")
DESCRIPTION_NOT_TEXT = _reason("description_not_text", "The product description is not text.",
                               f"Correct the description in your store, {SYNC}.")
DESCRIPTION_MISSING = _reason("description_missing", "No description text: the title is used as the description.",
                              "Write a description in your store for a better listing.")
DESCRIPTION_CHANGED = _reason("description_changed", "The description had to change to fit TikTok's rules (media "
                              "or links removed, pictures left out, emoji or control characters removed, a character "
                              "repeated more than 9 times shortened, text cut to TikTok's length).",
                              "Edit the description in your store if this matters.")
DESCRIPTION_IMAGES_LEFT_OUT = _reason("description_images_left_out", "Pictures of the description could not be "
                                      "copied to TikTok and were left out.",
                                      "Replace those pictures in the store's description if they matter.")

# ---- pictures (product, variant, description, size chart, certificate) ---------------------------------------
FIX_PICTURE = f"Replace or remove the picture in your store (or on the settings page), {SYNC}."
IMAGE_URL_INVALID = _reason("image_url_invalid", "The picture's address is not a valid web address.", FIX_PICTURE)
IMAGE_HOST_NOT_FOUND = _reason("image_host_not_found", "The server in the picture's address does not exist.",
                               FIX_PICTURE)
IMAGE_ADDRESS_BLOCKED = _reason("image_address_blocked", "The picture is on a private or local network address.",
                                FIX_PICTURE)
IMAGE_NOT_FOUND = _reason("image_not_found", "The picture's server answered 404/410: it no longer exists.",
                          FIX_PICTURE)
IMAGE_DOWNLOAD_FAILED = _reason("image_download_failed", "The picture could not be downloaded.", FIX_PICTURE)
IMAGE_TOO_MANY_REDIRECTS = _reason("image_too_many_redirects", "The picture's address redirects too many times.",
                                   FIX_PICTURE)
IMAGE_TIMEOUT = _reason("image_timeout", "Downloading the picture took longer than 60 s.", FIX_PICTURE)
IMAGE_TOO_LARGE = _reason("image_too_large", "The picture is too large to download or convert.", FIX_PICTURE)
IMAGE_TOO_MANY_PIXELS = _reason("image_too_many_pixels", "The picture has more pixels than can be converted.",
                                FIX_PICTURE)
IMAGE_TOO_SLOW = _reason("image_too_slow", "Converting the picture took too long.", FIX_PICTURE)
IMAGE_NOT_AN_IMAGE = _reason("image_not_an_image", "The file is not a picture.", FIX_PICTURE)
IMAGE_EMPTY = _reason("image_empty", "The picture file is empty.", FIX_PICTURE)
IMAGE_UNREADABLE = _reason("image_unreadable", "The picture file is damaged.", FIX_PICTURE)

# ---- variants and SKUs --------------------------------------------------------------------------------------
FIX_VARIANTS = f"Edit the product's variants in your store, {SYNC}."
VARIANTS_MISSING = _reason("variants_missing", "The product has no variants (not even one simple variant).",
                           "Re-save the product in your store so the extension sends it again.")
TOO_MANY_VARIANTS = _reason("too_many_variants", "More than 300 variants.",
                            f"Split it into products of at most 300 variants in your store, {SYNC}.")
VARIANTS_WITHOUT_OPTIONS = _reason("variants_without_options", "Several variants, but no options tell them apart.",
                                   "Give each variant its option values in your store.")
TOO_MANY_OPTIONS = _reason("too_many_options", "More than 3 option types (attributes in WooCommerce and Magento).",
                           f"Combine or remove options (attributes) in your store so at most 3 remain, {SYNC}.")
OPTION_NAME_TOO_LONG = _reason("option_name_too_long", "An option name is longer than 20 characters.",
                               "Shorten the option name to 20 characters in your store.")
OPTION_VALUE_TOO_LONG = _reason("option_value_too_long", "An option value is longer than 50 characters.",
                                "Shorten it to 50 characters in your store.")
VARIANT_OPTION_MISSING = _reason("variant_option_missing", "A variant has no value for an option the others use.",
                                 FIX_VARIANTS)
VARIANT_DUPLICATE = _reason("variant_duplicate", "Two variants have the same options.",
                            "Give the variants different option values, or delete one, in your store.")
SELLER_SKU_TOO_LONG = _reason("seller_sku_too_long", "The SKU is longer than 50 characters.",
                              "Shorten the SKU to 50 characters in your store.")
SELLER_SKU_SPACES = _reason("seller_sku_spaces", "The SKU contains spaces.",
                            f"Remove the spaces from the SKU in your store, {SYNC}.")
SELLER_SKU_DUPLICATE = _reason("seller_sku_duplicate", "Two variants share a SKU.",
                               "Give every variant its own SKU in your store.")

# ---- price and stock ------------------------------------------------------------------------------------------
FIX_PRICE = f"Correct the price in your store or the price rule on the settings page, {SYNC}."
PRICE_MISSING = _reason("price_missing", "The variant has no price.", f"Set a price for it in your store, {SYNC}.")
PRICE_INVALID = _reason("price_invalid", "The price is not an amount of money.", FIX_PRICE)
PRICE_TOO_PRECISE = _reason("price_too_precise", "The price has more than 2 decimal places.", FIX_PRICE)
PRICE_OUT_OF_RANGE = _reason("price_out_of_range", "The TikTok price (after the price rule) is outside £0.01 to "
                             "£5,600.00.", FIX_PRICE)
VAT_RATE_MISSING = _reason("vat_rate_missing", "The store's prices exclude VAT and the product's tax class has no "
                          "VAT rate chosen; TikTok Shop UK prices include VAT.",
                          "Choose the VAT rate of the tax class (standard 20%, reduced 5% or zero) under VAT on the "
                          f"settings page, {SYNC}.")
CURRENCY_NOT_GBP = _reason("currency_not_gbp", "The price is not in GBP.", "Set the store currency to GBP.")
PRICE_RULE_INVALID = _reason("price_rule_invalid", "The saved price rule is out of range.",
                             "Correct the price rule on Settings.")
STOCK_RULE_INVALID = _reason("stock_rule_invalid", "The saved stock buffer is out of range.",
                             "Correct the stock buffer on Settings.")
STOCK_INVALID = _reason("stock_invalid", "The stock quantity is not a whole number.", "Correct the stock in your store.")
STOCK_NEGATIVE = _reason("stock_negative", "The store's stock is below zero (back-orders); TikTok is offered 0 and "
                        "shows the variant as sold out.", "Nothing; restock it in your store to sell it on TikTok.")
STOCK_ZERO_ON_CREATE = _reason("stock_zero_on_create", "A variant is out of stock, and TikTok needs at least 1 unit "
                               "of every variant when a product is first listed.",
                               "Restock it in your store (or lower the stock buffer); the product is listed "
                               "automatically once it is in stock.")

# ---- barcodes -------------------------------------------------------------------------------------------------
FIX_BARCODE = f"Correct the barcode in your store (or the identifier code on the product page), {SYNC}."
IDENTIFIER_BAD_CHECK_DIGIT = _reason("identifier_bad_check_digit", "The barcode's last digit is wrong.", FIX_BARCODE)
IDENTIFIER_WRONG_LENGTH = _reason("identifier_wrong_length", "The barcode is not 8, 12, 13 or 14 digits (or not an "
                                  "ISBN).", FIX_BARCODE)
IDENTIFIER_INVALID_CHARACTERS = _reason("identifier_invalid_characters", "The barcode is not only digits.",
                                        FIX_BARCODE)
IDENTIFIER_PLACEHOLDER = _reason("identifier_placeholder", "The barcode is all zeros.", "Enter the real barcode.")
IDENTIFIER_UNKNOWN_TYPE = _reason("identifier_unknown_type", "The declared code type is not GTIN, EAN, UPC or ISBN.",
                                  "Correct the type.")
IDENTIFIER_MISSING = _reason("identifier_missing", "No barcode is set.", "Add the barcode in your store.")
IDENTIFIER_DUPLICATE = _reason("identifier_duplicate", "Two variants share a barcode.",
                               "Give every variant its own barcode.")
IDENTIFIER_REQUIRED = _reason("identifier_required", "TikTok requires a barcode for every variant in this category "
                              "and cannot exempt it.", f"Add the barcodes in your store (or as identifier codes on "
                              f"the product page), {SYNC}.")

# ---- package -------------------------------------------------------------------------------------------------
PACKAGE_WEIGHT_MISSING = _reason("package_weight_missing", "No package weight anywhere; TikTok requires one.",
                                 "Set the product's weight in your store, a package weight for it on the product "
                                 "page, or a default package weight for the category or the store.")
FIX_WEIGHT = "Correct the weight in your store or on the settings page."
WEIGHT_INVALID = _reason("weight_invalid", "The weight is not a number.", FIX_WEIGHT)
WEIGHT_UNIT_UNKNOWN = _reason("weight_unit_unknown", "The weight's unit is not kg, g, lb or oz.", FIX_WEIGHT)
WEIGHT_NOT_POSITIVE = _reason("weight_not_positive", "The weight is zero.", FIX_WEIGHT)
PACKAGE_DIMENSIONS_MISSING = _reason("package_dimensions_missing", "The category requires length, width and height "
                                     "and none are set.", "Set the product's dimensions in your store, a package size "
                                     "on the product page, or a default package size for the category or the store.")
FIX_DIMENSIONS = "Correct the dimensions in your store or on the settings page."
DIMENSION_INVALID = _reason("dimension_invalid", "A dimension is not a number.", FIX_DIMENSIONS)
DIMENSION_UNIT_UNKNOWN = _reason("dimension_unit_unknown", "The dimensions' unit is not cm, mm, m or in.",
                                 FIX_DIMENSIONS)
DIMENSION_NOT_POSITIVE = _reason("dimension_not_positive", "A dimension is zero.", FIX_DIMENSIONS)

# ---- category rules, brand ---------------------------------------------------------------------------------------
ATTRIBUTE_MISSING = _reason("attribute_missing", "TikTok requires an attribute for this category and the product "
                            "has none.", f"Add an attribute of that name to the product in your store, or set a "
                            f"default for the TikTok category on the settings page, {SYNC}.")
ATTRIBUTE_VALUE_NOT_ALLOWED = _reason("attribute_value_not_allowed", "TikTok does not accept the attribute's value.",
                                      "Use one of the listed values in your store or as the category default.")
SIZE_CHART_MISSING = _reason("size_chart_missing", "TikTok requires a size chart for this category.",
                             "Choose a size chart template of your shop or upload a size chart picture, for the "
                             f"category (Categories → Defaults) or for this product (its page), {SYNC}.")
SIZE_CHART_NOT_FOUND = _reason("size_chart_not_found", "The size chart template chosen is not one of the shop's "
                               "templates any more.", "Choose another size chart template (or a picture) on the "
                               f"settings page, {SYNC}.")
CERTIFICATION_MISSING = _reason("certification_missing", "TikTok requires a certificate for this category.",
                                "Upload the certificate (a PDF or pictures, as TikTok's note says) for the category "
                                f"(Categories → Defaults) or for this product (its page), {SYNC}.")
CERTIFICATE_FILE_FAILED = _reason("certificate_file_failed", "A certificate file could not be downloaded or is not "
                                  "a PDF TikTok accepts.", "Upload the certificate again on the settings page (a PDF "
                                  f"of at most 20 MB), {SYNC}.")
BRAND_NOT_AUTHORISED = _reason("brand_not_authorised", "The brand is protected on TikTok and the shop is not "
                               "authorised for it.", "Get the brand authorised in Seller Center, or remove the brand "
                               "from the product.")

# ---- TikTok's answers ---------------------------------------------------------------------------------------------
TIKTOK_WARNING = _reason("tiktok_warning", "TikTok created the product with a warning.", "Check it in Seller Center.")
TIKTOK_REVIEW_FAILED = _reason("tiktok_review_failed", "TikTok's reviewers rejected the product.",
                               f"Fix it in your store (Seller Center shows TikTok's full verdict), {SYNC}: it is "
                               "resubmitted.")
TIKTOK_EDIT_REJECTED = _reason("tiktok_edit_rejected", "Live on TikTok; TikTok rejected the latest changes.",
                               "Fix it, then click Resync details.")
TIKTOK_SELLER_DEACTIVATED = _reason("tiktok_seller_deactivated", "Deactivated on TikTok, so buyers cannot see it.",
                                    "Activate it in Seller Center.")
TIKTOK_PLATFORM_DEACTIVATED = _reason("tiktok_platform_deactivated", "Deactivated by TikTok.",
                                      "Check TikTok's reason in Seller Center and fix it there.")
TIKTOK_FREEZE = _reason("tiktok_freeze", "Frozen by TikTok.", "Check it in Seller Center.")
TIKTOK_DRAFT = _reason("tiktok_draft", "Saved as a draft on TikTok, not listed.", "Publish it in Seller Center.")
TIKTOK_DELETED = _reason("tiktok_deleted", "Deleted on TikTok.", "Recover it in Seller Center if TikTok still offers "
                         "that.")

# ---- the store's changes, price and stock ------------------------------------------------------------------------
DELETED_IN_STORE = _reason("deleted_in_store", "Deleted in your store, so it was deactivated on TikTok.",
                           "Restore the product in your store and click Sync to list it again.")
RESTORED_IN_STORE = _reason("restored_in_store", "Restored in your store; it is still deactivated on TikTok.",
                            "Click Sync to put it on sale again.")
SOLD_OUT_DEACTIVATED = _reason("sold_out_deactivated", "A variant sold out and TikTok does not accept a stock of 0 "
                               "for it, so the product was deactivated on TikTok.",
                               "Restock the variant (the product is activated again by itself), or remove it in your "
                               "store.")
RESTOCKED_IN_REVIEW = _reason("restocked_in_review", "Restocked and activated again; TikTok reviews it before buyers "
                              "see it.", "Nothing.")
SOLD_OUT_NOT_DEACTIVATED = _reason("sold_out_not_deactivated", "A variant sold out, TikTok refused 0 and refused to "
                                   "deactivate the product.", "Deactivate it in Seller Center or restock the variant.")
RESTOCKED_NOT_ACTIVATED = _reason("restocked_not_activated", "Restocked, but TikTok refused to activate the product "
                                  "again.", "Activate it in Seller Center.")
PROMOTION_STOCK = _reason("promotion_stock", "A TikTok promotion holds more units than the store has.",
                          "End the promotion or lower its stock in Seller Center.")
