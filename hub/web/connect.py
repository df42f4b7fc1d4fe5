"""Connecting the TikTok shop through OAuth: start (state) → TikTok's authorize page → callback.

The `state` is single-use, lives in Redis and is bound to the merchant who started, so a callback
replayed or forged into another merchant's browser connects nothing. The code exchange and shop
discovery are `hub.tiktok.connection.connect`. The app's redirect URL, configured with TikTok, is
`<HUB_PUBLIC_URL>/tiktok/oauth/callback`.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hub.errors import AuthError, DataError, HubError
from hub.models import ActivityEntry
from hub.runtime import current
from hub.tiktok import connection, oauth
from hub.web.db import db
from hub.web.security import merchant_id, web_blueprint

bp = web_blueprint("tiktok", __name__, url_prefix="/tiktok")


@bp.route("/connect", methods=["POST"])
def connect() -> Any:
    runtime = current()
    try:
        state = oauth.new_state(runtime.redis, merchant_id())
        target = oauth.authorize_url(runtime.settings, state)
    except AuthError as error:
        flash(f"The hub cannot start the TikTok connection: {error.message}. Ask the hub's operator to set "
              "the TikTok app key and secret.", "error")
        return redirect(url_for("dashboard.index"))
    return redirect(target, code=303)


@bp.route("/oauth/callback")
def callback() -> Any:
    runtime = current()
    state_owner = oauth.consume_state(runtime.redis, request.args.get("state"))
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
    flash(f"Connected to the TikTok shop {shop.shop_name or shop.shop_id}.", "success")
    return redirect(url_for("dashboard.index"))
