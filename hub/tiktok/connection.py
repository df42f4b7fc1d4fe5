"""A merchant's TikTok shop connection: connecting, token upkeep, and the client the rest of the hub uses.

Tokens are stored encrypted (SecretBox) on `TikTokShop`; both are written in one transaction on every
refresh because TikTok does not document whether a refresh rotates the refresh token. Many workers
share one connection, so a refresh happens under a Redis lock and a worker that waited for the lock
adopts the token the other one stored instead of refreshing again.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import AuthError, DataError, RetryableError
from hub.models.tiktok_shops import BROKEN, CONNECTED, TikTokShop
from hub.tiktok import oauth
from hub.tiktok.client import ShopClient, StaticToken
from hub.tiktok.ratelimit import RateLimiter

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.tiktok")

# Refresh this long before TikTok's stated expiry, so a call never starts with a token about to lapse.
REFRESH_MARGIN = timedelta(hours=1)
REFRESH_LOCK_TIMEOUT = 60
REGION_CURRENCY = {"GB": "GBP", "US": "USD", "DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR", "IE": "EUR"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def limiter_for(runtime: "Runtime") -> RateLimiter:
    """One limiter per process and runtime; its state lives in Redis, shared by all processes."""
    limiter = runtime.cache.get("tiktok_limiter")
    if limiter is None:
        limiter = RateLimiter(runtime.redis, per_second=runtime.settings.tiktok_rate_limit_per_second)
        runtime.cache["tiktok_limiter"] = limiter
    return limiter


def store_grant(shop: TikTokShop, grant: oauth.TokenGrant, runtime: "Runtime") -> None:
    """Both tokens and their expiries, encrypted, on the same row (one UPDATE when flushed)."""
    box = runtime.secrets
    shop.access_token_encrypted = box.encrypt(grant.access_token)
    shop.access_token_expires_at = grant.access_token_expires_at
    shop.refresh_token_encrypted = box.encrypt(grant.refresh_token)
    shop.refresh_token_expires_at = grant.refresh_token_expires_at
    if grant.granted_scopes:
        shop.granted_scopes = list(grant.granted_scopes)
    if grant.open_id:
        shop.open_id = grant.open_id
    if grant.seller_name:
        shop.seller_name = grant.seller_name


def mark(shop: TikTokShop, status: str, reason: str | None) -> None:
    shop.status = status
    shop.status_reason = reason
    shop.updated_at = _now()


class ShopConnection:
    """The `TokenSource` of a stored connection: proactive refresh, and refresh-on-refusal once."""

    def __init__(self, runtime: "Runtime", shop: TikTokShop):
        self.runtime = runtime
        self.shop_row_id = shop.id
        self._token = runtime.secrets.decrypt(shop.access_token_encrypted)
        self._expires_at = shop.access_token_expires_at

    def access_token(self) -> str:
        if self._expires_at - _now() < REFRESH_MARGIN:
            try:
                self._refresh(self._token)
            except RetryableError:
                if self._expires_at <= _now():
                    raise
                log.warning("Early TikTok token refresh failed; the current token is still valid")
        return self._token

    def after_auth_failure(self, error: AuthError, used_token: str) -> str | None:
        return self._refresh(used_token, refused=True)

    def _refresh(self, used_token: str, refused: bool = False) -> str:
        runtime = self.runtime
        lock = runtime.redis.lock(f"hub:tiktok:refresh:{self.shop_row_id}", timeout=REFRESH_LOCK_TIMEOUT,
                                  blocking_timeout=REFRESH_LOCK_TIMEOUT)
        if not lock.acquire():
            raise RetryableError("Another worker is still refreshing the TikTok token", code="tiktok_refresh_busy")
        failure: AuthError | None = None
        try:
            with runtime.db.session_scope() as session:
                shop = session.get(TikTokShop, self.shop_row_id, with_for_update=True)
                if shop is None:
                    raise AuthError("The TikTok connection was removed", code="tiktok_not_connected")
                stored = runtime.secrets.decrypt(shop.access_token_encrypted)
                fresh_enough = shop.access_token_expires_at - _now() >= REFRESH_MARGIN
                if stored != used_token and (fresh_enough or refused):
                    # Another worker refreshed while we waited for the lock: use its token.
                    self._token, self._expires_at = stored, shop.access_token_expires_at
                    return self._token
                try:
                    grant = oauth.refresh(runtime.settings, runtime.secrets.decrypt(shop.refresh_token_encrypted))
                except AuthError as error:
                    mark(shop, BROKEN, f"TikTok refused to refresh the access token: {error.message}. "
                                       "Reconnect the TikTok shop in the settings page.")
                    failure = error
                else:
                    store_grant(shop, grant, runtime)
                    if shop.status == BROKEN:
                        mark(shop, CONNECTED, None)
                    self._token, self._expires_at = grant.access_token, grant.access_token_expires_at
                    log.info("Refreshed the TikTok access token of shop %s", shop.shop_id)
        finally:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - an expired lock is released already
                pass
        if failure is not None:
            raise failure
        return self._token


def client_for_shop(runtime: "Runtime", shop: TikTokShop, *, session: requests.Session | None = None) -> ShopClient:
    settings = runtime.settings
    if shop.status != CONNECTED:
        raise AuthError(f"The TikTok connection is {shop.status}: reconnect the TikTok shop in the settings page"
                        + (f" ({shop.status_reason})" if shop.status_reason else ""), code="tiktok_not_connected")
    return ShopClient(api_base=settings.tiktok_api_base, app_key=settings.tiktok_app_key or "",
                      app_secret=settings.tiktok_app_secret or "", tokens=ShopConnection(runtime, shop),
                      shop_cipher=shop.shop_cipher, shop_key=shop.shop_id, limiter=limiter_for(runtime),
                      session=session)


def kept_client_for_shop(runtime: "Runtime", shop: TikTokShop) -> ShopClient:
    """The client this process and thread keep for `shop`, built again only when its row changed.

    A worker pushing price and stock makes thousands of calls to the same shop: a client per call
    opened a new HTTP connection, decrypted the token and read the proxy settings every time. The
    kept client is reused while the row's status, token and cipher are what it was built from; a
    refresh by any process (a new stored token) or a broken connection shows in the row, so the next
    call builds a new one or raises as `client_for_shop` does. The caller must not close it.
    """
    kept: dict[str, tuple[tuple[object, ...], ShopClient]] = _kept(runtime)
    key = (shop.status, shop.access_token_encrypted, shop.access_token_expires_at, shop.shop_cipher, shop.shop_id,
           runtime.settings.tiktok_api_base)
    found = kept.get(shop.id)
    if found is not None and found[0] == key:
        return found[1]
    client = client_for_shop(runtime, shop)
    if found is not None:
        found[1].close()
    kept[shop.id] = (key, client)
    return client


def _kept(runtime: "Runtime") -> dict:
    local = runtime.cache.get("tiktok_clients")
    if local is None:
        local = runtime.cache.setdefault("tiktok_clients", threading.local())
    if not hasattr(local, "clients"):
        local.clients = {}
    return local.clients


def client_for_merchant(session: Session, merchant_id: str, runtime: "Runtime | None" = None) -> ShopClient:
    """The client for the merchant's connected shop; token refresh happens inside it."""
    if runtime is None:
        from hub.runtime import current

        runtime = current()
    shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
    if shop is None:
        raise AuthError("No TikTok shop is connected yet: connect one in the settings page",
                        code="tiktok_not_connected")
    return client_for_shop(runtime, shop)


def _pick_shop(shops: list[dict]) -> dict:
    usable = [s for s in shops if isinstance(s, dict) and s.get("id") and s.get("cipher")]
    if not usable:
        raise AuthError("TikTok authorized no shop for this app", code="tiktok_no_shop")
    for shop in usable:
        if str(shop.get("region", "")).upper() == "GB":
            return shop
    return usable[0]


def connect(runtime: "Runtime", session: Session, code: str, merchant_id: str) -> TikTokShop:
    """Exchange an authorization code, discover the shop, and store the connection for the merchant."""
    settings = runtime.settings
    grant = oauth.exchange_code(settings, code)
    with ShopClient(api_base=settings.tiktok_api_base, app_key=settings.tiktok_app_key or "",
                    app_secret=settings.tiktok_app_secret or "", tokens=StaticToken(grant.access_token),
                    limiter=limiter_for(runtime), shop_key="authorization") as client:
        found = _pick_shop(client.authorization.shops()["shops"])
    shop_id = str(found["id"])
    shop = session.scalar(select(TikTokShop).where(TikTokShop.shop_id == shop_id))
    if shop is not None and shop.merchant_id != merchant_id:
        raise DataError(f"The TikTok shop {found.get('name') or shop_id} is already connected to another merchant",
                        code="tiktok_shop_taken")
    if shop is None:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
    if shop is None:
        shop = TikTokShop(merchant_id=merchant_id)
        session.add(shop)
    region = str(found.get("region") or grant.seller_base_region or "").upper() or None
    shop.shop_id = shop_id
    shop.shop_cipher = str(found["cipher"])
    shop.shop_name = found.get("name")
    shop.region = region
    shop.currency = REGION_CURRENCY.get(region or "")
    store_grant(shop, grant, runtime)
    shop.connected_at = _now()
    shop.authorization_expires_at = None
    mark(shop, CONNECTED, None)
    session.flush()
    return shop
