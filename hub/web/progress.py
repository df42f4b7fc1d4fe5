"""Live progress of bulk work (the first catalog upload, bulk syncs, order import) as a small JSON
document the page polls, so counts and row statuses update without reloading."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from hub.models import Order
from hub.models import listings as st
from hub.models.orders import CANCELLED, CREATED, FAILED
from hub.web import catalog, scope
from hub.web.db import db
from hub.web.security import merchant_id, web_blueprint
from hub.web.templating import STATUS_TONE

bp = web_blueprint("progress", __name__)

SENT = {st.UNDER_REVIEW, st.FAILED_REVIEW, st.ACTIVE, st.SYNCED, st.FAILED_TO_SYNC}


def _task(key: str, done: int, total: int, text: str) -> dict[str, Any]:
    pct = round(100 * done / total) if total else 0
    return {"key": key, "done": done, "total": total, "pct": pct, "text": text}


def summary(rows: list[catalog.ProductRow]) -> dict[str, dict[str, Any]]:
    counts = Counter(r.status for r in rows)
    mapped = sum(n for status, n in counts.items() if status != st.NEEDS_CATEGORY)
    sent = sum(counts[s] for s in SENT)
    waiting = counts[st.NOT_SYNCED]
    if not rows:
        listing_text = "No products received from your stores yet."
    elif not mapped:
        listing_text = f"{len(rows)} products received; map their categories to start sending them."
    else:
        listing_text = (f"{sent} of {mapped} products with a category processed by TikTok; {waiting} waiting to be sent"
                        + (f"; {counts[st.NEEDS_CATEGORY]} need a category." if counts[st.NEEDS_CATEGORY] else "."))
    orders = Counter(db().scalars(select(Order.status).where(Order.merchant_id == merchant_id())))
    order_total = sum(n for status, n in orders.items() if status != CANCELLED)
    order_done = orders[CREATED]
    order_text = (f"{order_done} of {order_total} orders created in the store"
                  + (f"; {orders[FAILED]} failed (see Orders)." if orders[FAILED] else ".")) if order_total \
        else "No TikTok orders yet."
    return {"listing": _task("listing", sent, mapped, listing_text),
            "orders": _task("orders", order_done, order_total, order_text)}


@bp.route("/progress.json")
def index() -> Any:
    rows = catalog.product_rows(scope.stores(include_revoked=False))
    wanted = {key for key in (request.args.get("rows") or "").split(",")[:500] if key}
    tasks = summary(rows)
    return jsonify({
        "tasks": list(tasks.values()),
        "counts": catalog.counts(rows),
        "rows": {r.key: {"status": r.status, "tone": STATUS_TONE.get(r.status, "neutral"), "reason": r.reason,
                         "fix": r.fix, "tiktok_product_id": r.tiktok_product_id} for r in rows if r.key in wanted},
    })
