"""A Shopify product (GraphQL Admin API, 2026-07) as the hub's canonical PRODUCT (docs/extension-api.md).

Field by field (the choices where Shopify and the canonical product differ):

- ids are Shopify's numeric ids (the tail of the GID), so webhooks, the bulk file and orders agree;
- `version` is the newest of the product's `updatedAt` and its stock levels' `updatedAt` (ms), because
  Shopify does not always touch the product when only stock changes;
- categories: Shopify's standard product taxonomy (`category.fullName`, "Apparel > Shirts") when set,
  else the merchant's free-text `productType`;
- images: the product's `MediaImage`s (videos and 3D models are not pictures); a variant's own picture
  becomes its `image_url`;
- weight: the inventory item's `measurement.weight` (Shopify has no product dimensions);
- stock: the `available` quantity at every Shopify location, as the variant's `locations` (named);
  the hub offers TikTok the sum of the locations the merchant chose (Stores → Stock locations), so
  `quantity` is the sum over all of them;
- a product with only Shopify's "Title / Default Title" option is a simple product (no options);
- status: ACTIVE → active, DRAFT → draft, ARCHIVED and UNLISTED → archived (not for sale on TikTok).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

WEIGHT_UNITS = {"GRAMS": "g", "KILOGRAMS": "kg", "OUNCES": "oz", "POUNDS": "lb"}
STATUSES = {"ACTIVE": "active", "DRAFT": "draft", "ARCHIVED": "archived", "UNLISTED": "archived"}


def numeric_id(gid: str | int | None) -> str:
    """`gid://shopify/Product/123` (or 123) → "123"."""
    text = str(gid or "")
    return text.rsplit("/", 1)[-1].split("?", 1)[0]


def gid(kind: str, value: str | int) -> str:
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


def millis(iso: str | None) -> int:
    if not iso:
        return 0
    return int(datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp() * 1000)


def _nodes(connection: Any) -> list[dict[str, Any]]:
    if not isinstance(connection, dict):
        return []
    if "nodes" in connection:
        return [n for n in connection["nodes"] or [] if isinstance(n, dict)]
    return [e["node"] for e in connection.get("edges") or [] if isinstance(e, dict) and isinstance(e.get("node"), dict)]


def available(levels: Iterable[dict[str, Any]]) -> tuple[int, list[dict[str, Any]], int]:
    """(available quantity summed over every location, the per-location figures, newest level update in ms).

    The hub offers TikTok the sum of the locations the merchant chose for it (docs/canonical-data.md,
    "Stock per location"); every location is reported, so a change of that choice needs no new read."""
    total, figures, newest = 0, [], 0
    for level in levels:
        location = level.get("location") or {}
        quantity = sum(int(q.get("quantity") or 0) for q in level.get("quantities") or [] if q.get("name") == "available")
        total += max(quantity, 0)
        figure: dict[str, Any] = {"id": numeric_id(location.get("id")), "quantity": quantity}
        if location.get("name"):
            figure["name"] = str(location["name"])[:200]
        figures.append(figure)
        newest = max(newest, millis(level.get("updatedAt")))
    return total, figures, newest


def variant(node: dict[str, Any], *, currency: str, simple: bool) -> tuple[dict[str, Any], int]:
    item = node.get("inventoryItem") or {}
    quantity, figures, newest = available(_nodes(item.get("inventoryLevels")))
    weight = ((item.get("measurement") or {}).get("weight")) or None
    images = [(m.get("image") or {}).get("url") for m in _nodes(node.get("media")) if (m.get("image") or {}).get("url")]
    options = {} if simple else {o["name"]: o["value"] for o in node.get("selectedOptions") or []}
    return {
        "id": numeric_id(node["id"]), "sku": node.get("sku") or None, "price": str(node["price"]),
        "compare_at_price": str(node["compareAtPrice"]) if node.get("compareAtPrice") not in (None, "") else None,
        "currency": currency, "quantity": max(quantity, 0) if item.get("tracked", True) else 0,
        "manage_stock": bool(item.get("tracked", True)), "options": options,
        "barcode": (node.get("barcode") or "").strip() or None, "barcode_type": None,
        "image_url": images[0] if images else None,
        "weight": {"value": _number(weight.get("value")), "unit": WEIGHT_UNITS.get(str(weight.get("unit")), "g")}
        if weight and weight.get("value") else None,
        "dimensions": None, "locations": figures if item.get("tracked", True) else [],
        "inventory_item_id": numeric_id(item.get("id")),
        "continue_selling": node.get("inventoryPolicy") == "CONTINUE",
    }, max(newest, millis(node.get("updatedAt")))


def _number(value: Any) -> str:
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def _simple(variants: list[dict[str, Any]]) -> bool:
    if len(variants) != 1:
        return False
    selected = variants[0].get("selectedOptions") or []
    return not selected or [(o.get("name"), o.get("value")) for o in selected] == [("Title", "Default Title")]


def product(node: dict[str, Any], variants: list[dict[str, Any]], *, shop: str, currency: str,
            taxes_included: bool | None = None) -> dict[str, Any]:
    """The canonical PRODUCT of a product node and all its variant nodes.

    `taxes_included`: the shop's `taxesIncluded` (prices entered with tax); None leaves it unsaid, which
    the hub reads as included."""
    simple = _simple(variants)
    mapped = [variant(v, currency=currency, simple=simple) for v in variants]
    version = max([millis(node.get("updatedAt"))] + [newest for _, newest in mapped])
    category = node.get("category") or {}
    if category.get("fullName"):
        path = [p.strip() for p in str(category["fullName"]).split(">") if p.strip()]
        categories = [{"id": numeric_id(category.get("id")) or "-".join(path), "name": path[-1], "path": path}]
    elif (node.get("productType") or "").strip():
        path = [p.strip() for p in str(node["productType"]).split(">") if p.strip()]
        categories = [{"id": "type:" + " > ".join(path), "name": path[-1], "path": path}]
    else:
        categories = []
    images = [{"url": m["image"]["url"], "alt": m["image"].get("altText") or ""}
              for m in _nodes(node.get("media")) if (m.get("image") or {}).get("url")]
    return {
        "id": numeric_id(node["id"]), "version": version, "status": STATUSES.get(str(node.get("status")), "draft"),
        "title": node.get("title") or "", "description_html": node.get("descriptionHtml") or "",
        "url": node.get("onlineStoreUrl") or f"https://{shop}/products/{node.get('handle') or numeric_id(node['id'])}",
        "brand": (node.get("vendor") or "").strip() or None, "categories": categories, "images": images,
        "attributes": {}, "weight": None, "dimensions": None, "tags": list(node.get("tags") or []),
        "variants": [v for v, _ in mapped],
        **({"prices_include_tax": bool(taxes_included)} if taxes_included is not None else {}),
    }


def nodes(connection: Any) -> list[dict[str, Any]]:
    return _nodes(connection)
