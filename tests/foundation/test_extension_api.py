"""Contract tests of the Extension API v1 over real HTTP (design §4)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from hub.commands.outbox import create_command, notify
from hub.models import Command, ProcessedEvent, ProductSnapshot, Store, VariantStock
from plugins.hub_client import HubClient, HubClientError, sign_request
from plugins.hub_client.client import new_event
from tests.support.hub import add_store, wait_for_long_poll
from tests.support.waiting import wait_until


def product(pid: str = "88", version: int = 1, variants: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid, "version": version, "status": "active", "title": f"Men's Cotton Socks {pid}",
        "description_html": "<p>Soft.</p>", "categories": [{"id": "15", "name": "Socks", "path": ["Clothing", "Socks"]}],
        "images": [{"url": "https://store.example/img/1.jpg", "alt": "front"}], "attributes": {"Material": "Cotton"},
        "weight": {"value": "0.25", "unit": "kg"},
        "variants": [{"id": f"{pid}-{i}", "sku": f"SOCK-{pid}-{i}", "price": "9.99", "currency": "GBP",
                      "quantity": 50, "options": {"Size": str(i)} if variants > 1 else {}} for i in range(variants)],
        **extra,
    }


def raw_call(base: str, store: dict[str, str], method: str, path: str, body: bytes = b"", *,
             timestamp: int | None = None, secret: str | None = None, key: str | None = None) -> requests.Response:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    headers = {"X-Hub-Key": key or store["key_id"], "X-Hub-Timestamp": ts, "Content-Type": "application/json",
               "X-Hub-Signature": sign_request(secret or store["secret"], ts, method, path, body)}
    return requests.request(method, base + path, data=body, headers=headers, timeout=10)


def error_code(response: requests.Response) -> str:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    return body["error"]["code"]


# -- authentication -----------------------------------------------------------------------------

def test_ping_reports_store_and_tiktok_connection(client: HubClient, store: dict[str, str]) -> None:
    body = client.ping()
    assert body["store_id"] == store["store_id"]
    assert body["platform"] == "woocommerce"
    assert body["tiktok"]["connected"] is False


def test_missing_headers_unknown_key_stale_timestamp_and_bad_signature(live_hub, store) -> None:  # noqa: ANN001
    r = requests.get(live_hub.url + "/api/v1/ping", timeout=5)
    assert r.status_code == 401 and error_code(r) == "missing_credentials"
    r = raw_call(live_hub.url, store, "GET", "/api/v1/ping", key="hk_nobody")
    assert r.status_code == 401 and error_code(r) == "unknown_key"
    r = raw_call(live_hub.url, store, "GET", "/api/v1/ping", timestamp=int(time.time()) - 301)
    assert r.status_code == 401 and error_code(r) == "stale_timestamp"
    r = raw_call(live_hub.url, store, "GET", "/api/v1/ping", secret="wrong")
    assert r.status_code == 401 and error_code(r) == "bad_signature"
    assert "Test store" not in r.text  # says nothing about the store


def test_signature_covers_the_body(live_hub, store) -> None:  # noqa: ANN001
    body = json.dumps({"events": []}).encode()
    ts = str(int(time.time()))
    sig = sign_request(store["secret"], ts, "POST", "/api/v1/events", body)
    tampered = json.dumps({"events": [new_event("product.delete", product_id="1")]}).encode()
    r = requests.post(live_hub.url + "/api/v1/events", data=tampered, timeout=5, headers={
        "X-Hub-Key": store["key_id"], "X-Hub-Timestamp": ts, "X-Hub-Signature": sig})
    assert r.status_code == 401 and error_code(r) == "bad_signature"


# -- events ---------------------------------------------------------------------------------------

def test_events_are_applied_once_and_results_come_in_order(client, runtime, store) -> None:  # noqa: ANN001
    upsert = new_event("product.upsert", product=product("88", variants=3))
    bad = {"id": str(uuid.uuid4()), "type": "product.upsert", "product": {"id": "89", "title": ""}}
    unknown = {"id": str(uuid.uuid4()), "type": "product.explode"}
    results = client.send_events([upsert, bad, unknown])
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected"]
    assert "version" in results[1]["errors"]["product"] and "title" in results[1]["errors"]["product"]
    assert "Unknown event type" in results[2]["errors"]["type"][0]
    again = client.send_events([upsert])
    assert again[0]["status"] == "duplicate"
    with runtime.db.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(ProductSnapshot)) == 1
        assert s.scalar(select(func.count()).select_from(VariantStock)) == 3
        assert s.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


def test_same_event_twice_in_one_batch_is_applied_once(client) -> None:  # noqa: ANN001
    event = new_event("product.upsert", product=product("1"))
    assert [r["status"] for r in client.send_events([event, event])] == ["accepted", "duplicate"]


def test_unknown_product_keys_are_kept_and_integer_ids_become_strings(client, runtime) -> None:  # noqa: ANN001
    p = product("5", shopify_handle="socks")
    p["id"] = 5
    client.send_events([new_event("product.upsert", product=p)])
    with runtime.db.session_scope() as s:
        snap = s.scalar(select(ProductSnapshot))
        assert snap.product_id == "5" and snap.data["shopify_handle"] == "socks"


def test_decimals_written_as_stores_write_them_are_accepted_and_bad_ones_echoed(client, runtime) -> None:  # noqa: ANN001
    """WooCommerce writes a half kilo as ".5"; "5." is the same number. A wrong value is shown back as sent."""
    p = product("6", weight={"value": ".5", "unit": "kg"},
                dimensions={"length": "30.", "width": "20", "height": ".75", "unit": "cm"})
    p["variants"][0]["price"] = "12."
    p["variants"][0]["compare_at_price"] = ".99"
    assert [r["status"] for r in client.send_events([new_event("product.upsert", product=p)])] == ["accepted"]
    with runtime.db.session_scope() as s:
        data = s.scalar(select(ProductSnapshot).where(ProductSnapshot.product_id == "6")).data
    assert data["weight"]["value"] == "0.5"
    assert (data["dimensions"]["length"], data["dimensions"]["height"]) == ("30", "0.75")
    assert (data["variants"][0]["price"], data["variants"][0]["compare_at_price"]) == ("12", "0.99")

    bad = product("7", weight={"value": "0,5", "unit": "kg"})
    [result] = client.send_events([new_event("product.upsert", product=bad)])
    assert result["status"] == "rejected"
    assert "(got '0,5')" in result["errors"]["product"]["weight"]["value"][0]


def test_inventory_update_ignores_older_versions(client, runtime) -> None:  # noqa: ANN001
    client.send_events([new_event("product.upsert", product=product("7", version=100))])

    def stock(version: int, qty: int, price: str | None = None) -> dict:
        return new_event("inventory.update", items=[{"product_id": "7", "variant_id": "7-0", "quantity": qty,
                                                     "price": price, "version": version}])

    client.send_events([stock(300, 5, "8.50"), stock(200, 99, "1.00")])
    with runtime.db.session_scope() as s:
        row = s.scalar(select(VariantStock).where(VariantStock.variant_id == "7-0"))
        assert (row.quantity, row.price, row.version) == (5, "8.50", 300)
    # an older full product must not roll stock back either
    client.send_events([new_event("product.upsert", product=product("7", version=150))])
    with runtime.db.session_scope() as s:
        row = s.scalar(select(VariantStock).where(VariantStock.variant_id == "7-0"))
        assert row.quantity == 5


def test_store_update_and_order_events_are_stored(client, runtime, store) -> None:  # noqa: ANN001
    results = client.send_events([
        new_event("store.update", store={"currency": "GBP", "weight_unit": "kg", "dimension_unit": "cm",
                                         "platform_version": "6.8", "extension_version": "0.1.0"}),
        new_event("order.fulfilled", tiktok_order_id="576461413038785752", platform_order_id="1234",
                  tracking_number="JD014600003GB", carrier="Royal Mail", shipped_at="2026-11-27T10:00:00Z"),
    ])
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    with runtime.db.session_scope() as s:
        st = s.get(Store, store["store_id"])
        assert (st.currency, st.weight_unit, st.platform_version) == ("GBP", "kg", "6.8")
        ev = s.scalar(select(ProcessedEvent).where(ProcessedEvent.type == "order.fulfilled"))
        assert ev.payload["tracking_number"] == "JD014600003GB"


@pytest.mark.parametrize("body,status,code", [
    (b"{not json", 400, "malformed_json"),
    (b"\xff\xfe{}", 400, "invalid_encoding"),
    (b'{"events": "nope"}', 422, "validation_failed"),
    (b'{"stuff": []}', 422, "validation_failed"),
    (b"", 400, "empty_body"),
])
def test_bad_bodies_get_clear_errors(live_hub, store, runtime, body, status, code) -> None:  # noqa: ANN001
    r = raw_call(live_hub.url, store, "POST", "/api/v1/events", body)
    assert r.status_code == status, r.text
    assert error_code(r) == code
    with runtime.db.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


def test_more_than_500_events_is_413_and_stores_nothing(live_hub, store, runtime) -> None:  # noqa: ANN001
    events = [new_event("product.delete", product_id=str(i)) for i in range(501)]
    r = raw_call(live_hub.url, store, "POST", "/api/v1/events", json.dumps({"events": events}).encode())
    assert r.status_code == 413 and error_code(r) == "too_many_events"
    with runtime.db.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


def test_body_over_10_mb_is_413(live_hub, store) -> None:  # noqa: ANN001
    body = json.dumps({"events": [new_event("product.upsert", product=product("1", description_html="x" * (11 * 1024 * 1024)))]}).encode()
    r = raw_call(live_hub.url, store, "POST", "/api/v1/events", body)
    assert r.status_code == 413 and error_code(r) == "payload_too_large"


def test_unknown_endpoint_and_wrong_method(live_hub, store) -> None:  # noqa: ANN001
    r = raw_call(live_hub.url, store, "GET", "/api/v1/nothing")
    assert r.status_code == 404 and error_code(r) == "not_found"
    r = raw_call(live_hub.url, store, "DELETE", "/api/v1/ping")
    assert r.status_code == 405 and error_code(r) == "method_not_allowed"


# -- commands -------------------------------------------------------------------------------------

def _command(runtime, store_id: str, key: str = "order.create:1", type_: str = "order.create") -> str:  # noqa: ANN001
    with runtime.db.session_scope() as s:
        command, _ = create_command(s, store_id, type_, {"order": {"tiktok_order_id": key}}, key)
        command_id = command.id
    notify(runtime.redis, store_id)
    return command_id


def test_long_poll_wakes_when_a_command_is_created(client, runtime, store) -> None:  # noqa: ANN001
    received: list = []
    thread = threading.Thread(target=lambda: received.extend(client.poll_commands(wait=20)))
    thread.start()
    wait_for_long_poll(runtime.redis, store["store_id"])
    command_id = _command(runtime, store["store_id"])
    thread.join(timeout=10)
    assert not thread.is_alive(), "the long-poll did not return after the command was created"
    assert [c["id"] for c in received] == [command_id]
    assert received[0]["attempts"] == 1


def test_leased_command_is_invisible_then_redelivered_after_visibility_timeout(tmp_path, redis_url) -> None:  # noqa: ANN001
    from hub.app import create_app
    from tests.support.hub import make_runtime
    from tests.support.servers import LiveServer

    rt = make_runtime(tmp_path, redis_url, command_visibility_timeout=1)
    creds = add_store(rt)
    with LiveServer(create_app(runtime=rt)) as server:
        c = HubClient(server.url, creds["key_id"], creds["secret"], max_retries=0)
        command_id = _command(rt, creds["store_id"])
        assert [x["id"] for x in c.poll_commands(wait=0)] == [command_id]
        assert c.poll_commands(wait=0) == []
        again = wait_until(lambda: c.poll_commands(wait=0), 10, what="the command handed out again")
        assert [x["id"] for x in again] == [command_id] and again[0]["attempts"] == 2
    rt.close()


def test_results_are_idempotent_and_conflicts_are_409(client, runtime, store) -> None:  # noqa: ANN001
    command_id = _command(runtime, store["store_id"])
    client.poll_commands(wait=0)
    done = {"status": "done", "platform_order_id": "1234"}
    assert client.report_result(command_id, done)["status"] == "accepted"
    assert client.report_result(command_id, done)["status"] == "duplicate"
    with pytest.raises(HubClientError) as info:
        client.report_result(command_id, {"status": "done", "platform_order_id": "999"})
    assert info.value.status == 409
    with runtime.db.session_scope() as s:
        assert s.get(Command, command_id).result["platform_order_id"] == "1234"
    assert client.poll_commands(wait=0) == []  # done commands are never handed out again


def test_failed_result_needs_a_known_reason(client, runtime, store) -> None:  # noqa: ANN001
    command_id = _command(runtime, store["store_id"])
    with pytest.raises(HubClientError) as info:
        client.report_result(command_id, {"status": "failed", "reason": "BAD_LUCK"})
    assert info.value.status == 422 and "reason" in info.value.details
    with pytest.raises(HubClientError) as info:
        client.report_result(command_id, {"status": "failed"})
    assert info.value.status == 422
    with pytest.raises(HubClientError) as info:  # an order made in the store must say its number
        client.report_result(command_id, {"status": "done"})
    assert info.value.status == 422 and "platform_order_id" in info.value.details


def test_another_stores_command_is_forbidden(client, runtime) -> None:  # noqa: ANN001
    other = add_store(runtime, name="Other", merchant="Someone else")
    command_id = _command(runtime, other["store_id"])
    with pytest.raises(HubClientError) as info:
        client.report_result(command_id, {"status": "done", "platform_order_id": "1"})
    assert info.value.status == 403 and info.value.code == "not_your_command"
    assert client.poll_commands(wait=0) == []
    with pytest.raises(HubClientError) as info:
        client.report_result("cmd_doesnotexist", {"status": "done"})
    assert info.value.status == 404


def test_commands_query_is_validated(live_hub, store) -> None:  # noqa: ANN001
    r = raw_call(live_hub.url, store, "GET", "/api/v1/commands?wait=31")
    assert r.status_code == 422 and "wait" in r.json()["error"]["details"]


# -- status ---------------------------------------------------------------------------------------

def test_product_status(client) -> None:  # noqa: ANN001
    client.send_events([new_event("product.upsert", product=product("88"))])
    rows = {r["product_id"]: r for r in client.product_status(["88", "404"])}
    assert rows["88"]["status"] == "Needs category"
    assert rows["404"]["status"] is None and "not received" in rows["404"]["reason"]
    with pytest.raises(HubClientError) as info:
        client.product_status([str(i) for i in range(101)])
    assert info.value.status == 422


def test_openapi_document_is_valid_and_describes_every_endpoint(live_hub) -> None:  # noqa: ANN001
    from openapi_spec_validator import validate

    spec = requests.get(live_hub.url + "/api/v1/openapi.json", timeout=5).json()
    validate(spec)
    paths = set(spec["paths"])
    assert {"/api/v1/ping", "/api/v1/events", "/api/v1/commands", "/api/v1/commands/{command_id}/result",
            "/api/v1/products/status"} <= paths
    schemas = spec["components"]["schemas"]
    assert {"ProductUpsertEvent", "InventoryUpdateEvent", "StoreUpdateEvent", "Order"} <= set(schemas)
    # The canonical data is described from the same schemas that validate it, per-location stock included.
    assert "locations" in schemas["Variant"]["properties"] and "LocationStock" in schemas
    assert {"tiktok_order_id", "shipping_address", "lines", "totals"} <= set(schemas["Order"]["properties"])


def test_a_negative_price_is_refused_per_event(client, runtime) -> None:  # noqa: ANN001
    """TikTok cannot sell below £0.01; a negative store price is the extension's mistake, said at the door."""
    client.send_events([new_event("product.upsert", product=product("60"))])
    negative = product("61")
    negative["variants"][0]["price"] = "-1.00"
    was = product("62")
    was["variants"][0]["compare_at_price"] = "-5"
    stock = new_event("inventory.update", items=[{"product_id": "60", "variant_id": "60-0", "quantity": 4,
                                                  "price": "-2.50", "version": 9}])
    good = new_event("product.upsert", product=product("63"))
    results = client.send_events([new_event("product.upsert", product=negative),
                                  new_event("product.upsert", product=was), stock, good])
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "accepted"]
    message = results[0]["errors"]["product"]["variants"]["0"]["price"][0]
    assert "0 or more" in message and 'Received: "-1.00"' in message
    assert "0 or more" in results[1]["errors"]["product"]["variants"]["0"]["compare_at_price"][0]
    assert 'Received: "-2.50"' in results[2]["errors"]["items"]["0"]["price"][0]
    with runtime.db.session_scope() as s:
        assert sorted(s.scalars(select(ProductSnapshot.product_id))) == ["60", "63"]
        row = s.scalar(select(VariantStock).where(VariantStock.variant_id == "60-0"))
        assert (row.quantity, row.price) == (50, "9.99")
