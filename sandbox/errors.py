"""TikTok error codes, their verbatim messages and the HTTP status the sandbox uses.

Messages are copied from TikTok's error tables (https://partner.tiktokshop.com/docv2/page/common-errors
and the per-endpoint tables, as collected in the public repository rymndcs/tiktok_shop_rb_api,
test/fixtures/error_list.json). HTTP statuses follow what has been observed of TikTok (docs/tiktok-api.md,
*Answers and errors*); the rest are sandbox choices listed in docs/sandbox.md.
"""

from __future__ import annotations

# code -> (message, http status)
CODES: dict[int, tuple[str, int]] = {
    # common / gateway
    36009002: ("Too many requests. You've made too many requests in a short period of time.", 429),
    36009003: ("Internal error. Please try again. If the issue persists after multiple attempts, "
               "please contact platform support.", 500),
    36009004: ("invalid param error", 400),
    36009007: ("Request timeout. The request to the endpoint timed out.", 504),
    36009009: ("Invalid path. The specified path does not match any available endpoint.", 404),
    36009010: ("Invalid method. The HTTP method used is not supported by this endpoint.", 405),
    36009014: ("Invalid API version. The `version` value is invalid or unsupported.", 404),
    36009021: ("Invalid file size. The uploaded file size exceeds the maximum limit.", 400),
    36009022: ("Invalid request format. The request body format must be `application/json` for "
               "structured data or `multipart/form-data` for binary files.", 400),
    36009023: ("Invalid request format. The value of the `content-type` header must be "
               "`multipart/form-data`.", 400),
    101000: ("Invalid query or header. The `category_asset_cipher` query parameter or "
             "`x-tts-access-token` header is invalid.", 401),
    105002: ("Expired credentials. The `access_token` or `x-tts-access-token` header has expired.", 401),
    105005: ("Access denied. The app is not authorized to access the endpoint because the access "
             "scopes granted for the app or the access token do not contain the required access "
             "scope for the endpoint.", 403),
    106001: ("Invalid credentials. The `sign` query parameter is invalid.", 401),
    106013: ("Missing identifier. The `shop_cipher` query parameter is required to identify the "
             "target shop.", 400),
    36004004: ("Invalid auth code.", 400),
    98001004: ("Parameter {param_name} is invalid. Reason: {reason}. Expected: {expected_value}", 400),
    11050001: ("invalid param", 200),
    # product / catalog (business errors answer HTTP 200)
    12019008: ("Product id is invalid", 200),
    12019011: ("product package weight is invalid", 200),
    12019012: ("product package size is invalid", 200),
    12019015: ("The number of SKU exceed the limit", 200),
    12019022: ("SKU must contain a valid warehouse.", 200),
    12019024: ("stock count is invalid", 200),
    12019027: ("The maximum count of \u201cseller_skus\u201d in the search filter is 10.", 200),
    12019028: ("Multiple warehouses detected. Include all warehouse IDs and the corresponding "
               "details and try again.", 200),
    12019059: ("seller sku is invalid", 200),
    12019061: ("Product weight or dimensions unit does not support the imperial units on non-US "
               "local products.", 200),
    12019064: ("No matching categories. Provide the full name of your product, edit its product "
               "properties, and try again.", 200),
    12019087: ("The number of SKU IDs exceeds the limit of 10", 200),
    12019109: ("page size is invalid", 200),
    12019113: ("product status is invalid", 200),
    12019118: ("search create time invalid", 200),
    12019119: ("search update time invalid", 200),
    12019120: ("The number of provided product IDs exceeds the limit.", 200),
    12019150: ("The product ID does not exist.", 200),
    12052180: ("The total number of search results can not exceed 10000.", 200),
    12038002: ("Invalid upload file. Please ensure you are passing the correct file data.", 200),
    12038004: ("Failed to process the image. The format or content is not supported.", 200),
    12038005: ("The file size exceeds the maximum allowed size.", 200),
    12038014: ("The image dimensions exceed the allowed limits. Allowed dimensions (width x height "
               "in pixels): {min_width} x {min_height} to {max_width} x {max_height}", 200),
    12038015: ("Failed to process the image. The format or content is not supported. Supported "
               "formats: {formats}", 200),
    12052003: ("Incorrect parcel height format", 200),
    12052004: ("Incorrect parcel width format", 200),
    12052005: ("Incorrect parcel length format", 200),
    12052006: ("Incorrect parcel weight format", 200),
    12052012: ("Incorrect price format", 200),
    12052013: ("The product description cannot exceed maximum characters", 200),
    12052015: ("The product description is required", 200),
    12052023: ("Category does not exist", 200),
    12052024: ("Category is not final category", 200),
    12052026: ("Brand does not exist", 200),
    12052028: ("Main product image is required", 200),
    12052032: ("The product does not exist", 200),
    12052034: ("This product doesn't belong to this shop", 200),
    12052036: ("The SKU ID is necessary", 200),
    12052048: ("You cannot edit the specified product(s) as it isn't listed in your account or shop.", 200),
    12052050: ("A single product cannot have more than 100 different SKUs", 200),
    12052051: ("The product name exceed max limit characters", 200),
    12052054: ("The seller SKU text length cannot exceed max limit characters", 200),
    12052055: ("The SKU inventory quantity for the warehouse must be within allowed limits.", 200),
    12052056: ("The num of image in description cannot exceed max limit", 200),
    12052073: ("The product price is invalid", 200),
    12052084: ("The provided currency is not available for this shop/region.", 200),
    12052093: ("Exceeded the product listing limit for the seller.", 200),
    12052097: ("The warehouse does not exist", 200),
    12052393: ("Product locked for Promotion and stock can't be updated below current stock", 200),
    12052533: ("Removal, addition, and change of warehouses are not permitted. Please specify the original "
               "warehouses for the SKUs.", 200),
    12052104: ("property is required", 200),
    12052105: ("required qualification miss", 200),
    12052115: ("seller has no warehouse", 200),
    12052116: ("product package size is invalid", 200),
    12052181: ("The package weight of the product can not be zero.", 200),
    12052182: ("The '{sub_property_name}' field is required as you've selected "
               "'{parent_property_value}' for '{parent_property_name}'.", 200),
    12052183: ("The '{sub_property_name}' field should be left empty as you've selected "
               "'{parent_property_value}' for '{parent_property_name}'.", 200),
    12052189: ("The brand name is invalid. It must be 2 to 30 characters long and unique in your shop.", 200),
    12052201: ("You are not authorized to sell this brand in this category. To do so, apply through "
               "the Qualification Center in Seller Center.", 200),
    12052208: ("A brand authorization is required to publish this listing.", 200),
    12052217: ("All region shops must use V2 categories. Check the documentation for further details.", 200),
    12052223: ("This category is restricted. To sell in this category, apply through the "
               "Qualification Center in Seller Center.", 200),
    12052230: ("Category version and categoryID are not matched.", 200),
    12052240: ("Do not support custom property.", 200),
    12052241: ("attribute name or attribute id is empty.", 200),
    12052242: ("The attribute name characters cannot exceed max_limit", 200),
    12052246: ("The {property_type} not support multi selected, attribute id is :{property_id}.", 200),
    12052247: ("Do not support custom product attribute.", 200),
    12052248: ("The {property_type} value name or attribute value id is empty.", 200),
    12052249: ("The {property_type} value name characters cannot exceed {max_limit}, attribute value "
               "name is :{property_value_name}.", 200),
    12052251: ("Duplicated attribute values found for an attribute. Remove or modify the duplicated value.", 200),
    12052254: ("Duplicate attribute id", 200),
    12052256: ("The {property_name} value need to be positive integers or positive decimals .", 200),
    12052260: ("The product ID does not exist", 200),
    12052261: ("product name is empty", 200),
    12052262: ("Chinese characters are not supported in product name", 200),
    12052266: ("The product name contains non-English characters.", 200),
    12052301: ("Width and length of main image must be at least {min_limit}, check uri {uri}", 200),
    12052306: ("main product images count exceed limit", 200),
    12052340: ("product description image uri illegal", 200),
    12052344: ("The product description html syntax with error", 200),
    12052346: ("The product description has Chinese characters", 200),
    12052348: ("The product description html tag required attribute is miss.", 200),
    12052357: ("'supplementary_sku_images' is only allowed when 'sku_img' is specified. Add an image "
               "to 'sku_img' and try again.", 200),
    12052369: ("external_id length check fail", 200),
    12052419: ("The shop tasks necessary for posting products have not been completed. Please go to "
               "complete them", 200),
    12052520: ("product sale property image uri illegal", 200),
    12052525: ("The attribute max num cannot exceed 3.", 200),
    12052527: ("The sale attribute id not exist.", 200),
    12052528: ("You can add images to only 1 product variation, which will serve as the primary "
               "variation for display in the product options gallery.", 200),
    12052529: ("The property value id not exist.", 200),
    12052531: ("The warehouse is disabled.", 200),
    12052532: ("the warehouse not delivery warehouse", 200),
    12052535: ("Couldn't publish this product as you haven't set the return warehouse for your shop. "
               "Add the return warehouse information on TikTok Shop Seller Center first and try again.", 200),
    12052547: ("There is no version of this product that is under review. Please obtain the online version.", 200),
    12052550: ("SKU property must contain all properties", 200),
    12052553: ("Sku id duplicate", 200),
    12052555: ("The warehouse id is duplicate", 200),
    12052557: ("The SKU ID does not belong to the product.", 200),
    12052560: ("The SKU contains duplicate sales attribute.", 200),
    12052570: ("product price exceed limit", 200),
    12052571: ("Missing price for SKU(s)", 200),
    12052591: ("Invalid number of digits of identifier code", 200),
    12052592: ("Identifier code already entered, cannot enter the same code twice", 200),
    12052593: ("The identifier code cannot be changed once be submitted", 200),
    12052598: ("Only the last digit supports input X", 200),
    12052600: ("The identifier code type must be selected", 200),
    12052650: ("product qualification image uri illegal", 200),
    12052655: ("qualification id not exist", 200),
    12052658: ("product qualification file uri illegal", 200),
    12052360: ("The video id is not exist.", 200),
    12052128: ("Size chart not found", 200),
    12052670: ("The size chart image URI is invalid. Note: API users must use the URI generated by "
               "the Upload Product Image API.", 200),
    12052673: ("Product sizechart image is required", 200),
    12052700: ("The seller is inactive.", 200),
    12052722: ("The image URI does not exist in TikTok Shop.", 200),
    12052901: ("The product in its current status is not available for this operation. Change the "
               "product status and try again.", 200),
    12052902: ("The SKU list is empty. Either omit the list entirely, or provide all required details.", 200),
    12052910: ("Invalid input parameters. Refer to the API documentation for details.", 200),
    12052915: ("package weight unit and dimension unit miss match.", 200),
    12052916: ("The package unit is not supported in the current region.", 200),
    12052931: ("The title must follow these formatting rules: it cannot contain HTML escape characters "
               "(e.g., &nbsp;), emojis, or ASCII control characters (e.g., \\u007F). It also cannot "
               "consist solely of symbols (e.g., //// or !@#$$$&), nor can it have more than 9 "
               "consecutive repeated characters (e.g., aaaaaaaaa or 111111111).", 200),
    12052932: ("The description must follow these formatting rules: it cannot contain HTML escape "
               "characters (e.g., &nbsp;), emojis, or ASCII control characters (e.g., \\u007F). It also "
               "cannot consist solely of symbols (e.g., //// or !@#$$$&), nor can it have more than 9 "
               "consecutive repeated characters (e.g., aaaaaaaaa or 111111111).", 200),
    12052990: ("The check failed.", 200),
    12052996: ("external_id duplicated", 200),
    # orders / fulfilment
    21008111: ("The order or package does not belong to the current seller.", 200),
    # Cancel reasons page: "the API will return a '25001021 Reason not match order status' error"
    25001021: ("Reason not match order status", 200),
}

# 36009004 is overloaded; these are its documented messages (docs/tiktok-api.md).
MSG_MISSING_SIGN = "Missing credentials. The request does not include a required signature in the query."
MSG_BAD_TOKEN = "Invalid credentials. The `x-tts-access-token` header is invalid."
MSG_BAD_APP_KEY = "Invalid credentials. Invalid `app_key` query parameter."
MSG_TS_EARLY = ("Invalid timestamp. The value of the `timestamp` query parameter must not be earlier "
                "than 5 minutes before the current time.")
MSG_TS_LATE = ("Invalid timestamp. The value of the `timestamp` query parameter must not exceed the "
               "current time by more than 30 seconds.")
MSG_TS_NEGATIVE = "Invalid timestamp. The value of the `timestamp` query parameter must not be lesser than 0."
MSG_UNEXPECTED_CIPHER = ("Unexpected identifier. The `shop_cipher` query parameter is not required "
                         "for this request.")

# HTTP statuses for 36009004 depending on which check failed (sandbox choices; TikTok was observed answering 400
# for a bad app_key; credential failures answer 401 like 106001).
HTTP_FOR_MESSAGE = {
    MSG_MISSING_SIGN: 401,
    MSG_BAD_TOKEN: 401,
}


class ApiError(Exception):
    """An error answered in TikTok's envelope."""

    def __init__(self, code: int, message: str | None = None, *, http_status: int | None = None,
                 data=None, **fmt):
        known = CODES.get(code)
        if message is None:
            message = known[0] if known else "error"
            if fmt:
                try:
                    message = message.format(**fmt)
                except (KeyError, IndexError):  # pragma: no cover - template mismatch
                    pass
        if http_status is None:
            http_status = HTTP_FOR_MESSAGE.get(message) or (known[1] if known else 400)
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self.data = data
        self.headers: dict[str, str] = {}


def param_error(param_name: str, reason: str, expected: str) -> ApiError:
    """The documented generic 98001004 error, used where TikTok's exact code is unknown."""
    return ApiError(98001004, param_name=param_name, reason=reason, expected_value=expected)


def message_for(code: int, **fmt) -> str:
    msg = CODES.get(code, ("error", 200))[0]
    if fmt:
        try:
            msg = msg.format(**fmt)
        except (KeyError, IndexError):  # pragma: no cover
            pass
    return msg
