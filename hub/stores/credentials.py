"""A hosted store's platform credentials: stored encrypted, refreshed before expiry under a lock.

Tokens live on `StoreCredential`, encrypted with the hub's SecretBox, both written in one transaction
on every refresh (platforms may rotate the refresh token: Shopify's expiring offline tokens do). Many
workers share one connection, so a refresh happens under a Redis lock, and a worker that waited for
the lock adopts the token the other one stored instead of refreshing again.

When the platform refuses the app (a refresh refused, a 401 that a refresh does not cure), the
connection is marked broken by `connection_lost`: the hook where the hub's policy for authorisation
failures applies (mark it, park the work, show it on the settings page).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from hub.errors import AuthError, RetryableError
from hub.models import ActivityEntry, Store
from hub.models.store_connections import BROKEN, CONNECTED, StoreCredential
from hub.stores.connector import Grant, HostedConnector
from hub.sync.stock import away

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.stores")

# Refresh this long before the stated expiry, so no call starts with a token about to lapse.
REFRESH_MARGIN = timedelta(minutes=5)
REFRESH_LOCK_SECONDS = 60


def _now() -> datetime:
    return datetime.now(timezone.utc)


def store_grant(credential: StoreCredential, grant: Grant, runtime: "Runtime") -> None:
    box = runtime.secrets
    credential.access_token_encrypted = box.encrypt(grant.access_token)
    credential.access_token_expires_at = grant.expires_at
    if grant.refresh_token is not None:
        credential.refresh_token_encrypted = box.encrypt(grant.refresh_token)
        credential.refresh_token_expires_at = grant.refresh_expires_at
    if grant.scopes:
        credential.scopes = list(grant.scopes)


def connection_lost(session: Session, credential: StoreCredential, status: str, reason: str) -> None:
    """Mark the connection (`broken` or `uninstalled`) and say so where the merchant looks.

    Work for the store is parked while it is not connected: command jobs leave commands pending,
    notifications wait, the sweep skips it; reconnecting (installing again) resumes all of it.
    """
    if credential.status == status and credential.status_reason == reason:
        return
    credential.status = status
    credential.status_reason = reason
    credential.updated_at = _now()
    store = session.get(Store, credential.store_id)
    if store is not None:
        session.add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind=f"store.{status}",
                                  level="warning", subject_type="store", subject_id=store.id,
                                  message=f"{store.name}: {reason}"))
        # Nobody can confirm the store's stock any more: its TikTok listings stop selling at once.
        away.went_away(session, store, reason)


class CredentialTokens:
    """The token source of a stored connection: proactive refresh, and refresh-on-refusal once."""

    def __init__(self, runtime: "Runtime", connector: HostedConnector, credential: StoreCredential):
        self.runtime = runtime
        self.connector = connector
        self.credential_id = credential.id
        if credential.access_token_encrypted is None:
            raise AuthError(f"The {connector.label} store has no access token: install the app again.",
                            code="store_not_connected")
        self._token = runtime.secrets.decrypt(credential.access_token_encrypted)
        self._expires_at = credential.access_token_expires_at

    def access_token(self) -> str:
        if self._expires_at is not None and self._expires_at - _now() < REFRESH_MARGIN:
            try:
                self._refresh(self._token)
            except RetryableError:
                if self._expires_at <= _now():
                    raise
                log.warning("Early %s token refresh failed; the current token is still valid", self.connector.platform)
        return self._token

    def after_auth_failure(self, error: AuthError, used_token: str) -> str | None:
        try:
            return self._refresh(used_token, refused=True)
        except AuthError:
            return None

    def _refresh(self, used_token: str, refused: bool = False) -> str:
        runtime = self.runtime
        lock = runtime.redis.lock(f"hub:stores:refresh:{self.credential_id}", timeout=REFRESH_LOCK_SECONDS,
                                  blocking_timeout=REFRESH_LOCK_SECONDS)
        if not lock.acquire():
            raise RetryableError("Another worker is still refreshing the store's token", code="store_refresh_busy")
        failure: AuthError | None = None
        try:
            with runtime.db.session_scope() as session:
                credential = session.get(StoreCredential, self.credential_id, with_for_update=True)
                if credential is None or credential.access_token_encrypted is None:
                    raise AuthError("The store connection was removed", code="store_not_connected")
                stored = runtime.secrets.decrypt(credential.access_token_encrypted)
                expires = credential.access_token_expires_at
                fresh_enough = expires is None or expires - _now() >= REFRESH_MARGIN
                if stored != used_token and (fresh_enough or refused):
                    self._token, self._expires_at = stored, expires  # another worker refreshed meanwhile
                    return self._token
                if credential.refresh_token_encrypted is None:
                    failure = AuthError(f"{self.connector.label} refused the access token and there is no "
                                        "refresh token", code="store_unauthorized")
                else:
                    try:
                        grant = self.connector.refresh(credential.shop_id, dict(credential.details or {}),
                                                       runtime.secrets.decrypt(credential.refresh_token_encrypted))
                    except AuthError as error:
                        failure = error
                    else:
                        store_grant(credential, grant, runtime)
                        if credential.status == BROKEN:
                            credential.status, credential.status_reason = CONNECTED, None
                        self._token, self._expires_at = grant.access_token, grant.expires_at
                        log.info("Refreshed the %s access token of %s", self.connector.platform, credential.shop_id)
                if failure is not None:
                    connection_lost(session, credential, BROKEN,
                                    f"{self.connector.label} refused the app's access ({failure.message}). "
                                    f"Open the app from your {self.connector.label} admin, or install it again.")
        finally:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - an expired lock is released already
                pass
        if failure is not None:
            raise failure
        return self._token
