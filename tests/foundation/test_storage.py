"""Storage on SQLite and on a real PostgreSQL server: migrations, constraints, intake and leases."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from hub.commands.leases import lease
from hub.commands.outbox import create_command
from hub.db import Database
from hub.merchants import create_store, find_or_create_merchant
from hub.migrations import alembic_config, upgrade
from hub.models import Base, Command, ProductSnapshot, Store, VariantStock
from hub.security.crypto import SecretBox, derive_key
from hub.sync.intake import apply_events

BOX = SecretBox([derive_key("test")])


@pytest.fixture()
def migrated(database_url: str) -> Database:
    upgrade(database_url)
    db = Database(database_url)
    yield db
    db.dispose()


def _store(db: Database) -> Store:
    with db.session_scope() as s:
        store, _ = create_store(s, BOX, find_or_create_merchant(s, None), "woocommerce", "S")
        return store


def test_migrations_match_the_models(migrated: Database) -> None:
    with migrated.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == [], f"models and migrations differ; run scripts/autogenerate_migration.py: {diff}"
    tables = set(inspect(migrated.engine).get_table_names())
    assert {"stores", "commands", "product_snapshots", "variant_stock", "processed_events", "activity"} <= tables


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    upgrade(database_url)
    db = Database(database_url)
    assert "stores" in inspect(db.engine).get_table_names()
    db.dispose()


def test_upgrading_keeps_category_paths_for_products_already_stored(database_url: str) -> None:
    """Revision 0005 fills `category_paths` for snapshots stored before it, so lists show their categories."""
    from sqlalchemy import text

    upgrade(database_url, "0004")
    db = Database(database_url)
    with db.session_scope() as s:
        merchant_id = find_or_create_merchant(s, None).id
    with db.engine.begin() as conn:  # the stores table as revision 0004 has it (the model has grown since)
        conn.execute(text("INSERT INTO stores (id, merchant_id, platform, name, key_id, secret_encrypted, "
                          "sync_enabled, created_at) VALUES ('st_old', :m, 'woocommerce', 'S', 'hk_old', 'x', true, "
                          "CURRENT_TIMESTAMP)"), {"m": merchant_id})
    store = Store(id="st_old")
    data = '{"id": "7", "categories": [{"name": "Socks", "path": ["Clothing", " Socks "]}, {"name": "Sale"}]}'
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO product_snapshots (store_id, product_id, version, data, content_hash, title, "
                          "deleted, received_at, updated_at) VALUES (:s, '7', 1, :d, 'h', 'Socks', false, "
                          "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"s": store.id, "d": data})
    upgrade(database_url)
    with db.session_scope() as s:
        assert s.scalar(select(ProductSnapshot.category_paths)) == ["Clothing > Socks", "Sale"]
    db.dispose()


def test_intake_applies_products_and_keeps_the_newest_version(migrated: Database) -> None:
    store = _store(migrated)
    def upsert(version: int, qty: int) -> dict:
        return {"id": str(uuid.uuid4()), "type": "product.upsert", "product": {
            "id": "88", "version": version, "title": "Socks",
            "variants": [{"id": "91", "price": "9.99", "quantity": qty}]}}
    with migrated.session_scope() as s:
        st = s.get(Store, store.id)
        results, changes = apply_events(s, st, [upsert(2, 5)])
        assert results[0]["status"] == "accepted" and changes.details == {"88"}
    with migrated.session_scope() as s:
        apply_events(s, s.get(Store, store.id), [upsert(1, 99)])
    with migrated.session_scope() as s:
        assert s.scalar(select(ProductSnapshot.version)) == 2
        assert s.scalar(select(VariantStock.quantity)) == 5
        assert s.scalar(select(ProductSnapshot.category_paths)) == []


def test_unique_constraints_hold(migrated: Database) -> None:
    store = _store(migrated)
    with pytest.raises(IntegrityError):
        with migrated.session_scope() as s:
            s.add(ProductSnapshot(store_id=store.id, product_id="1", version=1, data={}, content_hash="x"))
            s.add(ProductSnapshot(store_id=store.id, product_id="1", version=2, data={}, content_hash="y"))
    with migrated.session_scope() as s:
        first, created = create_command(s, store.id, "order.create", {}, "order.create:1")
        again, created_again = create_command(s, store.id, "order.create", {}, "order.create:1")
        assert created and not created_again and first.id == again.id
    with migrated.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Command)) == 1


def test_two_concurrent_leases_never_hand_out_the_same_command(migrated: Database) -> None:
    store = _store(migrated)
    with migrated.session_scope() as s:
        for i in range(10):
            create_command(s, store.id, "order.create", {"n": i}, f"k{i}")
    a, b = migrated.sessionmaker(), migrated.sessionmaker()
    try:
        got_a = [c.id for c in lease(a, store.id, 6, 60)]
        a.commit()
        got_b = [c.id for c in lease(b, store.id, 6, 60)]
        b.commit()
    finally:
        a.close()
        b.close()
    assert len(got_a) == 6 and len(got_b) == 4 and not set(got_a) & set(got_b)


def test_secrets_are_stored_encrypted_and_survive_key_rotation(migrated: Database) -> None:
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with migrated.session_scope() as s:
        store, secret = create_store(s, SecretBox([old]), find_or_create_merchant(s, None), "shopify", "S")
        stored = store.secret_encrypted
    assert secret not in stored
    rotated_box = SecretBox([new, old])
    assert rotated_box.decrypt(stored) == secret
    assert SecretBox([new]).decrypt(rotated_box.rotate(stored)) == secret
