"""The compiled JSON Schema path loads exactly what marshmallow's `load` returns, or defers to it.

Every case runs through the intake's validation (fast path first, marshmallow for what it rejects) and
through marshmallow alone; the loaded event or the per-field messages must be the same, down to the
Python types (1 and 1.0 and True compare equal in Python, so plain `==` is not enough). Values no
database can keep (lone surrogates, NaN, integers beyond 64 bits...) are refused by the intake before
either path, with `untrusted_json.problems` as the messages.
"""

from __future__ import annotations

import copy
import math
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from hub.canonical.fastload import _loaders, fast_load
from hub.canonical.events import EVENT_SCHEMAS
from hub.canonical.received import with_received
from hub.security.untrusted_json import problems
from hub.sync.intake import _validate


def _event_type(raw: Any) -> str | None:
    kind = raw.get("type") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) and kind in EVENT_SCHEMAS else None


def _marshmallow(raw: Any) -> tuple[Any, dict[str, Any]]:
    try:
        return EVENT_SCHEMAS[raw["type"]]().load(copy.deepcopy(raw)), {}
    except ValidationError as exc:  # the intake's messages are marshmallow's, each echoing the value received
        return None, with_received(exc.normalized_messages(), raw)


def _reference(raw: Any) -> tuple[Any, dict[str, Any]]:
    """What the intake must answer: values no database keeps are refused first, then marshmallow decides."""
    if _event_type(raw) is None:
        return _validate(raw)  # rejected before any schema is involved
    unstorable = problems(raw)
    if unstorable:
        return None, unstorable
    return _marshmallow(raw)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def _assert_same_as_marshmallow(raw: Any) -> None:
    expected = _reference(raw)
    actual = _validate(copy.deepcopy(raw))
    assert _same(actual, expected), f"{raw!r}\nintake:      {actual!r}\nmarshmallow: {expected!r}"
    fast = fast_load(raw["type"], copy.deepcopy(raw)) if _event_type(raw) else None
    if fast is not None:  # the fast path may only accept what marshmallow accepts, with the same result
        loaded, errors = _marshmallow(raw)
        assert not errors and _same(fast, loaded), raw


def _product(**changes: Any) -> dict[str, Any]:
    product = {"id": "p-1", "version": 3, "title": "Cotton T-shirt", "description_html": "<p>Soft</p>",
               "categories": [{"id": "15", "name": "T-shirts", "path": ["Clothing", "T-shirts"]}],
               "images": [{"url": "https://store.example/a.jpg"}, {"url": "https://store.example/b.jpg", "alt": "B"}],
               "attributes": {"Material": "Cotton", "Care": ["wash cold"], "Weight g": 200},
               "weight": {"value": "0.2", "unit": "kg"},
               "variants": [{"id": "v-1", "sku": "TS-1", "price": "12.50", "currency": "GBP", "quantity": 10,
                             "options": {"Size": "M"}},
                            {"id": "v-2", "price": "13", "compare_at_price": "15.00", "manage_stock": False,
                             "dimensions": {"length": "10", "width": "5.5", "height": "1", "unit": "cm"}}]}
    product.update(changes)
    return {"id": str(uuid.uuid4()), "type": "product.upsert", "product": product}


def _variant(**changes: Any) -> dict[str, Any]:
    event = _product()
    event["product"]["variants"][0].update(changes)
    return event


def _event(type_: str, **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": type_, **fields}


_ITEM = {"product_id": "p-1", "variant_id": "v-1", "quantity": 4, "price": "9.99", "version": 2}

CASES = [
    _product(),
    _product(hint="platform extras are kept"),
    _product(status="draft", brand=None, url="https://store.example/p-1", weight=None, dimensions=None),
    _product(id=42), _product(id=True), _product(id=""), _product(id="   "), _product(id="\x1c"), _product(id="a" * 65),
    _product(id="a" * 64), _product(id=" p-1 "), _product(id="商品"), _product(id=None),
    _product(version=1.0), _product(version=-1), _product(version="3"), _product(version=True), _product(version=2**70),
    _product(title=""), _product(title="x" * 5001), _product(status="gone"), _product(status=None),
    _product(attributes={"Colour": None}), _product(attributes={"": "empty key"}), _product(attributes=[]),
    _product(categories=[{"id": 15, "name": "T-shirts"}]), _product(categories=[{"id": "15", "name": ""}]),
    _product(categories=[{"id": "15", "name": "T", "path": [""]}]), _product(images=[{"alt": "no url"}]),
    _product(weight={"value": 0.2, "unit": "kg"}), _product(weight={"value": "-1", "unit": "kg"}),
    _product(weight={"value": " 0.25 ", "unit": "kg"}), _product(weight={"value": "0.2", "unit": "stone"}),
    _product(variants=[]), _product(variants=None), _product(variants="v"),
    _product(variants=[{"id": "v-1", "price": "1"}, {"id": "v-1", "price": "2"}]),
    _product(variants=[{"id": 1, "price": "1"}, {"id": "1", "price": "2"}]),
    _variant(price=" 9.99 "), _variant(price="9.99\n"), _variant(price=9.99), _variant(price="9.999999"),
    _variant(price="٣.٥"), _variant(price="-0.5"), _variant(price=""), _variant(compare_at_price=None),
    _variant(quantity=1.0), _variant(quantity=True), _variant(quantity="5"), _variant(quantity=-3),
    _variant(manage_stock=1), _variant(manage_stock="true"), _variant(currency="GBP\n"), _variant(currency="gbp"),
    _variant(options={"": "M"}), _variant(options={"Size": None}), _variant(options={"Size": 1}),
    _variant(options={"x" * 201: "M"}), _variant(sku=None), _variant(sku="s" * 201), _variant(barcode_type=7),
    _variant(image_url=None), _variant(weight={"value": "1", "unit": "g", "extra": True}), _variant(price=None),
    _variant(title="\ud800 lone surrogate"), _variant(note=float("nan")),
    _event("product.upsert", product=_product()["product"], extra=1), _event("product.upsert"),
    _event("product.upsert", product=None), _event("product.upsert", product=[]),
    {"type": "product.upsert", "product": _product()["product"]}, {**_product(), "id": "not-a-uuid"},
    {**_product(), "id": str(uuid.uuid4()).upper()}, {**_product(), "id": uuid.uuid4().hex},
    {**_product(), "id": str(uuid.uuid4()) + "\n"},
    _event("product.delete", product_id="p-1"), _event("product.delete", product_id=7),
    _event("product.delete", product_id=""), _event("product.delete"),
    _event("inventory.update", items=[_ITEM]), _event("inventory.update", items=[{**_ITEM, "price": None}]),
    _event("inventory.update", items=[{**_ITEM, "quantity": 4.0}]), _event("inventory.update", items=[]),
    _event("inventory.update", items=[{**_ITEM, "extra": 1}]),
    _event("inventory.update", items=[{**_ITEM, "price": 1}]),
    _event("inventory.update", items=[{k: v for k, v in _ITEM.items() if k != "price"}]),
    _event("store.update", store={"currency": "GBP", "weight_unit": "kg", "base_url": None}),
    _event("store.update", store={"currency": "pounds"}), _event("store.update", store={"colour": "red"}),
    _event("order.fulfilled", tiktok_order_id="576", tracking_number="T1", carrier="UPS",
           shipped_at="2026-01-02T03:04:05Z"),
    _event("order.fulfilled", tiktok_order_id="576", tracking_number="", carrier="UPS"),
    _event("order.cancelled", tiktok_order_id=576, reason="customer"), _event("order.cancelled", tiktok_order_id="576"),
    _event("order.cancelled", tiktok_order_id="576", reason="r" * 501),
    _event("no.such.type"), {"id": str(uuid.uuid4())}, "not an object", None, [],
    # Stock per location: optional, each with an id and an integer quantity, ids unique per variant.
    _variant(locations=[{"id": "wh-1", "name": "Leeds", "quantity": 3}, {"id": 2, "quantity": 0}]),
    _variant(locations=[]), _variant(locations=None), _variant(locations=[{"id": "wh-1", "quantity": 1.0}]),
    _variant(locations=[{"id": "wh-1", "quantity": 1}, {"id": "wh-1", "quantity": 2}]),
    _variant(locations=[{"name": "no id", "quantity": 1}]), _variant(locations=[{"id": "wh-1"}]),
    _variant(locations=[{"id": "wh-1", "quantity": 1, "bin": "A3"}]), _variant(locations={"wh-1": 3}),
    _event("inventory.update", items=[{**_ITEM, "locations": [{"id": "wh-1", "quantity": 4}]}]),
    _event("inventory.update", items=[{**_ITEM, "locations": [{"id": "a", "quantity": 1}, {"id": "a", "quantity": 1}]}]),
    _event("store.update", store={"locations": [{"id": "wh-1", "name": "Leeds"}, {"id": "shop", "name": "Shop"}]}),
    _event("store.update", store={"locations": [{"id": "wh-1"}]}),
    _event("store.update", store={"locations": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}),
]


@pytest.mark.parametrize("raw", CASES, ids=range(len(CASES)))
def test_intake_loads_what_marshmallow_loads(raw: Any) -> None:
    _assert_same_as_marshmallow(raw)


def test_canonical_events_take_the_compiled_path() -> None:
    """Without this the equality above would also hold if every event fell back to marshmallow."""
    assert {"product.upsert", "product.delete", "inventory.update", "store.update"} <= set(_loaders())
    assert "order.fulfilled" not in _loaders()  # DateTime loads to a datetime, not its input
    for raw in (_product(), _product(status="draft", weight=None), _event("product.delete", product_id="p-1"),
                _event("inventory.update", items=[_ITEM]), _event("store.update", store={"currency": "GBP"}),
                _variant(locations=[{"id": "wh-1", "name": "Leeds", "quantity": 3}])):
        assert fast_load(raw["type"], copy.deepcopy(raw)) is not None, raw


_TRICKY = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2, max_value=2**64), st.floats(allow_nan=True),
    st.sampled_from(["", " ", "\x1c", "\n", "GBP", "GBP\n", "kg", "cm", "active", "12.50", " 1.5", "1.5 ", "-0",
                     "٣", "0.25", "a" * 64, "a" * 65, "x" * 201, "v-1", "p-1", "\ud800", "1e3", "NaN"]),
    st.text(max_size=8), st.just([]), st.just({}), st.just({"value": "1", "unit": "kg"}),
    st.just([{"id": "v-1", "price": "1"}]), st.just({"": "x"}), st.just({"k": None}),
)


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
def _mutated_events(draw: st.DrawFn) -> Any:
    event = draw(st.sampled_from([_product(), _event("inventory.update", items=[dict(_ITEM)]),
                                  _event("store.update", store={"currency": "GBP", "base_url": None})]))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(event)[1:]))
        parent = event
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(draw(_TRICKY))
        if draw(st.booleans()) and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "id", "price", "quantity", "unit"]))] = copy.deepcopy(draw(_TRICKY))
    return event


@given(raw=_mutated_events())
@settings(max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_mutated_events_load_as_with_marshmallow(raw: Any) -> None:
    _assert_same_as_marshmallow(raw)
