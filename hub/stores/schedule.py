"""The jobs a hosted store's work runs in, with deterministic ids (the functions are in hub/jobs/stores.py).

- `store-notification-<row>`: one stored webhook turned into canonical events (STOCK queue: most
  notifications are price and stock changes, and each is one small read of the platform);
- `store-commands-<store>`: the store's pending commands carried out through the connector (ORDERS
  queue), coalesced, so a burst of new orders is one job that takes them one by one;
- `store-sweep-<store>`: "what changed since" for webhooks that never came (MAINTENANCE queue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.queues import MAINTENANCE, ORDERS, STOCK, enqueue_coalesced, queue
from hub.models.store_connections import RECEIVED, StoreCredential, StoreNotification
from hub.sync import policy

if TYPE_CHECKING:
    from hub.runtime import Runtime

FAILURE_TTL = 7 * 24 * 3600
# A first sweep reads the whole catalog, which a platform may export as a bulk file that takes minutes
# to prepare (Shopify's bulk operations): the job may run this long.
SWEEP_TIMEOUT = 3600


def enqueue_notification(runtime: "Runtime", row_id: str) -> None:
    queue(STOCK, runtime.redis).enqueue(
        "hub.jobs.stores.process_notification", row_id, job_id=f"store-notification-{row_id}",
        retry=policy.retry(policy.STORE_NOTIFICATION), failure_ttl=FAILURE_TTL)


def enqueue_commands(runtime: "Runtime", store_id: str) -> None:
    """The same job `hub.commands.outbox.notify` queues when commands are created for a hosted store."""
    enqueue_coalesced(ORDERS, "hub.jobs.stores.run_commands", f"store-commands-{store_id}", store_id,
                      connection=runtime.redis)


def enqueue_sweep(runtime: "Runtime", store_id: str) -> None:
    enqueue_coalesced(MAINTENANCE, "hub.jobs.stores.sweep_store", f"store-sweep-{store_id}", store_id,
                      connection=runtime.redis, retry=policy.retry(policy.STORE_SWEEP), failure_ttl=FAILURE_TTL,
                      job_timeout=SWEEP_TIMEOUT)


def replay_parked(runtime: "Runtime", store_id: str) -> int:
    """Queue the notifications that waited while the connection was broken; returns how many."""
    with runtime.db.session_scope() as session:
        credential = session.scalar(select(StoreCredential).where(StoreCredential.store_id == store_id))
        if credential is None:
            return 0
        rows = list(session.scalars(select(StoreNotification.id).where(
            StoreNotification.platform == credential.platform, StoreNotification.shop_id == credential.shop_id,
            StoreNotification.status == RECEIVED)))
    for row_id in rows:
        enqueue_notification(runtime, row_id)
    return len(rows)
