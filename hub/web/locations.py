"""Stock locations of a store: which of them sell on TikTok.

TikTok is offered the sum of the chosen locations' stock (all of them when none is chosen); saving a
new choice re-derives every variant's quantity and pushes the products whose quantity changed.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hub.errors import DataError
from hub.models import ActivityEntry
from hub.runtime import current
from hub.sync.stock import locations
from hub.web import scope
from hub.web.db import db
from hub.web.security import web_blueprint

bp = web_blueprint("locations", __name__, url_prefix="/stores")


@bp.route("/<store_id>/locations")
def index(store_id: str) -> Any:
    store = scope.store_or_404(store_id)
    return render_template("locations.html", title=f"{store.name}: stock locations", store=store,
                           locations=locations.described(store), error=None)


@bp.route("/<store_id>/locations", methods=["POST"])
def save(store_id: str) -> Any:
    store = scope.store_or_404(store_id)
    chosen = request.form.getlist("location")
    db().rollback()  # the choice is applied in its own transaction
    try:
        outcome = locations.set_selling_locations(current(), store.id, chosen)
    except DataError as error:
        return render_template("locations.html", title=f"{store.name}: stock locations", store=store,
                               locations=locations.described(store), error=f"{error.message} {error.fix or ''}"), 422
    selling = [location["name"] for location in outcome["locations"] if location["selling"]]
    db().add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind="store.locations",
                           subject_type="store", subject_id=store.id,
                           message=f"Stock locations selling on TikTok for {store.name}: "
                                   + (", ".join(selling) if chosen else "all locations") + "."))
    db().commit()
    flash(f"Saved. TikTok is offered the stock of {'the chosen locations' if chosen else 'every location'}; "
          f"{outcome['changed_products']} products change quantity.", "success")
    return redirect(url_for("locations.index", store_id=store.id))
