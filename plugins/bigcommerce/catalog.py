"""Reading a store's catalog with the Catalog API v3 and mapping it to the canonical PRODUCT.

Field map (docs/store-connectors.md names the canonical fields; BigCommerce's are from
reference/catalog/products_catalog.v3.yml in github.com/bigcommerce/docs):

- one canonical variant per BigCommerce variant; a product without options has one (its base variant)
  with empty `options`; option names are the variants' `option_values[].option_display_name`;
- price: the variant's `price` (the product's when the variant has none); a `sale_price` below it is the
  selling price and the regular price becomes `compare_at_price`;
- stock by `inventory_tracking`: `variant` → each variant's `inventory_level`; `product` → the product's
  level for each variant (BigCommerce shares it between them); `none` → not managed. A variant whose
  purchasing is disabled is offered as 0;
- barcode: `gtin` (EAN-13 goes there; BigCommerce has no EAN field), else `upc`, the variant's before
  the product's; `mpn` and the custom fields become attributes;
- weight and width/height/depth in the store's units from `/v2/store` (`weight_units`: Grams, KGS, LBS,
  Ounces, Tonnes; `dimension_units`: Centimeters, Inches); depth is the canonical length;
- status: `is_visible` false or `availability: disabled` → draft;
- categories: the product's category ids with their names and paths from the category trees, brand from
  `brand_id`; both lists are cached per store for a few minutes (one read serves many products);
- stock per location (when the store granted `store_inventory_read_only`): each variant-tracked
  variant's `available_to_sell` at every enabled inventory location, from the Inventory API.

`version` is the time the read started, in milliseconds: a read started later saw the store's newer
state, so the hub keeps the newest read whatever order two workers finish in (stock rows are versioned by
the same number, and BigCommerce does not change `date_modified` when an order moves stock).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator

from hub.errors import DataError
from hub.stores.http import PlatformClient

from plugins.bigcommerce.api import PAGE, pages

INCLUDE = "variants,images,custom_fields"
WEIGHT_UNITS = {"grams": ("g", 1), "kgs": ("kg", 1), "lbs": ("lb", 1), "ounces": ("oz", 1), "tonnes": ("kg", 1000)}
DIMENSION_UNITS = {"centimeters": "cm", "inches": "in", "millimeters": "mm", "meters": "m"}
LOOKUP_SECONDS = 300


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _money(value: Any, places: int = 2) -> str | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return str(amount.quantize(Decimal(1).scaleb(-places)))


def _measure(value: Any) -> str | None:
    money = _money(value, 4)
    if money is None:
        return None
    return format(Decimal(money).normalize(), "f") if Decimal(money) else "0"


def _positive(value: Any) -> bool:
    try:
        return value is not None and Decimal(str(value)) > 0
    except InvalidOperation:
        return False


class Units:
    """The store's weight and dimension units, as `/v2/store` names them."""

    def __init__(self, weight_units: str | None, dimension_units: str | None):
        self.weight_unit, self.weight_factor = WEIGHT_UNITS.get((weight_units or "").strip().lower(), ("kg", 1))
        self.dimension_unit = DIMENSION_UNITS.get((dimension_units or "").strip().lower(), "cm")

    def weight(self, value: Any) -> dict[str, str] | None:
        if not _positive(value):
            return None
        amount = Decimal(str(value)) * self.weight_factor
        return {"value": _measure(amount) or "0", "unit": self.weight_unit}

    def dimensions(self, source: dict[str, Any]) -> dict[str, str] | None:
        sides = [source.get(k) for k in ("depth", "width", "height")]
        if not all(_positive(v) for v in sides):
            return None
        length, width, height = (_measure(v) or "0" for v in sides)
        return {"length": length, "width": width, "height": height, "unit": self.dimension_unit}


def store_units(info: dict[str, Any]) -> Units:
    return Units(info.get("weight_units"), info.get("dimension_units"))


class Lookups:
    """Category paths and brand names of one store, read in pages and kept a few minutes per process."""

    _cache: dict[str, tuple[float, "Lookups"]] = {}
    _lock = threading.Lock()

    def __init__(self, categories: dict[int, dict[str, Any]], brands: dict[int, str]):
        self.categories = categories
        self.brands = brands

    @classmethod
    def for_store(cls, api: PlatformClient, store_hash: str) -> "Lookups":
        with cls._lock:
            cached = cls._cache.get(store_hash)
            if cached and time.monotonic() - cached[0] < LOOKUP_SECONDS:
                return cached[1]
        categories = {int(c["category_id"]): c for page in pages(api, "/v3/catalog/trees/categories", {"limit": PAGE})
                      for c in page if c.get("category_id") is not None}
        brands = {int(b["id"]): str(b.get("name") or "") for page in pages(api, "/v3/catalog/brands", {"limit": PAGE})
                  for b in page if b.get("id") is not None}
        made = cls(categories, brands)
        with cls._lock:
            cls._cache[store_hash] = (time.monotonic(), made)
        return made

    @classmethod
    def forget(cls, store_hash: str) -> None:
        with cls._lock:
            cls._cache.pop(store_hash, None)

    def category(self, category_id: int) -> dict[str, Any] | None:
        found = self.categories.get(category_id)
        if found is None:
            return None
        path: list[str] = []
        seen: set[int] = set()
        node: dict[str, Any] | None = found
        while node is not None and int(node["category_id"]) not in seen:
            seen.add(int(node["category_id"]))
            path.insert(0, str(node.get("name") or "").strip() or str(node["category_id"]))
            parent = int(node.get("parent_id") or 0)
            node = self.categories.get(parent) if parent else None
        return {"id": str(category_id), "name": path[-1], "path": path}


def _barcode(variant: dict[str, Any], product: dict[str, Any]) -> tuple[str | None, str | None]:
    for source in (variant, product):
        if (source.get("gtin") or "").strip():
            return source["gtin"].strip(), "GTIN"
        if (source.get("upc") or "").strip():
            return source["upc"].strip(), "UPC"
    return None, None


def _prices(variant: dict[str, Any], product: dict[str, Any], places: int) -> tuple[str, str | None]:
    regular = variant.get("price") if variant.get("price") is not None else product.get("price")
    sale = variant.get("sale_price") if _positive(variant.get("sale_price")) else product.get("sale_price")
    regular_money = _money(regular, places) or "0.00"
    if _positive(sale) and Decimal(str(sale)) < Decimal(regular_money):
        return _money(sale, places) or regular_money, regular_money
    return regular_money, None


def locations_by_variant(api: PlatformClient, product_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Stock per enabled inventory location of every variant of these products (Inventory API v3,
    `available_to_sell`: on hand less the safety stock), in the canonical `locations` shape."""
    found: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(product_ids), 50):
        chunk = ",".join(str(i) for i in product_ids[start:start + 50])
        for page in pages(api, "/v3/inventory/items", {"product_id:in": chunk, "limit": PAGE}):
            for item in page:
                variant_id = (item.get("identity") or {}).get("variant_id")
                if variant_id is None:
                    continue
                found[int(variant_id)] = [
                    {"id": str(at["location_id"]), "name": str(at.get("location_name") or at.get("location_code") or "")
                     or None, "quantity": int(at.get("available_to_sell") or 0)}
                    for at in item.get("locations") or [] if at.get("location_enabled", True)]
    return found


def canonical(product: dict[str, Any], *, units: Units, lookups: Lookups, currency: str, store_url: str,
              version: int, places: int = 2, locations: dict[int, list[dict[str, Any]]] | None = None,
              prices_include_tax: bool | None = None) -> dict[str, Any]:
    """The canonical PRODUCT for a Catalog API v3 product read with `include=variants,images,custom_fields`.

    `prices_include_tax`: the store's `is_price_entered_with_tax`; the product's `tax_class_id` goes as its
    tax class ("" for the default class 0), whose VAT rate the merchant chooses at the hub."""
    tracking = product.get("inventory_tracking") or "none"
    visible = bool(product.get("is_visible", True)) and product.get("availability") != "disabled"
    images = sorted(product.get("images") or [], key=lambda i: (not i.get("is_thumbnail"), i.get("sort_order") or 0))
    attributes: dict[str, Any] = {}
    if (product.get("mpn") or "").strip():
        attributes["MPN"] = product["mpn"].strip()
    for custom in product.get("custom_fields") or []:
        if custom.get("name"):
            attributes[str(custom["name"])] = str(custom.get("value") or "")
    variants = []
    for variant in product.get("variants") or []:
        options = {str(v.get("option_display_name") or "Option"): str(v.get("label") or "")
                   for v in variant.get("option_values") or []}
        if tracking == "variant":
            quantity = int(variant.get("inventory_level") or 0)
        elif tracking == "product":
            quantity = int(product.get("inventory_level") or 0)
        else:
            quantity = 0
        if variant.get("purchasing_disabled"):
            quantity = 0
        price, compare_at = _prices(variant, product, places)
        barcode, barcode_type = _barcode(variant, product)
        at = (locations or {}).get(int(variant["id"])) if tracking == "variant" else None
        variants.append({
            **({"locations": at} if at else {}),
            "id": str(variant["id"]), "sku": (variant.get("sku") or product.get("sku") or None),
            "price": price, "compare_at_price": compare_at, "currency": currency, "quantity": max(quantity, 0),
            "manage_stock": tracking in ("product", "variant"), "options": options,
            "barcode": barcode, "barcode_type": barcode_type, "image_url": variant.get("image_url") or None,
            "weight": units.weight(variant.get("weight")) if variant.get("weight") is not None else None,
            "dimensions": units.dimensions(variant) if any(variant.get(k) is not None for k in ("width", "height", "depth"))
            else None,
        })
    if not variants:
        raise DataError(f"BigCommerce product {product.get('id')} was read without its variants",
                        code="bigcommerce_no_variants")
    custom_url = (product.get("custom_url") or {}).get("url") if isinstance(product.get("custom_url"), dict) else None
    categories = [c for c in (lookups.category(int(i)) for i in product.get("categories") or []) if c]
    mpn_brand = lookups.brands.get(int(product.get("brand_id") or 0)) if product.get("brand_id") else None
    return {
        "id": str(product["id"]), "version": version, "status": "active" if visible else "draft",
        "title": str(product.get("name") or "").strip() or f"Product {product['id']}",
        "description_html": product.get("description") or "",
        "url": f"{store_url.rstrip('/')}{custom_url}" if store_url and custom_url else None,
        "brand": mpn_brand or None, "categories": categories,
        "images": [{"url": i.get("url_zoom") or i.get("url_standard"), "alt": i.get("description") or ""}
                   for i in images if i.get("url_zoom") or i.get("url_standard")],
        "attributes": attributes, "weight": units.weight(product.get("weight")), "dimensions": units.dimensions(product),
        "variants": variants,
        "tax_class": str(product.get("tax_class_id") or "") if product.get("tax_class_id") else "",
        **({"prices_include_tax": prices_include_tax} if prices_include_tax is not None else {}),
    }


def read_product(api: PlatformClient, product_id: int) -> tuple[dict[str, Any] | None, int]:
    """One product with its variants, images and custom fields (None when it is gone), and the read's version."""
    version = now_ms()
    try:
        answer = api.request("GET", f"/v3/catalog/products/{int(product_id)}", params={"include": INCLUDE})
    except DataError as error:
        if error.code == "store_not_found":
            return None, version
        raise
    return (answer or {}).get("data"), version


def read_changed(api: PlatformClient, since: datetime | None) -> Iterator[tuple[list[dict[str, Any]], int]]:
    """Pages of products (250 each) changed at or after `since` (all when None), each with its version."""
    params: dict[str, Any] = {"include": INCLUDE, "limit": PAGE, "sort": "id"}
    if since is not None:
        params["date_modified:min"] = since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    page = 1
    while True:
        version = now_ms()
        answer = api.request("GET", "/v3/catalog/products", params={**params, "page": page})
        data = list((answer or {}).get("data") or [])
        yield data, version
        total = int((((answer or {}).get("meta") or {}).get("pagination") or {}).get("total_pages") or 0)
        if not data or page >= total:
            return
        page += 1


def product_ids(payload: dict[str, Any]) -> Iterable[int]:
    """The product a light webhook payload is about (product, SKU and inventory scopes)."""
    data = payload.get("data") or {}
    inner = data.get("inventory") or data.get("sku") or {}
    if data.get("type") == "product" and data.get("id") is not None:
        yield int(data["id"])
    elif inner.get("product_id") is not None:
        yield int(inner["product_id"])
