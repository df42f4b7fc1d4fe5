"""Login and logout for the settings page.

The session holds the user id and a fingerprint of the password hash, so changing a password (with
`hub user add` on a new account, or a reset) logs out every other browser. Login attempts are rate
limited per address and per email in Redis, shared by every web process, counted before the password is
checked (a successful login clears its account's count); an unknown e-mail costs the same password check
as a known one.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from hub.models import Merchant, User
from hub.runtime import current
from hub.web.db import db
from hub.web.security import web_blueprint

bp = web_blueprint("auth", __name__, login=False)

PER_ACCOUNT = parse("10/15 minutes")
PER_ADDRESS = parse("50/15 minutes")


@functools.cache
def _dummy_hash() -> str:
    """A hash made with the same method and cost as real ones (made once per process, on first use)."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def load_user() -> User | None:
    """The logged-in user (cached on `g`), or None; a stale session is cleared."""
    if "user" in g:
        return g.user
    g.user = None
    user_id = session.get("user_id")
    if user_id:
        user = db().get(User, user_id)
        if user is not None and session.get("auth") == _fingerprint(user):
            g.user = user
            g.merchant_id = user.merchant_id
            g.merchant = db().get(Merchant, user.merchant_id)
        else:
            session.clear()
    return g.user


def _limiter() -> MovingWindowRateLimiter:
    runtime = current()
    limiter = runtime.cache.get("web_login_limiter")
    if limiter is None:
        limiter = MovingWindowRateLimiter(storage_from_string(runtime.redis_url))
        runtime.cache["web_login_limiter"] = limiter
    return limiter


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce a fresh login to their site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if load_user() is not None and request.method == "GET":
        return redirect(url_for("dashboard.index"))
    error = None
    email = ""
    status = 200
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()
        password = request.form.get("password") or ""
        limiter = _limiter()
        address = request.remote_addr or "unknown"
        # Every attempt is counted before the password is checked, each count one atomic step in Redis:
        # checking first and counting after a failure let 40 simultaneous guesses through a limit of 10.
        within_address = limiter.hit(PER_ADDRESS, "login-ip", address)
        within_account = limiter.hit(PER_ACCOUNT, "login-user", email)
        if not (within_address and within_account):
            error = "Too many failed attempts. Wait 15 minutes and try again."
            status = 429
        else:
            user = db().scalar(select(User).where(User.email == email)) if email else None
            if user is None:
                # As slow as a wrong password for a real account, so the answer's timing does not tell
                # which e-mail addresses have one.
                check_password_hash(_dummy_hash(), password)
            elif user.check_password(password):
                limiter.clear(PER_ACCOUNT, "login-user", email)  # a successful login forgives the account
                session.clear()  # a fresh session on login: no fixation
                session.permanent = True
                session["user_id"] = user.id
                session["auth"] = _fingerprint(user)
                user.last_login_at = datetime.now(timezone.utc)
                db().commit()
                return redirect(_safe_next(request.args.get("next")))
            error = "That email and password do not match an account."
            status = 401
    return render_template("login.html", error=error, email=email), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
