"""Merchant settings: price rules, stock buffer, order import, carriers and package defaults.

One form per section, validated by `hub.merchant_settings.merged` (the same schema the sync jobs read),
so a value the page accepts is a value the jobs understand. A rejected form saves nothing and shows
each message next to its field.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy.orm.attributes import flag_modified

from hub.merchant_settings import load_settings, merged
from hub.models import ActivityEntry, Merchant
from hub.runtime import current
from hub.sync.stock.rules import desired, rules_from_settings
from hub.web.db import db
from hub.web.security import merchant_id, web_blueprint

bp = web_blueprint("settings", __name__, url_prefix="/settings")

SECTIONS = ("pricing", "stock", "orders", "package_defaults", "listing", "alerts", "vat")
MAX_TAX_CLASS_ROWS = 40
EXAMPLE_PRICE, EXAMPLE_QUANTITY = "9.99", 20
MAX_CARRIER_ROWS = 40


def flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """{"pricing": {"markup_percent": ["..."]}} → {"pricing.markup_percent": "..."} for the template."""
    flat: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            flat[prefix] = " ".join(messages)
        else:
            for item in messages:
                flat.update(flatten(item, prefix))
    else:
        flat[prefix] = str(messages)
    return flat


def example(values: dict[str, Any]) -> Any:
    """What a £9.99 item with 20 in stock becomes on TikTok under these rules (explained step by step)."""
    try:
        return desired(EXAMPLE_QUANTITY, EXAMPLE_PRICE, rules_from_settings(values))
    except (ValidationError, ValueError):
        return None


def _page(values: dict[str, Any], errors: dict[str, str] | None = None, form: dict[str, Any] | None = None,
          status: int = 200) -> Any:
    return render_template("settings.html", title="Settings", values=values, errors=errors or {},
                           form=form or {}, example=example(values), example_price=EXAMPLE_PRICE,
                           example_quantity=EXAMPLE_QUANTITY, known_carriers=known_carriers()), status


def known_carriers() -> list[tuple[str, str]]:
    """UK carriers recognised without a row in the table, each with the names and slugs that mean it."""
    from hub.sync.orders.carriers import UK_CARRIERS

    return [(carrier, ", ".join(names)) for carrier, names in UK_CARRIERS.items()]


def _current() -> tuple[Merchant, dict[str, Any]]:
    merchant = db().get_one(Merchant, merchant_id())
    return merchant, load_settings(merchant.settings)


@bp.route("/")
def index() -> Any:
    return _page(_current()[1])


def _text(name: str) -> str:
    return (request.form.get(name) or "").strip()


def _int_or_text(name: str) -> Any:
    """Numbers go to the schema as ints when they parse; anything else as text, so the schema says why."""
    raw = _text(name)
    try:
        return int(raw)
    except ValueError:
        return raw


def changes_from_form(section: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The partial settings change a section's form asks for, plus errors the schema cannot phrase."""
    errors: dict[str, str] = {}
    if section == "pricing":
        return {"pricing": {"markup_percent": _text("markup_percent") or "0",
                            "markup_fixed": _text("markup_fixed") or "0", "rounding": _text("rounding")}}, errors
    if section == "stock":
        return {"stock": {"reserve_units": _int_or_text("reserve_units"),
                          "reserve_percent": _text("reserve_percent") or "0",
                          "out_of_stock_threshold": _int_or_text("out_of_stock_threshold"),
                          "when_store_away": _text("when_store_away") or "zero"}}, errors
    if section == "orders":
        carriers: dict[str, str] = {}
        for i in range(MAX_CARRIER_ROWS):
            store_name, tiktok_name = _text(f"carrier_from_{i}"), _text(f"carrier_to_{i}")
            if not store_name and not tiktok_name:
                continue
            if not store_name or not tiktok_name:
                errors[f"orders.carriers.{i}"] = "Fill in both the store's carrier name and TikTok's, or clear both."
                continue
            carriers[store_name] = tiktok_name
        return {"orders": {"import_at": _text("import_at"), "placeholder_email": _text("placeholder_email"),
                           "carriers": carriers}}, errors
    if section == "package_defaults":
        weight = {"value": _text("weight_value"), "unit": _text("weight_unit")}
        dims = {k: _text(k) for k in ("length", "width", "height")} | {"unit": _text("dimension_unit")}
        return {"package_defaults": {
            "weight": weight if weight["value"] else None,
            "dimensions": dims if any(dims[k] for k in ("length", "width", "height")) else None}}, errors
    if section == "listing":
        return {"daily_listing_cap": _int_or_text("daily_listing_cap")}, errors
    if section == "alerts":
        return {"alerts": {"email": _text("alerts_email") or None}}, errors
    if section == "vat":
        classes: dict[str, str] = {}
        if _text("vat_standard"):
            classes[""] = _text("vat_standard")
        for i in range(MAX_TAX_CLASS_ROWS):
            name, rate = _text(f"vat_class_{i}"), _text(f"vat_rate_{i}")
            if not name and not rate:
                continue
            if not name or not rate:
                errors[f"vat.classes.{i}"] = "Give both the store's tax class and its VAT rate, or clear both."
                continue
            classes[name] = rate
        return {"vat": {"classes": classes}}, errors
    raise KeyError(section)


@bp.route("/<section>", methods=["POST"])
def save(section: str) -> Any:
    if section not in SECTIONS:
        return _page(_current()[1], status=404)
    merchant, current_values = _current()
    changes, errors = changes_from_form(section)
    if section == "vat":  # the tax classes are edited as a whole table, like the carriers below
        current_values = {**current_values, "vat": {}}
    if section == "orders":
        # Carriers are edited as a whole table: replace rather than merge, so a removed row goes away.
        current_values = {**current_values, "orders": {k: v for k, v in current_values["orders"].items()
                                                       if k != "carriers"}}
    try:
        new_values = merged(current_values, changes)
    except ValidationError as exc:
        errors.update(flatten(exc.messages))
        new_values = None
    if errors or new_values is None:
        db().rollback()
        return _page(current_values if section not in ("orders", "vat") else load_settings(merchant.settings),
                     errors=errors,
                     form=request.form.to_dict(), status=422)
    merchant.settings = new_values
    flag_modified(merchant, "settings")
    db().add(ActivityEntry(merchant_id=merchant.id, kind="settings.changed", subject_type="settings",
                           subject_id=section, message=f"Changed the {section.replace('_', ' ').replace('vat', 'VAT')} settings.",
                           data={section: new_values.get(section, new_values.get("daily_listing_cap"))}))
    db().commit()
    if section in ("pricing", "stock", "vat"):
        from hub.sync.stock.schedule import reprice_merchant

        reprice_merchant(current(), merchant.id)
        flash("Saved. Prices and stock on TikTok are being updated to the new rules.", "success")
    else:
        flash("Saved.", "success")
    return redirect(url_for("settings.index") + f"#{section}")
