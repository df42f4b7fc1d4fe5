"""Security for the settings page: CSRF on every form, security headers, and the login guard.

CSRF tokens come from flask-wtf (signed, bound to the session). The check is attached to the
settings-page blueprints only: the Extension API and TikTok webhooks authenticate by signature and
must not demand a browser token.

A page opened inside a hosted platform's admin carries a framed session instead of a login
(hub/stores/framing.py): it may be framed by that store's admin origins only, and it sees that one
store. Every other page refuses to be framed at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from hub.stores import framing

WEB_BLUEPRINTS: set[str] = set()
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def init_app(app: Flask) -> None:
    # A settings page can stay open all afternoon; the token lives as long as the session instead of
    # expiring after an hour and losing the merchant's form.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", 12 * 3600)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.after_request(_security_headers)


def _authorize_origins() -> list[str]:
    """TikTok's authorize hosts: the services host (service id link) and the auth host (app-key link)."""
    from hub.runtime import current

    settings = current().settings
    origins = []
    for url in (settings.tiktok_authorize_url, settings.tiktok_auth_base):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def _security_headers(response: Any) -> Any:
    """Headers for every page the browser renders; JSON API answers are left to their own area."""
    if request.blueprint not in WEB_BLUEPRINTS and response.mimetype != "text/html":
        return response
    # Connecting TikTok posts a form that redirects to TikTok's authorize page; Chromium applies
    # form-action to that redirect, so TikTok's origin is named explicitly.
    form_action = " ".join(["'self'", *_authorize_origins()])
    frame = framing.current_frame()
    origins = frame.origins if frame is not None else framing.refused_origins()
    ancestors = " ".join(origins) if origins else "'none'"
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; frame-ancestors {ancestors}; form-action {form_action}; base-uri 'none'; "
        "object-src 'none'")
    if not origins:
        # X-Frame-Options cannot name origins; a framed page relies on frame-ancestors alone.
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.blueprint in WEB_BLUEPRINTS and response.mimetype in ("text/html", "application/json"):
        response.headers.setdefault("Cache-Control", "no-store")  # pages may hold a one-time secret
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def check_csrf() -> None:
    if request.method not in UNSAFE_METHODS:
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(str(exc)) from exc


def web_blueprint(name: str, import_name: str, *, login: bool = True, **options: Any) -> Blueprint:
    """A settings-page blueprint: CSRF-checked, headered, and (by default) for logged-in users only."""
    bp = Blueprint(name, import_name, **options)
    WEB_BLUEPRINTS.add(name)

    @bp.before_request
    def _guard() -> Any:
        refused = framing.refusal()
        if refused is not None:
            return render_template("error.html", title="Open the app again from your store's admin",
                                   message=FRAME_REFUSALS.get(refused, FRAME_REFUSALS["invalid"])), 401
        frame = framing.current_frame()
        if frame is not None:
            g.merchant_id = frame.merchant_id
            g.frame_store_id = frame.store_id
        elif login:
            from hub.web.auth import load_user

            if not load_user():
                if request.method == "GET":
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                return redirect(url_for("auth.login"))
        check_csrf()
        return None

    @bp.errorhandler(CSRFError)
    def _csrf_failed(error: CSRFError) -> Any:
        return render_template("error.html", title="The form expired",
                               message="This form was open too long or came from another site. "
                                       "Reload the page and try again."), 400

    @bp.errorhandler(404)
    def _not_found(error: Exception) -> Any:
        return render_template("error.html", title="Not found",
                               message="There is nothing here, or it belongs to another account."), 404

    return bp


FRAME_REFUSALS = {
    "expired": "This page was left open too long. Open the TikTok Shop Sync app again from your store's admin.",
    "ended": "This session has ended (the app was uninstalled or reinstalled). Open the app again from your "
             "store's admin.",
    "invalid": "This link is not valid. Open the TikTok Shop Sync app from your store's admin.",
}


def framed_store_id() -> str | None:
    """The one store a framed page may see (None on standalone pages, which see the merchant's stores)."""
    return g.get("frame_store_id")


def merchant_id() -> str:
    """The logged-in user's merchant: every settings-page query is filtered by it."""
    return g.merchant_id
