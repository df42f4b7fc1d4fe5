"""Connecting the TikTok shop through OAuth: start (state) → TikTok's authorize page → callback.

The `state` is single-use, lives in Redis and is bound to the merchant who started, so a callback
replayed or forged into another merchant's browser connects nothing. The code exchange and shop
discovery are `hub.tiktok.connection.connect`. The app's redirect URL, configured with TikTok, is
`<HUB_PUBLIC_URL>/tiktok/oauth/callback`.

Started from a page framed in a store platform's admin, the authorize page opens in a new window
(TikTok's page cannot be framed) that has no login: the state then also records that a framed session
of that merchant started it, and the callback completes on the state alone and asks the merchant to
close the window.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from hub.errors import AuthError, DataError, HubError
from hub.models import ActivityEntry
from hub.runtime import current
from hub.sync import policy
from hub.tiktok import connection, oauth
from hub.web.db import db
from hub.web.security import framed_store_id, merchant_id, web_blueprint

bp = web_blueprint("tiktok", __name__, url_prefix="/tiktok")
# The callback of a connection started in a frame arrives in a window with no session.
callback_bp = web_blueprint("tiktok_callback", __name__, url_prefix="/tiktok", login=False)
FRAMED_STATE = "hub:tiktok:framed-state"


@bp.route("/connect", methods=["POST"])
def connect() -> Any:
    runtime = current()
    try:
        state = oauth.new_state(runtime.redis, merchant_id())
        target = oauth.authorize_url(runtime.settings, state)
        if framed_store_id() is not None:
            runtime.redis.set(f"{FRAMED_STATE}:{state}", merchant_id(), ex=oauth.STATE_TTL)
    except AuthError as error:
        flash(f"The hub cannot start the TikTok connection: {error.message}. Ask the hub's operator to set "
              "the TikTok app key and secret.", "error")
        return redirect(url_for("dashboard.index"))
    return redirect(target, code=303)


@callback_bp.route("/oauth/callback")
def callback() -> Any:
    from hub.web.auth import load_user

    runtime = current()
    state = request.args.get("state") or ""
    if load_user() is None:
        framed_owner = runtime.redis.getdel(f"{FRAMED_STATE}:{state}") if state else None
        if framed_owner is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        owner = framed_owner.decode() if isinstance(framed_owner, bytes) else str(framed_owner)
        if oauth.consume_state(runtime.redis, state) != owner:
            return redirect(url_for("auth.login"))
        return _framed_callback(owner)
    runtime.redis.delete(f"{FRAMED_STATE}:{state}")
    state_owner = oauth.consume_state(runtime.redis, state)
    if request.args.get("error") or not request.args.get("code") or request.args.get("code") == "null":
        flash("TikTok did not authorize the hub (the request was declined or cancelled). Nothing changed; "
              "click “Connect TikTok Shop” to try again.", "warning")
        return redirect(url_for("dashboard.index"))
    if state_owner != merchant_id():
        return render_template("error.html", title="This connection link is not valid",
                               message="The link from TikTok has expired, was already used, or was started by "
                                       "another account. Click “Connect TikTok Shop” again."), 400
    session = db()
    try:
        shop = connection.connect(runtime, session, request.args["code"], merchant_id())
        session.add(ActivityEntry(merchant_id=merchant_id(), kind="shop.connected", subject_type="shop",
                                  subject_id=shop.shop_id,
                                  message=f"Connected the TikTok shop {shop.shop_name or shop.shop_id}."))
        session.commit()
    except (AuthError, DataError) as error:
        session.rollback()
        flash(f"TikTok refused the connection: {error.message}. Click “Connect TikTok Shop” to try again.", "error")
        return redirect(url_for("dashboard.index"))
    except HubError as error:
        session.rollback()
        flash(f"TikTok could not be reached ({error.message}). Try again in a minute.", "error")
        return redirect(url_for("dashboard.index"))
    try:
        policy.resume_parked(runtime, merchant_id())
    except Exception:  # the connection is stored; reconciliation and the order search catch up anyway
        current_app.logger.exception("Could not resume the work parked for merchant %s", merchant_id())
    _read_existing_products(merchant_id())
    flash(f"Connected to the TikTok shop {shop.shop_name or shop.shop_id}.", "success")
    return redirect(url_for("dashboard.index"))


def _framed_callback(owner: str) -> Any:
    """The callback in the window a framed page opened: connect for the state's merchant, then say so."""
    if request.args.get("error") or not request.args.get("code") or request.args.get("code") == "null":
        return render_template("error.html", title="TikTok did not authorize the hub",
                               message="Nothing changed. Close this window and click “Connect TikTok Shop” "
                                       "in your store's admin to try again."), 200
    session = db()
    try:
        shop = connection.connect(current(), session, request.args["code"], owner)
        session.add(ActivityEntry(merchant_id=owner, kind="shop.connected", subject_type="shop",
                                  subject_id=shop.shop_id,
                                  message=f"Connected the TikTok shop {shop.shop_name or shop.shop_id}."))
        session.commit()
    except HubError as error:
        session.rollback()
        return render_template("error.html", title="TikTok refused the connection",
                               message=f"{error.message}. Close this window and try again from your store's "
                                       "admin."), 200
    _read_existing_products(owner)
    return render_template("error.html", title="TikTok Shop connected",
                           message=f"Connected to the TikTok shop {shop.shop_name or shop.shop_id}. Close this "
                                   "window and return to your store's admin."), 200


def _read_existing_products(merchant: str) -> None:
    """Products the shop already sells are read and proposed for linking, so none is listed twice."""
    from hub.sync.products import linking

    try:
        linking.start_for_merchant(current(), merchant)
    except Exception:  # the connection is stored; "Check again" on the linking page starts the reading
        current_app.logger.exception("Could not start reading the existing TikTok products of merchant %s", merchant)
