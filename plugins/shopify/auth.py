"""Installing the app and keeping its access: Shopify's signatures, session tokens and token grants.

Two installs, as Shopify documents them (shopify.dev, "Authentication and authorization"):

- **Shopify-managed installation + token exchange** (the embedded app): Shopify installs the app with
  the scopes of `shopify.app.toml` and opens the app's page in the admin with a *session token*
  (`id_token`), an HS256 JWT signed with the client secret. The hub verifies it and exchanges it at
  `POST https://{shop}/admin/oauth/access_token` for an *expiring offline* access token (60 minutes)
  and a refresh token (`expiring=1`).
- **Authorization-code grant** (a non-embedded install started from the hub's Stores page): the
  merchant approves on Shopify's authorize page; the callback's query is signed (hex HMAC-SHA256 of
  the sorted, URL-encoded parameters without `hmac`, within 90 s) and carries the hub's single-use
  `state`; the code is exchanged at the same endpoint, also for an expiring token.

Expiring offline tokens are refreshed with `grant_type=refresh_token` before they lapse; the refresh
token rotates with each refresh. The hub's credential store (hub/stores/credentials.py) calls
`refresh` under a lock and keeps both tokens encrypted.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

import jwt

from hub.errors import AuthError, DataError
from hub.stores.connector import Grant
from hub.stores.http import PlatformClient
from plugins.shopify.config import ShopifyConfig

SHOP = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
HMAC_TOLERANCE = 90  # seconds, as @shopify/shopify-api's hmac-validator
JWT_LEEWAY = 10  # seconds, as @shopify/shopify-api's decode-session-token
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token"
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


class InvalidSignature(Exception):
    """A query or token that Shopify did not sign for this app (or signed too long ago)."""


def valid_shop(shop: str | None) -> str | None:
    """The shop's myshopify domain if `shop` is one, else None (never trust it before this)."""
    shop = (shop or "").strip().lower()
    return shop if SHOP.match(shop) else None


def _form_encode(text: str) -> str:
    """What URLSearchParams.toString() writes (spaces as %20, as the library rewrites them)."""
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def query_message(params: Iterable[tuple[str, str]]) -> str:
    """The signed message of an admin query: every pair but `hmac` and `signature`, sorted by key,
    URL-encoded as `k=v` and joined with `&` (several values of one key keep their order)."""
    pairs = [(k, v) for k, v in params if k not in ("hmac", "signature")]
    pairs.sort(key=lambda kv: kv[0])
    return "&".join(f"{_form_encode(k)}={_form_encode(v)}" for k, v in pairs)


def sign_query(secret: str, params: Iterable[tuple[str, str]]) -> str:
    return hmac.new(secret.encode(), query_message(params).encode(), hashlib.sha256).hexdigest()


def verify_query(secrets: Iterable[str], params: Iterable[tuple[str, str]], *, now: float | None = None) -> None:
    """Raise InvalidSignature unless the query's `hmac` is the app's and its `timestamp` is recent."""
    pairs = list(params)
    given = [v for k, v in pairs if k == "hmac"]
    stamps = [v for k, v in pairs if k == "timestamp"]
    if len(given) != 1 or len(stamps) != 1:
        raise InvalidSignature("the query has no single hmac and timestamp")
    try:
        stamp = int(stamps[0])
    except ValueError:
        raise InvalidSignature("the timestamp is not a number") from None
    if abs((time.time() if now is None else now) - stamp) > HMAC_TOLERANCE:
        raise InvalidSignature("the timestamp is more than 90 s away")
    if not any(hmac.compare_digest(sign_query(secret, pairs), given[0]) for secret in secrets):
        raise InvalidSignature("the hmac does not match")


@dataclass(frozen=True)
class SessionToken:
    shop: str
    claims: dict[str, Any]


def decode_session_token(token: str, config: ShopifyConfig) -> SessionToken:
    """Verify an App Bridge session token: HS256 with the client secret, audience the client id,
    within `exp`/`nbf` (10 s leeway), issued by and for a valid shop's admin."""
    last: Exception | None = None
    for secret in config.secrets:
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], audience=config.client_id, leeway=JWT_LEEWAY,
                                options={"require": ["exp", "nbf", "iss", "dest", "aud"]})
            break
        except jwt.InvalidSignatureError as error:  # maybe the previous secret signed it
            last = error
        except jwt.PyJWTError as error:
            raise InvalidSignature(f"session token refused: {error}") from None
    else:
        raise InvalidSignature(f"session token refused: {last}")
    dest = urlsplit(str(claims.get("dest") or ""))
    shop = valid_shop(dest.hostname) if dest.scheme == "https" else None
    issuer = urlsplit(str(claims.get("iss") or "") if "://" in str(claims.get("iss")) else f"https://{claims.get('iss')}")
    if shop is None or issuer.hostname != shop or issuer.path.rstrip("/") != "/admin":
        raise InvalidSignature("session token refused: its shop is not a Shopify shop or its issuer differs")
    return SessionToken(shop=shop, claims=claims)


def _grant(answer: Any) -> Grant:
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise AuthError("Shopify's token answer has no access token", code="shopify_token_answer")
    now = datetime.now(timezone.utc)
    expires = answer.get("expires_in")
    refresh_expires = answer.get("refresh_token_expires_in")
    return Grant(access_token=str(answer["access_token"]),
                 expires_at=now + timedelta(seconds=int(expires)) if expires else None,
                 refresh_token=str(answer["refresh_token"]) if answer.get("refresh_token") else None,
                 refresh_expires_at=now + timedelta(seconds=int(refresh_expires)) if refresh_expires else None,
                 scopes=tuple(s for s in str(answer.get("scope") or "").split(",") if s))


def _token_call(config: ShopifyConfig, shop: str, body: Mapping[str, str]) -> Grant:
    with PlatformClient(name="Shopify", base_url=config.shop_url(shop)) as client:
        try:
            answer = client.request("POST", "/admin/oauth/access_token",
                                    json_body={"client_id": config.client_id, "client_secret": config.client_secret,
                                               **body})
        except DataError as error:  # 400: an invalid code, token or refresh token
            raise AuthError(f"Shopify refused the token request: {error.message}",
                            code="shopify_token_refused") from error
    return _grant(answer)


def exchange_session_token(config: ShopifyConfig, shop: str, session_token: str) -> Grant:
    """Token exchange: the admin's session token for an expiring offline access token."""
    return _token_call(config, shop, {"grant_type": TOKEN_EXCHANGE, "subject_token": session_token,
                                      "subject_token_type": ID_TOKEN, "requested_token_type": OFFLINE_TOKEN,
                                      "expiring": "1"})


def exchange_code(config: ShopifyConfig, shop: str, code: str) -> Grant:
    """Authorization-code grant: the callback's code for an expiring offline access token."""
    return _token_call(config, shop, {"code": code, "expiring": "1"})


def refresh(config: ShopifyConfig, shop: str, refresh_token: str) -> Grant:
    """A new access token (and a rotated refresh token) before the old one lapses."""
    return _token_call(config, shop, {"grant_type": "refresh_token", "refresh_token": refresh_token})
