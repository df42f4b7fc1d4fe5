"""The intake's COPY on PostgreSQL stores exactly what the INSERT it replaces stores."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, text

from hub.db import Database
from hub.merchants import create_store, find_or_create_merchant
from hub.migrations import upgrade
from hub.models import ProcessedEvent, ProductSnapshot, VariantStock
from hub.security.crypto import SecretBox, derive_key
from hub.sync.intake import copy_rows

NOW = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=timezone.utc)
LOCAL = datetime(2026, 3, 1, 13, 30, 15, tzinfo=timezone(timedelta(hours=1)))


def _rows(store_id: str) -> dict[type, list[dict]]:
    data = {"id": "p-1", "title": "Tee \u2014 \u00e9t\u00e9 \U0001f455 \\ \"quoted\"\ttab\nline", "brand": None,
            "attributes": {"Weight g": 200, "Ratio": 0.5, "Tags": ["a", "b"], "Empty": {}}, "variants": []}
    return {
        ProductSnapshot: [dict(store_id=store_id, product_id=f"p-{i}", version=2**40 + i, data=data,
                               content_hash="0" * 64, title=data["title"][:500], deleted=bool(i % 2),
                               received_at=NOW, updated_at=LOCAL) for i in range(3)],
        VariantStock: [dict(store_id=store_id, product_id="p-1", variant_id=f"v-{i}", quantity=-i,
                            price=None if i else "12.50", version=i, updated_at=NOW) for i in range(3)],
        ProcessedEvent: [dict(store_id=store_id, event_id=f"e-{i}", type="order.cancelled",
                              payload=None if i else {"reason": None, "tiktok_order_id": "576"}, received_at=NOW)
                         for i in range(3)],
    }


def _stored(db: Database, table: str, store_id: str) -> list[tuple]:
    with db.engine.connect() as conn:
        query = text(f"SELECT * FROM {table} WHERE store_id = :s ORDER BY 3, 4")
        rows = conn.execute(query, {"s": store_id}).mappings()
        return [tuple(str(v) for k, v in row.items() if k not in ("id", "store_id")) for row in rows]


def test_copy_stores_what_insert_stores(postgres_url: str) -> None:
    upgrade(postgres_url)
    db = Database(postgres_url)
    box = SecretBox([derive_key("test")])
    with db.session_scope() as s:
        merchant = find_or_create_merchant(s, None)
        inserted, copied = (create_store(s, box, merchant, "woocommerce", name)[0].id for name in ("A", "B"))
    with db.session_scope() as s:
        for model, rows in _rows(inserted).items():
            s.execute(insert(model), rows)
        for model, rows in _rows(copied).items():
            copy_rows(s.connection(), model.__table__, rows)
    for table in ("product_snapshots", "variant_stock", "processed_events"):
        assert _stored(db, table, copied) == _stored(db, table, inserted) != []
    db.dispose()
