"""Stores: create extension credentials (the secret is shown once), see each store's health, revoke;
start the install of a hosted platform's app.

The secret is rendered straight into the response of the POST that created it, never put in the
session or a flash message: the session is a signed, not encrypted, cookie. Which platforms are offered
comes from the connector registry (hub/stores/registry.py).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from hub.errors import DataError
from hub.merchants import create_store
from hub.models import ActivityEntry, Merchant, StoreCredential
from hub.runtime import current
from hub.stores import install
from hub.stores.connector import ExtensionConnector, HostedConnector
from hub.stores.registry import UnknownPlatform, registry
from hub.web import scope
from hub.web.db import db
from hub.web.security import framed_store_id, merchant_id, web_blueprint

bp = web_blueprint("stores", __name__, url_prefix="/stores")


def creatable() -> dict[str, str]:
    """Extension platforms a merchant may create credentials for, by platform: label."""
    return {c.platform: c.label for c in registry().all() if isinstance(c, ExtensionConnector) and c.creatable}


def _page(status: int = 200, **context: Any) -> Any:
    context.setdefault("errors", {})
    context.setdefault("form", {})
    stores = scope.stores()
    connections = {c.store_id: c for c in db().scalars(select(StoreCredential).where(
        StoreCredential.store_id.in_([s.id for s in stores])))} if stores else {}
    hosted = [c for c in registry().all() if isinstance(c, HostedConnector)]
    return render_template("stores.html", title="Stores", stores=stores,
                           platforms={c.platform: c.label for c in registry().all()}, creatable=creatable(),
                           hosted=hosted, connections=connections, in_frame=framed_store_id() is not None,
                           hub_url=current().settings.public_url, **context), status


@bp.route("/")
def index() -> Any:
    return _page()


@bp.route("/", methods=["POST"])
def create() -> Any:
    platform = (request.form.get("platform") or "").strip()
    name = (request.form.get("name") or "").strip()
    errors = {}
    if framed_store_id() is not None:
        abort(404)
    if platform not in creatable():
        errors["platform"] = "Choose the platform your store runs on."
    if not name:
        errors["name"] = "Give the store a name you will recognise, for example its web address."
    elif len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    if errors:
        return _page(422, errors=errors, form={"platform": platform, "name": name})
    session = db()
    merchant = session.get(Merchant, merchant_id())
    if merchant is None:
        abort(404)
    store, secret = create_store(session, current().secrets, merchant, platform, name)
    session.add(ActivityEntry(merchant_id=merchant.id, store_id=store.id, kind="store.created", subject_type="store",
                              subject_id=store.id, message=f"Created credentials for the store {store.name}."))
    session.commit()
    from hub.sync.products import linking

    linking.start_if_connected(current(), store.id)  # its products may already be on TikTok
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


@bp.route("/install/<platform>", methods=["POST"])
def start_install(platform: str) -> Any:
    """Start a hosted platform's app install for this merchant (the connector says where to go)."""
    if framed_store_id() is not None:
        abort(404)
    try:
        connector = registry().hosted(platform)
    except UnknownPlatform:
        abort(404)
    shop = (request.form.get("shop") or "").strip()
    state = install.new_state(current(), connector.platform, merchant_id())
    try:
        target = connector.install_url(shop, state)
    except DataError as error:
        install.consume_state(current(), connector.platform, state)
        return _page(422, errors={f"shop-{platform}": error.message}, form={"shop": shop, "platform": platform})
    return redirect(target, code=303)
