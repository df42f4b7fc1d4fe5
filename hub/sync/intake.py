"""Applying a batch of store events to the hub's state (design §4 `POST /events`).

Each event is validated on its own: a rejected event changes nothing and the others are applied.
Valid events of one call are applied in one transaction, with the rows they touch read in a few bulk
queries, so a 500-product batch costs a handful of round trips rather than thousands. The call returns
once the transaction commits; syncing to TikTok happens afterwards in jobs (see `after_commit`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from hub.api.schemas import EVENT_SCHEMAS
from hub.models import ProcessedEvent, ProductSnapshot, Store, VariantStock

ORDER_EVENTS = {"order.fulfilled", "order.cancelled"}


@dataclass
class Changes:
    """What a batch changed, for the sync jobs that follow it."""

    details: set[str] = field(default_factory=set)      # products whose details (not price/stock) changed
    stock: set[str] = field(default_factory=set)        # products with a price or stock change
    deleted: set[str] = field(default_factory=set)
    store_updated: bool = False
    order_events: list[str] = field(default_factory=list)  # event ids to hand to order sync


def content_hash(product: dict[str, Any]) -> str:
    """Hash of the product without its version, price and stock: a stock tick is not a details change."""
    stripped = {k: v for k, v in product.items() if k != "version"}
    stripped["variants"] = [
        {k: v for k, v in variant.items() if k not in ("quantity", "price", "compare_at_price")}
        for variant in product.get("variants", [])
    ]
    raw = json.dumps(stripped, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _validate(raw: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    if not isinstance(raw, dict):
        return None, {"_event": ["Each event must be a JSON object."]}
    event_type = raw.get("type")
    schema_cls = EVENT_SCHEMAS.get(event_type) if isinstance(event_type, str) else None
    if schema_cls is None:
        known = ", ".join(sorted(EVENT_SCHEMAS))
        return None, {"type": [f"Unknown event type {event_type!r}; expected one of: {known}."]}
    try:
        return schema_cls().load(raw), {}
    except ValidationError as exc:
        return None, exc.normalized_messages()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)))


def apply_events(session: Session, store: Store, raw_events: list[Any]) -> tuple[list[dict[str, Any]], Changes]:
    results: list[dict[str, Any]] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, raw in enumerate(raw_events):
        event, errors = _validate(raw)
        event_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        if errors:
            results.append({"id": event_id, "status": "rejected", "errors": errors})
        else:
            results.append({"id": event["id"], "status": "accepted", "errors": {}})
            valid.append((index, event))

    ids = [e["id"].lower() for _, e in valid]
    seen = set(session.scalars(select(ProcessedEvent.event_id).where(
        ProcessedEvent.store_id == store.id, ProcessedEvent.event_id.in_(ids)))) if ids else set()
    fresh: list[dict[str, Any]] = []
    for index, event in valid:
        key = event["id"].lower()
        if key in seen:
            results[index]["status"] = "duplicate"
            continue
        seen.add(key)
        fresh.append(event)

    changes = Changes()
    _apply(session, store, fresh, changes)
    return results, changes


def _apply(session: Session, store: Store, events: list[dict[str, Any]], changes: Changes) -> None:
    product_ids = {e["product"]["id"] for e in events if e["type"] == "product.upsert"}
    product_ids |= {e["product_id"] for e in events if e["type"] == "product.delete"}
    snapshots = {s.product_id: s for s in session.scalars(select(ProductSnapshot).where(
        ProductSnapshot.store_id == store.id, ProductSnapshot.product_id.in_(product_ids)))} if product_ids else {}

    variant_keys = {(e["product"]["id"], v["id"]) for e in events if e["type"] == "product.upsert"
                    for v in e["product"]["variants"]}
    variant_keys |= {(i["product_id"], i["variant_id"]) for e in events if e["type"] == "inventory.update"
                     for i in e["items"]}
    stock: dict[tuple[str, str], VariantStock] = {}
    keys = list(variant_keys)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for row in session.scalars(select(VariantStock).where(
                VariantStock.store_id == store.id,
                tuple_(VariantStock.product_id, VariantStock.variant_id).in_(chunk))):
            stock[(row.product_id, row.variant_id)] = row

    now = datetime.now(timezone.utc)
    for event in events:
        kind = event["type"]
        payload: dict[str, Any] | None = None
        if kind == "product.upsert":
            _upsert_product(session, store, event["product"], snapshots, stock, changes, now)
        elif kind == "product.delete":
            snapshot = snapshots.get(event["product_id"])
            if snapshot is not None and not snapshot.deleted:
                snapshot.deleted = True
                snapshot.updated_at = now
                changes.deleted.add(event["product_id"])
        elif kind == "inventory.update":
            for item in event["items"]:
                if _set_stock(session, store, stock, item["product_id"], item["variant_id"],
                              item["quantity"], item["price"], item["version"], now):
                    changes.stock.add(item["product_id"])
        elif kind == "store.update":
            for name, value in event["store"].items():
                setattr(store, name, value)
            changes.store_updated = True
        elif kind in ORDER_EVENTS:
            payload = _jsonable({k: v for k, v in event.items() if k not in ("id", "type")})
            changes.order_events.append(event["id"].lower())
        session.add(ProcessedEvent(store_id=store.id, event_id=event["id"].lower(), type=kind,
                                   payload=payload, received_at=now))


def _upsert_product(session: Session, store: Store, product: dict[str, Any],
                    snapshots: dict[str, ProductSnapshot], stock: dict[tuple[str, str], VariantStock],
                    changes: Changes, now: datetime) -> None:
    data = _jsonable(product)
    digest = content_hash(data)
    snapshot = snapshots.get(product["id"])
    if snapshot is None:
        snapshot = ProductSnapshot(store_id=store.id, product_id=product["id"], version=product["version"],
                                   data=data, content_hash=digest, title=product["title"][:500],
                                   received_at=now, updated_at=now)
        session.add(snapshot)
        snapshots[product["id"]] = snapshot
        changes.details.add(product["id"])
    elif product["version"] >= snapshot.version:
        if digest != snapshot.content_hash or snapshot.deleted:
            changes.details.add(product["id"])
        snapshot.version = product["version"]
        snapshot.data = data
        snapshot.content_hash = digest
        snapshot.title = product["title"][:500]
        snapshot.deleted = False
        snapshot.updated_at = now
    else:
        return  # an older copy of the product arrived late: the hub already holds a newer one
    for variant in product["variants"]:
        if _set_stock(session, store, stock, product["id"], variant["id"], variant["quantity"],
                      variant["price"], product["version"], now):
            changes.stock.add(product["id"])


def _set_stock(session: Session, store: Store, stock: dict[tuple[str, str], VariantStock], product_id: str,
               variant_id: str, quantity: int, price: str | None, version: int, now: datetime) -> bool:
    """Store a variant's price and stock unless the hub holds a newer version; True if anything changed."""
    row = stock.get((product_id, variant_id))
    if row is None:
        row = VariantStock(store_id=store.id, product_id=product_id, variant_id=variant_id,
                           quantity=quantity, price=price, version=version, updated_at=now)
        session.add(row)
        stock[(product_id, variant_id)] = row
        return True
    if version < row.version:
        return False
    changed = row.quantity != quantity or (price is not None and row.price != price)
    row.quantity = quantity
    if price is not None:
        row.price = price
    row.version = version
    row.updated_at = now
    return changed
