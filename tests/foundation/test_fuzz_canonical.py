"""Property-based fuzzing of the canonical product schema as the intake applies it (hypothesis).

Events are grown from a valid product by replacing, adding and removing fields with arbitrary JSON —
including what JSON decoders let through that databases refuse (lone surrogates, NUL, NaN, 1e400,
integers beyond 64 bits, deep nesting). For every one: validation answers (never raises), an accepted
event holds nothing unstorable and is stored by a real database, and a rejected one says which field.

A few seconds in the test suite; for a longer run:
    HUB_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/foundation/test_fuzz_canonical.py -q
"""

from __future__ import annotations

import copy
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.db import Database
from hub.merchants import create_store, find_or_create_merchant
from hub.migrations import upgrade
from hub.models import Store
from hub.security.crypto import SecretBox, derive_key
from hub.security.untrusted_json import problems
from hub.sync.intake import _validate, apply_events

EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["\ud800", "a\x00b", "\udfff\ud800", "9.99", " 9.99", "1e3", "GBP", "kg", "cm", "active", "", " ",
                     "x" * 65, "5012345678900", "\U0001f600", "٣", "0.25", "-1", "NaN"]),
)
_JSON = st.recursive(_LEAVES, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6) | st.sampled_from(["\ud800", "id"]),
                                                    children, max_size=3)), max_leaves=12)


def _product() -> dict[str, Any]:
    return {"id": "p-1", "version": 3, "title": "Cotton T-shirt", "description_html": "<p>Soft</p>",
            "categories": [{"id": "15", "name": "T-shirts", "path": ["Clothing", "T-shirts"]}],
            "images": [{"url": "https://store.example/a.jpg", "alt": "A"}], "attributes": {"Material": "Cotton"},
            "weight": {"value": "0.2", "unit": "kg"},
            "variants": [{"id": "v-1", "sku": "TS-1", "price": "12.50", "currency": "GBP", "quantity": 10,
                          "options": {"Size": "M"}, "barcode": "5012345678900"}]}


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, prefix + (index,))
    return found


@st.composite
def _events(draw: st.DrawFn) -> dict[str, Any]:
    event = {"id": str(uuid.uuid4()), "type": "product.upsert", "product": _product()}
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        path = draw(st.sampled_from(_paths(event["product"])[1:]))
        parent = event["product"]
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if action == "remove" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8) | st.sampled_from(["extra", "price", "\ud800"]))] = draw(_JSON)
        else:
            parent[path[-1]] = draw(_JSON)
    return event


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, str]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'hub.sqlite3'}"
    upgrade(url)
    db = Database(url)
    with db.session_scope() as session:
        store, _ = create_store(session, SecretBox([derive_key("fuzz")]), find_or_create_merchant(session, None),
                                "woocommerce", "Fuzz")
        store_id = store.id
    yield db, store_id
    db.dispose()


@given(event=_events())
@FUZZ
def test_any_product_event_is_stored_or_rejected_with_a_reason(stored: tuple[Database, str], event: Any) -> None:
    db, store_id = stored
    loaded, errors = _validate(copy.deepcopy(event))
    if errors:
        assert loaded is None and isinstance(errors, dict)
        return
    assert problems(loaded) == {}
    assert isinstance(loaded["product"]["version"], int) and 0 <= loaded["product"]["version"] < 2**63
    assert all(isinstance(v["quantity"], int) and abs(v["quantity"]) < 2**31 for v in loaded["product"]["variants"])
    session = db.sessionmaker()
    try:  # the real intake on a real database; rolled back so every example starts from the same state
        results, changes = apply_events(session, session.get(Store, store_id), [copy.deepcopy(event)])
        session.flush()
        assert results[0]["status"] == "accepted" and changes.details == {loaded["product"]["id"]}
    finally:
        session.rollback()
        session.close()
