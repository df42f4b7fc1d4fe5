"""What TikTok receives: the product as TikTok got it at the last export, beside the next one.

The last one is the request body TikTok accepted (`Listing.sent_body`, kept by the exporter with the
addresses of the pictures TikTok hosts); the next one is the mapper's draft built from the hub's own
tables, exactly as the listing job would build it, minus what only TikTok can do (hosting pictures).
Nothing here downloads a picture or calls TikTok: the product page shows it on every visit, and a
category whose rules were never read from TikTok says so instead.

Each finding is placed beside the part it concerns (its `field`), so a warning about a cut description
sits next to the description, a missing size chart next to the size chart.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import Listing, ProductOverride, ProductSnapshot, Store, TikTokCategoryInfo
from hub.sync.policy import shop_for_store
from hub.sync.products import categories
from hub.sync.products.description import convert_description
from hub.sync.products.mapper import build_draft

PARTS = ("title", "description", "pictures", "category", "attributes", "package", "size_chart", "certifications",
         "skus")
_FIELD_PART = (("title", "title"), ("description", "description"), ("images", "pictures"),
               ("attributes", "attributes"), ("package", "package"), ("size_chart", "size_chart"),
               ("certifications", "certifications"), ("brand", "attributes"), ("category", "category"))


def part_of(field: str | None) -> str:
    """The part of the product a finding's field belongs to (SKU fields and the rest go with the SKUs)."""
    for prefix, part in _FIELD_PART:
        if field and field.startswith(prefix):
            return part
    return "skus"


def by_part(issues: Sequence[Mapping[str, Any]] | None) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {part: [] for part in PARTS}
    for issue in issues or []:
        if isinstance(issue, Mapping):
            out[part_of(issue.get("field"))].append(issue)
    return out


def _names(info: TikTokCategoryInfo | None) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    attributes = list(info.attributes or []) if info is not None else []
    return ({str(a.get("id")): str(a.get("name")) for a in attributes},
            {(str(a.get("id")), str(v.get("id"))): str(v.get("name")) for a in attributes for v in a.get("values") or []})


def _attributes(body: Mapping[str, Any], info: TikTokCategoryInfo | None) -> list[dict[str, str]]:
    names, values = _names(info)
    out = []
    for attribute in body.get("product_attributes") or []:
        attr_id = str(attribute.get("id"))
        shown = [str(v.get("name") or values.get((attr_id, str(v.get("id"))), v.get("id")))
                 for v in attribute.get("values") or []]
        out.append({"name": names.get(attr_id, attr_id), "value": ", ".join(shown)})
    return out


def _certificate_names(info: TikTokCategoryInfo | None) -> dict[str, str]:
    rules = dict(info.rules or {}) if info is not None else {}
    return {str(c.get("id")): str(c.get("name")) for c in rules.get("product_certifications") or []}


def _skus(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for sku in body.get("skus") or []:
        code = sku.get("identifier_code") or {}
        out.append({"seller_sku": sku.get("seller_sku"), "id": sku.get("id"),
                    "options": ", ".join(f"{a.get('name')}: {a.get('value_name')}" for a in sku.get("sales_attributes") or []),
                    "price": (sku.get("price") or {}).get("amount"),
                    "quantity": sum(int(i.get("quantity") or 0) for i in sku.get("inventory") or []) if sku.get("inventory")
                    else None,
                    "identifier": f"{code.get('type')} {code.get('code')}" if code else None})
    return out


def _text_length(html: str) -> int:
    return len(re.sub(r"<[^>]+>", "", html or ""))


def sent_view(listing: Listing | None, info: TikTokCategoryInfo | None) -> dict[str, Any] | None:
    """The last body TikTok accepted, part by part, with the warnings kept from that export."""
    stored = listing.sent_body if listing is not None else None
    if not isinstance(stored, Mapping) or not isinstance(stored.get("body"), Mapping):
        return None
    body, urls = stored["body"], stored.get("picture_urls") or {}
    chart = body.get("size_chart") or {}
    certificates = _certificate_names(info)
    return {
        "at": listing.sent_at if listing is not None else None,
        "title": body.get("title"), "description": body.get("description") or "",
        "description_length": _text_length(body.get("description") or ""),
        "pictures": [{"uri": i.get("uri"), "url": urls.get(i.get("uri"), "")} for i in body.get("main_images") or []],
        "category_id": body.get("category_id"), "brand_id": body.get("brand_id"),
        "attributes": _attributes(body, info),
        "package": {"weight": body.get("package_weight"), "dimensions": body.get("package_dimensions")},
        "size_chart": ({"template_id": chart["template"].get("id")} if chart.get("template") else
                       {"image_url": urls.get((chart.get("image") or {}).get("uri"), ""),
                        "image_uri": (chart.get("image") or {}).get("uri")} if chart.get("image") else None),
        "certifications": [{"name": certificates.get(str(c.get("id")), str(c.get("id"))),
                            "files": [f.get("name") for f in c.get("files") or []],
                            "pictures": [urls.get(i.get("uri"), "") for i in c.get("images") or []]}
                           for c in body.get("certifications") or []],
        "skus": _skus(body),
        "issues": by_part([i for i in (listing.issues if listing is not None else None) or []
                           if isinstance(i, Mapping) and i.get("level") == "warning"]),
        "body": body,
    }


def next_view(session: Session, store: Store, snapshot: ProductSnapshot) -> dict[str, Any]:
    """The mapper's draft of the next create or edit, from the hub's tables only; `problem` when it cannot."""
    from hub.sync.products.exporter import listing_inputs

    override = session.scalar(select(ProductOverride).where(ProductOverride.store_id == store.id,
                                                            ProductOverride.product_id == snapshot.product_id,
                                                            ProductOverride.variant_id == ""))
    resolved = categories.resolve(session, store.id, snapshot.data, override=override)
    if resolved is None:
        return {"problem": "The product's store category is not mapped to a TikTok category yet."}
    shop = shop_for_store(session, store)
    info = session.scalar(select(TikTokCategoryInfo).where(
        TikTokCategoryInfo.shop_id == (shop.shop_id if shop is not None else ""),
        TikTokCategoryInfo.category_id == resolved.category_id,
        TikTokCategoryInfo.category_version == resolved.version)) if shop is not None else None
    if info is None:
        return {"problem": "TikTok's rules for the category have not been read yet; they are read when the product "
                           "is sent (or open the category's defaults page)."}
    inputs = listing_inputs(session, store, snapshot, resolved, info, warehouse_id="")
    product = snapshot.data
    draft, findings = build_draft(product, inputs)
    issues = by_part(findings.as_list())
    view: dict[str, Any] = {"issues": issues, "ready": draft is not None, "category_id": resolved.category_id,
                            "category_name": resolved.name, "info": info}
    body = draft.body if draft is not None else {}
    if draft is None:
        return view
    preview = convert_description(draft.description_html, base_url=draft.description_base_url)
    chart = draft.size_chart or {}
    certificates = _certificate_names(info)
    view.update({
        "title": body.get("title"), "description": preview.html,
        "description_length": _text_length(preview.html),
        "pictures": [{"url": url} for url in draft.main_image_urls],
        "attributes": _attributes(body, info), "brand": draft.brand,
        "package": {"weight": body.get("package_weight"), "dimensions": body.get("package_dimensions")},
        "size_chart": dict(chart) if chart else None,
        "certifications": [{"name": certificates.get(str(c.get("id")), str(c.get("id"))),
                            "files": [f.get("name") for f in c.get("files") or []],
                            "pictures": [i.get("url") for i in c.get("images") or []] + list(c.get("image_urls") or [])}
                           for c in draft.certifications],
        "skus": _skus(body)})
    return view


def what_tiktok_receives(session: Session, store: Store, snapshot: ProductSnapshot,
                         listing: Listing | None) -> dict[str, Any]:
    nxt = next_view(session, store, snapshot)
    return {"sent": sent_view(listing, nxt.get("info")), "next": nxt}
