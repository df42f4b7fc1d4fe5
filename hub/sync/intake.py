"""Applying a batch of store events to the hub's state (`POST /events`, docs/extension-api.md).

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
from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.orm import Session, defer

from hub.canonical.events import EVENT_SCHEMAS
from hub.canonical.fastload import fast_load
from hub.models import ProcessedEvent, ProductSnapshot, Store, VariantStock
from hub.sync.products.categories import category_paths
from hub.sync.stock import locations as stock_locations

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
        {k: v for k, v in variant.items() if k not in ("quantity", "locations", "price", "compare_at_price")}
        for variant in product.get("variants", [])
    ]
    raw = json.dumps(stripped, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


_SCHEMA_INSTANCES: dict[str, Any] = {}


def _schema(event_type: str) -> Any:
    """Schema instances are reused: building one deep-copies every nested field, which dominated ingest."""
    if event_type not in _SCHEMA_INSTANCES:
        _SCHEMA_INSTANCES[event_type] = EVENT_SCHEMAS[event_type]()
    return _SCHEMA_INSTANCES[event_type]


def _validate(raw: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    if not isinstance(raw, dict):
        return None, {"_event": ["Each event must be a JSON object."]}
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
            assert event is not None  # _validate returns an event exactly when there are no errors
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
    # The stored JSON is replaced, never read: deferring it spares decoding every updated product.
    snapshots = {s.product_id: s for s in session.scalars(select(ProductSnapshot).where(
        ProductSnapshot.store_id == store.id, ProductSnapshot.product_id.in_(product_ids))
        .options(defer(ProductSnapshot.data)))} if product_ids else {}

    # Looked up by product (the unique index's leading columns) rather than by (product, variant) pairs,
    # which PostgreSQL plans far worse for a few thousand pairs.
    stock_products = product_ids | {i["product_id"] for e in events if e["type"] == "inventory.update"
                                    for i in e["items"]}
    stock: dict[tuple[str, str], Any] = {}
    ids = sorted(stock_products)
    for start in range(0, len(ids), 1000):
        for row in session.scalars(select(VariantStock).where(
                VariantStock.store_id == store.id, VariantStock.product_id.in_(ids[start:start + 1000]))):
            stock[(row.product_id, row.variant_id)] = row

    now = datetime.now(timezone.utc)
    new_rows = _NewRows()
    for event in events:
        kind = event["type"]
        payload: dict[str, Any] | None = None
        if kind == "product.upsert":
            _upsert_product(store, event["product"], snapshots, stock, changes, now, new_rows)
        elif kind == "product.delete":
            snapshot = snapshots.get(event["product_id"])
            if isinstance(snapshot, dict):  # created earlier in this same batch
                snapshot["deleted"] = True
                changes.deleted.add(event["product_id"])
            elif snapshot is not None and not snapshot.deleted:
                snapshot.deleted = True
                snapshot.updated_at = now
                changes.deleted.add(event["product_id"])
        elif kind == "inventory.update":
            for item in event["items"]:
                if _set_stock(store, stock, item["product_id"], item["variant_id"],
                              item["quantity"], item["price"], item["version"], now, new_rows,
                              locations=item.get("locations")):
                    changes.stock.add(item["product_id"])
        elif kind == "store.update":
            for name, value in event["store"].items():
                setattr(store, name, value)
            changes.store_updated = True
        elif kind in ORDER_EVENTS:
            payload = _jsonable({k: v for k, v in event.items() if k not in ("id", "type")})
            changes.order_events.append(event["id"].lower())
        new_rows.events.append(dict(store_id=store.id, event_id=event["id"].lower(), type=kind,
                                    payload=payload, received_at=now))
    new_rows.insert(session)


class _NewRows:
    """Rows to insert in bulk (one multi-row INSERT per table instead of one per object)."""

    def __init__(self) -> None:
        self.snapshots: list[dict[str, Any]] = []
        self.stock: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def insert(self, session: Session) -> None:
        for model, rows in ((ProductSnapshot, self.snapshots), (VariantStock, self.stock),
                            (ProcessedEvent, self.events)):
            if rows:
                _insert_rows(session, model, rows)


def _insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (all with the same keys): with COPY on PostgreSQL, otherwise with one executemany.

    psycopg runs an executemany as one pipelined INSERT per row, which took twice as long as COPY for a
    500-product batch (3,500 rows). A table with Python-side defaults for columns the rows leave out
    keeps the executemany, which applies them.
    """
    connection = session.connection()
    table = model.__table__
    dialect = connection.dialect
    defaulted = [c for c in table.columns if c.name not in rows[0] and c.default is not None]
    if dialect.name == "postgresql" and dialect.driver == "psycopg" and not defaulted:
        copy_rows(connection, table, rows)
    else:
        session.execute(insert(model), rows)


def copy_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY `rows` into `table` through psycopg, converted by the columns' own bind processors (JSON
    serialisation, UTC timestamps), so the rows stored are the ones an INSERT would store."""
    dialect = connection.dialect
    names = list(rows[0])
    processors = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names]
    quote = dialect.identifier_preparer
    statement = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)}) FROM STDIN"
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("The database connection was closed before COPY")
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] if process is None else process(row[name]) for name, process in processors])


def _upsert_product(store: Store, product: dict[str, Any], snapshots: dict[str, Any],
                    stock: dict[tuple[str, str], Any], changes: Changes, now: datetime, new_rows: _NewRows) -> None:
    # Stored as loaded: ProductSchema's fields (strings, integers, booleans, raw JSON) load JSON values
    # only, so a JSON round trip (_jsonable) would only copy it, at about a tenth of the call's time.
    data = product
    digest = content_hash(data)
    snapshot = snapshots.get(product["id"])
    if isinstance(snapshot, dict):  # inserted earlier in this same batch
        if product["version"] >= snapshot["version"]:
            snapshot.update(version=product["version"], data=data, content_hash=digest, title=product["title"][:500],
                            category_paths=category_paths(data))
        else:
            return
    elif snapshot is None:
        row = dict(store_id=store.id, product_id=product["id"], version=product["version"], data=data,
                   content_hash=digest, title=product["title"][:500], category_paths=category_paths(data),
                   deleted=False, received_at=now, updated_at=now)
        new_rows.snapshots.append(row)
        snapshots[product["id"]] = row
        changes.details.add(product["id"])
    elif product["version"] >= snapshot.version:
        if digest != snapshot.content_hash or snapshot.deleted:
            changes.details.add(product["id"])
        snapshot.version = product["version"]
        snapshot.data = data
        snapshot.content_hash = digest
        snapshot.title = product["title"][:500]
        snapshot.category_paths = category_paths(data)
        snapshot.deleted = False
        snapshot.updated_at = now
    else:
        return  # an older copy of the product arrived late: the hub already holds a newer one
    for variant in product["variants"]:
        if _set_stock(store, stock, product["id"], variant["id"], variant["quantity"],
                      variant["price"], product["version"], now, new_rows, locations=variant.get("locations")):
            changes.stock.add(product["id"])


def _set_stock(store: Store, stock: dict[tuple[str, str], Any], product_id: str, variant_id: str,
               quantity: int, price: str | None, version: int, now: datetime, new_rows: _NewRows, *,
               locations: list[dict[str, Any]] | None = None) -> bool:
    """Store a variant's price and stock unless the hub holds a newer version; True if anything changed.

    With per-location stock the quantity kept is what TikTok is offered (hub.sync.stock.locations).
    """
    stock_locations.remember(store, locations)
    quantity = stock_locations.tiktok_quantity(quantity, locations, store.selling_locations)
    locations = locations or None
    row = stock.get((product_id, variant_id))
    if row is None:
        row = dict(store_id=store.id, product_id=product_id, variant_id=variant_id, quantity=quantity,
                   locations=locations, price=price, version=version, updated_at=now)
        new_rows.stock.append(row)
        stock[(product_id, variant_id)] = row
        return True
    if isinstance(row, dict):  # inserted earlier in this same batch
        if version < row["version"]:
            return False
        changed = row["quantity"] != quantity or (price is not None and row["price"] != price)
        row.update(quantity=quantity, locations=locations, version=version,
                   **({"price": price} if price is not None else {}))
        return changed
    if version < row.version:
        return False
    changed = row.quantity != quantity or (price is not None and row.price != price)
    row.quantity = quantity
    row.locations = locations
    if price is not None:
        row.price = price
    row.version = version
    row.updated_at = now
    return changed
