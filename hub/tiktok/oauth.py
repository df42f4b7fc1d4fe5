"""Seller authorization: the authorize link, code exchange and token refresh (docs/tiktok-api.md).

The token endpoints live on their own host, are not signed, and put the app secret in the query
(TikTok's design, not ours): so they never go through `ShopClient`, and their URLs are never logged.
`*_expire_in` fields are absolute Unix timestamps despite their names.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

import redis
import requests

from hub.config import Settings
from hub.errors import AuthError, DataError
from hub.tiktok.client import DEFAULT_TIMEOUT
from hub.tiktok.errors import decode_envelope, network_error, require

TOKEN_GET = "/api/v2/token/get"
TOKEN_REFRESH = "/api/v2/token/refresh"
STATE_TTL = 30 * 60  # the auth code itself lives 30 minutes
STATE_PREFIX = "hub:tiktok:oauth-state"


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime | None
    open_id: str | None = None
    seller_name: str | None = None
    seller_base_region: str | None = None
    user_type: int | None = None
    granted_scopes: list[str] = field(default_factory=list)


def _app(settings: Settings) -> tuple[str, str]:
    if not settings.tiktok_app_key or not settings.tiktok_app_secret:
        raise AuthError("The TikTok app key and secret are not configured (HUB_TIKTOK_APP_KEY, "
                        "HUB_TIKTOK_APP_SECRET)", code="tiktok_app_credentials")
    return settings.tiktok_app_key, settings.tiktok_app_secret


def _when(value: Any, field_name: str) -> datetime:
    try:
        stamp = int(value)
    except (TypeError, ValueError):
        raise AuthError(f"TikTok's token answer has no usable {field_name}", code="tiktok_unexpected_response") from None
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


LEGACY_AUTHORIZE_PATH = "/oauth/authorize"


def authorize_url(settings: Settings, state: str) -> str:
    """The link the merchant opens; TikTok redirects to the app's configured URL with `code` and `state`.

    With a service id: TikTok's current link on the services host
    (`https://services.tiktokshop.com/open/authorize?service_id=..&state=..`). Without one: the legacy
    app-key link, which lives on the auth host (`https://auth.tiktok-shops.com/oauth/authorize?app_key=..
    &state=..`), not on the services host (docs/tiktok-client.md, "Authorize link").
    """
    if settings.tiktok_service_id:
        parts = urlsplit(settings.tiktok_authorize_url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        query.append(("service_id", settings.tiktok_service_id))
    else:
        parts = urlsplit(settings.tiktok_auth_base.rstrip("/") + LEGACY_AUTHORIZE_PATH)
        query = [("app_key", _app(settings)[0])]
    query.append(("state", state))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def new_state(connection: redis.Redis, merchant_id: str) -> str:
    """A single-use CSRF state bound to the merchant who started the authorization."""
    state = secrets.token_urlsafe(24)
    connection.set(f"{STATE_PREFIX}:{state}", merchant_id, ex=STATE_TTL)
    return state


def consume_state(connection: redis.Redis, state: str | None) -> str | None:
    """The merchant id the state was issued for, once; None for unknown, reused or expired states."""
    if not state:
        return None
    value = connection.getdel(f"{STATE_PREFIX}:{state}")
    return value.decode() if isinstance(value, bytes) else value


def _token_call(settings: Settings, path: str, params: dict[str, str],
                session: requests.Session | None) -> TokenGrant:
    url = settings.tiktok_auth_base.rstrip("/") + path
    http = session or requests.Session()
    try:
        try:
            response = http.get(url, params=params, timeout=DEFAULT_TIMEOUT, allow_redirects=False)
            content = response.content
        except requests.RequestException as exc:
            # Not chained: the library's exception prints the URL, which carries the app secret and the
            # refresh token or code, into every traceback that is logged or stored with a failed job.
            raise network_error(exc, f"GET {path}") from None
        try:
            data = decode_envelope(response.status_code, content, response.headers, f"GET {path}")
        except DataError as error:
            # Any refusal of a code or refresh token means the merchant has to authorize again.
            raise AuthError(error.message, code=error.code, details=error.details) from error
    finally:
        if session is None:
            http.close()
    require(data, "access_token", "refresh_token", "access_token_expire_in", endpoint=f"GET {path}")
    refresh_expiry = data.get("refresh_token_expire_in")
    return TokenGrant(
        access_token=str(data["access_token"]),
        access_token_expires_at=_when(data["access_token_expire_in"], "access_token_expire_in"),
        refresh_token=str(data["refresh_token"]),
        refresh_token_expires_at=_when(refresh_expiry, "refresh_token_expire_in") if refresh_expiry else None,
        open_id=str(data["open_id"]) if data.get("open_id") is not None else None,
        seller_name=data.get("seller_name"),
        seller_base_region=data.get("seller_base_region"),
        user_type=data.get("user_type"),
        granted_scopes=list(data.get("granted_scopes") or []),
    )


def exchange_code(settings: Settings, code: str, *, session: requests.Session | None = None) -> TokenGrant:
    """Trade the single-use authorization code (valid 30 minutes) for tokens."""
    if not isinstance(code, str) or not code.strip():
        raise DataError("The authorization code is empty", field="code", code="invalid_request")
    app_key, app_secret = _app(settings)
    return _token_call(settings, TOKEN_GET, {"app_key": app_key, "app_secret": app_secret,
                                             "auth_code": code.strip(), "grant_type": "authorized_code"}, session)


def refresh(settings: Settings, refresh_token: str, *, session: requests.Session | None = None) -> TokenGrant:
    app_key, app_secret = _app(settings)
    return _token_call(settings, TOKEN_REFRESH, {"app_key": app_key, "app_secret": app_secret,
                                                 "refresh_token": refresh_token, "grant_type": "refresh_token"},
                       session)

