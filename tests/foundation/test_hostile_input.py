"""Hostile input over real HTTP: malformed values, replays, other stores' keys, on SQLite and PostgreSQL.

What must hold for any input: never a 5xx; a value no database can keep (lone surrogate, NUL, NaN,
1e400, integers beyond 64 bits, deep nesting) rejects only the event that carries it, and the other
events of the call are stored; a signed call replayed is harmless; a store's key reaches only its store.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from sqlalchemy import func, select, text

from hub.app import create_app
from hub.db import Database
from hub.migrations import upgrade
from hub.models import ProcessedEvent, ProductSnapshot, TikTokNotification, VariantStock
from hub.runtime import install
from hub.tiktok.signing import webhook_signature
from plugins.hub_client import HubClient, sign_request
from plugins.hub_client.client import new_event
from tests.conftest import LiveServer, add_store, make_runtime

APP_KEY, APP_SECRET = "hostilekey", "hostile-app-secret-0123456789"


class Hub:
    def __init__(self, runtime: Any, url: str, store: dict[str, str]):
        self.runtime, self.url, self.store = runtime, url, store

    def call(self, method: str, path: str, body: bytes = b"", *, store: dict[str, str] | None = None,
             timestamp: int | None = None, headers: dict[str, str] | None = None) -> requests.Response:
        store = store or self.store
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sent = {"X-Hub-Key": store["key_id"], "X-Hub-Timestamp": ts, "Content-Type": "application/json",
                "X-Hub-Signature": sign_request(store["secret"], ts, method, path, body), **(headers or {})}
        return requests.request(method, self.url + path, data=body, headers=sent, timeout=60)

    def count(self, model: Any, store_id: str | None = None) -> int:
        with self.runtime.db.session_scope() as session:
            return session.scalar(select(func.count()).select_from(model)
                                  .where(model.store_id == (store_id or self.store["store_id"])))


@pytest.fixture()
def hub(tmp_path: Path, redis_url: str, database_url: str) -> Iterator[Hub]:
    runtime = make_runtime(tmp_path, redis_url, database_url, tiktok_app_key=APP_KEY, tiktok_app_secret=APP_SECRET)
    store = add_store(runtime)
    with LiveServer(create_app(runtime=runtime)) as server:
        yield Hub(runtime, server.url, store)
    install(None)
    runtime.close()


def _product(pid: str, **changes: Any) -> dict[str, Any]:
    product = {"id": pid, "version": 1, "title": f"Tee {pid}", "attributes": {"Material": "Cotton"},
               "variants": [{"id": f"{pid}-1", "sku": f"T-{pid}", "price": "9.99", "quantity": 3}]}
    product.update(changes)
    return product


PLACEHOLDER = "@@BAD@@"
# (what, how the bad event is built, JSON text put in place of the placeholder)
BAD_EVENTS = {
    "lone surrogate in a title": (lambda: new_event("product.upsert", product=_product("bad", title=PLACEHOLDER)),
                                  '"Tee \\ud800 front"'),
    "lone low surrogate in an option": (lambda: new_event("product.upsert", product=_product("bad", variants=[
        {"id": "b1", "price": "1.00", "options": {"Size": PLACEHOLDER}}])), '"M\\udfff"'),
    "lone surrogate in an attribute key": (lambda: new_event("product.upsert", product=_product("bad", attributes={
        "k": PLACEHOLDER})), '{"\\ud83d": "x"}'),
    "NUL in a title": (lambda: new_event("product.upsert", product=_product("bad", title=PLACEHOLDER)),
                       '"Tee\\u0000"'),
    "NUL in an unknown extra key": (lambda: new_event("product.upsert", product=_product("bad", hint=PLACEHOLDER)),
                                    '"x\\u0000y"'),
    "NaN in an attribute": (lambda: new_event("product.upsert", product=_product("bad", attributes={
        "Weight": PLACEHOLDER})), "NaN"),
    "-Infinity in an attribute": (lambda: new_event("product.upsert", product=_product("bad", attributes={
        "Weight": PLACEHOLDER})), "-Infinity"),
    "1e400 in an attribute": (lambda: new_event("product.upsert", product=_product("bad", attributes={
        "Weight": PLACEHOLDER})), "1e400"),
    "version of 2^63": (lambda: new_event("product.upsert", product=_product("bad", version=PLACEHOLDER)),
                        str(2**63)),
    "integer of 2^64 in an attribute": (lambda: new_event("product.upsert", product=_product("bad", attributes={
        "n": PLACEHOLDER})), str(2**64)),
    "stock of 2^31": (lambda: new_event("inventory.update", items=[
        {"product_id": "bad", "variant_id": "bad-1", "quantity": PLACEHOLDER, "version": 5}]), str(2**31)),
    "stock of 2^63": (lambda: new_event("inventory.update", items=[
        {"product_id": "bad", "variant_id": "bad-1", "quantity": PLACEHOLDER, "version": 5}]), str(2**63)),
    "inventory version of 2^63": (lambda: new_event("inventory.update", items=[
        {"product_id": "bad", "variant_id": "bad-1", "quantity": 1, "version": PLACEHOLDER}]), str(2**63)),
    "attribute nested 900 deep": (lambda: new_event("product.upsert", product=_product("bad", attributes={
        "Deep": PLACEHOLDER})), "[" * 900 + "]" * 900),
    "unknown key nested 40 deep": (lambda: new_event("product.upsert", product=_product("bad", extra=PLACEHOLDER)),
                                   '{"a":' * 40 + "1" + "}" * 40),
    "NUL in an order event": (lambda: new_event("order.cancelled", tiktok_order_id="576", reason=PLACEHOLDER),
                              '"out\\u0000of stock"'),
}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_one_unstorable_value_rejects_only_its_event(hub: Hub, case: str) -> None:
    build, literal = BAD_EVENTS[case]
    bad = build()
    events = [new_event("product.upsert", product=_product(f"p{i}")) for i in range(250)]
    events.insert(125, bad)
    events += [new_event("inventory.update", items=[{"product_id": f"p{i}", "variant_id": f"p{i}-1", "quantity": 7,
                                                     "version": 2}]) for i in range(249)]
    body = json.dumps({"events": events}).replace(json.dumps(PLACEHOLDER), literal).encode()
    for attempt in range(2):  # the extension's retry of the same call: the same answer, never a 500
        response = hub.call("POST", "/api/v1/events", body)
        assert response.status_code == 200, response.text[:500]
        results = response.json()["results"]
        assert len(results) == 500
        assert results[125]["status"] == "rejected" and results[125]["id"] == bad["id"]
        assert results[125]["errors"], results[125]
        expected = "accepted" if attempt == 0 else "duplicate"
        assert all(r["status"] == expected for i, r in enumerate(results) if i != 125), \
            [r for r in results if r["status"] != expected][:3]
    assert hub.count(ProductSnapshot) == 250 and hub.count(ProcessedEvent) == 499
    with hub.runtime.db.session_scope() as session:
        assert sorted(session.scalars(select(VariantStock.quantity))) == [3] + [7] * 249


def test_the_rejection_says_where_and_what(hub: Hub) -> None:
    event = new_event("product.upsert", product=_product("x", title="@T@", attributes={"Weight": "@N@"}))
    body = json.dumps({"events": [event]}).replace('"@T@"', '"a\\ud800"').replace('"@N@"', "NaN").encode()
    [result] = hub.call("POST", "/api/v1/events", body).json()["results"]
    assert result["status"] == "rejected"
    assert "surrogate" in result["errors"]["product"]["title"][0]
    assert "finite" in result["errors"]["product"]["attributes"]["Weight"][0]


def test_a_body_nested_100000_deep_is_a_clear_400(hub: Hub) -> None:
    for body in (b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", b"[" * 100_000):
        response = hub.call("POST", "/api/v1/events", body)
        assert response.status_code == 400, response.text[:300]
        assert response.json()["error"]["code"] == "nested_too_deeply"


def test_unstorable_values_elsewhere_are_refused_not_failed(hub: Hub) -> None:
    command = hub.call("POST", "/api/v1/commands/cmd_x/result",
                       b'{"status": "failed", "reason": "PLATFORM_ERROR", "message": "no\\u0000pe"}')
    assert command.status_code == 422 and "message" in command.json()["error"]["details"]
    command = hub.call("POST", "/api/v1/commands/cmd_x/result", b'{"status": "done", "platform_order_id": "\\udc00"}')
    assert command.status_code == 422
    # The signature covers the decoded path, which no client can send with a NUL: refused either way.
    assert hub.call("POST", "/api/v1/commands/cmd%00x/result", b'{"status": "done"}').status_code in (400, 401)
    assert hub.call("GET", "/api/v1/products/status?ids=88%00").status_code == 400
    assert hub.call("GET", "/api/v1/products/status?ids=%ED%A0%80").status_code < 500
    unknown = hub.call("GET", "/api/v1/ping", headers={"X-Hub-Key": "k\u00e9y"})
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "unknown_key"


def test_an_event_id_with_or_without_dashes_is_the_same_event(hub: Hub) -> None:
    event_id = uuid.uuid4()
    client = HubClient(hub.url, hub.store["key_id"], hub.store["secret"], max_retries=0)
    forms = [str(event_id), event_id.hex, event_id.hex.upper(), str(event_id).upper()]
    statuses = [client.send_events([{"id": form, "type": "product.upsert", "product": _product("88")}])[0]["status"]
                for form in forms]
    assert statuses == ["accepted", "duplicate", "duplicate", "duplicate"]
    assert hub.count(ProcessedEvent) == 1


def test_upgrading_merges_event_ids_stored_in_two_forms(database_url: str) -> None:
    upgrade(database_url, "0011")
    db = Database(database_url)
    from hub.merchants import find_or_create_merchant

    with db.session_scope() as s:
        merchant_id = find_or_create_merchant(s, None).id
    one, two = uuid.uuid4(), uuid.uuid4()
    with db.engine.begin() as conn:  # the stores table as revision 0011 has it (the model has grown since)
        conn.execute(text("INSERT INTO stores (id, merchant_id, platform, name, key_id, secret_encrypted, "
                          "sync_enabled, created_at) VALUES ('st_old', :m, 'woocommerce', 'S', 'hk_old', 'x', true, "
                          "CURRENT_TIMESTAMP)"), {"m": merchant_id})
        for event_id in (str(one), one.hex, two.hex.upper().lower(), "not-a-uuid"):
            conn.execute(text("INSERT INTO processed_events (store_id, event_id, type, received_at) "
                              "VALUES ('st_old', :e, 'product.delete', CURRENT_TIMESTAMP)"), {"e": event_id})
    upgrade(database_url)
    with db.session_scope() as session:
        assert sorted(session.scalars(select(ProcessedEvent.event_id))) == sorted([str(one), str(two), "not-a-uuid"])
    db.dispose()


def test_a_replayed_call_changes_nothing_and_a_stale_or_tampered_one_is_refused(hub: Hub) -> None:
    body = json.dumps({"events": [new_event("inventory.update", items=[
        {"product_id": "88", "variant_id": "88-1", "quantity": 5, "version": 10}])]}).encode()
    ts = int(time.time())
    first = hub.call("POST", "/api/v1/events", body, timestamp=ts)
    newer = hub.call("POST", "/api/v1/events", json.dumps({"events": [new_event("inventory.update", items=[
        {"product_id": "88", "variant_id": "88-1", "quantity": 9, "version": 11}])]}).encode())
    replay = hub.call("POST", "/api/v1/events", body, timestamp=ts)  # byte for byte, same signature
    assert first.json()["results"][0]["status"] == "accepted" and newer.status_code == 200
    assert replay.status_code == 200 and replay.json()["results"][0]["status"] == "duplicate"
    with hub.runtime.db.session_scope() as session:
        assert session.scalar(select(VariantStock.quantity)) == 9

    stale = hub.call("POST", "/api/v1/events", body, timestamp=ts - 301)
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "stale_timestamp"
    headers = {"X-Hub-Key": hub.store["key_id"], "X-Hub-Timestamp": str(ts), "Content-Type": "application/json",
               "X-Hub-Signature": sign_request(hub.store["secret"], str(ts), "POST", "/api/v1/events", body)}
    tampered = requests.post(hub.url + "/api/v1/events", data=body.replace(b'"quantity": 5', b'"quantity": 0'),
                             headers=headers, timeout=10)
    assert tampered.status_code == 401 and tampered.json()["error"]["code"] == "bad_signature"


def test_a_stores_key_never_reaches_another_stores_data(hub: Hub) -> None:
    other = add_store(hub.runtime, name="Other store", merchant="someone-else@example.com")
    mine = HubClient(hub.url, hub.store["key_id"], hub.store["secret"], max_retries=0)
    theirs = HubClient(hub.url, other["key_id"], other["secret"], max_retries=0)
    theirs.upsert_products([_product("88", title="Their socks")])
    # The same product id from my store is my product, and leaves theirs alone.
    mine.send_events([new_event("product.upsert", product=_product("88", title="My socks", version=5)),
                      new_event("product.delete", product_id="88")])
    with hub.runtime.db.session_scope() as session:
        rows = {s.store_id: (s.title, s.deleted) for s in session.scalars(select(ProductSnapshot))}
    assert rows == {hub.store["store_id"]: ("My socks", True), other["store_id"]: ("Their socks", False)}
    [status] = mine.product_status(["88"])
    assert status["updated_at"] is not None  # mine (deleted), not theirs
    # Their key signing my store's key id is refused: the secret is per store.
    forged = hub.call("GET", "/api/v1/ping", store={"key_id": hub.store["key_id"], "secret": other["secret"]})
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "bad_signature"
    assert theirs.ping()["store_id"] == other["store_id"] != mine.ping()["store_id"]


# ---------------------------------------------------------------------------------------------- webhooks


def _webhook(hub: Hub, body: bytes) -> requests.Response:
    return requests.post(f"{hub.url}/tiktok/webhooks", data=body, timeout=30,
                         headers={"Content-Type": "application/json",
                                  "Authorization": webhook_signature(APP_KEY, APP_SECRET, body)})


WEBHOOK_BODIES = {
    "type 1e400": b'{"type": 1e400, "tts_notification_id": "n1", "shop_id": "7494", "data": {}}',
    "type NaN": b'{"type": NaN, "tts_notification_id": "n1", "shop_id": "7494", "data": {}}',
    "type 2^63": b'{"type": 9223372036854775808, "tts_notification_id": "n1", "shop_id": "7494", "data": {}}',
    "type 2^31": b'{"type": 2147483648, "tts_notification_id": "n1", "shop_id": "7494", "data": {}}',
    "surrogate id": b'{"type": 1, "tts_notification_id": "n\\ud800", "shop_id": "7494", "data": {}}',
    "surrogate in data": b'{"type": 1, "tts_notification_id": "n1", "shop_id": "7494", "data": {"x": "\\udfff"}}',
    "NUL in data": b'{"type": 1, "tts_notification_id": "n1", "shop_id": "7494", "data": {"x": "a\\u0000"}}',
    "id longer than the column": b'{"type": 1, "tts_notification_id": "' + b"9" * 65 + b'", "shop_id": "7", "data": {}}',
    "timestamp 2^64": b'{"type": 1, "tts_notification_id": "n1", "shop_id": "7", "timestamp": 18446744073709551616}',
    "nested 100,000 deep": b'{"type": 1, "tts_notification_id": "n1", "shop_id": "7494", "data": '
                           + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "nested 500 deep in data": b'{"type": 1, "tts_notification_id": "n1", "shop_id": "7494", "data": {"x": '
                               + b"[" * 500 + b"]" * 500 + b"}}",
}


@pytest.mark.parametrize("case", sorted(WEBHOOK_BODIES))
def test_a_hostile_signed_webhook_is_refused_not_failed(hub: Hub, case: str) -> None:
    response = _webhook(hub, WEBHOOK_BODIES[case])
    assert response.status_code == 400, response.text[:300]
    with hub.runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(TikTokNotification)) == 0


def test_a_webhook_body_over_the_limit_is_413(hub: Hub) -> None:
    from hub.tiktok.webhooks import MAX_BODY

    body = b'{"type": 1, "tts_notification_id": "n1", "shop_id": "7", "data": {"pad": "' + b"x" * MAX_BODY + b'"}}'
    assert _webhook(hub, body).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while reading
        for start in range(0, len(body), 65536):
            yield body[start:start + 65536]

    chunked = requests.post(f"{hub.url}/tiktok/webhooks", data=chunks(), timeout=30,
                            headers={"Authorization": webhook_signature(APP_KEY, APP_SECRET, body)})
    assert chunked.status_code == 413
    fine = b'{"type": 1, "tts_notification_id": "n1", "shop_id": "7", "data": {"order_id": "576"}}'
    assert _webhook(hub, fine).status_code == 200
