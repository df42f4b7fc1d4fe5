"""How "Resync details" edits a product on TikTok without wiping what the merchant did in Seller Center.

TikTok's Edit Product (`PUT`) overwrites every field, blanks included, with what the request holds;
Partial Edit updates only the top-level fields the request names (docs/tiktok-client.md, "Edits keep
Seller Center changes"). The hub owns the fields it builds from the store (title, description,
pictures, brand, weight and size, SKUs, the attributes it maps, and a size chart or certificates
only when the merchant gave them to the hub); everything else on the TikTok product — a video, extra
attributes, a size chart or certificates added in Seller Center — belongs to the merchant.

So the hub reads the product first, then:

- sends a partial edit of the fields it owns when the category is unchanged (Partial Edit has no
  `category_id`); attributes are one top-level list, so TikTok's attributes the hub does not map are
  sent back with the hub's;
- sends a full edit when the category changes, carrying over from what it read every field it does
  not own (video, size chart, certificates, brand); attributes belong to a category, so the old
  category's extra attributes are not carried into the new one.
"""

from __future__ import annotations

from typing import Any, Mapping

# Top-level fields of Partial Edit Product (202309 request model) that the hub builds.
PARTIAL_FIELDS = ("title", "description", "main_images", "brand_id", "package_weight", "package_dimensions",
                  "product_attributes", "skus", "size_chart", "certifications", "external_product_id")


def current_category(product: Mapping[str, Any]) -> str | None:
    """The leaf category of a product as Get Product answers it (`category_chains`, leaf last)."""
    chain = [c for c in product.get("category_chains") or [] if isinstance(c, Mapping)]
    leaves = [c for c in chain if c.get("is_leaf")]
    node = leaves[-1] if leaves else (chain[-1] if chain else None)
    return str(node["id"]) if node and node.get("id") else None


def _attribute(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    values = []
    for value in entry.get("values") or []:
        if not isinstance(value, Mapping):
            continue
        if value.get("id"):
            values.append({"id": str(value["id"])})
        elif value.get("name"):
            values.append({"name": str(value["name"])})
    if not entry.get("id") or not values:
        return None
    return {"id": str(entry["id"]), "values": values}


def merged_attributes(ours: list[Mapping[str, Any]], theirs: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The hub's attributes, then TikTok's attributes the hub does not set (added in Seller Center)."""
    out = [dict(a) for a in ours]
    owned = {str(a.get("id")) for a in ours}
    for entry in theirs:
        if isinstance(entry, Mapping) and str(entry.get("id")) not in owned:
            carried = _attribute(entry)
            if carried:
                out.append(carried)
    return out


def _size_chart(chart: Mapping[str, Any]) -> dict[str, Any] | None:
    template, image = chart.get("template") or {}, chart.get("image") or {}
    if template.get("id"):
        return {"template": {"id": str(template["id"])}}
    if image.get("uri"):
        return {"image": {"uri": str(image["uri"])}}
    return None


def _certifications(certs: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for cert in certs:
        if not isinstance(cert, Mapping) or not cert.get("id"):
            continue
        entry: dict[str, Any] = {"id": str(cert["id"])}
        images = [{"uri": str(i["uri"])} for i in cert.get("images") or [] if isinstance(i, Mapping) and i.get("uri")]
        files = [{"id": str(f["id"]), "name": str(f.get("name") or ""), "format": str(f.get("format") or "PDF")}
                 for f in cert.get("files") or [] if isinstance(f, Mapping) and f.get("id")]
        if images:
            entry["images"] = images
        if files:
            entry["files"] = files
        if cert.get("expiration_date") is not None:
            entry["expiration_date"] = cert["expiration_date"]
        out.append(entry)
    return out


def plan_edit(body: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """`("partial", body)` or `("full", body)`: the request that changes what the hub owns and nothing else.

    `body` is the full edit the hub built from the store (a size chart or certificates in it only when
    the merchant gave them to the hub); `current` is Get Product's answer.
    """
    full = dict(body)
    if current_category(current) == str(body.get("category_id")):
        full["product_attributes"] = merged_attributes(list(body.get("product_attributes") or []),
                                                       list(current.get("product_attributes") or []))
        return "partial", {k: full[k] for k in PARTIAL_FIELDS if k in full}
    # A new category has its own attributes: the old category's extra ones would be refused (12052240).
    video = current.get("video") or {}
    if video.get("id") and "video" not in full:
        full["video"] = {"id": str(video["id"])}
    if "size_chart" not in full and isinstance(current.get("size_chart"), Mapping):
        chart = _size_chart(current["size_chart"])
        if chart:
            full["size_chart"] = chart
    if "certifications" not in full and current.get("certifications"):
        certs = _certifications(list(current["certifications"]))
        if certs:
            full["certifications"] = certs
    brand = current.get("brand") or {}
    if "brand_id" not in full and brand.get("id"):
        full["brand_id"] = str(brand["id"])
    return "full", full
