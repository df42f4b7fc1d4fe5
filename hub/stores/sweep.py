"""The periodic "changed since" sweep: what webhooks missed, read from the platform itself.

Platforms deliver webhooks at least once but not always (Shopify drops a subscription after repeated
failures, BigCommerce deactivates a hook after two days of them, products imported in bulk may send
none). Every interval each connected hosted store is asked for the products changed since its last
sweep, minus an overlap for clocks and slow writes; the events go through the same intake, where
unchanged products cost nothing (same content hash, same stock). The sweep also refreshes the store's
currency and units and picks up commands whose lease ran out.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from itertools import chain
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import select

from hub.models import Store
from hub.models.store_connections import CONNECTED, StoreCredential
from hub.stores import context as contexts
from hub.stores.commands import stale_leases
from hub.stores.context import NotConnected
from hub.stores.intake import apply
from hub.stores.registry import UnknownPlatform, registry
from hub.stores.schedule import enqueue_commands, enqueue_sweep

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.stores")

INTERVAL_SECONDS = 900
OVERLAP = timedelta(minutes=5)


def sweep_all(runtime: "Runtime") -> int:
    """Queue one sweep per connected hosted store; returns how many."""
    with runtime.db.session_scope() as session:
        store_ids = list(session.scalars(select(StoreCredential.store_id).where(StoreCredential.status == CONNECTED)))
    for store_id in store_ids:
        enqueue_sweep(runtime, store_id)
    return len(store_ids)


def sweep_store(runtime: "Runtime", store_id: str) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        credential = contexts.credential_for(session, store_id)
        if store is None or credential is None:
            return {"status": "unknown store"}
        try:
            connector = registry().hosted(store.platform)
            ctx = contexts.for_store(runtime, session, connector, store_id)
        except (UnknownPlatform, NotConnected) as error:
            return {"status": "parked", "reason": str(error)}
        since = credential.swept_until - OVERLAP if credential.swept_until else None
    connector.maintain(ctx)
    info = connector.store_info(ctx)
    events: Iterable[dict[str, Any]] = [{"type": "store.update", "store": info}] if info else []
    source = f"{connector.platform}:{store_id}:sweep:{started.isoformat()}"
    # A chain, not a list: a big catalog streams through intake in batches instead of sitting in memory.
    counts = apply(runtime, store_id, chain(events, connector.changed_since(ctx, since)), source=source)
    with runtime.db.session_scope() as session:
        credential = contexts.credential_for(session, store_id)
        if credential is not None:
            credential.swept_until = started
    if stale_leases(runtime, store_id):
        enqueue_commands(runtime, store_id)
    log.info("Swept store %s since %s: %s", store_id, since, counts)
    return {"status": "swept", "since": since.isoformat() if since else None, **counts}
