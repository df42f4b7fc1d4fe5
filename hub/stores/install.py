"""Installing, reinstalling and uninstalling a hosted connector's app for a shop.

The connector verifies the platform's install (OAuth code exchange, install callback) and hands the
result to `complete_install`. The platform's shop identifier is unique per platform, so installing
again finds the same store: its products, listings and orders carry on, nothing is listed twice, and
the work parked while it was uninstalled resumes. Uninstalling removes the tokens and stops the work;
the store and its history stay.

An install started from the hub's Stores page carries a single-use `state` bound to the merchant who
started it (Redis, ten minutes); an install that starts on the platform (its app store) creates a new
merchant named after the shop, who then connects TikTok from the settings page inside the platform's
admin.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.merchants import create_store
from hub.models import ActivityEntry, Merchant, Store
from hub.models.store_connections import CONNECTED, UNINSTALLED, StoreCredential
from hub.runtime import current
from hub.stores.connector import HostedConnector, Installation
from hub.stores.credentials import connection_lost, store_grant
from hub.sync.stock import away

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.stores")

STATE_SECONDS = 600


def current_runtime() -> "Runtime":
    """The runtime of the request or job being served: what a connector's routes hand to the functions
    below (a connector imports only from hub.stores, hub.canonical and hub.errors)."""
    return current()


def connection_status(runtime: "Runtime", platform: str, shop_id: str) -> str | None:
    """`connected`, `broken` or `uninstalled` for the shop's store; None when it was never installed.
    A connector's admin page uses it to decide whether the platform's token must be exchanged first."""
    with runtime.db.session_scope() as session:
        return session.scalar(select(StoreCredential.status).where(StoreCredential.platform == platform,
                                                                   StoreCredential.shop_id == shop_id))


def merchant_logins(runtime: "Runtime", merchant_id: str) -> set[str]:
    """The e-mail addresses (lower case) of the merchant's settings-page logins. A connector that binds
    an install to the merchant who started it checks the platform's verified account e-mail against them."""
    from hub.models import User

    with runtime.db.session_scope() as session:
        return {str(e).strip().lower() for e in session.scalars(select(User.email).where(User.merchant_id == merchant_id))}


def _state_key(platform: str, state: str) -> str:
    return f"hub:stores:install-state:{platform}:{state}"


def new_state(runtime: "Runtime", platform: str, merchant_id: str | None) -> str:
    state = secrets.token_urlsafe(24)
    runtime.redis.set(_state_key(platform, state), json.dumps({"merchant_id": merchant_id}), ex=STATE_SECONDS)
    return state


def consume_state(runtime: "Runtime", platform: str, state: str | None) -> dict[str, str | None] | None:
    """The state's data if it was issued for this platform and not used yet; None otherwise."""
    if not state:
        return None
    raw = runtime.redis.getdel(_state_key(platform, state))
    if raw is None:
        return None
    data = json.loads(raw)
    return data if isinstance(data, dict) else None


def complete_install(runtime: "Runtime", connector: HostedConnector, installation: Installation, *,
                     merchant_id: str | None = None) -> str:
    """Store the grant for the shop's store (created on first install); returns the store id.

    Afterwards the catalog is read (everything on a first install, what changed since the last sweep
    on a reinstall) and the commands that waited are carried out.
    """
    now = datetime.now(timezone.utc)
    with runtime.db.session_scope() as session:
        credential = session.scalar(select(StoreCredential).where(StoreCredential.platform == connector.platform,
                                                                  StoreCredential.shop_id == installation.shop_id))
        if credential is not None:
            store = session.get(Store, credential.store_id)
            assert store is not None
            again = credential.status == UNINSTALLED
            kind, message = (("store.reinstalled", f"The {connector.label} app was installed again for {store.name}; "
                              "syncing resumes.") if again else
                             ("store.reconnected", f"The {connector.label} app of {store.name} was authorised again."))
        else:
            merchant = session.get(Merchant, merchant_id) if merchant_id else None
            if merchant is None:
                merchant = Merchant(name=installation.shop_name[:200] or installation.shop_id[:200])
                session.add(merchant)
                session.flush()
            # A hosted store never signs Extension API requests: its key's secret is made and never shown.
            store, _unused_secret = create_store(session, runtime.secrets, merchant, connector.platform,
                                                 installation.shop_name or installation.shop_id)
            credential = StoreCredential(store_id=store.id, platform=connector.platform, shop_id=installation.shop_id,
                                         details={})
            session.add(credential)
            kind, message = "store.installed", f"Installed the {connector.label} app for {store.name}."
        store_grant(credential, installation.grant, runtime)
        credential.details = {**dict(credential.details or {}), **installation.details}
        credential.status, credential.status_reason = CONNECTED, None
        credential.uninstalled_at = None
        credential.installed_at = now
        store.last_contact_at = now
        session.flush()
        away.came_back(session, store)  # a store away for the uninstall sells again
        session.add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind=kind, subject_type="store",
                                  subject_id=store.id, message=message))
        session.flush()
        store_id = store.id
    resume(runtime, store_id)
    if kind == "store.installed":
        from hub.sync.products import linking

        linking.start_if_connected(runtime, store_id)  # its products may already be on TikTok
    return store_id


def resume(runtime: "Runtime", store_id: str) -> None:
    """Read what changed and carry out waiting commands (after an install or a reconnect)."""
    from hub.stores import schedule

    try:
        schedule.enqueue_sweep(runtime, store_id)
        schedule.enqueue_commands(runtime, store_id)
        schedule.replay_parked(runtime, store_id)
    except Exception:  # noqa: BLE001 - the sweep's schedule catches up; the install itself succeeded
        log.exception("Could not queue the catch-up of store %s", store_id)


def uninstall(runtime: "Runtime", platform: str, shop_id: str, reason: str) -> str | None:
    """Remove the tokens and stop the store's work; returns the store id (None for an unknown shop)."""
    with runtime.db.session_scope() as session:
        credential = session.scalar(select(StoreCredential).where(StoreCredential.platform == platform,
                                                                  StoreCredential.shop_id == shop_id))
        if credential is None:
            return None
        credential.access_token_encrypted = None
        credential.refresh_token_encrypted = None
        credential.access_token_expires_at = None
        credential.refresh_token_expires_at = None
        credential.uninstalled_at = datetime.now(timezone.utc)
        connection_lost(session, credential, UNINSTALLED, reason)
        return credential.store_id
