"""Applying a batch of store events to the hub's state (`POST /events`, docs/extension-api.md).

Each event is validated on its own: a rejected event changes nothing and the others are applied.
Valid events of one call are applied in one transaction, with the rows they touch read in a few bulk
queries, so a 500-product batch costs a handful of round trips rather than thousands. The call returns
once the transaction commits; syncing to TikTok happens afterwards in jobs (see `after_commit`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast

from marshmallow import ValidationError
from sqlalchemy import String, Table, Text, any_, bindparam, exists, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from hub.canonical.events import EVENT_SCHEMAS
from hub.canonical.fields import QUANTITY_LIMIT
from hub.canonical.fastload import fast_load
from hub.canonical.received import with_received
from hub.models import ProcessedEvent, ProductSnapshot, SkuBinding, Store, VariantStock
from hub.security import untrusted_json
from hub.sync import rejections
from hub.sync.products.categories import category_paths
from hub.sync.stock import locations as stock_locations
from hub.sync.rowwrites import compare_and_set, copy_rows, insert_new

__all__ = ["Changes", "apply_events", "content_hash", "copy_rows"]

ORDER_EVENTS = {"order.fulfilled", "order.cancelled", "order.refunded"}
SNAPSHOTS = cast(Table, ProductSnapshot.__table__)
STOCK = cast(Table, VariantStock.__table__)
EVENTS = cast(Table, ProcessedEvent.__table__)


@dataclass
class Changes:
    """What a batch changed, for the sync jobs that follow it."""

    details: set[str] = field(default_factory=set)      # products whose details (not price/stock) changed
    stock: set[str] = field(default_factory=set)        # products with a price or stock change
    deleted: set[str] = field(default_factory=set)
    store_updated: bool = False
    order_events: list[str] = field(default_factory=list)  # event ids to hand to order sync
    # Of the products the batch named for price or stock, those with SKU bindings (on TikTok), read with
    # their stock rows: the pushes go to these, and only the others can be listings waiting for stock.
    on_tiktok: set[str] = field(default_factory=set)


def content_hash(product: dict[str, Any]) -> str:
    """Hash of the product without its version, price and stock: a stock tick is not a details change."""
    stripped = {k: v for k, v in product.items() if k != "version"}
    stripped["variants"] = [
        {k: v for k, v in variant.items() if k not in ("quantity", "locations", "price", "compare_at_price")}
        for variant in product.get("variants", [])
    ]
    raw = json.dumps(stripped, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def event_key(event_id: str) -> str:
    """The one stored form of an event id: a UUID with or without dashes, any case, is the same event."""
    return str(uuid.UUID(event_id))


_SCHEMA_INSTANCES: dict[str, Any] = {}


def _schema(event_type: str) -> Any:
    """Schema instances are reused: building one deep-copies every nested field, which dominated ingest."""
    if event_type not in _SCHEMA_INSTANCES:
        _SCHEMA_INSTANCES[event_type] = EVENT_SCHEMAS[event_type]()
    return _SCHEMA_INSTANCES[event_type]


def _validate(raw: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    if not isinstance(raw, dict):
        return None, {"_event": ["Each event must be a JSON object."]}
    unstorable = untrusted_json.problems(raw)
    if unstorable:  # before the schemas: no library below may meet a lone surrogate or a 1,000-deep value
        return None, unstorable
    event_type = raw.get("type")
    if not isinstance(event_type, str) or event_type not in EVENT_SCHEMAS:
        known = ", ".join(sorted(EVENT_SCHEMAS))
        return None, {"type": [f"Unknown event type {event_type!r}; expected one of: {known}."]}
    loaded = fast_load(event_type, raw)  # compiled JSON Schema; None sends the event through marshmallow
    if loaded is not None:
        return loaded, {}
    try:
        return _schema(event_type).load(raw), {}
    except ValidationError as exc:
        return None, with_received(exc.normalized_messages(), raw)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)))


def apply_events(session: Session, store: Store, raw_events: list[Any]) -> tuple[list[dict[str, Any]], Changes]:
    results: list[dict[str, Any]] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    refused: list[tuple[Any, dict[str, Any]]] = []
    for index, raw in enumerate(raw_events):
        event, errors = _validate(raw)
        event_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        if errors:
            results.append({"id": event_id, "status": "rejected", "errors": errors})
            refused.append((raw, errors))
        else:
            assert event is not None  # _validate returns an event exactly when there are no errors
            results.append({"id": event["id"], "status": "accepted", "errors": {}})
            valid.append((index, event))

    for _, event in valid:
        event["id"] = event_key(event["id"])
    ids = [e["id"] for _, e in valid]
    seen = set(session.scalars(select(ProcessedEvent.event_id).where(
        ProcessedEvent.store_id == store.id, ProcessedEvent.event_id.in_(ids)))) if ids else set()
    fresh: list[dict[str, Any]] = []
    for index, event in valid:
        key = event["id"]
        if key in seen:
            results[index]["status"] = "duplicate"
            continue
        seen.add(key)
        fresh.append(event)

    changes = Changes()
    _apply(session, store, fresh, changes)
    rejections.record_many(session, store.id, refused)  # the merchant sees them (settings page, hub products)
    return results, changes


@dataclass
class _Snapshot:
    """A product's row as read (`held`, None if new) and what this batch will write (`want`)."""

    held: Any = None    # Row(id, version, content_hash, deleted)
    want: dict[str, Any] | None = None  # full upsert, or {"deleted": True} alone for a delete

    @property
    def wanted(self) -> dict[str, Any]:
        assert self.want is not None  # only entries with something to write are written
        return self.want


@dataclass
class _Variant:
    held: Any = None    # Row(id, quantity, locations_json, price, version)
    want: dict[str, Any] | None = None  # quantity, locations, price (None: keep the stored one), version

    @property
    def wanted(self) -> dict[str, Any]:
        assert self.want is not None  # only entries with something to write are written
        return self.want


def _read_snapshots(session: Session, store_id: str, product_ids: list[str]) -> dict[str, Any]:
    columns = (ProductSnapshot.id, ProductSnapshot.product_id, ProductSnapshot.version,
               ProductSnapshot.content_hash, ProductSnapshot.deleted)
    found: dict[str, Any] = {}
    for start in range(0, len(product_ids), 1000):
        for row in session.execute(select(*columns).where(
                ProductSnapshot.store_id == store_id, ProductSnapshot.product_id.in_(product_ids[start:start + 1000]))):
            found[row.product_id] = row
    return found


# Per-location stock as its JSON text, decoded only when a row's version and quantity equal what would
# be written (`_holds`): decoding it for every row read was a sixth of the read.
_LOCATIONS_TEXT = sql_cast(STOCK.c.locations, Text).label("locations_json")


def _stored_locations(row: Any) -> Any:
    text = row.locations_json
    return None if text is None or text == "null" else json.loads(text)


@functools.cache
def _stock_read(dialect: str) -> Any:
    """The stock rows of some products of a store, and whether each product is on TikTok (has SKU
    bindings), built once: as a Core statement on the tables it costs half what the ORM query did, and
    the bindings come with the rows instead of from a query of their own. PostgreSQL takes the product
    ids as one array (`= ANY`): psycopg parsed a statement with a parameter per id afresh on every call."""
    bindings = cast(Table, SkuBinding.__table__)
    on_tiktok = exists().where(bindings.c.store_id == STOCK.c.store_id, bindings.c.product_id == STOCK.c.product_id)
    # Looked up by product (the unique index's leading columns) rather than by (product, variant) pairs,
    # which PostgreSQL plans far worse for a few thousand pairs.
    products = (STOCK.c.product_id == any_(bindparam("product_ids", type_=postgresql.ARRAY(String)))
                if dialect == "postgresql" else STOCK.c.product_id.in_(bindparam("product_ids", expanding=True)))
    return select(STOCK.c.id, STOCK.c.product_id, STOCK.c.variant_id, STOCK.c.quantity, _LOCATIONS_TEXT,
                  STOCK.c.price, STOCK.c.version, on_tiktok.label("on_tiktok")).where(
        STOCK.c.store_id == bindparam("store_id"), products)


def _read_stock(session: Session, store_id: str, product_ids: list[str]) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    connection = session.connection()
    statement = _stock_read(connection.dialect.name)
    for start in range(0, len(product_ids), 1000):
        for row in connection.execute(statement, {"store_id": store_id, "product_ids": product_ids[start:start + 1000]}):
            found[(row.product_id, row.variant_id)] = row
    return found


def _apply(session: Session, store: Store, events: list[dict[str, Any]], changes: Changes) -> None:
    product_ids = {e["product"]["id"] for e in events if e["type"] == "product.upsert"}
    product_ids |= {e["product_id"] for e in events if e["type"] == "product.delete"}
    snapshots = {pid: _Snapshot(held=row) for pid, row in
                 _read_snapshots(session, store.id, sorted(product_ids)).items()}
    stock_products = product_ids | {i["product_id"] for e in events if e["type"] == "inventory.update"
                                    for i in e["items"]}
    stock = {key: _Variant(held=row) for key, row in _read_stock(session, store.id, sorted(stock_products)).items()}
    changes.on_tiktok = {product_id for (product_id, _), entry in stock.items() if entry.held.on_tiktok}

    now = datetime.now(timezone.utc)
    new_events: list[dict[str, Any]] = []
    for event in events:
        kind = event["type"]
        payload: dict[str, Any] | None = None
        if kind == "product.upsert":
            _upsert_product(store, event["product"], snapshots, stock)
        elif kind == "product.delete":
            _delete_product(event["product_id"], snapshots)
        elif kind == "inventory.update":
            for item in event["items"]:
                _set_stock(store, stock, item["product_id"], item["variant_id"], item["quantity"], item["price"],
                           item["version"], item.get("locations"))
        elif kind == "store.update":
            for name, value in event["store"].items():
                setattr(store, name, value)
            changes.store_updated = True
        elif kind in ORDER_EVENTS:
            payload = _jsonable({k: v for k, v in event.items() if k not in ("id", "type")})
            changes.order_events.append(event["id"])
        new_events.append(dict(store_id=store.id, event_id=event["id"], type=kind, payload=payload, received_at=now))

    _write_snapshots(session, store.id, snapshots, changes, now)
    _write_stock(session, store.id, stock, changes, now)
    insert_new(session, EVENTS, new_events, ("store_id", "event_id"))


# ---------------------------------------------------------------------------------------------- deciding


def _upsert_product(store: Store, product: dict[str, Any], snapshots: dict[str, _Snapshot],
                    stock: dict[tuple[str, str], _Variant]) -> None:
    # Stored as loaded: ProductSchema's fields (strings, integers, booleans, raw JSON) load JSON values
    # only, so a JSON round trip (_jsonable) would only copy it, at about a tenth of the call's time.
    entry = snapshots.setdefault(product["id"], _Snapshot())
    if _older(product["version"], entry):
        return  # an older copy of the product arrived late: the hub already holds a newer one
    entry.want = dict(version=product["version"], data=product, content_hash=content_hash(product),
                      title=product["title"][:500], category_paths=category_paths(product), deleted=False)
    for variant in product["variants"]:
        _set_stock(store, stock, product["id"], variant["id"], variant["quantity"], variant["price"],
                   product["version"], variant.get("locations"))


def _older(version: int, entry: _Snapshot | _Variant) -> bool:
    if entry.want is not None and "version" in entry.want:
        return version < entry.want["version"]
    return entry.held is not None and version < entry.held.version


def _delete_product(product_id: str, snapshots: dict[str, _Snapshot]) -> None:
    entry = snapshots.get(product_id)
    if entry is None:
        return
    if entry.want is not None:
        entry.want["deleted"] = True
    elif not entry.held.deleted:
        entry.want = {"deleted": True}


def _set_stock(store: Store, stock: dict[tuple[str, str], _Variant], product_id: str, variant_id: str,
               quantity: int, price: str | None, version: int, locations: list[dict[str, Any]] | None) -> None:
    """Keep a variant's price and stock unless the hub holds a newer version (`price` None: unchanged).

    With per-location stock the quantity kept is what TikTok is offered (hub.sync.stock.locations).
    """
    stock_locations.remember(store, locations)
    # The sum over locations may pass what the column holds (each location may hold up to its limit).
    quantity = min(stock_locations.tiktok_quantity(quantity, locations, store.selling_locations), QUANTITY_LIMIT)
    entry = stock.setdefault((product_id, variant_id), _Variant())
    if _older(version, entry):
        return
    if price is None and entry.want is not None:
        price = entry.want["price"]
    entry.want = dict(quantity=quantity, locations=locations or None, price=price, version=version)


# ----------------------------------------------------------------------------------------------- writing


def _write_snapshots(session: Session, store_id: str, snapshots: dict[str, _Snapshot], changes: Changes,
                     now: datetime) -> None:
    new = [(pid, e) for pid, e in snapshots.items() if e.held is None and e.want is not None]
    taken = insert_new(session, SNAPSHOTS, [
        dict(store_id=store_id, product_id=pid, **e.wanted, received_at=now, updated_at=now) for pid, e in new],
        ("store_id", "product_id"))
    for pid, entry in new:
        if (store_id, pid) not in taken:
            changes.details.add(pid)
            if entry.wanted["deleted"]:
                changes.deleted.add(pid)
    updates = [(pid, e) for pid, e in snapshots.items() if e.held is not None and e.want is not None]
    if taken:  # inserted by another call meanwhile: decided again against what it stored
        held = _read_snapshots(session, store_id, sorted(pid for _, pid in taken))
        for pid, row in held.items():
            snapshots[pid].held = row
            if not _older(snapshots[pid].wanted["version"], _Snapshot(held=row)):
                updates.append((pid, snapshots[pid]))

    def resolve(item: tuple[str, _Snapshot], row: Any) -> str:
        want = item[1].wanted
        if row.version == want.get("version", row.version) and row.deleted == want["deleted"] and \
                row.content_hash == want.get("content_hash", row.content_hash):
            return "done"
        if "version" in want and want["version"] < row.version:
            return "drop"
        item[1].held = row
        return "retry"

    def reread(ids: list[int]) -> dict[int, Any]:
        columns = (ProductSnapshot.id, ProductSnapshot.version, ProductSnapshot.content_hash, ProductSnapshot.deleted)
        return {row.id: row for row in session.execute(select(*columns).where(ProductSnapshot.id.in_(ids)))}

    written = compare_and_set(session, SNAPSHOTS, updates,
                              values=lambda item: {**item[1].wanted, "updated_at": now},
                              held=lambda item: item[1].held, reread=reread, resolve=resolve)
    for pid, entry in written:
        held, want = entry.held, entry.wanted
        if "version" in want and (want["content_hash"] != held.content_hash or held.deleted):
            changes.details.add(pid)
        if want["deleted"] and not held.deleted:
            changes.deleted.add(pid)


def _holds(row: Any, want: dict[str, Any]) -> bool:
    """Whether a stock row already holds what `want` would write (a repeat of the same version)."""
    return (row.version == want["version"] and row.quantity == want["quantity"] and want["price"] in (None, row.price)
            and _stored_locations(row) == want["locations"])


def _write_stock(session: Session, store_id: str, stock: dict[tuple[str, str], _Variant], changes: Changes,
                 now: datetime) -> None:
    new = [(key, e) for key, e in stock.items() if e.held is None and e.want is not None]
    taken = insert_new(session, STOCK, [
        dict(store_id=store_id, product_id=key[0], variant_id=key[1], **e.wanted, updated_at=now) for key, e in new],
        ("store_id", "product_id", "variant_id"))
    for key, _entry in new:
        if (store_id, *key) not in taken:
            changes.stock.add(key[0])
    updates = [(key, e) for key, e in stock.items() if e.held is not None and e.want is not None
               and not _holds(e.held, e.wanted)]
    if taken:  # inserted by another call meanwhile: decided again against what it stored
        held = _read_stock(session, store_id, sorted({product_id for _, product_id, _ in taken}))
        for _, product_id, variant_id in taken:
            entry = stock[(product_id, variant_id)]
            entry.held = held.get((product_id, variant_id))
            if entry.held is not None and not entry.wanted["version"] < entry.held.version:
                updates.append(((product_id, variant_id), entry))

    def resolve(item: tuple[tuple[str, str], _Variant], row: Any) -> str:
        want = item[1].wanted
        if _holds(row, want):
            return "done"
        if want["version"] < row.version:
            return "drop"
        item[1].held = row
        return "retry"

    def reread(ids: list[int]) -> dict[int, Any]:
        columns = (STOCK.c.id, STOCK.c.quantity, _LOCATIONS_TEXT, STOCK.c.price, STOCK.c.version)
        return {row.id: row for row in session.connection().execute(select(*columns).where(STOCK.c.id.in_(ids)))}

    def values(item: tuple[tuple[str, str], _Variant]) -> dict[str, Any]:
        want = item[1].wanted
        kept = {} if want["price"] is None else {"price": want["price"]}
        return {"quantity": want["quantity"], "locations": want["locations"], "version": want["version"],
                "updated_at": now, **kept}

    written = compare_and_set(session, STOCK, updates, values=values,
                              held=lambda item: item[1].held, reread=reread, resolve=resolve)
    for key, entry in written:
        held, want = entry.held, entry.wanted
        if held.quantity != want["quantity"] or want["price"] not in (None, held.price):
            changes.stock.add(key[0])
