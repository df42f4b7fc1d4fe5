"""One platform order per TikTok order, for hosted connectors: a link row written before the create.

A hosted connector creates store orders by calling the platform, and an answer can be lost after the
platform made the order (a timeout, a cut connection, a worker killed mid-call). The command job runs
again after its backoff, so the connector must know whether an earlier run may already have created it.
`claim()` answers that from the hub's own database, under a Redis lock per (store, TikTok order):

- the `store_order_links` row is written and committed, with `attempts` counted, *before* the
  connector calls the platform;
- a run that finds `platform_order_id` set reports that order and creates nothing;
- a run that finds `attempts > 1` and no platform order id knows an earlier attempt's answer was lost:
  the connector looks the order up on the platform (by the marker it wrote on the order, e.g. a tag
  carrying the TikTok order id) before creating again;
- `record()` stores the platform's order id as soon as it is known.

The lock keeps two runs (a replayed job and a sweep-picked lease) from both creating at once.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.errors import RetryableError
from hub.models.store_connections import StoreOrderLink

if TYPE_CHECKING:
    from hub.runtime import Runtime

LOCK_SECONDS = 120


@dataclass
class OrderLink:
    """What the hub knows of the platform order for one TikTok order, for the run holding the claim."""

    runtime: "Runtime" = field(repr=False)
    store_id: str
    tiktok_order_id: str
    platform_order_id: str | None
    attempts: int  # including this one: above 1 means an earlier attempt may have created it

    @property
    def earlier_attempt(self) -> bool:
        return self.attempts > 1 and self.platform_order_id is None

    def record(self, platform_order_id: str) -> None:
        """Store the platform's order id (as soon as the platform has said it)."""
        with self.runtime.db.session_scope() as session:
            row = session.scalar(select(StoreOrderLink).where(StoreOrderLink.store_id == self.store_id,
                                                              StoreOrderLink.tiktok_order_id == self.tiktok_order_id))
            if row is not None:
                row.platform_order_id = platform_order_id
                row.completed_at = datetime.now(timezone.utc)
        self.platform_order_id = platform_order_id


def _row(runtime: "Runtime", store_id: str, tiktok_order_id: str) -> tuple[str | None, int]:
    """Count this attempt on the link row (created on the first), committed before returning."""
    for _ in range(2):
        try:
            with runtime.db.session_scope() as session:
                row = session.scalar(select(StoreOrderLink).where(StoreOrderLink.store_id == store_id,
                                                                  StoreOrderLink.tiktok_order_id == tiktok_order_id))
                if row is None:
                    row = StoreOrderLink(store_id=store_id, tiktok_order_id=tiktok_order_id, attempts=0)
                    session.add(row)
                if row.platform_order_id is None:
                    row.attempts += 1
                    row.started_at = datetime.now(timezone.utc)
                session.flush()
                return row.platform_order_id, row.attempts
        except IntegrityError:  # another process inserted it between our read and write: read it again
            continue
    raise RetryableError("The order link could not be written", code="store_order_link_busy")


@contextmanager
def claim(runtime: "Runtime", store_id: str, tiktok_order_id: str) -> Iterator[OrderLink]:
    """Hold the (store, TikTok order) lock and the link row, counted, for one create attempt."""
    lock = runtime.redis.lock(f"hub:stores:order-link:{store_id}:{tiktok_order_id}", timeout=LOCK_SECONDS,
                              blocking_timeout=10)
    if not lock.acquire():
        raise RetryableError(f"Order {tiktok_order_id} is being created by another worker",
                             code="store_order_busy")
    try:
        platform_order_id, attempts = _row(runtime, store_id, tiktok_order_id)
        yield OrderLink(runtime, store_id, tiktok_order_id, platform_order_id, attempts)
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - an expired lock is released already
            pass
