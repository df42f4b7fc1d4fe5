"""Live progress of bulk work (the first catalog upload, bulk syncs, order import) as a small JSON
document the page polls, so counts and row statuses update without reloading."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import jsonify, request
from sqlalchemy import and_, func, select

from hub.models import Listing, SkuBinding, VariantStock
from hub.models import listings as st
from hub.models.orders import CANCELLED, CREATED, FAILED
from hub.sync import policy
from hub.web import catalog, scope
from hub.web.db import db
from hub.web.security import web_blueprint
from hub.web.templating import STATUS_TONE

bp = web_blueprint("progress", __name__)

SENT = {st.UNDER_REVIEW, st.FAILED_REVIEW, st.ACTIVE, st.SYNCED, st.FAILED_TO_SYNC}


def _task(key: str, done: int, total: int, text: str) -> dict[str, Any]:
    pct = round(100 * done / total) if total else 0
    return {"key": key, "done": done, "total": total, "pct": pct, "text": text}


def summary(rows: list[catalog.ProductRow]) -> dict[str, dict[str, Any]]:
    counts = Counter(r.status for r in rows)
    # A stopped store's products are not waiting to be sent: they are held until the store is fixed.
    stopped = {r.store.id: r.store.name for r in rows if _stopped(r.store)}
    held = sum(1 for r in rows if r.status == st.NOT_SYNCED and r.store.id in stopped)
    mapped = sum(n for status, n in counts.items() if status != st.NEEDS_CATEGORY) - held
    sent = sum(counts[s] for s in SENT)
    waiting = counts[st.NOT_SYNCED] - held
    held_text = (f"; {held} held because {' and '.join(sorted(set(stopped.values())))} "
                 f"{'is' if len(set(stopped.values())) == 1 else 'are'} stopped (see Overview)") if held else ""
    if not rows:
        listing_text = "No products received from your stores yet."
    elif not mapped and not held:
        listing_text = f"{len(rows)} products received; map their categories to start sending them."
    else:
        listing_text = (f"{sent} of {mapped} products with a category processed by TikTok; {waiting} waiting to be sent"
                        + held_text
                        + (f"; {counts[st.NEEDS_CATEGORY]} need a category." if counts[st.NEEDS_CATEGORY] else "."))
    orders = Counter(db().scalars(scope.order_statuses()))
    order_total = sum(n for status, n in orders.items() if status != CANCELLED)
    order_done = orders[CREATED]
    order_text = (f"{order_done} of {order_total} orders created in the store"
                  + (f"; {orders[FAILED]} failed (see Orders)." if orders[FAILED] else ".")) if order_total \
        else "No TikTok orders yet."
    live = counts[st.ACTIVE]
    behind = _behind({r.store.id for r in rows}) if live else 0
    if not live:
        stock_text = "No live products on TikTok yet."
    elif behind:
        stock_text = (f"{behind} of {live} live products have a price or stock change on its way to TikTok; "
                      "the rest show your stores' latest values.")
    elif live == 1:
        stock_text = "The live product shows your store's latest price and stock."
    else:
        stock_text = f"All {live} live products show your stores' latest price and stock."
    return {"listing": _task("listing", sent, mapped, listing_text),
            "orders": _task("orders", order_done, order_total, order_text),
            "stock": _task("stock", live - behind, live, stock_text)}


def _stopped(store: Any) -> bool:
    """Sync turned off, or the currency stop (`hub.sync.policy`): nothing of this store moves."""
    return not store.sync_enabled or policy.currency_blocked(store.currency, None) is not None


def _behind(store_ids: set[str]) -> int:
    """Live products with a store change (a newer stock row version) that TikTok has not confirmed yet.

    A push records the version it brought TikTok in step with (`SkuBinding.pushed_version`), so this
    is one indexed comparison, not a recomputation of every desired price.
    """
    lagging = (select(SkuBinding.store_id, SkuBinding.product_id).distinct()
               .join(VariantStock, and_(VariantStock.store_id == SkuBinding.store_id,
                                        VariantStock.product_id == SkuBinding.product_id,
                                        VariantStock.variant_id == SkuBinding.variant_id))
               .join(Listing, and_(Listing.store_id == SkuBinding.store_id, Listing.product_id == SkuBinding.product_id))
               .where(SkuBinding.store_id.in_(sorted(store_ids)), Listing.status == st.ACTIVE,
                      VariantStock.version > func.coalesce(SkuBinding.pushed_version, 0))
               .subquery())
    return int(db().scalar(select(func.count()).select_from(lagging)) or 0)


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
