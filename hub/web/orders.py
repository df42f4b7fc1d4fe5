"""Orders: each TikTok order's way into the store, with the reason and fix when it failed, and Sync.

Sync is `hub.sync.orders.handoff.retry_order`: it re-fetches the order from TikTok, re-matches it and
hands it to the store afresh; only a Failed order is retried, so a double click cannot make two
store orders. Returns and refunds are shown under their order, with Approve/Reject while TikTok waits
for the seller's decision.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import or_, select

from hub.errors import AuthError, DataError, HubError
from hub.models import Order, TikTokReturn
from hub.models.orders import FAILED, FULFIL_FAILED, FULFIL_QUEUED, STATUS_LABELS
from hub.web import scope
from hub.sync.orders.status import return_as_dict
from hub.web.db import db
from hub.web.security import web_blueprint

bp = web_blueprint("orders", __name__, url_prefix="/orders")

PAGE_SIZE = 50
LABEL_TO_STATUS = {label: key for key, label in STATUS_LABELS.items()}


def order_or_404(order_id: str) -> Order:
    order = db().get(Order, order_id)
    if order is None or not scope.visible_order(order):
        abort(404)
    return order


@bp.route("/")
def index() -> Any:
    stores = scope.stores()
    query = scope.orders()
    status = request.args.get("status", "")
    text = (request.args.get("q") or "").strip()[:100]
    if status in LABEL_TO_STATUS:
        query = query.where(Order.status == LABEL_TO_STATUS[status])
    if text:
        query = query.where(or_(Order.tiktok_order_id == text, Order.platform_order_id == text))
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    orders = list(db().scalars(query.order_by(Order.created_at.desc(), Order.id)
                               .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    args = {k: v for k, v in request.args.items() if k != "page"}
    returns: dict[str, list[dict[str, Any]]] = {}
    shown = orders[:PAGE_SIZE]
    if shown:
        for ret in db().scalars(select(TikTokReturn).where(
                TikTokReturn.merchant_id == scope.merchant_id(),
                TikTokReturn.tiktok_order_id.in_([o.tiktok_order_id for o in shown]),
                TikTokReturn.tiktok_status != "")  # a row still being applied is not shown half-made
                .order_by(TikTokReturn.created_at, TikTokReturn.id)):
            returns.setdefault(ret.tiktok_order_id, []).append(return_as_dict(ret))
    return render_template("orders.html", title="Orders", orders=shown, more=len(orders) > PAGE_SIZE,
                           page=page, args=args, labels=STATUS_LABELS, status=status, text=text,
                           store_names={s.id: s.name for s in stores}, FAILED=FAILED, returns=returns)


@bp.route("/returns/<return_id>/decision", methods=["POST"])
def decide(return_id: str) -> Any:
    """Approve or reject a return at TikTok (TikTok's return decision for the step it waits for)."""
    from hub.runtime import current
    from hub.sync.orders.returns import decide as send_decision

    ret = db().get(TikTokReturn, return_id)
    if ret is None or ret.merchant_id != scope.merchant_id() or scope.framed_store_id() not in (None, ret.store_id):
        abort(404)
    choice = request.form.get("decision")
    if choice not in ("approve", "reject"):
        flash("Choose Approve or Reject.", "error")
        return redirect(url_for("orders.index"))
    comment = (request.form.get("comment") or "").strip()[:1000] or None
    db().rollback()  # the decision is made in its own transactions; nothing of this request is pending
    try:
        send_decision(current(), scope.merchant_id(), return_id, approve=choice == "approve", comment=comment)
    except AuthError as error:
        flash(f"TikTok refused the request: {error.message}. Reconnect the TikTok shop on the Overview page.", "error")
    except DataError as error:
        flash(f"Return {ret.return_id}: {error.message}", "error")
    except HubError as error:
        flash(f"TikTok could not be reached ({error.message}). Try again in a minute.", "error")
    else:
        flash(f"Return {ret.return_id} was {'approved' if choice == 'approve' else 'rejected'} on TikTok.", "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("orders.index"))


@bp.route("/<order_id>/sync", methods=["POST"])
def sync(order_id: str) -> Any:
    from hub.sync.orders.handoff import retry_order

    order = order_or_404(order_id)
    store_id = order.store_id or next((s.id for s in scope.stores(include_revoked=False)), None)
    if store_id is None:
        flash("Connect a store first: the order has nowhere to go.", "error")
        return redirect(url_for("orders.index"))
    session = db()
    shipment = order.status != FAILED and order.fulfilment_status in (FULFIL_FAILED, FULFIL_QUEUED)
    try:
        retried = retry_order(session, store_id, order.tiktok_order_id)
        session.commit()
    except AuthError as error:
        session.rollback()
        flash(f"TikTok refused the request: {error.message}. Reconnect the TikTok shop on the Overview page.", "error")
    except DataError as error:
        session.rollback()
        flash(f"Order {order.tiktok_order_id} could not be retried: {error.message}", "error")
    except HubError as error:
        session.rollback()
        flash(f"TikTok could not be reached ({error.message}). Try again in a minute.", "error")
    else:
        if shipment:
            flash(f"The shipment of order {retried.tiktok_order_id} is being sent to TikTok again.", "success")
        else:
            label = STATUS_LABELS.get(retried.status, retried.status)
            flash(f"Order {retried.tiktok_order_id} was sent to the store again (now {label}).", "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("orders.index"))


@bp.route("/<order_id>/handover", methods=["GET", "POST"])
def handover(order_id: str) -> Any:
    """TikTok Shipping: hand the package to TikTok's carrier (drop-off or a pickup slot)."""
    from hub.runtime import current
    from hub.sync.orders import tiktok_shipping

    order = order_or_404(order_id)
    runtime = current()
    if request.method == "POST":
        choice = request.form.get("handover", "")
        method, _, slot_text = choice.partition(":")
        slot = None
        if slot_text:
            start, _, end = slot_text.partition("-")
            try:
                slot = {"start_time": int(start), "end_time": int(end)}
            except ValueError:
                slot = None
        try:
            used = tiktok_shipping.hand_over(runtime, order.id, method, slot)
        except AuthError as error:
            flash(f"TikTok refused the request: {error.message}. Reconnect the TikTok shop on the Overview page.",
                  "error")
        except DataError as error:
            flash(f"The handover of order {order.tiktok_order_id} was not arranged: {error.message}", "error")
        except HubError as error:
            flash(f"TikTok could not be reached ({error.message}). Try again in a minute.", "error")
        else:
            flash(f"Order {order.tiktok_order_id} is shipped with TikTok Shipping "
                  f"({'drop-off' if used == 'DROP_OFF' else 'pickup'}): print its shipping label.", "success")
        return redirect(url_for("orders.handover", order_id=order.id))
    options, problem = None, None
    try:
        options = tiktok_shipping.handover_options(runtime, order.id)
    except HubError as error:
        problem = error.message
    return render_template("order_handover.html", title=f"TikTok Shipping — order {order.tiktok_order_id}",
                           order=order, options=options, problem=problem)


@bp.route("/<order_id>/label")
def shipping_label(order_id: str) -> Any:
    """The package's shipping label: TikTok's own link (valid 24 hours), fetched when asked for."""
    from hub.runtime import current
    from hub.sync.orders import tiktok_shipping

    order = order_or_404(order_id)
    try:
        url = tiktok_shipping.label_url(current(), order.id)
    except HubError as error:
        flash(f"No shipping label for order {order.tiktok_order_id}: {error.message}", "error")
        return redirect(url_for("orders.handover", order_id=order.id))
    return redirect(url)


def _same_site(url: str | None) -> bool:
    return url is not None and url.startswith(request.host_url)
