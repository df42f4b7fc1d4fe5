"""BigCommerce's single-click app: the scopes the app needs, the `/auth` code exchange, and the
`signed_payload_jwt` that the `load`, `uninstall` and `remove_user` callbacks carry.

The JWT is checked in full with PyJWT: HS256 signed with the app's client secret, `aud` equal to the
client id, not expired (`exp`, 24 hours), not used before `nbf`, and `iss == "bc"`. BigCommerce's own
Python client (`bigcommerce` on PyPI, `verify_payload_jwt`) turns the issuer check off; a token minted
elsewhere with a leaked secret for another audience would pass there, so the issuer is checked here too.
Sources: BigCommerce's "Single-Click App OAuth Flow" and "Single-Click App Callback Handlers" guides
(github.com/bigcommerce/docs, docs/integrations/apps/guide/auth.mdx and callbacks.mdx).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jwt

from hub.errors import DataError
from hub.stores.http import PlatformClient

from plugins.bigcommerce.config import BigCommerceConfig

# What the app reads and writes; the merchant approves all of them at install (BigCommerce offers no
# partial approval), and the `/auth` callback is refused when the approved list lacks one, e.g. after
# the app profile's scopes changed and the store still holds the old approval.
REQUIRED_SCOPES = (
    "store_v2_products_read_only",      # Catalog API v3: products, variants, images, custom fields, brands, categories
    "store_v2_orders",                  # Orders API v2: create, look up by external_order_id, cancel; shipments
    "store_v2_information_read_only",   # /v2/store: currency, weight and dimension units
)
# Asked for but not required: with it the app reads stock per inventory location (Inventory API v3) and
# the merchant chooses on the hub which locations sell on TikTok; without it the variants' totals are used.
STOCK_BY_LOCATION = "store_inventory_read_only"
ISSUER = "bc"
STORE_HASH = re.compile(r"^[a-z0-9]{1,32}$")
CONTEXT = re.compile(r"^stores/([a-z0-9]{1,32})$")
# A few seconds for clocks that differ between BigCommerce and the hub.
LEEWAY_SECONDS = 30


class CallbackRefused(Exception):
    """A callback whose JWT or parameters are not BigCommerce's for this app (the route answers 401/400)."""


@dataclass(frozen=True)
class SignedPayload:
    store_hash: str
    user_id: str
    user_email: str
    owner_email: str
    claims: dict[str, Any]


def store_hash_of(context: str | None) -> str:
    found = CONTEXT.match(context or "")
    if not found:
        raise CallbackRefused(f"not a store context: {context!r}")
    return found.group(1)


def verify_signed_payload(config: BigCommerceConfig, token: str | None) -> SignedPayload:
    """The claims of a `signed_payload_jwt`, verified in full; `CallbackRefused` otherwise."""
    if not token:
        raise CallbackRefused("no signed_payload_jwt")
    try:
        claims = jwt.decode(token, config.client_secret, algorithms=["HS256"], audience=config.client_id,
                            issuer=ISSUER, leeway=LEEWAY_SECONDS,
                            options={"require": ["exp", "iat", "aud", "iss", "sub"], "verify_iss": True})
    except jwt.PyJWTError as error:
        raise CallbackRefused(f"signed_payload_jwt refused: {type(error).__name__}: {error}") from error
    user: dict[str, Any] = claims["user"] if isinstance(claims.get("user"), dict) else {}
    owner: dict[str, Any] = claims["owner"] if isinstance(claims.get("owner"), dict) else {}
    return SignedPayload(store_hash=store_hash_of(str(claims.get("sub"))), user_id=str(user.get("id") or ""),
                         user_email=str(user.get("email") or ""), owner_email=str(owner.get("email") or ""),
                         claims=claims)


def missing_scopes(granted: str | None) -> list[str]:
    have = set((granted or "").split())
    return [scope for scope in REQUIRED_SCOPES if scope not in have]


def exchange_code(config: BigCommerceConfig, *, code: str, context: str, scope: str, redirect_uri: str) -> dict[str, Any]:
    """POST /oauth2/token: the store's access token for the code of an `/auth` callback."""
    with PlatformClient(name="BigCommerce", base_url=config.login_url) as client:
        answer = client.request("POST", "/oauth2/token", json_body={
            "client_id": config.client_id, "client_secret": config.client_secret, "code": code, "context": context,
            "scope": scope, "grant_type": "authorization_code", "redirect_uri": redirect_uri})
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise DataError("BigCommerce answered the code exchange without an access token", code="bigcommerce_no_token")
    if answer.get("context") and answer["context"] != context:
        raise DataError("BigCommerce's token is for another store than the install", code="bigcommerce_wrong_store")
    return answer
