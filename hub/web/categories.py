"""Category mapping: the store categories found in the catalog → TikTok leaf categories.

Searching TikTok's tree, checking the chosen category (leaf, allowed for the shop) and storing the
mapping are the listing engine's (`hub.sync.products.categories`); this page gathers the store's
categories from the product snapshots and lets the merchant map many at once.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from hub.errors import AuthError, DataError, HubError
from hub.models import ActivityEntry, ProductSnapshot
from hub.runtime import current
from hub.sync.products import categories as engine
from hub.tiktok.connection import client_for_merchant
from hub.web import catalog, scope
from hub.web.db import db
from hub.web.security import merchant_id, web_blueprint

bp = web_blueprint("categories", __name__, url_prefix="/categories")

TREE_CACHE_SECONDS = 3600
MAX_RESULTS = 40


def store_categories(store_id: str) -> list[dict[str, Any]]:
    """Every category path in the store's current catalog, with how many products it holds."""
    found: Counter[str] = Counter()
    shown: dict[str, str] = {}
    example: dict[str, ProductSnapshot] = {}
    for snapshot in db().scalars(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                               ProductSnapshot.deleted.is_(False))):
        for path in catalog.category_paths(snapshot.data):
            key = engine.category_key(path)
            found[key] += 1
            shown.setdefault(key, path)
            example.setdefault(key, snapshot)
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
    cached = runtime.redis.get(key)
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
    runtime.redis.set(key, json.dumps(leaves), ex=TREE_CACHE_SECONDS)
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
            if row is not None:
                with client_for_merchant(db(), merchant_id(), current()) as client:
                    suggestions = engine.suggest(client, row["example"].data)
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

