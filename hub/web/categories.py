"""Category mapping: the store categories found in the catalog → TikTok leaf categories.

Searching TikTok's tree, checking the chosen category (leaf, allowed for the shop) and storing the
mapping are the listing engine's (`hub.sync.products.categories`); this page gathers the store's
categories from the product snapshots and lets the merchant map many at once.

A mapped category also has a defaults page: values for the TikTok category's product attributes that
products lacking them take (`CategoryDefaults.attributes`, read by the listing engine when it builds a
listing). Saving them re-sends the products of that category that failed for a missing or refused
attribute, so the merchant does not have to find and Sync each one.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from hub.errors import AuthError, DataError, HubError
from marshmallow import ValidationError

from hub.merchant_settings import PackageDefaultsSchema, load_settings
from hub.models import (ActivityEntry, CategoryDefaults, CategoryMapping, Listing, Merchant, ProductOverride,
                        ProductSnapshot, Store)
from hub.models.listings import FAILED_TO_SYNC
from hub.runtime import current
from hub.sync.products import categories as engine
from hub.sync.products import size_charts
from hub.tiktok.connection import client_for_merchant
from hub.web import catalog, category_defaults, scope
from hub.web.db import db
from hub.web.security import merchant_id, web_blueprint

bp = web_blueprint("categories", __name__, url_prefix="/categories")

TREE_CACHE_SECONDS = 3600
MAX_RESULTS = 40


def store_categories(store_id: str) -> list[dict[str, Any]]:
    """Every category path in the store's current catalog, with how many products it holds.

    Reads the paths kept at intake as plain rows: a catalogue of tens of thousands of products is
    counted without decoding any product's JSON.
    """
    found: Counter[str] = Counter()
    shown: dict[str, str] = {}
    example: dict[str, str] = {}  # key → a product id in that category (for TikTok's suggestions)
    query = select(ProductSnapshot.product_id, ProductSnapshot.category_paths).where(
        ProductSnapshot.store_id == store_id, ProductSnapshot.deleted.is_(False))
    for product_id, paths in db().connection().execute(query):
        if paths is None:
            paths = catalog.stored_paths(store_id, product_id)
        for path in paths:
            key = engine.category_key(path)
            found[key] += 1
            shown.setdefault(key, path)
            example.setdefault(key, product_id)
    mappings = engine.store_mappings(db(), store_id)
    return [{"key": key, "path": shown[key], "products": n, "mapping": mappings.get(key), "example": example[key]}
            for key, n in sorted(found.items(), key=lambda kv: shown[kv[0]].casefold())]


def tiktok_leaves() -> list[dict[str, str]]:
    """TikTok's leaf categories with their full names, cached per shop (the tree rarely changes)."""
    runtime = current()
    shop = scope.shop()
    if shop is None:
        raise AuthError("Connect the TikTok shop first: the categories come from TikTok.", code="tiktok_not_connected")
    key = f"hub:web:category-tree:{shop.shop_id}"
    cached = runtime.cached(key)
    if cached:
        return json.loads(cached)
    leaves: list[dict[str, str]] = []
    with client_for_merchant(db(), merchant_id(), runtime) as client:
        for version in engine.VERSIONS:
            try:
                listed = client.catalog.categories(category_version=version).get("categories") or []
            except DataError:
                continue
            by_id = {str(c.get("id")): c for c in listed}
            for category in listed:
                if category.get("is_leaf"):
                    statuses = set(category.get("permission_statuses") or [])
                    leaves.append({"id": str(category["id"]), "name": engine._chain_name(by_id, str(category["id"])),
                                   "version": version,
                                   "restricted": ", ".join(sorted(statuses & {"INVITE_ONLY", "PROHIBITED"})).lower()})
            if leaves:
                break
    runtime.cache_put(key, json.dumps(leaves), TREE_CACHE_SECONDS)
    return leaves


def search(text: str) -> list[dict[str, str]]:
    words = [w for w in text.casefold().split() if w]
    if not words:
        return []
    hits = [leaf for leaf in tiktok_leaves() if all(w in leaf["name"].casefold() or w == leaf["id"] for w in words)]
    return hits[:MAX_RESULTS]


@bp.route("/")
def index() -> Any:
    stores = scope.stores(include_revoked=False)
    store_id = request.args.get("store") or (stores[0].id if stores else "")
    store = scope.store_or_404(store_id) if store_id else None
    text = (request.args.get("q") or "").strip()[:100]
    suggest_for = request.args.get("suggest", "")
    results, suggestions, problem = [], [], None
    rows = store_categories(store.id) if store else []
    try:
        if text:
            results = search(text)
        if suggest_for:
            row = next((r for r in rows if r["key"] == suggest_for), None)
            if row is not None and store is not None:
                with client_for_merchant(db(), merchant_id(), current()) as client:
                    example = db().scalar(select(ProductSnapshot.data).where(
                        ProductSnapshot.store_id == store.id, ProductSnapshot.product_id == row["example"]))
                    suggestions = engine.suggest(client, example or {})
    except HubError as error:
        problem = error.message
    return render_template("categories.html", title="Categories", stores=stores, store=store, rows=rows,
                           text=text, results=results, suggestions=suggestions, suggest_for=suggest_for,
                           problem=problem, chosen=request.args.get("tiktok_category_id", ""))


@bp.route("/map", methods=["POST"])
def map_categories() -> Any:
    store = scope.store_or_404(request.form.get("store_id", ""))
    keys = request.form.getlist("category")
    category_id = (request.form.get("tiktok_category_id") or "").strip()
    back = url_for("categories.index", store=store.id)
    known = {row["key"]: row["path"] for row in store_categories(store.id)}
    paths = [known[k] for k in keys if k in known]
    if not paths:
        flash("Tick at least one store category to map.", "error")
        return redirect(back)
    if not category_id.isdigit():
        flash("Enter the TikTok category id (a number): search for it below or use a suggestion.", "error")
        return redirect(back)
    session = db()
    try:
        with client_for_merchant(session, merchant_id(), current()) as client:
            version, name = engine.find_leaf(client, category_id)
        affected: list[str] = []
        for path in paths:
            _mapping, products = engine.map_category(session, store.id, path, category_id, version=version, name=name)
            affected.extend(p for p in products if p not in affected)
        session.add(ActivityEntry(merchant_id=merchant_id(), store_id=store.id, kind="category.mapped",
                                  subject_type="category", subject_id=category_id,
                                  message=f"Mapped {', '.join(paths)} to the TikTok category {name}; "
                                          f"{len(affected)} product(s) are ready to be sent."))
        session.commit()
    except HubError as error:
        session.rollback()
        fix = getattr(error, "fix", None) or (error.details or {}).get("fix")
        flash(f"Not mapped: {error.message}" + (f" {fix}" if fix else ""), "error")
        return redirect(back)
    from hub.sync.products.schedule import enqueue_listings

    enqueue_listings(current(), store.id, affected)
    flash(f"Mapped {len(paths)} categor{'y' if len(paths) == 1 else 'ies'} to {name}. "
          f"{len(affected)} product(s) are now Not synced and will be sent to TikTok.", "success")
    return redirect(back)



# ---- per-category attribute defaults --------------------------------------------------------------------

# Failures a category default can cure: the engine's own findings and TikTok's "attribute missing".
ATTRIBUTE_CODES = {"attribute_missing", "attribute_value_not_allowed", "tiktok_12052104"}


def mapping_or_404(mapping_id: int) -> tuple[Store, CategoryMapping]:
    """The mapping and its store, only when the store is the logged-in merchant's (404 otherwise)."""
    mapping = db().get(CategoryMapping, mapping_id)
    if mapping is None:
        abort(404)
    return scope.store_or_404(mapping.store_id), mapping


def _defaults_row(store_id: str, tiktok_category_id: str) -> CategoryDefaults | None:
    return db().scalar(select(CategoryDefaults).where(CategoryDefaults.store_id == store_id,
                                                      CategoryDefaults.tiktok_category_id == tiktok_category_id))


def _category_info(mapping: CategoryMapping) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """TikTok's attributes and rules for the mapped category (cached a day by the engine)."""
    session = db()
    shop = scope.shop()
    if shop is None:
        raise AuthError("Connect the TikTok shop first: the attributes come from TikTok.",
                        code="tiktok_not_connected")
    with client_for_merchant(session, merchant_id(), current()) as client:
        info = engine.category_info(session, shop.shop_id, client, mapping.tiktok_category_id,
                                    mapping.category_version)
        attributes, rules = list(info.attributes or []), dict(info.rules or {})
    session.commit()  # keep the cached answer for the engine and the next visit
    return attributes, rules


def _size_chart_templates() -> tuple[list[dict[str, str]], str | None]:
    """The shop's size chart templates for the form, or why they could not be read."""
    try:
        with client_for_merchant(db(), merchant_id(), current()) as client:
            return size_charts.templates(client), None
    except HubError as error:
        return [], f"Your shop's size chart templates could not be read from TikTok: {error.message}"


def _defaults_page(store: Store, mapping: CategoryMapping, fields: list[category_defaults.AttributeField],
                   rules: dict[str, Any], *, errors: dict[str, str] | None = None, problem: str | None = None,
                   status: int = 200) -> Any:
    session = db()
    supply = supplies_view(rules, _defaults_row(store.id, mapping.tiktok_category_id))
    same = list(session.scalars(select(CategoryMapping.category_path).where(
        CategoryMapping.store_id == store.id, CategoryMapping.tiktok_category_id == mapping.tiktok_category_id)
        .order_by(CategoryMapping.category_path)))
    package = load_settings(session.get_one(Merchant, merchant_id()).settings)["package_defaults"]
    row = _defaults_row(store.id, mapping.tiktok_category_id)
    return render_template("category_defaults.html", title=f"Defaults for {mapping.category_path}", store=store,
                           mapping=mapping, same=same, fields=fields, errors=errors or {}, problem=problem,
                           package=package, category_package=(row.package if row else None) or {},
                           package_required=bool((rules.get("package_dimension") or {}).get("is_required")),
                           supply=supply), status


def supplies_view(rules: dict[str, Any], row: Any) -> dict[str, Any]:
    """What the size chart and certificate forms show: TikTok's rules and what is set (category or product)."""
    chart_rule = rules.get("size_chart") or {}
    certs = {str(c.get("id")): c for c in (row.certifications if row is not None else None) or []
             if isinstance(c, dict)}
    templates: list[dict[str, str]] = []
    templates_problem: str | None = None
    if chart_rule.get("is_supported"):
        templates, templates_problem = _size_chart_templates()
    return {"size_chart_supported": bool(chart_rule.get("is_supported")),
            "size_chart_required": bool(chart_rule.get("is_required")),
            "size_chart": (row.size_chart if row is not None else None) or None,
            "size_chart_text": size_charts.describe_size_chart(row.size_chart if row is not None else None),
            "templates": templates, "templates_problem": templates_problem,
            "certificates": [{"rule": rule, "set": certs.get(str(rule.get("id"))),
                              "expires_required": bool((rule.get("expiration_date") or {}).get("is_required"))}
                             for rule in rules.get("product_certifications") or []]}


def read_size_chart(client: Any) -> dict[str, Any] | None:
    """The size chart a posted form asks for: an uploaded picture wins over a template; neither clears it."""
    upload = request.files.get("size_chart_image")
    if upload is not None and upload.filename:
        return size_charts.host_size_chart_picture(client, upload.read(), upload.filename)
    template_id = (request.form.get("template_id") or "").strip()
    if template_id == "keep":
        raise LookupError
    return size_charts.template_choice(client, template_id) if template_id else None


def read_certificate(client: Any, rule_id: str, current_entry: dict[str, Any] | None,
                     expires_required: bool) -> dict[str, Any] | None:
    """One certificate from the posted form: new files replace the old ones; "remove" clears it."""
    if request.form.get(f"cert.{rule_id}.remove") == "1":
        return None
    uploads = [(f.filename or "file", f.read()) for f in request.files.getlist(f"cert.{rule_id}.files") if f.filename]
    expires = size_charts.expiration(request.form.get(f"cert.{rule_id}.expires"))
    if not uploads:
        if current_entry is None:
            if expires is not None:
                raise DataError("Add the certificate's files together with its expiry date.", code="invalid_request",
                                field="file")
            raise LookupError
        entry = dict(current_entry)
        if expires is not None:
            entry["expiration_date"] = expires
        return entry
    if expires_required and expires is None:
        raise DataError("TikTok needs this certificate's expiry date.", code="invalid_request", field="expiration")
    return size_charts.certificate_entry(rule_id, size_charts.host_certificate_files(client, uploads), expires)


@bp.route("/mappings/<int:mapping_id>/defaults")
def defaults(mapping_id: int) -> Any:
    store, mapping = mapping_or_404(mapping_id)
    row = _defaults_row(store.id, mapping.tiktok_category_id)
    try:
        attributes, rules = _category_info(mapping)
    except HubError as error:
        db().rollback()
        return _defaults_page(store, mapping, [], {}, problem=f"TikTok's attributes could not be loaded: "
                              f"{error.message}")
    fields = category_defaults.attribute_fields(attributes, dict(row.attributes or {}) if row else {})
    return _defaults_page(store, mapping, fields, rules)


@bp.route("/mappings/<int:mapping_id>/defaults", methods=["POST"])
def save_defaults(mapping_id: int) -> Any:
    store, mapping = mapping_or_404(mapping_id)
    session = db()
    try:
        attributes, rules = _category_info(mapping)
    except HubError as error:
        session.rollback()
        return _defaults_page(store, mapping, [], {}, problem=f"Nothing was saved: TikTok's attributes could not "
                              f"be loaded ({error.message}). Try again in a minute.", status=503)
    row = _defaults_row(store.id, mapping.tiktok_category_id)
    saved = dict(row.attributes or {}) if row else {}
    fields = category_defaults.attribute_fields(attributes, saved)
    values, errors = category_defaults.parse_form(fields, request.form)
    if errors:
        session.rollback()
        return _defaults_page(store, mapping, fields, rules, errors=errors, status=422)
    if row is None:
        row = CategoryDefaults(store_id=store.id, tiktok_category_id=mapping.tiktok_category_id, attributes={})
        session.add(row)
    row.attributes = category_defaults.merged_attributes(saved, fields, values)
    flag_modified(row, "attributes")
    names = {f.id: f.name for f in fields}
    category = mapping.tiktok_category_name or mapping.tiktok_category_id
    session.add(ActivityEntry(
        merchant_id=merchant_id(), store_id=store.id, kind="category.defaults", subject_type="category",
        subject_id=mapping.tiktok_category_id,
        message=f"Changed the attribute defaults of the TikTok category {category} "
                f"({', '.join(names[k] for k in values) or 'none set'}).",
        data={"attributes": values}))
    resend = _failed_for_attributes(store.id, mapping.tiktok_category_id)
    try:
        session.commit()
    except IntegrityError:  # saved at the same moment from another tab: show what is stored now
        session.rollback()
        flash("These defaults were changed at the same time elsewhere; check them and save again.", "error")
        return redirect(url_for("categories.defaults", mapping_id=mapping.id))
    from hub.sync.products.schedule import enqueue_listings

    enqueue_listings(current(), store.id, resend)
    flash("Saved." + (f" {len(resend)} product(s) that failed for a missing attribute are being sent again."
                      if resend else ""), "success")
    return redirect(url_for("categories.defaults", mapping_id=mapping.id))


PACKAGE_CODES = {"package_weight_missing", "package_dimensions_missing"}


@bp.route("/mappings/<int:mapping_id>/package", methods=["POST"])
def save_package(mapping_id: int) -> Any:
    """A default package for one category: products there with no package of their own use it before
    the merchant-wide default (a shoe box is not a sock envelope)."""
    store, mapping = mapping_or_404(mapping_id)
    session = db()
    form = {k: (request.form.get(k) or "").strip() for k in
            ("weight_value", "weight_unit", "length", "width", "height", "dimension_unit")}
    raw = {"weight": {"value": form["weight_value"], "unit": form["weight_unit"] or "kg"} if form["weight_value"] else None,
           "dimensions": {"length": form["length"], "width": form["width"], "height": form["height"],
                          "unit": form["dimension_unit"] or "cm"}
           if any(form[k] for k in ("length", "width", "height")) else None}
    try:
        package = PackageDefaultsSchema().load(raw)
    except ValidationError as error:
        session.rollback()
        errors = {f"package.{part}.{name}": " ".join(messages) if isinstance(messages, list) else str(messages)
                  for part, fields in error.normalized_messages().items()
                  for name, messages in (fields.items() if isinstance(fields, dict) else [("value", fields)])}
        try:
            attributes, rules = _category_info(mapping)
        except HubError:
            attributes, rules = [], {}
        row = _defaults_row(store.id, mapping.tiktok_category_id)
        fields = category_defaults.attribute_fields(attributes, dict(row.attributes or {}) if row else {})
        return _defaults_page(store, mapping, fields, rules, errors=errors, status=422)
    row = _defaults_row(store.id, mapping.tiktok_category_id)
    if row is None:
        row = CategoryDefaults(store_id=store.id, tiktok_category_id=mapping.tiktok_category_id, attributes={})
        session.add(row)
    row.package = package
    flag_modified(row, "package")
    category = mapping.tiktok_category_name or mapping.tiktok_category_id
    session.add(ActivityEntry(
        merchant_id=merchant_id(), store_id=store.id, kind="category.defaults", subject_type="category",
        subject_id=mapping.tiktok_category_id, message=f"Changed the default package of the TikTok category {category}.",
        data={"package": package}))
    resend = _failed_for(store.id, mapping.tiktok_category_id, PACKAGE_CODES)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        flash("These defaults were changed at the same time elsewhere; check them and save again.", "error")
        return redirect(url_for("categories.defaults", mapping_id=mapping.id))
    from hub.sync.products.schedule import enqueue_listings

    enqueue_listings(current(), store.id, resend)
    flash("Saved." + (f" {len(resend)} product(s) that failed for a missing package weight or size are being sent "
                      "again." if resend else ""), "success")
    return redirect(url_for("categories.defaults", mapping_id=mapping.id))


def _failed_for_attributes(store_id: str, tiktok_category_id: str) -> list[str]:
    return _failed_for(store_id, tiktok_category_id, ATTRIBUTE_CODES)


def _failed_for(store_id: str, tiktok_category_id: str, codes: set[str]) -> list[str]:
    """Products of this store in this TikTok category, not on TikTok yet, that failed for one of `codes`."""
    session = db()
    failed = [listing for listing in session.scalars(select(Listing).where(
        Listing.store_id == store_id, Listing.status == FAILED_TO_SYNC, Listing.tiktok_product_id.is_(None)))
        if listing.reason_code in codes
        or any(isinstance(i, dict) and i.get("code") in codes for i in listing.issues or [])]
    if not failed:
        return []
    ids = [listing.product_id for listing in failed]
    snapshots = {s.product_id: s for s in session.scalars(select(ProductSnapshot).where(
        ProductSnapshot.store_id == store_id, ProductSnapshot.product_id.in_(ids), ProductSnapshot.deleted.is_(False)))}
    overrides = {o.product_id: o for o in session.scalars(select(ProductOverride).where(
        ProductOverride.store_id == store_id, ProductOverride.product_id.in_(ids), ProductOverride.variant_id == ""))}
    mappings = engine.store_mappings(session, store_id)
    out = []
    for product_id in ids:
        snapshot = snapshots.get(product_id)
        if snapshot is None:
            continue
        resolved = engine.resolve(session, store_id, snapshot.data, mappings, overrides.get(product_id))
        if resolved is not None and resolved.category_id == tiktok_category_id:
            out.append(product_id)
    return out


@bp.route("/mappings/<int:mapping_id>/size-chart", methods=["POST"])
def save_size_chart(mapping_id: int) -> Any:
    """The category's size chart: a template of the shop or a picture, sent to TikTok now so a refusal
    shows here; products of the category that failed for a missing size chart are sent again."""
    store, mapping = mapping_or_404(mapping_id)
    session = db()
    try:
        with client_for_merchant(session, merchant_id(), current()) as client:
            chart = read_size_chart(client)
    except LookupError:
        flash("Nothing changed.", "info")
        return redirect(url_for("categories.defaults", mapping_id=mapping.id) + "#size-chart")
    except HubError as error:
        session.rollback()
        flash(f"The size chart was not saved: {error.message}", "error")
        return redirect(url_for("categories.defaults", mapping_id=mapping.id) + "#size-chart")
    return _save_supply(store, mapping, "size_chart", chart,
                        f"Set the size chart of the TikTok category {{category}} to "
                        f"{size_charts.describe_size_chart(chart)}.", size_charts.SIZE_CHART_CODES)


@bp.route("/mappings/<int:mapping_id>/certificates/<rule_id>", methods=["POST"])
def save_certificate(mapping_id: int, rule_id: str) -> Any:
    """One certificate of the category, as the files or pictures its rule asks for."""
    store, mapping = mapping_or_404(mapping_id)
    session = db()
    try:
        _attributes, rules = _category_info(mapping)
    except HubError as error:
        session.rollback()
        flash(f"Nothing was saved: TikTok's rules could not be loaded ({error.message}).", "error")
        return redirect(url_for("categories.defaults", mapping_id=mapping.id) + "#certificates")
    rule = next((c for c in rules.get("product_certifications") or [] if str(c.get("id")) == rule_id), None)
    if rule is None:
        abort(404)
    row = _defaults_row(store.id, mapping.tiktok_category_id)
    current_entry = next((c for c in (row.certifications if row else None) or []
                          if isinstance(c, dict) and str(c.get("id")) == rule_id), None)
    try:
        with client_for_merchant(session, merchant_id(), current()) as client:
            entry = read_certificate(client, rule_id, current_entry,
                                     bool((rule.get("expiration_date") or {}).get("is_required")))
    except LookupError:
        flash("Choose the certificate's files first.", "error")
        return redirect(url_for("categories.defaults", mapping_id=mapping.id) + "#certificates")
    except HubError as error:
        session.rollback()
        flash(f"The certificate '{rule.get('name')}' was not saved: {error.message}", "error")
        return redirect(url_for("categories.defaults", mapping_id=mapping.id) + "#certificates")
    certificates = size_charts.replace_certificate(row.certifications if row else None, entry, rule_id)
    what = "Removed" if entry is None else "Uploaded"
    return _save_supply(store, mapping, "certifications", certificates or None,
                        f"{what} the certificate '{rule.get('name')}' of the TikTok category {{category}}.",
                        size_charts.CERTIFICATE_CODES)


def _save_supply(store: Store, mapping: CategoryMapping, column: str, value: Any, message: str,
                 codes: set[str]) -> Any:
    session = db()
    row = _defaults_row(store.id, mapping.tiktok_category_id)
    if row is None:
        row = CategoryDefaults(store_id=store.id, tiktok_category_id=mapping.tiktok_category_id, attributes={})
        session.add(row)
    setattr(row, column, value)
    flag_modified(row, column)
    category = mapping.tiktok_category_name or mapping.tiktok_category_id
    session.add(ActivityEntry(
        merchant_id=merchant_id(), store_id=store.id, kind="category.defaults", subject_type="category",
        subject_id=mapping.tiktok_category_id, message=message.format(category=category), data={column: value}))
    resend = _failed_for(store.id, mapping.tiktok_category_id, codes)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        flash("These defaults were changed at the same time elsewhere; check them and save again.", "error")
        return redirect(url_for("categories.defaults", mapping_id=mapping.id))
    from hub.sync.products.schedule import enqueue_listings

    enqueue_listings(current(), store.id, resend)
    flash("Saved." + (f" {len(resend)} product(s) that failed for it are being sent again." if resend else ""),
          "success")
    return redirect(url_for("categories.defaults", mapping_id=mapping.id))
