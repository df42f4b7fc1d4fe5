"""Link existing TikTok products: the proposal read from the shop, and the merchant's confirmation.

The same as `hub products link`: the hub reads the products the TikTok shop already has, matches
them to the store's products (seller SKU, then barcode) and shows what it proposes; nothing is linked
until the merchant confirms, and nothing that matches is listed a second time meanwhile.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hub.errors import DataError
from hub.models import ActivityEntry
from hub.runtime import current
from hub.sync.products import linking
from hub.web import scope
from hub.web.db import db
from hub.web.security import web_blueprint

bp = web_blueprint("linking", __name__, url_prefix="/stores")

SHOWN = 500  # rows per group on the page; the counts say how many there are in all


def _page(store: Any, status: int = 200, error: str | None = None) -> Any:
    return render_template("linking.html", title=f"{store.name}: link existing TikTok products", store=store,
                           proposal=linking.proposal(db(), store.id, limit=SHOWN), shown=SHOWN, error=error), status


@bp.route("/<store_id>/link")
def index(store_id: str) -> Any:
    return _page(scope.store_or_404(store_id))


@bp.route("/<store_id>/link/check", methods=["POST"])
def check(store_id: str) -> Any:
    store = scope.store_or_404(store_id)
    db().rollback()
    linking.start(current(), store.id)
    flash("Reading the products your TikTok shop already has. New products wait until it is done.", "success")
    return redirect(url_for("linking.index", store_id=store.id))


@bp.route("/<store_id>/link/confirm", methods=["POST"])
def confirm(store_id: str) -> Any:
    """Link every matched product but those ticked "Leave unlinked", and the choices made for ambiguous
    ones (only what differs from the proposal is posted: a form of 500 rows stays small)."""
    store = scope.store_or_404(store_id)
    skipped = request.form.getlist("skip")
    picks: dict[str, str | None] = {}
    for key, value in request.form.items():
        if key.startswith("pick-") and value:
            picks[key[len("pick-"):]] = None if value == "none" else value
    db().rollback()  # the confirmation runs in its own transactions
    try:
        done = linking.confirm(current(), store.id, picks=picks, skip=skipped)
    except DataError as error:
        return _page(store, 422, f"{error.message} {error.fix or ''}".strip())
    db().add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind="products.linked",
                           subject_type="store", subject_id=store.id,
                           message=f"Linked {done['linked']} products of {store.name} to the products already on "
                                   f"TikTok; {done['declined']} declined."))
    db().commit()
    flash(f"Linked {done['linked']} products: their price and stock now follow your store. "
          f"{done['declined']} declined (listed as new products); {done['waiting']} still wait for your choice.",
          "success")
    return redirect(url_for("linking.index", store_id=store.id))
