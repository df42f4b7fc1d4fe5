"""What the hub hands a hosted connector for each piece of work: the store, its shop, a token, a client.

Built by the hub's jobs from the stored credential (`for_store`); a connector never reads the
database or the hub's settings itself, which keeps the boundary one object wide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import AuthError
from hub.models import Store
from hub.models.store_connections import CONNECTED, StoreCredential
from hub.stores.connector import HostedConnector
from hub.stores.credentials import CredentialTokens
from hub.stores.http import BudgetReader, PlatformClient, PlatformLimiter, ThrottleReader
from hub.stores.orders import OrderLink, claim
from hub.sync.stock import away

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from hub.config import Settings
    from hub.runtime import Runtime


class NotConnected(AuthError):
    """The store's connection is broken or the app is uninstalled: its work waits."""

    code = "store_not_connected"


@dataclass
class ConnectorContext:
    runtime: "Runtime"
    connector: HostedConnector
    store_id: str
    merchant_id: str
    store_name: str
    shop_id: str
    details: dict[str, Any]
    credential_id: str
    tokens: CredentialTokens
    uninstall_reason: str | None = field(default=None)

    @property
    def settings(self) -> "Settings":
        return self.runtime.settings

    def access_token(self) -> str:
        """The platform access token, refreshed first when it is about to expire."""
        return self.tokens.access_token()

    def http(self, base_url: str, *, budget: BudgetReader | None = None, throttled: ThrottleReader | None = None,
             per_second: int = 10, auth_headers: Any = None, timeout: tuple[float, float] | None = None,
             authenticated: bool = True) -> PlatformClient:
        """The rate-limited platform client for this shop (its budget is shared by every worker)."""
        limiter = limiter_for(self.runtime, self.connector.platform, per_second)
        options: dict[str, Any] = {}
        if timeout is not None:
            options["timeout"] = timeout
        runtime, store_id = self.runtime, self.store_id
        return PlatformClient(name=self.connector.label, base_url=base_url, key=self.shop_id, limiter=limiter,
                              tokens=self.tokens if authenticated else None, auth_headers=auth_headers,
                              budget=budget, throttled=throttled,
                              on_answer=lambda: away.note_contact(runtime, store_id), **options)

    def order_link(self, tiktok_order_id: str) -> "AbstractContextManager[OrderLink]":
        """The claim on the platform order for a TikTok order (`create_order`): the hub's link row,
        counted and committed before the platform is called, under a lock (hub/stores/orders.py)."""
        return claim(self.runtime, self.store_id, tiktok_order_id)

    def uninstall(self, reason: str) -> None:
        """Called from `events_for` on the platform's app-uninstalled notification."""
        self.uninstall_reason = reason


def limiter_for(runtime: "Runtime", platform: str, per_second: int) -> PlatformLimiter:
    key = f"store_limiter:{platform}:{per_second}"
    limiter = runtime.cache.get(key)
    if limiter is None:
        limiter = PlatformLimiter(runtime.redis, namespace=platform, per_second=per_second)
        runtime.cache[key] = limiter
    return limiter


def credential_for(session: Session, store_id: str) -> StoreCredential | None:
    return session.scalar(select(StoreCredential).where(StoreCredential.store_id == store_id))


def for_shop(runtime: "Runtime", connector: HostedConnector, shop_id: str) -> ConnectorContext:
    """The context for the connected store of the platform's `shop_id` (a connector's web routes, e.g. an
    uninstall callback that tidies up on the platform first); `NotConnected` otherwise."""
    with runtime.db.session_scope() as session:
        store_id = session.scalar(select(StoreCredential.store_id).where(StoreCredential.platform == connector.platform,
                                                                         StoreCredential.shop_id == shop_id))
        if store_id is None:
            raise NotConnected(f"No {connector.label} store {shop_id} is installed")
        return for_store(runtime, session, connector, store_id)


def for_store(runtime: "Runtime", session: Session, connector: HostedConnector, store_id: str) -> ConnectorContext:
    """The context for a connected store; `NotConnected` when its work must wait."""
    store = session.get(Store, store_id)
    credential = credential_for(session, store_id)
    if store is None or credential is None:
        raise NotConnected(f"The store {store_id} has no {connector.label} connection")
    if credential.status != CONNECTED:
        raise NotConnected(f"The {connector.label} connection is {credential.status}"
                           + (f": {credential.status_reason}" if credential.status_reason else ""))
    return ConnectorContext(runtime=runtime, connector=connector, store_id=store.id, merchant_id=store.merchant_id,
                            store_name=store.name, shop_id=credential.shop_id, details=dict(credential.details or {}),
                            credential_id=credential.id, tokens=CredentialTokens(runtime, connector, credential))
