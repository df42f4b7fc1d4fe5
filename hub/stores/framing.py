"""Settings pages inside a platform's admin: a framed session that needs no third-party cookie.

Shopify and BigCommerce show an app's page in an iframe of their admin. Browsers block or partition
cookies in such a frame, so the hub's login cookie cannot carry the session there. Instead:

1. The platform opens the connector's page with its signed token (Shopify's session token,
   BigCommerce's `signed_payload_jwt`). The connector verifies it and calls `begin(connector, shop_id)`.
2. The hub creates a server-side session (Redis) bound to that one store and answers with a redirect
   to the settings page carrying a short-lived, hub-signed token (`?frame=...`, or the `X-Hub-Frame`
   header). Every link and form the page renders carries a fresh token (`url_for` adds it), so the
   session needs no cookie at all; the token is signed with the hub's secret key and expires after
   `TOKEN_SECONDS` without a page view.
3. The framed page is scoped to that store: other stores of the merchant, and other merchants, do not
   exist for it (hub/web/scope.py). Its `Content-Security-Policy: frame-ancestors` names only the
   store's admin origins (from the connector); every other page keeps `frame-ancestors 'none'` and
   `X-Frame-Options: DENY`, and the cookie session stays SameSite=Lax.
4. A page that cannot work in a frame (TikTok's authorize page) opens in a new window.

The session data (flash messages, the CSRF token) lives in Redis under the session id, through the
same Flask session interface as the cookie session, so the settings pages work unchanged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, Response, g, redirect, url_for
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from hub.models import Store
from hub.models.store_connections import BROKEN, CONNECTED, StoreCredential
from hub.runtime import current
from hub.stores.connector import HostedConnector

PARAM = "frame"
HEADER = "X-Hub-Frame"
TOKEN_SECONDS = 30 * 60  # a token lives this long without a page view
SESSION_SECONDS = 12 * 3600
_KEY = "hub:frame:"
_SERIAL = TaggedJSONSerializer()
# A broken connection (the platform refused the token) is still framed: the page inside the platform's
# admin is where the merchant reads "Needs reconnecting" and how to fix it; only an uninstalled (or never
# installed) store is refused.
FRAMEABLE = (CONNECTED, BROKEN)


class FrameRefused(Exception):
    """The frame token is missing its session, expired or not the hub's."""


@dataclass(frozen=True)
class Frame:
    sid: str
    store_id: str
    merchant_id: str
    origins: tuple[str, ...]


def _signer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="hub-framed-session")


def sign(sid: str) -> str:
    return _signer(current().settings.secret_key).dumps(sid)


def open_frame(connector: HostedConnector, shop_id: str) -> str:
    """A new framed session for the connected store of `shop_id`; returns its first token."""
    runtime = current()
    with runtime.db.session_scope() as session:
        credential = session.scalar(select(StoreCredential).where(StoreCredential.platform == connector.platform,
                                                                  StoreCredential.shop_id == shop_id))
        if credential is None or credential.status not in FRAMEABLE:
            raise FrameRefused(f"This {connector.label} store has not installed the app")
        store = session.get(Store, credential.store_id)
        assert store is not None
        origins = [o for o in connector.admin_origins(shop_id, dict(credential.details or {})) if _origin_ok(o)]
        record = {"store_id": store.id, "merchant_id": store.merchant_id, "origins": origins, "data": {}}
    sid = secrets.token_urlsafe(18)
    runtime.redis.set(_KEY + sid, _SERIAL.dumps(record), ex=SESSION_SECONDS)
    return sign(sid)


def begin(connector: HostedConnector, shop_id: str, endpoint: str = "dashboard.index") -> WerkzeugResponse:
    """For a connector's admin-page route, after it verified the platform's token: open the settings
    page for that store inside the frame."""
    try:
        token = open_frame(connector, shop_id)
    except FrameRefused as refused:
        return Response(f"{refused}.", status=403, mimetype="text/plain")
    return redirect(url_for(endpoint, frame=token))


def _origin_ok(origin: str) -> bool:
    """Only https origins without paths or wildcards beyond a leading `*.` subdomain go into the CSP."""
    if not origin.startswith("https://") or any(c in origin for c in " ;,'\"") or "/" in origin[8:]:
        return origin.startswith("http://127.0.0.1") or origin.startswith("http://localhost")
    return True


def _token(req: Request) -> str | None:
    return req.args.get(PARAM) or req.headers.get(HEADER) or None


class FramedSession(SecureCookieSession):
    """The session of a framed page: kept in Redis under its id, never sent as a cookie."""

    def __init__(self, initial: Any = None, *, frame: Frame | None = None, refused: str | None = None):
        super().__init__(initial)
        self.frame = frame
        self.refused = refused


class HubSessionInterface(SecureCookieSessionInterface):
    """The cookie session for standalone pages; the Redis-backed framed session when a frame token comes."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:  # type: ignore[override]
        token = _token(request)
        if token is None:
            return super().open_session(app, request)
        runtime = current()
        expired = False
        signer = _signer(runtime.settings.secret_key)
        try:
            sid = signer.loads(token, max_age=TOKEN_SECONDS)
        except SignatureExpired as error:  # genuine but old: its session still names the admin to frame the refusal
            sid, expired = signer.load_payload(error.payload) if error.payload is not None else None, True
        except BadSignature:
            return FramedSession(refused="invalid")
        raw = runtime.redis.get(_KEY + str(sid)) if isinstance(sid, str) else None
        if raw is None:
            return FramedSession(refused="ended")
        record = _SERIAL.loads(raw.decode() if isinstance(raw, bytes) else str(raw))
        frame = Frame(sid=str(sid), store_id=record["store_id"], merchant_id=record["merchant_id"],
                      origins=tuple(record.get("origins") or ()))
        if expired:
            return FramedSession(frame=frame, refused="expired")
        with runtime.db.session_scope() as session:
            status = session.scalar(select(StoreCredential.status).where(StoreCredential.store_id == frame.store_id))
        if status not in FRAMEABLE:
            runtime.redis.delete(_KEY + frame.sid)
            return FramedSession(frame=frame, refused="ended")
        return FramedSession(record.get("data") or {}, frame=frame)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:  # type: ignore[override]
        if not isinstance(session, FramedSession):
            return super().save_session(app, session, response)
        if session.frame is None or session.refused:
            return None
        runtime = current()
        key = _KEY + session.frame.sid
        if session.modified:
            record = {"store_id": session.frame.store_id, "merchant_id": session.frame.merchant_id,
                      "origins": list(session.frame.origins), "data": dict(session)}
            runtime.redis.set(key, _SERIAL.dumps(record), ex=SESSION_SECONDS)
        else:
            runtime.redis.expire(key, SESSION_SECONDS)
        return None


def current_frame() -> Frame | None:
    """The framed session of this request (None on standalone pages and refused frames)."""
    from flask import session

    if isinstance(session, FramedSession) and session.frame is not None and not session.refused:
        return session.frame
    return None


def refusal() -> str | None:
    """Why this request's frame token is refused ("invalid", "expired", "ended"), or None."""
    from flask import session

    return session.refused if isinstance(session, FramedSession) else None


def refused_origins() -> tuple[str, ...]:
    from flask import session

    if isinstance(session, FramedSession) and session.frame is not None:
        return session.frame.origins
    return ()


def _url_defaults(endpoint: str, values: dict[str, Any]) -> None:
    token = g.get("frame_token")
    if token and not endpoint.endswith(".static") and endpoint != "static":
        values.setdefault(PARAM, token)


def _fresh_token() -> None:
    frame = current_frame()
    if frame is not None:
        g.frame_token = sign(frame.sid)


def init_app(app: Flask) -> None:
    app.session_interface = HubSessionInterface()
    app.before_request(_fresh_token)
    app.url_defaults(_url_defaults)
    app.jinja_env.globals["framed"] = current_frame
    app.jinja_env.globals["frame_field"] = _frame_field


def _frame_field() -> Markup:
    """For GET forms, whose submission replaces the action's query: the token as a hidden field."""
    token = g.get("frame_token")
    return Markup('<input type="hidden" name="frame" value="{}">').format(token) if token else Markup("")
