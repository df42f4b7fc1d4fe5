"""Store product → TikTok create body, with every rule checked first (docs/product-rules.md, docs/tiktok-api.md).

`build_draft` is pure: it reads the canonical product and what the hub knows (category attributes and
rules, merchant overrides and defaults, price and stock rules) and returns a `Draft` — the create body
without the parts that need TikTok (uploaded image uris, the re-hosted description, the brand id) —
plus every finding. Nothing here calls TikTok, so a product that cannot pass costs the shop nothing.

Variants become SKUs (docs/product-rules.md): each option (custom ones included) is a sales attribute, in the
order of the first variant's options; the first option is the primary attribute and carries the
variant image (`sku_img`). `external_product_id` / `external_sku_id` are the store's own ids, led by
the store's id so that two stores of one merchant never claim the same id on the shared TikTok shop.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from hub.sync.products import pricing, reasons, text_rules, vat, vocabulary
from hub.sync.products.attributes import chosen_value_ids, condition_met, map_attributes
from hub.sync.products.description import DescriptionResult, convert_description, has_text
from hub.sync.products.errors import ProductDataError
from hub.sync.products.identifiers import IdentifierCode, normalise_identifier
from hub.sync.products.issues import WARNING, Findings, variant_label
from hub.sync.products.units import package_dimensions_from_canonical, package_weight_from_canonical

TITLE_MAX = 255
MAX_MAIN_IMAGES = 9
MAX_SKUS = 300
MAX_SALES_ATTRIBUTES = 3
SALES_NAME_MAX = 20
SALES_VALUE_MAX = 50
SELLER_SKU_MAX = 50
UNTRACKED_QUANTITY = 100  # a variant whose stock the store does not track is offered as 100 units

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SKU_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

FIX_TITLE = "Edit the product title in your store, then click Sync."
FIX_VARIANTS = "Edit the product's variants in your store, then click Sync."


@dataclass
class ListingInputs:
    """What the hub knows besides the product itself."""

    category_id: str
    category_version: str
    is_book_category: bool
    attributes: list[Mapping[str, Any]]
    rules: Mapping[str, Any]
    price_rule: pricing.PriceRule
    stock_rule: pricing.StockRule
    warehouse_id: str
    category_defaults: Mapping[str, Any] = field(default_factory=dict)  # attributes
    size_chart_default: Mapping[str, Any] | None = None
    certification_defaults: list[Mapping[str, Any]] = field(default_factory=list)
    product_override: Any = None  # ProductOverride for the product (variant_id "")
    variant_overrides: Mapping[str, Any] = field(default_factory=dict)  # variant_id → ProductOverride
    package_defaults: Mapping[str, Any] = field(default_factory=dict)  # {"weight": {...}, "dimensions": {...}}
    stock: Mapping[str, tuple[int, str | None]] = field(default_factory=dict)  # variant id → (qty, price)
    # The store's word for option types, for the reasons ("attributes": WooCommerce, Magento).
    option_word: str = vocabulary.DEFAULT_OPTION_WORD
    # The merchant's VAT rate per store tax class, for products whose prices exclude VAT.
    vat_classes: Mapping[str, str] = field(default_factory=dict)
    # TikTok refuses an external_product_id another live product of the shop uses (12052996); two stores of
    # one merchant share the shop and may both have a product "101", so the store's id leads every id.
    id_prefix: str = ""


@dataclass
class Draft:
    body: dict[str, Any]
    variants: list[Mapping[str, Any]]  # canonical variants, in SKU order
    main_image_urls: list[str]
    sku_image_urls: dict[int, str]  # SKU index → variant image url (on the primary attribute)
    description_html: str
    description_base_url: str | None
    size_chart: Mapping[str, Any] | None
    certifications: list[Mapping[str, Any]]
    brand: str | None
    missing_codes: list[Mapping[str, Any]]  # variants without an identifier code
    prices: list[str]
    quantities: list[int]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def check_title(title: str, findings: Findings) -> None:
    """TikTok's title rules, on the plain-text title (`text_rules.plain_title`); a refused title is an error
    naming the product: the merchant words the title, the hub does not rewrite it."""
    if not title.strip():
        findings.add("title_missing", "the product has no title; TikTok requires one.", FIX_TITLE, field="title")
    elif len(title) > TITLE_MAX:
        findings.add("title_too_long", f"the title has {len(title)} characters; TikTok allows {TITLE_MAX}.",
                     f"Shorten the title to {TITLE_MAX} characters in your store, then click Sync.", field="title")
    elif _CJK.search(title):
        findings.add("title_chinese", "the title contains Chinese characters, which TikTok Shop UK does not accept.",
                     FIX_TITLE, field="title")
    elif refused := text_rules.refusals(title):
        findings.add("title_format", f"the title has {' and '.join(refused)}, which TikTok does not accept.",
                     "Write the title without them in your store, then click Sync.", field="title")


def description_warnings(converted: DescriptionResult, findings: Findings) -> None:
    """What the product's page says about its description, from one conversion (the preview here; the
    final one, with TikTok's picture addresses, when the product is sent): never two versions at once."""
    if not has_text(converted.html):
        findings.add("description_missing", "the product has no description text, so its title is used as the "
                     "description.", "Write a description in your store for a better listing.",
                     field="description", level=WARNING)
    for warning in converted.warnings:
        if "could not be copied" in warning:
            findings.add("description_images_left_out", warning, field="description", level=WARNING)
        else:
            findings.add("description_changed", warning, "Edit the description in your store if this matters.",
                         field="description", level=WARNING)


def generated_seller_sku(product_id: str, variant_id: str) -> str:
    """Stable: the same store variant always gets the same seller SKU."""
    base = _SKU_UNSAFE.sub("-", f"P{product_id}-V{variant_id}").strip("-")
    if len(base) <= SELLER_SKU_MAX:
        return base
    return "H" + hashlib.sha256(f"{product_id}/{variant_id}".encode()).hexdigest()[:40]


def _price_and_quantity(product: Mapping[str, Any], variant: Mapping[str, Any], inputs: ListingInputs,
                        findings: Findings) -> tuple[str | None, int | None]:
    quantity, price = variant.get("quantity"), variant.get("price")
    latest = inputs.stock.get(str(variant.get("id")))
    if latest is not None:
        quantity = latest[0]
        price = latest[1] if latest[1] is not None else price
    currency = _text(variant.get("currency") or "GBP").upper()
    amount: str | None = None
    if price in (None, ""):
        findings.add("price_missing", "the variant has no price.", "Set a price for it in your store, then click Sync.",
                     field="price", variant=variant)
    else:
        try:
            gross = vat.for_variant(product, variant, inputs.vat_classes).gross(price)
            marked = pricing.apply_price(gross, inputs.price_rule)
            amount = pricing.tiktok_price(marked, currency=currency)["amount"]
        except ProductDataError as error:
            fix = ("Set the store currency to GBP." if error.code == "currency_not_gbp" else
                   reasons.fix_for(error.code) if error.code == reasons.VAT_RATE_MISSING else
                   "Correct the price in your store or the price rule on the settings page, then click Sync.")
            findings.add(error.code, error.message.split(": ", 1)[-1], fix, field="price", variant=variant)
    units: int | None = None
    if variant.get("manage_stock") is False:
        units = UNTRACKED_QUANTITY
    else:
        try:
            units = pricing.apply_stock(int(quantity or 0) if not isinstance(quantity, bool) else 0, inputs.stock_rule)
        except (ProductDataError, TypeError, ValueError):
            findings.add("stock_invalid", f"the stock quantity {quantity!r} is not a whole number.",
                         "Correct the stock in your store.", field="quantity", variant=variant)
        else:
            if int(quantity or 0) < 0:  # back-orders: sold out on TikTok, never a reason to refuse the product
                findings.add(reasons.STOCK_NEGATIVE, f"the store's stock is {quantity} (back-ordered); TikTok is "
                             "offered 0 of it.", field="quantity", variant=variant, level=WARNING)
    return amount, units


def _identifier(variant: Mapping[str, Any], override: Any, inputs: ListingInputs,
                findings: Findings) -> IdentifierCode | None:
    code, kind = variant.get("barcode"), variant.get("barcode_type")
    if override is not None and override.identifier_code:
        code, kind = override.identifier_code, override.identifier_type
    if code is None or not str(code).strip():
        return None
    try:
        return normalise_identifier(code, str(kind) if kind else None, variant=None,
                                    book_category=inputs.is_book_category)
    except ProductDataError as error:
        findings.add(error.code, error.message, "Correct the barcode in your store (or the identifier code on the "
                     "settings page), then click Sync.", field="identifier_code", variant=variant)
        return None


def _package(product: Mapping[str, Any], variants: list[Mapping[str, Any]], inputs: ListingInputs,
             findings: Findings, body: dict[str, Any]) -> None:
    po = inputs.product_override
    weight_sources: list[tuple[str, Any]] = []
    if po is not None and po.package_weight:
        weight_sources.append(("the product's package weight override", po.package_weight))
    elif product.get("weight"):
        weight_sources.append(("the product weight", product["weight"]))
    else:
        for variant in variants:
            vo = inputs.variant_overrides.get(str(variant.get("id")))
            raw = (vo.package_weight if vo is not None and vo.package_weight else None) or variant.get("weight")
            if raw:
                weight_sources.append((f"the weight of {variant_label(variant)}", raw))
        if not weight_sources and inputs.package_defaults.get("weight"):
            weight_sources.append(("the default package weight", inputs.package_defaults["weight"]))
    if not weight_sources:
        findings.add("package_weight_missing", "the package weight is missing; TikTok requires it for every product.",
                     "Set the product's weight in your store, a package weight for it on the settings page, or a "
                     "default package weight for the store.", field="package_weight")
    else:
        best = None
        for where, raw in weight_sources:
            try:
                converted = package_weight_from_canonical(raw)
            except ProductDataError as error:
                findings.add(error.code, f"{where} cannot be used: {error.message}",
                             "Correct the weight in your store or on the settings page.", field="package_weight")
                continue
            if best is None or Decimal(converted.value) > Decimal(best.value):
                best = converted  # the heaviest variant decides the parcel
        if best is not None:
            body["package_weight"] = best.as_tiktok()

    required = bool((inputs.rules.get("package_dimension") or {}).get("is_required"))
    raw_dims, where = None, ""
    if po is not None and po.package_dimensions:
        raw_dims, where = po.package_dimensions, "the product's package size override"
    elif product.get("dimensions"):
        raw_dims, where = product["dimensions"], "the product dimensions"
    else:
        for variant in variants:
            vo = inputs.variant_overrides.get(str(variant.get("id")))
            candidate = (vo.package_dimensions if vo is not None and vo.package_dimensions else None) or \
                variant.get("dimensions")
            if candidate:
                raw_dims, where = candidate, f"the dimensions of {variant_label(variant)}"
                break
        if raw_dims is None and inputs.package_defaults.get("dimensions"):
            raw_dims, where = inputs.package_defaults["dimensions"], "the default package size"
    if raw_dims is None:
        if required:
            findings.add("package_dimensions_missing",
                         "TikTok requires the package length, width and height for this category, and none are set.",
                         "Set the product's dimensions in your store, a package size on the settings page, or a "
                         "default package size for the store.", field="package_dimensions")
        return
    try:
        body["package_dimensions"] = package_dimensions_from_canonical(raw_dims).as_tiktok()
    except ProductDataError as error:
        if required:
            findings.add(error.code, f"{where} cannot be used: {error.message}",
                         "Correct the dimensions in your store or on the settings page.", field="package_dimensions")


def _sales_attributes(product: Mapping[str, Any], variants: list[Mapping[str, Any]], findings: Findings,
                      word: str = vocabulary.DEFAULT_OPTION_WORD) -> list[list[dict[str, str]]] | None:
    """Per variant, its sales attributes (name/value_name); None when the variants cannot be told apart.

    `word` is the store's plural for option types ("attributes" / "options"): the merchant reads the
    reason in their store's terms."""
    one = word[:-1] if word.endswith("s") else word
    if len(variants) == 1 and not (variants[0].get("options") or {}):
        return [[]]
    names: list[str] = []
    for variant in variants:
        for name in (variant.get("options") or {}):
            if name not in names:
                names.append(name)
    ok = True
    if not names:
        findings.add("variants_without_options", f"the product has {len(variants)} variants but no {word} "
                     "(such as Size or Colour) tell them apart.", f"Give each variant its {one} values in your store.",
                     field="variants.options")
        return None
    if len(names) > MAX_SALES_ATTRIBUTES:
        findings.add("too_many_options", f"the variants use {len(names)} {one} types ({', '.join(names)}); "
                     f"TikTok allows {MAX_SALES_ATTRIBUTES}.",
                     f"Combine or remove {word} in your store so at most {MAX_SALES_ATTRIBUTES} remain, then click Sync.",
                     field="variants.options")
        ok = False
    for name in names:
        if len(str(name)) > SALES_NAME_MAX:
            findings.add("option_name_too_long", f"the {one} name '{name}' is longer than {SALES_NAME_MAX} "
                         f"characters.", f"Shorten the {one} name to {SALES_NAME_MAX} characters in your store.",
                         field="variants.options")
            ok = False
    combos: dict[tuple, Mapping[str, Any]] = {}
    out = []
    for variant in variants:
        options = variant.get("options") or {}
        missing = [n for n in names if str(options.get(n) or "").strip() == ""]
        if missing:
            findings.add("variant_option_missing", f"the variant has no value for {', '.join(missing)}; TikTok needs "
                         f"every variant to have a value for every {one}.", FIX_VARIANTS,
                         field="variants.options", variant=variant)
            ok = False
            continue
        for n in names:
            if len(str(options[n]).strip()) > SALES_VALUE_MAX:
                findings.add("option_value_too_long", f"the {n} value '{str(options[n])[:60]}' is longer than "
                             f"{SALES_VALUE_MAX} characters.", f"Shorten it to {SALES_VALUE_MAX} characters in your store.",
                             field=f"variants.options.{n}", variant=variant)
                ok = False
        combo = tuple(str(options[n]).strip().casefold() for n in names)
        if combo in combos:
            first = combos[combo]
            findings.add("variant_duplicate", f"the variant has the same options as {variant_label(first)} "
                         f"({', '.join(f'{n}: {options[n]}' for n in names)}); TikTok needs each combination once.",
                         "Give the variants different option values, or delete one, in your store.",
                         field="variants.options", variant=variant)
            ok = False
        combos[combo] = variant
        out.append([{"name": str(n).strip(), "value_name": str(options[n]).strip()} for n in names])
    return out if ok else None


def usable_size_chart(chart: Any) -> Mapping[str, Any] | None:
    """A size chart the exporter can send: a shop template, a picture TikTok hosts, or a picture address."""
    if isinstance(chart, Mapping) and (chart.get("template_id") or chart.get("image_uri") or chart.get("image_url")):
        return chart
    return None


def usable_certificate(entry: Any) -> bool:
    return isinstance(entry, Mapping) and bool(entry.get("id")) and bool(
        entry.get("image_urls") or entry.get("images") or entry.get("files"))


def _size_chart_and_certificates(product: Mapping[str, Any], inputs: ListingInputs, chosen: Mapping[str, set[str]],
                                 findings: Findings) -> tuple[Mapping[str, Any] | None, list[Mapping[str, Any]]]:
    """The size chart and certificates to send, and a finding for each one the category requires and lacks.

    Most specific first: what the merchant set for this product in the hub, then what the store sent
    with the product (`size_chart`, `certifications`), then the category's defaults in the hub.
    """
    po = inputs.product_override
    rule = inputs.rules.get("size_chart") or {}
    size_chart = (usable_size_chart(getattr(po, "size_chart", None))
                  or usable_size_chart(product.get("size_chart")) or usable_size_chart(inputs.size_chart_default))
    if rule.get("is_required") and not size_chart:
        findings.add(reasons.SIZE_CHART_MISSING, "TikTok requires a size chart for this category.",
                     field="size_chart")
    if size_chart and not rule.get("is_supported", True):
        size_chart = None

    given: dict[str, Mapping[str, Any]] = {}
    own = product.get("certifications")
    for source in (inputs.certification_defaults, own if isinstance(own, list) else [],
                   getattr(po, "certifications", None) or []):
        for entry in source:
            if usable_certificate(entry):
                given[str(entry["id"])] = entry  # later sources are more specific and win
    certifications = []
    for cert_rule in inputs.rules.get("product_certifications") or []:
        rule_id = str(cert_rule.get("id"))
        if rule_id in given:
            certifications.append(given[rule_id])
        elif cert_rule.get("is_required") and condition_met(cert_rule.get("requirement_conditions"), chosen):
            note = str(cert_rule.get("document_details") or "").strip()
            findings.add(reasons.CERTIFICATION_MISSING, f"TikTok requires the certificate '{cert_rule.get('name')}' "
                         "for this category.", f"{reasons.fix_for(reasons.CERTIFICATION_MISSING)} {note}".strip(),
                         field="certifications")
    return size_chart, certifications


def build_draft(product: Mapping[str, Any], inputs: ListingInputs) -> tuple[Draft | None, Findings]:
    title = text_rules.plain_title(_text(product.get("title")))
    findings = Findings({**product, "title": title})
    check_title(title, findings)
    variants = [v for v in product.get("variants") or [] if isinstance(v, Mapping)]
    body: dict[str, Any] = {"save_mode": "LISTING", "title": title, "category_id": inputs.category_id,
                            "category_version": inputs.category_version,
                            "external_product_id": inputs.id_prefix + str(product.get("id"))}

    # images
    images = [str(i.get("url")) for i in product.get("images") or [] if isinstance(i, Mapping) and i.get("url")]
    if not images:
        findings.add("images_missing", "the product has no images; TikTok requires at least one.",
                     "Add a product image in your store, then click Sync.", field="images")
    elif len(images) > MAX_MAIN_IMAGES:
        findings.add("images_too_many", f"the product has {len(images)} images; TikTok shows {MAX_MAIN_IMAGES}, so the "
                     f"first {MAX_MAIN_IMAGES} are used.", "Reorder the images in your store if others matter more.",
                     field="images", level=WARNING)
        images = images[:MAX_MAIN_IMAGES]

    # description (preview conversion: structure and length; pictures are re-hosted later)
    description_html = _text(product.get("description_html"))
    try:
        preview = convert_description(description_html, base_url=product.get("url"))
        description_warnings(preview, findings)
    except ProductDataError as error:
        findings.add(error.code, error.message, "Correct the description in your store, then click Sync.",
                     field="description")

    # variants → SKUs
    if not variants:
        findings.add("variants_missing", "the product has no variants (not even one simple variant).",
                     "Re-save the product in your store so the extension sends it again.", field="variants")
    elif len(variants) > MAX_SKUS:
        findings.add("too_many_variants", f"the product has {len(variants):,} variants; TikTok Shop UK allows "
                     f"{MAX_SKUS} per product.", f"Split it into products of at most {MAX_SKUS} variants in your store, "
                     "then click Sync.", field="variants")
    sales = _sales_attributes(product, variants, findings, inputs.option_word) if 0 < len(variants) <= MAX_SKUS else None

    skus: list[dict[str, Any]] = []
    sku_images: dict[int, str] = {}
    missing_codes: list[Mapping[str, Any]] = []
    prices: list[str] = []
    quantities: list[int] = []
    seen_skus: dict[str, Mapping[str, Any]] = {}
    seen_codes: dict[str, Mapping[str, Any]] = {}
    out_of_stock = []
    if 0 < len(variants) <= MAX_SKUS:
        for index, variant in enumerate(variants):
            override = inputs.variant_overrides.get(str(variant.get("id")))
            seller_sku = _text(variant.get("sku")).strip()
            if not seller_sku:
                seller_sku = generated_seller_sku(str(product.get("id")), str(variant.get("id")))
            elif len(seller_sku) > SELLER_SKU_MAX:
                findings.add("seller_sku_too_long", f"the SKU has {len(seller_sku)} characters; TikTok allows "
                             f"{SELLER_SKU_MAX}.", f"Shorten the SKU to {SELLER_SKU_MAX} characters in your store.",
                             field="sku", variant=variant)
            elif re.search(r"\s", seller_sku):
                findings.add("seller_sku_spaces", f"the SKU '{seller_sku}' contains spaces; TikTok does not allow them.",
                             "Remove the spaces from the SKU in your store, then click Sync.", field="sku", variant=variant)
            if seller_sku in seen_skus:
                findings.add("seller_sku_duplicate", f"the SKU '{seller_sku}' is also used by "
                             f"{variant_label(seen_skus[seller_sku])}.", "Give every variant its own SKU in your store.",
                             field="sku", variant=variant)
            seen_skus.setdefault(seller_sku, variant)
            amount, units = _price_and_quantity(product, variant, inputs, findings)
            if units == 0:
                out_of_stock.append(variant)
            code = _identifier(variant, override, inputs, findings)
            if code is None and not any(i.variant == str(variant.get("id")) and i.field == "identifier_code"
                                        for i in findings.errors):
                missing_codes.append(variant)
            elif code is not None:
                if code.code in seen_codes:
                    findings.add("identifier_duplicate", f"the barcode {code.code} is also used by "
                                 f"{variant_label(seen_codes[code.code])}.", "Give every variant its own barcode.",
                                 field="identifier_code", variant=variant)
                seen_codes.setdefault(code.code, variant)
            sku: dict[str, Any] = {"seller_sku": seller_sku, "external_sku_id": inputs.id_prefix + str(variant.get("id")),
                                   "price": {"amount": amount or "0", "currency": pricing.CURRENCY},
                                   "inventory": [{"warehouse_id": inputs.warehouse_id, "quantity": units or 0}]}
            if sales is not None and sales[index]:
                sku["sales_attributes"] = [dict(a) for a in sales[index]]
                if variant.get("image_url"):
                    sku_images[index] = str(variant["image_url"])
            if code is not None:
                sku["identifier_code"] = code.as_tiktok()
            skus.append(sku)
            prices.append(amount or "0")
            quantities.append(units or 0)
    if out_of_stock:
        names = ", ".join(variant_label(v) for v in out_of_stock)
        findings.add("stock_zero_on_create", f"{names} {'is' if len(out_of_stock) == 1 else 'are'} out of stock (after "
                     "the stock buffer); TikTok needs at least 1 unit of every variant when a product is first listed.",
                     "Restock it in your store (or lower the stock buffer); the product is listed automatically once "
                     "it is in stock.", field="quantity")
    body["skus"] = skus

    _package(product, variants, inputs, findings, body)

    # product attributes
    body["product_attributes"] = map_attributes(product, list(inputs.attributes), inputs.category_defaults, findings)
    chosen = chosen_value_ids(body["product_attributes"])

    size_chart, certifications = _size_chart_and_certificates(product, inputs, chosen, findings)

    brand = None
    po = inputs.product_override
    if po is not None and po.brand:
        brand = po.brand.strip()
    elif product.get("brand"):
        brand = str(product["brand"]).strip()

    if findings.errors:
        return None, findings
    return Draft(body=body, variants=variants, main_image_urls=images, sku_image_urls=sku_images,
                 description_html=description_html, description_base_url=product.get("url"), size_chart=size_chart,
                 certifications=certifications, brand=brand or None, missing_codes=missing_codes,
                 prices=prices, quantities=quantities), findings
