"""Products: every store product with its status, the reason in plain English and the fix.

The list filters by status, store and text; the product page shows the findings, what TikTok will
receive (after price rules and the stock buffer), and lets the merchant fill in what the store lacks
(package weight and size, identifier codes, brand, TikTok category) per product or per variant.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from hub.errors import DataError, HubError
from hub.models import ActivityEntry, ProductOverride
from hub.runtime import current
from hub.sync import rejections
from hub.sync.products.receives import what_tiktok_receives
from hub.sync.stock.preview import preview
from hub.web import catalog, progress, scope
from hub.web.db import db
from hub.web.security import merchant_id, web_blueprint

bp = web_blueprint("products", __name__, url_prefix="/products")

PAGE_SIZE = 50
WEIGHT_UNITS = ("kg", "g", "lb", "oz")
DIMENSION_UNITS = ("cm", "mm", "m", "in")
CODE_TYPES = ("", "GTIN", "EAN", "UPC", "ISBN")


@bp.route("/")
def index() -> Any:
    stores = scope.stores(include_revoked=False)
    store_id = request.args.get("store", "")
    status = request.args.get("status", "")
    text = (request.args.get("q") or "").strip()[:200]
    tally = catalog.Tally.load(stores, store_id=store_id or None)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    rows, total = catalog.product_page(stores, store_id=store_id or None, status=status or None, text=text or None,
                                       offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, tally=tally)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("products.html", title="Products", rows=rows,
                           total=total, counts=tally.counts(), all_count=tally.total, counts_as_of=tally.as_of,
                           stores=stores, store_id=store_id,
                           status=status, text=text, page=page, more=total > page * PAGE_SIZE, args=args,
                           progress=progress.summary(tally),
                           refused=rejections.recent(db(), [st.id for st in stores if not store_id or st.id == store_id]),
                           store_names={st.id: st.name for st in stores})


def _overrides(store_id: str, product_id: str) -> dict[str, ProductOverride]:
    return {o.variant_id: o for o in db().scalars(select(ProductOverride).where(
        ProductOverride.store_id == store_id, ProductOverride.product_id == product_id))}


def _preview(store_id: str, product_id: str) -> list[dict[str, Any]] | None:
    try:
        return preview(db(), store_id, product_id)
    except DataError:
        return None


def _issues(listing: Any) -> list[dict[str, Any]]:
    found = []
    for issue in (listing.issues if listing is not None else None) or []:
        if isinstance(issue, dict):
            found.append(issue)
        elif isinstance(issue, str):
            found.append({"message": issue})
    return found


def _detail(store_id: str, product_id: str, *, errors: dict[str, str] | None = None,
            form: dict[str, Any] | None = None, status: int = 200) -> Any:
    store, snapshot, listing = scope.product_or_404(store_id, product_id)
    row = catalog.product_rows([store], only={(store.id, product_id)})
    if not row:
        abort(404)
    from hub.models import ListingPlan

    plan_row = db().scalar(select(ListingPlan).where(ListingPlan.store_id == store.id,
                                                     ListingPlan.product_id == product_id))
    return render_template("product.html", title=row[0].title, plan_priority=plan_row.priority if plan_row else 0, row=row[0], store=store, snapshot=snapshot,
                           product=snapshot.data, listing=listing, issues=_issues(listing),
                           overrides=_overrides(store.id, product_id), preview=_preview(store.id, product_id),
                           receives=what_tiktok_receives(db(), store, snapshot, listing),
                           errors=errors or {}, form=form or {}, weight_units=WEIGHT_UNITS,
                           dimension_units=DIMENSION_UNITS, code_types=CODE_TYPES), status


@bp.route("/<store_id>/<product_id>")
def detail(store_id: str, product_id: str) -> Any:
    return _detail(store_id, product_id)


def _measure(raw: str, field: str, errors: dict[str, str]) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[field] = f'"{raw}" is not a number. Enter a number such as 0.25.'
        return None
    if not value.is_finite() or value <= 0:
        errors[field] = "Enter a number greater than 0."
        return None
    if value > 100000:
        errors[field] = "That is larger than any parcel TikTok accepts; check the unit."
        return None
    return format(value.normalize(), "f")


def _package(prefix: str, errors: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    form = request.form
    weight_value = _measure(form.get(f"{prefix}.weight_value", ""), f"{prefix}.weight_value", errors)
    weight_unit = form.get(f"{prefix}.weight_unit", "kg")
    if weight_unit not in WEIGHT_UNITS:
        errors[f"{prefix}.weight_value"] = "Choose a weight unit."
    weight = {"value": weight_value, "unit": weight_unit} if weight_value else None
    dims = {k: _measure(form.get(f"{prefix}.{k}", ""), f"{prefix}.{k}", errors) for k in ("length", "width", "height")}
    unit = form.get(f"{prefix}.dimension_unit", "cm")
    if unit not in DIMENSION_UNITS:
        errors[f"{prefix}.length"] = "Choose a dimension unit."
    given = [k for k in dims if form.get(f"{prefix}.{k}", "").strip()]
    if given and len(given) < 3:
        for k in ("length", "width", "height"):
            if k not in given:
                errors[f"{prefix}.{k}"] = "Enter length, width and height together."
    dimensions = {**dims, "unit": unit} if all(dims.values()) else None
    return weight, dimensions


@bp.route("/<store_id>/<product_id>/details", methods=["POST"])
def save_details(store_id: str, product_id: str) -> Any:
    """Save what the store lacks; nothing is saved unless every field is valid."""
    store, snapshot, _listing = scope.product_or_404(store_id, product_id)
    errors: dict[str, str] = {}
    form = request.form
    brand = (form.get("p.brand") or "").strip()
    if len(brand) > 100:
        errors["p.brand"] = "Use at most 100 characters."
    category_id = (form.get("p.tiktok_category_id") or "").strip()
    if category_id and not category_id.isdigit():
        errors["p.tiktok_category_id"] = "A TikTok category id is a number, e.g. 601226; search for it on the Categories page."
    weight, dimensions = _package("p", errors)
    variants = {}
    from hub.sync.products.identifiers import normalise_identifier

    for variant in snapshot.data.get("variants") or []:
        vid = str(variant.get("id"))
        prefix = f"v.{vid}"
        v_weight, v_dims = _package(prefix, errors)
        code = (form.get(f"{prefix}.code") or "").strip()
        code_type = form.get(f"{prefix}.code_type") or ""
        identifier = None
        if code_type not in CODE_TYPES:
            errors[f"{prefix}.code"] = "Choose the kind of code."
        elif code:
            try:
                identifier = normalise_identifier(code, code_type or None, variant=variant.get("sku") or vid)
            except DataError as error:
                errors[f"{prefix}.code"] = error.message
        variants[vid] = (v_weight, v_dims, identifier)
    if errors:
        return _detail(store.id, product_id, errors=errors, form=form.to_dict(), status=422)

    existing = _overrides(store.id, product_id)

    def put(variant_id: str, **values: Any) -> None:
        row = existing.get(variant_id)
        if all(v is None for v in values.values()):
            if row is not None:
                db().delete(row)
            return
        if row is None:
            row = ProductOverride(store_id=store.id, product_id=product_id, variant_id=variant_id)
            db().add(row)
        for key, value in values.items():
            setattr(row, key, value)

    put("", brand=brand or None, tiktok_category_id=category_id or None, package_weight=weight,
        package_dimensions=dimensions)
    for vid, (v_weight, v_dims, identifier) in variants.items():
        put(vid, package_weight=v_weight, package_dimensions=v_dims,
            identifier_code=identifier.code if identifier else None,
            identifier_type=identifier.type if identifier else None)
    db().add(ActivityEntry(merchant_id=merchant_id(), store_id=store.id, kind="product.details_set",
                           subject_type="product", subject_id=product_id,
                           message=f"Changed the TikTok details of {snapshot.title or product_id} on the settings page."))
    db().commit()
    catalog.forget_counts(store.id)
    flash("Saved. Click Sync to send the product with these details.", "success")
    return redirect(url_for("products.detail", store_id=store.id, product_id=product_id))


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


def _sync(store_id: str, product_id: str | None, *, details: bool = False) -> dict[str, int] | None:
    """The Sync button is the listing engine's `schedule.sync`: re-validate and send what needs sending."""
    from hub.sync.products.schedule import sync

    try:
        return sync(current(), store_id, product_id, details=details)
    except LookupError:
        return None
    finally:
        catalog.forget_counts(store_id)


def _log(store_id: str, product_id: str, message: str) -> None:
    db().add(ActivityEntry(merchant_id=merchant_id(), store_id=store_id, kind="product.sync_requested",
                           subject_type="product", subject_id=product_id, message=message))
    db().commit()


@bp.route("/<store_id>/<product_id>/sync", methods=["POST"])
def sync_one(store_id: str, product_id: str) -> Any:
    store, snapshot, _listing = scope.product_or_404(store_id, product_id)
    details = request.form.get("details") == "1"
    counts = _sync(store.id, product_id, details=details)
    title = snapshot.title or product_id
    if counts is None:
        flash(f"{title} is already on TikTok and up to date; nothing to send.", "info")
    elif counts.get("parked") and not any(n for k, n in counts.items() if k != "parked"):
        flash(f"{title} waits for the TikTok connection: reconnect TikTok Shop on the Overview page and it is "
              "sent by itself.", "info")
    else:
        _log(store.id, product_id, f"{'Resync details' if details else 'Sync'} requested for {title}.")
        flash(f"{title}: {'details are being resent' if details else 'sync started'}. The status below updates "
              "by itself.", "success")
    return redirect(_back(url_for("products.detail", store_id=store.id, product_id=product_id)))


@bp.route("/sync", methods=["POST"])
def sync_many() -> Any:
    """Bulk Sync: the ticked rows, or every product of the merchant's stores."""
    stores = {s.id: s for s in scope.stores(include_revoked=False)}
    picked = [key.split(":", 1) for key in request.form.getlist("product") if ":" in key]
    requested = 0
    if request.form.get("all") == "1":
        for store_id in stores:
            counts = _sync(store_id, None)
            requested += sum(n for k, n in counts.items() if k != "parked") if counts else 0
    else:
        for store_id, product_id in picked:
            if store_id in stores and _sync(store_id, product_id) is not None:
                requested += 1
    if not picked and request.form.get("all") != "1":
        flash("Tick the products to sync first.", "error")
    else:
        db().add(ActivityEntry(merchant_id=merchant_id(), kind="product.sync_requested", subject_type="product",
                               message=f"Bulk sync requested: {requested} product(s) to send."))
        db().commit()
        flash(f"Sync started for {requested} product(s). Progress updates on this page.", "success")
    return redirect(_back(url_for("products.index")))


@bp.route("/<store_id>/<product_id>/priority", methods=["POST"])
def priority(store_id: str, product_id: str) -> Any:
    """The merchant's say in the listing order when the daily cap holds products back."""
    from hub.sync.products.planner import set_priority

    store, _snapshot, _listing = scope.product_or_404(store_id, product_id)
    try:
        value = int(request.form.get("priority", ""))
        if not -1000 <= value <= 1000:
            raise ValueError
    except ValueError:
        flash("Priority must be a whole number between -1000 and 1000.", "error")
    else:
        set_priority(db(), store.id, product_id, value)
        db().commit()
        flash("Priority saved: the listing plan is recalculated within a minute.", "success")
    return redirect(url_for("products.detail", store_id=store.id, product_id=product_id))


@bp.route("/plan")
def plan() -> Any:
    """The listing plan: products held back by the daily upload cap, and the day each goes live."""
    from hub.sync.products.planner import daily_cap

    rows = catalog.product_rows(scope.stores(include_revoked=False), planned=True)
    rows.sort(key=lambda r: (r.planned_for, r.title.casefold()))
    return render_template("plan.html", title="Listing plan", rows=rows, cap=daily_cap(db(), merchant_id()))


# ---- size chart and certificates of one product -----------------------------------------------------------

def _product_rules(store_id: str, snapshot: Any) -> tuple[Any, dict[str, Any]] | None:
    """The product's TikTok category and its rules (TikTok's, cached a day), or None without a category."""
    from hub.sync.products import categories as engine
    from hub.tiktok.connection import client_for_merchant

    session = db()
    override = _overrides(store_id, snapshot.product_id).get("")
    resolved = engine.resolve(session, store_id, snapshot.data, override=override)
    shop = scope.shop()
    if resolved is None or shop is None:
        return None
    with client_for_merchant(session, merchant_id(), current()) as client:
        resolved = engine.with_version(current(), shop.shop_id, client, resolved)
        info = engine.category_info(session, shop.shop_id, client, resolved.category_id, resolved.version)
        rules = dict(info.rules or {})
    session.commit()
    return resolved, rules


@bp.route("/<store_id>/<product_id>/size-chart-and-certificates")
def supplies(store_id: str, product_id: str) -> Any:
    """The product's own size chart and certificates: they win over the store's and the category's."""
    from hub.web.categories import supplies_view

    store, snapshot, _listing = scope.product_or_404(store_id, product_id)
    problem: str | None = None
    try:
        found = _product_rules(store.id, snapshot)
    except HubError as error:
        db().rollback()
        found, problem = None, f"TikTok's rules for the category could not be loaded: {error.message}"
    if found is None and problem is None:
        problem = "Map the product's category first: the size chart and certificates TikTok asks for depend on it."
    supply = supplies_view(found[1], _overrides(store.id, product_id).get("")) if found else None
    return render_template("product_supplies.html", title=f"Size chart and certificates: {snapshot.title}",
                           store=store, snapshot=snapshot, product=snapshot.data, supply=supply, problem=problem,
                           category=found[0] if found else None)


def _product_override(store_id: str, product_id: str) -> ProductOverride:
    row = _overrides(store_id, product_id).get("")
    if row is None:
        row = ProductOverride(store_id=store_id, product_id=product_id, variant_id="")
        db().add(row)
    return row


def _after_supply(store_id: str, product_id: str, title: str, message: str, codes: set[str]) -> Any:
    """Log it, and send the product again when it failed for what was just supplied."""
    from hub.models import Listing
    from hub.sync.products.schedule import enqueue_listings

    session = db()
    session.add(ActivityEntry(merchant_id=merchant_id(), store_id=store_id, kind="product.details_set",
                              subject_type="product", subject_id=product_id, message=message))
    listing = session.scalar(select(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id))
    failed = listing is not None and not listing.tiktok_product_id and (
        listing.reason_code in codes or any(isinstance(i, dict) and i.get("code") in codes for i in listing.issues or []))
    session.commit()
    if failed:
        enqueue_listings(current(), store_id, [product_id])
        flash(f"Saved. {title} is being sent again.", "success")
    elif listing is not None and listing.tiktok_product_id:
        flash("Saved. Click Resync details to send it to TikTok.", "success")
    else:
        flash("Saved. Click Sync to send the product with it.", "success")
    return redirect(url_for("products.supplies", store_id=store_id, product_id=product_id))


@bp.route("/<store_id>/<product_id>/size-chart", methods=["POST"])
def save_size_chart(store_id: str, product_id: str) -> Any:
    from hub.sync.products import size_charts
    from hub.tiktok.connection import client_for_merchant
    from hub.web.categories import read_size_chart

    store, snapshot, _listing = scope.product_or_404(store_id, product_id)
    back = url_for("products.supplies", store_id=store.id, product_id=product_id) + "#size-chart"
    try:
        with client_for_merchant(db(), merchant_id(), current()) as client:
            chart = read_size_chart(client)
    except LookupError:
        flash("Nothing changed.", "info")
        return redirect(back)
    except HubError as error:
        db().rollback()
        flash(f"The size chart was not saved: {error.message}", "error")
        return redirect(back)
    row = _product_override(store.id, product_id)
    row.size_chart = chart
    title = snapshot.title or product_id
    return _after_supply(store.id, product_id, title, f"Set the size chart of {title} to "
                         f"{size_charts.describe_size_chart(chart)} on the settings page.", size_charts.SIZE_CHART_CODES)


@bp.route("/<store_id>/<product_id>/certificates/<rule_id>", methods=["POST"])
def save_certificate(store_id: str, product_id: str, rule_id: str) -> Any:
    from hub.sync.products import size_charts
    from hub.tiktok.connection import client_for_merchant
    from hub.web.categories import read_certificate

    store, snapshot, _listing = scope.product_or_404(store_id, product_id)
    back = url_for("products.supplies", store_id=store.id, product_id=product_id) + "#certificates"
    try:
        found = _product_rules(store.id, snapshot)
    except HubError as error:
        db().rollback()
        flash(f"Nothing was saved: TikTok's rules could not be loaded ({error.message}).", "error")
        return redirect(back)
    rule = next((c for c in (found[1] if found else {}).get("product_certifications") or []
                 if str(c.get("id")) == rule_id), None)
    if rule is None:
        abort(404)
    row = _overrides(store.id, product_id).get("")
    current_entry = next((c for c in (row.certifications if row else None) or []
                          if isinstance(c, dict) and str(c.get("id")) == rule_id), None)
    try:
        with client_for_merchant(db(), merchant_id(), current()) as client:
            entry = read_certificate(client, rule_id, current_entry,
                                     bool((rule.get("expiration_date") or {}).get("is_required")))
    except LookupError:
        flash("Choose the certificate's files first.", "error")
        return redirect(back)
    except HubError as error:
        db().rollback()
        flash(f"The certificate '{rule.get('name')}' was not saved: {error.message}", "error")
        return redirect(back)
    row = _product_override(store.id, product_id)
    row.certifications = size_charts.replace_certificate(row.certifications, entry, rule_id) or None
    title = snapshot.title or product_id
    what = "Removed" if entry is None else "Uploaded"
    return _after_supply(store.id, product_id, title, f"{what} the certificate '{rule.get('name')}' of {title} on "
                         "the settings page.", size_charts.CERTIFICATE_CODES)
