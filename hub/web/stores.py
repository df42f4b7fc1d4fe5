"""Stores: create extension credentials (the secret is shown once), see each store's health, revoke.

The secret is rendered straight into the response of the POST that created it, never put in the
session or a flash message: the session is a signed, not encrypted, cookie.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hub.merchants import create_store
from hub.models import ActivityEntry, Merchant
from hub.models.stores import PLATFORMS
from hub.runtime import current
from hub.web import scope
from hub.web.db import db
from hub.web.security import merchant_id, web_blueprint

bp = web_blueprint("stores", __name__, url_prefix="/stores")

PLATFORM_NAMES = {"woocommerce": "WooCommerce", "magento2": "Magento 2", "shopify": "Shopify",
                  "bigcommerce": "BigCommerce", "demo": "Demo store"}


def _page(status: int = 200, **context: Any) -> Any:
    context.setdefault("errors", {})
    context.setdefault("form", {})
    return render_template("stores.html", title="Stores", stores=scope.stores(), platforms=PLATFORM_NAMES,
                           hub_url=current().settings.public_url, **context), status


@bp.route("/")
def index() -> Any:
    return _page()


@bp.route("/", methods=["POST"])
def create() -> Any:
    platform = (request.form.get("platform") or "").strip()
    name = (request.form.get("name") or "").strip()
    errors = {}
    if platform not in PLATFORMS or platform == "demo":
        errors["platform"] = "Choose the platform your store runs on."
    if not name:
        errors["name"] = "Give the store a name you will recognise, for example its web address."
    elif len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    if errors:
        return _page(422, errors=errors, form={"platform": platform, "name": name})
    session = db()
    merchant = session.get(Merchant, merchant_id())
    store, secret = create_store(session, current().secrets, merchant, platform, name)
    session.add(ActivityEntry(merchant_id=merchant.id, store_id=store.id, kind="store.created", subject_type="store",
                              subject_id=store.id, message=f"Created credentials for the store {store.name}."))
    session.commit()
    return _page(201, created={"store": store, "secret": secret})


@bp.route("/<store_id>/revoke", methods=["POST"])
def revoke(store_id: str) -> Any:
    store = scope.store_or_404(store_id)
    if store.revoked_at is None:
        store.revoked_at = datetime.now(timezone.utc)
        db().add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind="store.revoked",
                               subject_type="store", subject_id=store.id, level="warning",
                               message=f"Revoked the credentials of the store {store.name}; it can no longer "
                                       "reach the hub."))
        db().commit()
        flash(f"Revoked {store.name}. Its extension can no longer reach the hub.", "success")
    return redirect(url_for("stores.index"))
