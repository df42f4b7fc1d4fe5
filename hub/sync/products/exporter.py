"""The exporter: one store product to TikTok (create, resync details, resubmit, deactivate).

`list_product` runs in three phases so that no database transaction stays open across network calls
(SQLite allows one writer, and a worker waiting on TikTok must not block the others):

1. read what the hub knows (product, mapping, overrides, defaults, settings, TikTok category metadata);
2. validate completely (`mapper.build_draft`) — a product with errors fails here, before any TikTok
   call — then take a slot of the daily cap, prepare and re-host the pictures (content-hash cache),
   settle identifier-code exemption from the category rules, find the brand, and create with the
   product's stable `idempotency_key`;
3. record the outcome: bindings per SKU, the status and its reason.

Errors follow the hub's taxonomy: `DataError` (ours or TikTok's business codes) → "Failed to sync"
with the reason, no retry; `RetryableError` propagates for the job's backoff (the cap slot and the
idempotency key are kept, so the retry returns the same TikTok product); `AuthError` propagates for the
job to park the work.
"""

from __future__ import annotations

from contextlib import contextmanager

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.errors import AuthError, DataError, RetryableError
from hub.merchant_settings import load_settings
from hub.models import (CategoryDefaults, Listing, ListingPlan, Merchant, ProductOverride, ProductSnapshot,
                        SkuBinding, Store, TikTokCategoryInfo, TikTokShop, VariantStock)
from hub.models.listings import (ACTIVE, FAILED_REVIEW, FAILED_TO_SYNC, NEEDS_CATEGORY, NOT_SYNCED, SYNCED,
                                 UNDER_REVIEW)
from hub.sync.products import categories, edits, linking, planner, pricing, reasons, vocabulary
from hub.sync.products.description import convert_description, has_text
from hub.sync.products.errors import ImageError, ProductDataError
from hub.sync.products.issues import Findings, Issue, variant_label
from hub.sync.products.mapper import Draft, ListingInputs, build_draft, description_warnings
from hub.sync.policy import shop_for_store, sync_blocked_reason
from hub.sync.products.preflight import sales_warehouse_id
from hub.sync.products.uploads import ImageUploader

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.tiktok.client import ShopClient

log = logging.getLogger("hub.sync.products")

SELLER_CENTER_URL = "https://seller-uk.tiktok.com/product/manage"
CATEGORY_VERSION_CODES = {"tiktok_12052217", "tiktok_12052230"}
LISTING_LIMIT_CODE = "tiktok_12052093"
SIZE_CHART_REFUSALS = {"tiktok_12052673", "tiktok_12052128", "tiktok_12052670"}
CERTIFICATE_REFUSALS = {"tiktok_12052105", "tiktok_12052650", "tiktok_12052655", "tiktok_12052658"}
LOCK_SECONDS = 600  # how long a listing job waits for another one of the same product
LOCK_TTL = 30  # the lock's life, renewed while held: a killed worker's lock frees itself this soon


@contextmanager
def _listing_lock(runtime: "Runtime", store_id: str, product_id: str) -> Iterator[None]:
    """One listing job per product at a time. Renewed while held, so a worker killed mid-create holds
    it for at most `LOCK_TTL` seconds (a 600-second lock stalled the product's next job for minutes)."""
    from redis.exceptions import LockError

    from hub.locks import renewed_lock

    with renewed_lock(runtime.redis, f"hub:listing:{store_id}:{product_id}", ttl=LOCK_TTL,
                      blocking_timeout=LOCK_SECONDS) as held:
        if not held:
            raise LockError(f"product {product_id} is still being sent by another worker")
        yield


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Loaded:
    store_id: str
    merchant_id: str
    product: dict[str, Any]
    content_hash: str
    shop: TikTokShop
    plan_key: str
    inputs: ListingInputs


def _connected_shop(session: Session, store: Store) -> TikTokShop:
    """The store's TikTok shop; none connected is an authorisation problem (the work is parked)."""
    shop = shop_for_store(session, store)
    if shop is None:
        raise AuthError("No TikTok shop is connected yet", code="tiktok_not_connected")
    return shop


def _listing(session: Session, store_id: str, product_id: str) -> Listing:
    listing = session.scalar(select(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id))
    if listing is None:
        listing = Listing(store_id=store_id, product_id=product_id, status=NOT_SYNCED)
        session.add(listing)
        session.flush()
    return listing


def set_status(listing: Listing, status: str, reason: str | None, fix: str | None = None,
               code: str | None = None, issues: list[dict[str, Any]] | None = None) -> None:
    listing.status = status
    listing.reason = reason
    listing.fix = fix
    listing.reason_code = code
    listing.issues = issues
    listing.updated_at = _now()


def fail(runtime: "Runtime", store_id: str, product_id: str, findings: list[Issue] | Findings,
         *, status: str = FAILED_TO_SYNC) -> str:
    issues = findings.as_list() if isinstance(findings, Findings) else [i.as_dict() for i in findings]
    first = next((i for i in issues if i["level"] == "error"), issues[0])
    with runtime.db.session_scope() as session:
        listing = _listing(session, store_id, product_id)
        set_status(listing, status, first["message"], first["fix"], first["code"], issues)
    return status


def _error_issue(product: Mapping[str, Any], error: DataError, default_fix: str) -> Issue:
    findings = Findings(product)
    findings.add(error.code, error.message, error.fix or default_fix, field=error.field)
    return findings.items[0]


def tiktok_refusal(product: Mapping[str, Any], error: DataError) -> Issue:
    """A TikTok business error as a merchant-readable finding."""
    code = error.code
    if code in CATEGORY_VERSION_CODES:
        text = (f"TikTok refused the category for its tree version ({error.message}). TikTok has moved this shop "
                "to another category tree.")
        fix = "Map the store category again (hub category map) so the hub picks the current tree, then click Sync."
    elif code == "tiktok_12052104":
        text = f"TikTok says a required attribute is missing ({error.message})."
        fix = "Set the attribute on the product in your store or as a category default on the settings page."
    elif code in ("tiktok_12052223", "tiktok_12052220", "tiktok_12052225", "tiktok_12052226"):
        text = f"TikTok does not let this shop list in the mapped category ({error.message})."
        fix = "Apply for the category in Seller Center's Qualification Center, or map the store category elsewhere."
    elif code in ("tiktok_12052535", "tiktok_12052419", "tiktok_12052700", "tiktok_12052115", "tiktok_12052531"):
        text = f"Your TikTok shop is not ready to list products ({error.message})."
        fix = "Complete the checklist on the settings page (warehouses, prerequisites) in Seller Center, then click Sync."
    elif code in SIZE_CHART_REFUSALS:
        text = f"TikTok refused the product's size chart ({error.message})."
        fix = reasons.REASONS[reasons.SIZE_CHART_NOT_FOUND if code == "tiktok_12052128"
                              else reasons.SIZE_CHART_MISSING].fix
    elif code in CERTIFICATE_REFUSALS:
        text = f"TikTok refused the product's certificates ({error.message})."
        fix = reasons.REASONS[reasons.CERTIFICATION_MISSING].fix
    elif code == "tiktok_12052208" or code == "tiktok_12052201":
        text = f"TikTok needs brand authorisation for this product's brand ({error.message})."
        fix = "Get the brand authorised in Seller Center, or remove the brand from the product."
    else:
        text = f"TikTok refused the product: {error.message}" + (f" (TikTok code {error.details.get('tiktok_code')})"
                                                                if error.details.get("tiktok_code") else "")
        fix = error.fix or "Correct the product in your store (or its settings here), then click Sync."
    return _error_issue(product, DataError(text, code=code, fix=fix, field=error.field), fix)


# ---- phase 1 --------------------------------------------------------------------------------------------

def load(runtime: "Runtime", session: Session, store: Store, snapshot: ProductSnapshot, shop: TikTokShop,
         client: "ShopClient", resolved: categories.ResolvedCategory, plan: ListingPlan) -> Loaded:
    info = categories.category_info(session, shop.shop_id, client, resolved.category_id, resolved.version)
    inputs = listing_inputs(session, store, snapshot, resolved, info, sales_warehouse_id(runtime, shop, client))
    return Loaded(store_id=store.id, merchant_id=store.merchant_id, product=snapshot.data,
                  content_hash=snapshot.content_hash, shop=shop, plan_key=plan.idempotency_key, inputs=inputs)


def listing_inputs(session: Session, store: Store, snapshot: ProductSnapshot, resolved: categories.ResolvedCategory,
                   info: TikTokCategoryInfo, warehouse_id: str) -> ListingInputs:
    """Everything besides the product that the mapper reads, from the hub's own tables (no TikTok call):
    the listing job and the product page's preview build the same draft from it."""
    settings = load_settings(session.get_one(Merchant, store.merchant_id).settings)
    defaults = session.scalar(select(CategoryDefaults).where(CategoryDefaults.store_id == store.id,
                                                             CategoryDefaults.tiktok_category_id == resolved.category_id))
    overrides = {o.variant_id: o for o in session.scalars(select(ProductOverride).where(
        ProductOverride.store_id == store.id, ProductOverride.product_id == snapshot.product_id))}
    stock = {row.variant_id: (row.quantity, row.price) for row in session.scalars(select(VariantStock).where(
        VariantStock.store_id == store.id, VariantStock.product_id == snapshot.product_id))}
    pricing_settings, stock_settings = settings["pricing"], settings["stock"]
    return ListingInputs(
        category_id=resolved.category_id, category_version=resolved.version, is_book_category=resolved.is_book,
        attributes=list(info.attributes or []), rules=dict(info.rules or {}),
        price_rule=pricing.PriceRule(markup_percent=pricing_settings["markup_percent"],
                                     markup_fixed=pricing_settings["markup_fixed"],
                                     rounding=pricing_settings["rounding"]),
        stock_rule=pricing.StockRule(reserve_units=stock_settings["reserve_units"],
                                     reserve_percent=stock_settings["reserve_percent"],
                                     out_of_stock_threshold=stock_settings["out_of_stock_threshold"]),
        warehouse_id=warehouse_id,
        category_defaults=dict(defaults.attributes or {}) if defaults else {},
        size_chart_default=defaults.size_chart if defaults else None,
        certification_defaults=list(defaults.certifications or []) if defaults else [],
        product_override=overrides.get(""),
        variant_overrides={k: v for k, v in overrides.items() if k},
        package_defaults=_package_defaults(settings, defaults),
        stock=stock, id_prefix=external_id_prefix(store.id), option_word=vocabulary.option_word(store.platform),
        vat_classes=dict(settings["vat"]["classes"]))


def _package_defaults(settings: Mapping[str, Any], defaults: CategoryDefaults | None) -> dict[str, Any]:
    """The category's default package where set, else the merchant-wide one (per part: weight, size)."""
    merged = {k: v for k, v in (settings.get("package_defaults") or {}).items() if v}
    if defaults is not None:
        merged.update({k: v for k, v in (defaults.package or {}).items() if v})
    return merged


# ---- phase 2 --------------------------------------------------------------------------------------------

def _image_findings(product: Mapping[str, Any], prepared: Mapping[str, Any], urls: list[str], what: str,
                    findings: Findings, variant: Mapping[str, Any] | None = None) -> None:
    for url in urls:
        result = prepared.get(url)
        if isinstance(result, ProductDataError):
            findings.add(result.code, f"{what}: {result.message}",
                         "Replace or remove this picture in your store, then click Sync.", field="images",
                         variant=variant)


def rehost(uploader: ImageUploader, draft: Draft, product: Mapping[str, Any]) -> tuple[dict[str, Any], Findings]:
    """Download, check and upload every picture the listing uses; returns body parts or findings."""
    findings = Findings(product)
    preview = convert_description(draft.description_html, base_url=draft.description_base_url)
    chart = draft.size_chart or {}
    size_chart_url = chart.get("image_url") if not (chart.get("template_id") or chart.get("image_uri")) else None
    cert_urls = [u for c in draft.certifications for u in (c.get("image_urls") or [])]
    wanted = draft.main_image_urls + list(draft.sku_image_urls.values()) + preview.image_urls + cert_urls + \
        ([size_chart_url] if size_chart_url else [])
    prepared = uploader.prepare_all(wanted)

    _image_findings(product, prepared, draft.main_image_urls, "a product image", findings)
    for index, url in draft.sku_image_urls.items():
        _image_findings(product, prepared, [url], "the variant image", findings, variant=draft.variants[index])
    _image_findings(product, prepared, cert_urls, "a certificate image", findings)
    if size_chart_url:
        _image_findings(product, prepared, [size_chart_url], "the size chart image", findings)
    needed = draft.main_image_urls + list(draft.sku_image_urls.values()) + cert_urls + \
        ([size_chart_url] if size_chart_url else [])
    failed = [found for u in dict.fromkeys(needed) if isinstance(found := prepared.get(u), ProductDataError)]
    if failed and all(isinstance(e, ImageError) and e.transient for e in failed):
        # Only the store's server stumbled (timeout, 5xx): try again later rather than fail the product.
        raise RetryableError(failed[0].message, code=failed[0].code)
    if findings.errors:
        return {}, findings

    jobs: list[tuple[Any, str]] = [(prepared[u], "MAIN_IMAGE") for u in draft.main_image_urls]
    sku_indexes = list(draft.sku_image_urls)
    jobs += [(prepared[draft.sku_image_urls[i]], "ATTRIBUTE_IMAGE") for i in sku_indexes]
    description_urls = [u for u in preview.image_urls if not isinstance(prepared.get(u), ProductDataError)]
    jobs += [(prepared[u], "DESCRIPTION_IMAGE") for u in description_urls]
    jobs += [(prepared[u], "CERTIFICATION_IMAGE") for u in cert_urls]
    if size_chart_url:
        jobs.append((prepared[size_chart_url], "SIZE_CHART_IMAGE"))
    hosted = uploader.host_all(jobs)

    position = 0
    parts: dict[str, Any] = {"main_images": [{"uri": h.uri} for h in hosted[:len(draft.main_image_urls)]],
                             "picture_urls": {h.uri: h.url for h in hosted}}
    for cert in draft.certifications:  # hosted on the settings page: their addresses came with them
        parts["picture_urls"].update({str(i["uri"]): str(i.get("url") or "") for i in cert.get("images") or []
                                      if i.get("uri")})
    if chart.get("image_uri"):
        parts["picture_urls"][str(chart["image_uri"])] = str(chart.get("image_url") or "")
    position += len(draft.main_image_urls)
    parts["sku_images"] = {i: hosted[position + n].uri for n, i in enumerate(sku_indexes)}
    position += len(sku_indexes)
    image_map = {u: (hosted[position + n].url, hosted[position + n].width, hosted[position + n].height)
                 for n, u in enumerate(description_urls)}
    position += len(description_urls)
    converted = convert_description(draft.description_html, image_map=image_map,
                                    base_url=draft.description_base_url)
    description = converted.html
    description_warnings(converted, findings)
    if not has_text(description):
        from html import escape

        description = f"<p>{escape(draft.body['title'], quote=False)}</p>" + description
    parts["description"] = description
    cert_hosted = hosted[position:position + len(cert_urls)]
    position += len(cert_urls)
    certifications, used = [], 0
    for cert in draft.certifications:
        urls = cert.get("image_urls") or []
        # pictures and PDFs the merchant uploaded on the settings page are hosted by TikTok already
        entry: dict[str, Any] = {"id": str(cert["id"]),
                                 "images": [{"uri": str(i["uri"])} for i in cert.get("images") or [] if i.get("uri")]
                                 + [{"uri": h.uri} for h in cert_hosted[used:used + len(urls)]]}
        used += len(urls)
        files = [{"id": str(f["id"]), "name": str(f.get("name") or ""), "format": str(f.get("format") or "PDF")}
                 for f in cert.get("files") or [] if f.get("id")]
        if files:
            entry["files"] = files
        if cert.get("expiration_date") is not None:
            entry["expiration_date"] = cert["expiration_date"]
        certifications.append(entry)
    if certifications:
        parts["certifications"] = certifications
    if draft.size_chart:
        if draft.size_chart.get("template_id"):
            parts["size_chart"] = {"template": {"id": str(draft.size_chart["template_id"])}}
        elif draft.size_chart.get("image_uri"):
            parts["size_chart"] = {"image": {"uri": str(draft.size_chart["image_uri"])}}
        else:
            parts["size_chart"] = {"image": {"uri": hosted[position].uri}}
    return parts, findings


def merge_warnings(findings: Findings, sent: Findings) -> None:
    """The draft's warnings with the description's replaced by those of the description as sent (its
    pictures hosted by TikTok make it longer than the preview, so it may be cut elsewhere)."""
    findings.items = [i for i in findings.items if i.field != "description"] + sent.warnings


def kept_warnings(listing: Listing) -> list[dict[str, Any]] | None:
    """The warnings of the last send (text cut, pictures left out): still true while the product is on
    TikTok, whatever its status, so a status change keeps them."""
    return [i for i in listing.issues or [] if i.get("level") == "warning"] or None


def assemble(draft: Draft, parts: Mapping[str, Any]) -> dict[str, Any]:
    body = dict(draft.body)
    body["main_images"] = parts["main_images"]
    body["description"] = parts["description"]
    for key in ("certifications", "size_chart"):
        if key in parts:
            body[key] = parts[key]
    skus = [dict(s) for s in body["skus"]]
    for index, uri in parts.get("sku_images", {}).items():
        attributes = [dict(a) for a in skus[index].get("sales_attributes", [])]
        if attributes:
            attributes[0]["sku_img"] = {"uri": uri}  # only the primary attribute carries images
            skus[index]["sales_attributes"] = attributes
    body["skus"] = skus
    return body


def identifier_exemption_refused(rules: Mapping[str, Any]) -> bool:
    """Whether TikTok's category rules say the category cannot go without identifier codes.

    Only the older (v1) category rules document it: `exemption_of_identifier_code.
    support_identifier_code_exemption` (docs/tiktok-client.md, "Barcode requirement"). The 202309 rules
    carry no identifier requirement, so a category is exempt unless its rules say otherwise; a code the
    merchant gives is always sent and checked.
    """
    exemption = rules.get("exemption_of_identifier_code")
    return isinstance(exemption, Mapping) and exemption.get("support_identifier_code_exemption") is False


def identifiers_needed(loaded: Loaded, draft: Draft) -> list[Issue]:
    """Missing barcodes in a category whose rules refuse the exemption: the variants that need one."""
    inputs = loaded.inputs
    if not draft.missing_codes or not identifier_exemption_refused(inputs.rules):
        return []
    findings = Findings(loaded.product)
    names = ", ".join(variant_label(v) for v in draft.missing_codes)
    findings.add("identifier_required",
                 f"TikTok requires a barcode (GTIN/EAN/UPC{'/ISBN' if inputs.is_book_category else ''}) for every "
                 f"variant in this category and cannot exempt it. Missing for: {names}.",
                 "Add the barcodes in your store (or as identifier codes on the settings page), then click Sync.",
                 field="identifier_code")
    return findings.items


def brand_id(runtime: "Runtime", shop: TikTokShop, client: "ShopClient", name: str | None,
             category_id: str) -> str | None:
    """The TikTok brand id for the product's brand: an existing usable brand, else a new custom brand."""
    if not name or len(name.strip()) < 2:
        return None
    name = name.strip()[:30]
    key = f"hub:tiktok:brand:{shop.shop_id}:{name.casefold()}"
    cached = runtime.redis.get(key)
    if cached is not None:
        return (cached.decode() if isinstance(cached, bytes) else str(cached)) or None
    found = None
    brands = client.catalog.brands(page_size=100, brand_name=name, category_id=category_id).get("brands") or []
    for brand in brands:
        if str(brand.get("name", "")).casefold() != name.casefold():
            continue
        usable = brand.get("authorized_status") == "AUTHORIZED" or not brand.get("is_t1_brand")
        if not usable:
            raise DataError(f"The brand '{name}' is a protected brand on TikTok and your shop is not authorised "
                            "to sell it.", code="brand_not_authorised",
                            fix="Get the brand authorised in Seller Center, or remove the brand from the product.",
                            field="brand")
        found = str(brand["id"])
        break
    if found is None:
        try:
            found = str(client.catalog.create_brand(name)["id"])
        except DataError:
            found = ""  # TikTok would not take it as a custom brand: list without a brand
    runtime.redis.set(key, found, ex=24 * 3600)
    return found or None


# ---- the operations ------------------------------------------------------------------------------------

def _prepare(runtime: "Runtime", store_id: str, product_id: str) -> tuple[str, Any]:
    """Phase 1 for a create: ("stop", status) when there is nothing to send, else ("go", (loaded, client))."""
    from hub.tiktok.connection import client_for_shop

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        snapshot = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                                ProductSnapshot.product_id == product_id))
        if store is None or snapshot is None:
            return "stop", "missing"
        if snapshot.deleted:
            return "delist", None
        listing = _listing(session, store_id, product_id)
        if listing.tiktok_product_id:
            return "stop", listing.status
        held = linking.hold(session, store_id, product_id)
        if held is not None:  # it may already be on TikTok: never create it twice
            set_status(listing, NOT_SYNCED, held.reason, held.fix, held.code)
            return "stop", "held"
        blocked = sync_blocked_reason(session, store)
        if blocked:
            set_status(listing, listing.status if listing.status != NEEDS_CATEGORY else NOT_SYNCED, blocked,
                       "Fix the store set-up described above; products resume by themselves.", "sync_blocked",
                       listing.issues)
            return "stop", "blocked"
        override = session.scalar(select(ProductOverride).where(ProductOverride.store_id == store_id,
                                                                ProductOverride.product_id == product_id,
                                                                ProductOverride.variant_id == ""))
        resolved = categories.resolve(session, store_id, snapshot.data, override=override)
        if resolved is None:
            resolved = categories.resolve_on_fresh_read(session, store_id,
                                                        {product_id: (snapshot.data, override)})[product_id]
        if resolved is None:
            set_status(listing, NEEDS_CATEGORY, "The product's store category is not mapped to a TikTok category.",
                       "Map its category on the settings page (or hub category map).", "needs_category")
            return "stop", NEEDS_CATEGORY
        shop = _connected_shop(session, store)
        plan = categories.ensure_plan(session, store_id, product_id)
        client = client_for_shop(runtime, shop)
        try:
            resolved = categories.with_version(runtime, shop.shop_id, client, resolved)
            loaded = load(runtime, session, store, snapshot, shop, client, resolved, plan)
        except BaseException:
            client.close()
            raise
        session.expunge(shop)
        return "go", (loaded, client)


def list_product(runtime: "Runtime", store_id: str, product_id: str) -> str:
    """Validate and create one product on TikTok; returns the resulting status."""
    with _listing_lock(runtime, store_id, product_id):
        verdict, value = _prepare(runtime, store_id, product_id)
        if verdict == "delist":
            return delist_product(runtime, store_id, product_id)
        if verdict == "stop":
            return value
        loaded, client = value
        with client:
            return _create(runtime, loaded, client)


def _create(runtime: "Runtime", loaded: Loaded, client: "ShopClient") -> str:
    store_id, product = loaded.store_id, loaded.product
    product_id = str(product["id"])
    draft, findings = build_draft(product, loaded.inputs)
    if draft is None:
        return fail(runtime, store_id, product_id, findings)

    with runtime.db.session_scope() as session:
        cap = planner.daily_cap(session, loaded.merchant_id)
        granted = planner.reserve(runtime, session, loaded.shop.shop_id, loaded.merchant_id, store_id, product_id, cap)
        if not granted:
            return _defer(runtime, session, loaded)

    def give_back(status: str) -> str:
        planner.release(runtime, loaded.shop.shop_id, store_id, product_id)
        return status

    with ImageUploader(runtime, loaded.shop.shop_id, client) as uploader:
        parts, image_findings = rehost(uploader, draft, product)
    if image_findings.errors:
        for issue in findings.warnings:
            if issue.field != "description":  # the pictures' failure comes first; the preview's notes would repeat
                image_findings.add_issue(issue)
        return give_back(fail(runtime, store_id, product_id, image_findings))
    merge_warnings(findings, image_findings)
    body = assemble(draft, parts)
    try:
        missing = identifiers_needed(loaded, draft)
        if missing:
            return give_back(fail(runtime, store_id, product_id, missing + findings.warnings))
        brand = brand_id(runtime, loaded.shop, client, draft.brand, loaded.inputs.category_id)
        if brand:
            body["brand_id"] = brand
        unsure = _create_sent(runtime, store_id, product_id)
        created = client.products.create(body, idempotency_key=loaded.plan_key)
    except DataError as error:
        if error.code == LISTING_LIMIT_CODE:
            with runtime.db.session_scope() as session:
                planner.release(runtime, loaded.shop.shop_id, store_id, product_id)
                planner.mark_full(runtime, loaded.shop.shop_id, planner.daily_cap(session, loaded.merchant_id))
                return _defer(runtime, session, loaded)
        issue = tiktok_refusal(product, error) if error.code.startswith("tiktok_") else \
            _error_issue(product, error, "Correct it, then click Sync.")
        return give_back(fail(runtime, store_id, product_id, [issue] + findings.warnings))
    _record_created(runtime, loaded, draft, created, findings, body, parts, unsure=unsure)
    if unsure:  # what TikTok holds is unknown until sent: stock now, the price once the review is over
        from hub.sync.stock.schedule import after_stock_changes

        after_stock_changes(runtime, store_id, [product_id])
    from hub.sync.products import review  # review builds on this module

    review.after_created(runtime, client, loaded.shop.shop_id, store_id, product_id, str(created["product_id"]))
    return UNDER_REVIEW


def _create_sent(runtime: "Runtime", store_id: str, product_id: str) -> bool:
    """Note that a create is about to be sent; True when an earlier one was sent and never recorded.

    TikTok answers a create with an idempotency key it has seen with the product that first create made,
    with that create's prices and stock, not this body's. A change made while the retry waited would then
    be recorded as sent though TikTok never got it.
    """
    with runtime.db.session_scope() as session:
        plan = categories.ensure_plan(session, store_id, product_id)
        unsure = plan.create_sent_at is not None
        plan.create_sent_at = _now()
    return unsure


def _defer(runtime: "Runtime", session: Session, loaded: Loaded) -> str:
    product_id = str(loaded.product["id"])
    plan = categories.ensure_plan(session, loaded.store_id, product_id)
    if plan.planned_for is None:
        plan.planned_for = planner.today()
    _listing(session, loaded.store_id, product_id)
    session.flush()
    due = planner.replan(runtime, session, loaded.shop.shop_id, loaded.merchant_id)
    session.flush()
    if (loaded.store_id, product_id) in due:
        # a slot came free meanwhile: let the job run again rather than wait for the planner tick
        from hub.sync.products.schedule import enqueue_listing

        session.commit()
        enqueue_listing(runtime, loaded.store_id, product_id)
    return NOT_SYNCED


def external_id_prefix(store_id: str) -> str:
    return f"{store_id}-"


def _match_skus(draft: Draft, reply_skus: list[Mapping[str, Any]]) -> list[str | None]:
    by_external = {str(s.get("external_sku_id")): str(s["id"]) for s in reply_skus if s.get("external_sku_id")}
    by_seller = {str(s.get("seller_sku")): str(s["id"]) for s in reply_skus if s.get("seller_sku")}
    out = []
    for index, variant in enumerate(draft.variants):
        sku = draft.body["skus"][index]
        found = by_external.get(sku["external_sku_id"]) or by_seller.get(sku["seller_sku"])
        if found is None and len(reply_skus) == len(draft.variants):
            found = str(reply_skus[index].get("id"))
        out.append(found)
    return out


def _write_bindings(session: Session, store_id: str, product_id: str, tiktok_product_id: str, draft: Draft,
                    sku_ids: list[str | None], versions: Mapping[str, int], *, keep_pushed: bool = False,
                    sent_unknown: bool = False) -> None:
    old = {b.variant_id: b for b in session.scalars(select(SkuBinding).where(
        SkuBinding.store_id == store_id, SkuBinding.product_id == product_id))}
    session.execute(delete(SkuBinding).where(SkuBinding.store_id == store_id, SkuBinding.product_id == product_id))
    session.flush()
    now = _now()
    for index, variant in enumerate(draft.variants):
        sku_id = sku_ids[index]
        if not sku_id:
            continue
        variant_id = str(variant.get("id"))
        previous = old.get(variant_id) if keep_pushed else None
        session.add(SkuBinding(
            store_id=store_id, product_id=product_id, variant_id=variant_id, tiktok_product_id=tiktok_product_id,
            tiktok_sku_id=sku_id, seller_sku=draft.body["skus"][index]["seller_sku"],
            tiktok_warehouse_id=_created_warehouse(draft.body["skus"][index], old.get(variant_id), sku_id),
            pushed_price=previous.pushed_price if previous else None if sent_unknown else draft.prices[index],
            pushed_quantity=previous.pushed_quantity if previous else None if sent_unknown else draft.quantities[index],
            pushed_version=previous.pushed_version if previous else versions.get(variant_id, 0),
            pushed_at=previous.pushed_at if previous else now))


def _created_warehouse(sent: Mapping[str, Any], previous: SkuBinding | None, sku_id: str) -> str | None:
    """The warehouse the SKU was created with: kept for an existing SKU (an edit leaves its stock
    alone), else the one its inventory was sent to; stock updates must name it (hub.sync.stock)."""
    if previous is not None and previous.tiktok_sku_id == sku_id:
        return previous.tiktok_warehouse_id
    inventory = sent.get("inventory") or [{}]
    return inventory[0].get("warehouse_id")


def remember_sent(listing: Listing, body: Mapping[str, Any], parts: Mapping[str, Any]) -> None:
    """Keep the body TikTok accepted, with the addresses of the pictures it hosts, for the product page."""
    listing.sent_body = {"body": dict(body), "picture_urls": dict(parts.get("picture_urls") or {})}
    listing.sent_at = _now()


def _record_created(runtime: "Runtime", loaded: Loaded, draft: Draft, created: Mapping[str, Any],
                    findings: Findings, body: Mapping[str, Any], parts: Mapping[str, Any], *,
                    unsure: bool = False) -> None:
    """`unsure`: TikTok may hold an earlier attempt's prices and stock (`_create_sent`); the bindings then
    record none as sent, so the pusher sends the store's values."""
    store_id, product_id = loaded.store_id, str(loaded.product["id"])
    tiktok_id = str(created["product_id"])
    sku_ids = _match_skus(draft, created.get("skus") or [])
    with runtime.db.session_scope() as session:
        versions = {row.variant_id: row.version for row in session.scalars(select(VariantStock).where(
            VariantStock.store_id == store_id, VariantStock.product_id == product_id))}
        _write_bindings(session, store_id, product_id, tiktok_id, draft, sku_ids, {} if unsure else versions,
                        sent_unknown=unsure)
        listing = _listing(session, store_id, product_id)
        listing.tiktok_product_id = tiktok_id
        remember_sent(listing, body, parts)
        warnings = [w for w in findings.as_list() if w["level"] == "warning"]
        for warning in created.get("warnings") or []:
            warnings.append({"code": "tiktok_warning", "level": "warning", "field": None, "variant": None,
                             "message": f"TikTok: {warning.get('message')}", "fix": "Check it in Seller Center."})
        set_status(listing, UNDER_REVIEW, "Created on TikTok and waiting for TikTok's review.", None, None,
                   warnings or None)
        plan = categories.ensure_plan(session, store_id, product_id)
        plan.created_on = planner.today()
        plan.create_sent_at = None
        plan.planned_for = None
        plan.sent_hash = loaded.content_hash
        plan.details_changed = False
        plan.tiktok_status = "PENDING"
        plan.review_reason = None


def _prepare_existing(runtime: "Runtime", store_id: str, product_id: str):  # noqa: ANN202
    from hub.tiktok.connection import client_for_shop

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        snapshot = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                                ProductSnapshot.product_id == product_id))
        listing = session.scalar(select(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id))
        if store is None or snapshot is None or listing is None or not listing.tiktok_product_id:
            return None
        if snapshot.deleted:
            return "delist"
        blocked = sync_blocked_reason(session, store)
        if blocked:
            listing.reason, listing.reason_code = blocked, "sync_blocked"
            return None
        override = session.scalar(select(ProductOverride).where(ProductOverride.store_id == store_id,
                                                                ProductOverride.product_id == product_id,
                                                                ProductOverride.variant_id == ""))
        resolved = categories.resolve(session, store_id, snapshot.data, override=override)
        if resolved is None:
            set_status(listing, listing.status, "The product's store category is no longer mapped, so its details "
                       "cannot be resent.", "Map its category on the settings page.", "needs_category", listing.issues)
            return None
        shop = _connected_shop(session, store)
        plan = categories.ensure_plan(session, store_id, product_id)
        client = client_for_shop(runtime, shop)
        resolved = categories.with_version(runtime, shop.shop_id, client, resolved)
        loaded = load(runtime, session, store, snapshot, shop, client, resolved, plan)
        session.expunge(shop)
        bindings = {b.variant_id: b.tiktok_sku_id for b in session.scalars(select(SkuBinding).where(
            SkuBinding.store_id == store_id, SkuBinding.product_id == product_id))}
        return loaded, client, listing.tiktok_product_id, listing.status, bindings


def resync_details(runtime: "Runtime", store_id: str, product_id: str) -> str:
    """Resend the product's details (the "Resync details" action; also resubmits a failed review).

    Every existing SKU by id, so none is dropped; price and stock of existing SKUs are left out (the
    stock path owns them), new variants come with theirs. The product is read first and edited with a
    partial edit of the fields the hub owns, or a full edit carrying over the rest (`edits.plan_edit`).
    """
    with _listing_lock(runtime, store_id, product_id):
        prepared = _prepare_existing(runtime, store_id, product_id)
        if prepared == "delist":
            return delist_product(runtime, store_id, product_id)
        if prepared is None:
            return "skipped"
        loaded, client, tiktok_id, previous_status, bindings = prepared
        with client:
            return _edit(runtime, loaded, client, tiktok_id, previous_status, bindings)


def _edit(runtime: "Runtime", loaded: Loaded, client: "ShopClient", tiktok_id: str, previous_status: str,
          bindings: Mapping[str, str]) -> str:
    store_id, product = loaded.store_id, loaded.product
    product_id = str(product["id"])
    draft, findings = build_draft(product, loaded.inputs)
    if draft is None:
        return _edit_failed(runtime, store_id, product_id, findings.as_list())
    with ImageUploader(runtime, loaded.shop.shop_id, client) as uploader:
        parts, image_findings = rehost(uploader, draft, product)
    if image_findings.errors:
        return _edit_failed(runtime, store_id, product_id, image_findings.as_list())
    merge_warnings(findings, image_findings)
    body = assemble(draft, parts)
    for index, variant in enumerate(draft.variants):
        sku_id = bindings.get(str(variant.get("id")))
        if sku_id:
            body["skus"][index]["id"] = sku_id
            body["skus"][index].pop("price", None)
            body["skus"][index].pop("inventory", None)
    try:
        brand = brand_id(runtime, loaded.shop, client, draft.brand, loaded.inputs.category_id)
        if brand:
            body["brand_id"] = brand
        body.pop("save_mode", None)
        # Read first: what the merchant changed in Seller Center and the hub does not own must survive.
        kind, request = edits.plan_edit(body, client.products.get(tiktok_id))
        if kind == "partial":
            edited = client.products.partial_edit(tiktok_id, request)
        else:
            edited = client.products.edit(tiktok_id, request)
    except DataError as error:
        return _edit_failed(runtime, store_id, product_id, [tiktok_refusal(product, error).as_dict()])
    sku_ids = _match_skus(draft, edited.get("skus") or [])
    with runtime.db.session_scope() as session:
        versions = {row.variant_id: row.version for row in session.scalars(select(VariantStock).where(
            VariantStock.store_id == store_id, VariantStock.product_id == product_id))}
        _write_bindings(session, store_id, product_id, tiktok_id, draft, sku_ids, versions, keep_pushed=True)
        listing = _listing(session, store_id, product_id)
        remember_sent(listing, body, parts)
        plan = categories.ensure_plan(session, store_id, product_id)
        plan.sent_hash = loaded.content_hash
        plan.details_changed = False
        warnings = [w for w in findings.as_list() if w["level"] == "warning"] or None
        if previous_status == ACTIVE:
            set_status(listing, ACTIVE, "Details resent; TikTok reviews the changes while the product stays on sale.",
                       issues=warnings)
        else:
            set_status(listing, UNDER_REVIEW, "Resubmitted to TikTok and waiting for TikTok's review.",
                       issues=warnings)
            plan.tiktok_status = "PENDING"
        return listing.status


def _edit_failed(runtime: "Runtime", store_id: str, product_id: str, issues: list[dict[str, Any]]) -> str:
    """An edit that cannot be sent leaves the TikTok product as it is; the reason says why."""
    first = next((i for i in issues if i["level"] == "error"), issues[0])
    with runtime.db.session_scope() as session:
        listing = _listing(session, store_id, product_id)
        status = listing.status
        set_status(listing, status, f"Details could not be resent: {first['message']}", first["fix"], first["code"],
                   issues)
        return status


def delist_product(runtime: "Runtime", store_id: str, product_id: str) -> str:
    """A product deleted in the store is deactivated on TikTok (kept there, recoverable, not deleted).

    TikTok only deactivates live products; one still in review, failed or in draft cannot be bought, so
    it is deleted instead (its data stays in the store and a new listing can be made at any time).
    """
    from hub.tiktok.connection import client_for_shop

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        listing = session.scalar(select(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id))
        if store is None or listing is None:
            return "missing"
        if not listing.tiktok_product_id:
            plan = session.scalar(select(ListingPlan).where(ListingPlan.store_id == store_id,
                                                           ListingPlan.product_id == product_id))
            if plan is not None:
                session.delete(plan)
            session.delete(listing)
            return "removed"
        if listing.status == SYNCED and listing.reason_code == "deleted_in_store":
            return SYNCED
        shop = _connected_shop(session, store)
        tiktok_id = listing.tiktok_product_id
        client = client_for_shop(runtime, shop)
    with client:
        errors = client.products.deactivate([tiktok_id]).get("errors") or []
        action = "deactivated"
        if errors and str(errors[0].get("code")) in ("12052901", "12052990"):
            errors = client.products.delete([tiktok_id]).get("errors") or []
            action = "deleted"
        if errors and str(errors[0].get("code")) not in ("12052032",):  # already gone is fine
            raise DataError(f"TikTok refused to take the deleted product off sale: {errors[0].get('message')}",
                            code=f"tiktok_{errors[0].get('code')}")
    with runtime.db.session_scope() as session:
        listing = _listing(session, store_id, product_id)
        set_status(listing, SYNCED, f"Deleted in your store, so it was {action} on TikTok.",
                   "Restore the product in your store and click Sync to list it again.", "deleted_in_store",
                   kept_warnings(listing))
        plan = categories.ensure_plan(session, store_id, product_id)
        plan.tiktok_status = "SELLER_DEACTIVATED" if action == "deactivated" else "DELETED"
    return SYNCED


def reactivate(runtime: "Runtime", store_id: str, product_id: str) -> str:
    """A product restored in the store after a delist: activate it again on TikTok (re-reviewed)."""
    from hub.tiktok.connection import client_for_shop

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        listing = session.scalar(select(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id))
        if store is None or listing is None or not listing.tiktok_product_id:
            return "missing"
        tiktok_id = listing.tiktok_product_id
        client = client_for_shop(runtime, _connected_shop(session, store))
    with client:
        errors = client.products.activate([tiktok_id]).get("errors") or []
        if errors and str(errors[0].get("code")) == "12052990":
            errors = client.products.recover([tiktok_id]).get("errors") or []
            if not errors:
                errors = client.products.activate([tiktok_id]).get("errors") or []
    with runtime.db.session_scope() as session:
        listing = _listing(session, store_id, product_id)
        if errors:
            set_status(listing, SYNCED, f"TikTok would not activate the product again: {errors[0].get('message')}",
                       f"Check it in Seller Center: {SELLER_CENTER_URL}", f"tiktok_{errors[0].get('code')}",
                       kept_warnings(listing))
            return SYNCED
        set_status(listing, UNDER_REVIEW, "Activated again on TikTok and waiting for TikTok's review.",
                   issues=kept_warnings(listing))
        return UNDER_REVIEW


__all__ = ["list_product", "resync_details", "delist_product", "reactivate", "set_status", "fail",
           "SELLER_CENTER_URL", "FAILED_REVIEW"]
