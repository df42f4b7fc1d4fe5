"""Canonical events from a hosted connector into the same intake as the Extension API.

`POST /api/v1/events` and a hosted connector end in the same two calls: `apply_events` (validation,
dedupe, storage in one transaction) and, after the commit, `after_events` (the sync jobs). So a
product read from Shopify is listed, priced and stocked exactly as one pushed by WooCommerce.

Connector events carry no id; each gets a UUID derived from where it came from (the notification's
dedupe key, the sweep's run), so processing the same notification twice applies it once.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any, Iterable

from hub.models import ActivityEntry, Store
from hub.sync import dispatch
from hub.sync.intake import apply_events

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.stores")

NAMESPACE = uuid.UUID("0d7c5a2e-8a53-4f3c-9c3e-5f1f2b6a9e41")
BATCH = 200


def event_id(source: str, index: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{source}#{index}"))


def apply(runtime: "Runtime", store_id: str, events: Iterable[dict[str, Any]], source: str) -> dict[str, int]:
    """Apply the events in batches; returns counts by result status. Rejected events are shown in the
    store's activity with the fields at fault (the connector's mapping is wrong, not the merchant)."""
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    batch: list[dict[str, Any]] = []
    index = 0
    for event in events:
        batch.append({**event, "id": event.get("id") or event_id(source, index)})
        index += 1
        if len(batch) >= BATCH:
            _apply_batch(runtime, store_id, batch, counts)
            batch = []
    if batch:
        _apply_batch(runtime, store_id, batch, counts)
    return counts


def _apply_batch(runtime: "Runtime", store_id: str, events: list[dict[str, Any]], counts: dict[str, int]) -> None:
    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None:
            return
        results, changes = apply_events(session, store, events)
        for event, result in zip(events, results):
            counts[result["status"]] = counts.get(result["status"], 0) + 1
            if result["status"] == "rejected":
                subject = (event.get("product") or {}).get("id") or event.get("product_id") or event.get("type")
                log.warning("Store %s: a %s event was rejected: %s", store_id, event.get("type"), result["errors"])
                session.add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind="store.event_rejected",
                                          level="error", subject_type="product", subject_id=str(subject)[:64],
                                          message=f"The hub could not read {event.get('type')} for {subject} "
                                                  f"from the store: {result['errors']}"))
    try:
        dispatch.after_events(runtime, store_id, changes)
    except Exception:  # noqa: BLE001 - the events are stored; reconciliation catches up
        log.exception("Could not schedule sync work for store %s", store_id)
