"""Overview: the TikTok connection's health, the preflight checklist, and status counts at a glance."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import render_template

from hub.models.orders import STATUS_LABELS
from hub.sync.alerts import current_alerts
from hub.web import catalog, preflight, progress, scope
from hub.web.db import db
from hub.web.security import merchant_id, web_blueprint

bp = web_blueprint("dashboard", __name__)


@bp.route("/")
def index() -> Any:
    stores = scope.stores()
    shop = scope.shop()
    items = preflight.checklist(db(), merchant_id(), stores, shop)
    rows = catalog.product_rows([s for s in stores if s.revoked_at is None])
    order_counts = Counter(db().scalars(scope.order_statuses()))
    return render_template("dashboard.html", title="Overview", shop=shop, items=items,
                           failing=[i for i in items if i.state == preflight.FAIL],
                           counts=catalog.counts(rows), total=len(rows),
                           order_counts={label: order_counts.get(key, 0) for key, label in STATUS_LABELS.items()},
                           stores=stores, progress=progress.summary(rows),
                           alerts=current_alerts(db(), merchant_id()))
