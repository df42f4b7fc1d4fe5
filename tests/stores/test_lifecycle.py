"""Webhooks, uninstall and reinstall, the sweep, token refresh and refused access for a hosted store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import requests
from sqlalchemy import func, select

from hub.models import ProductSnapshot, Store, StoreNotification
from hub.models.store_connections import StoreCredential
from tests.stores.conftest import World, tee
from tests.stores.fakeplatform.server import sign_body


def _snapshots(world: World) -> dict[str, ProductSnapshot]:
    with world.runtime.db.session_scope() as session:
        rows = list(session.scalars(select(ProductSnapshot).where(ProductSnapshot.store_id == world.store_id())))
        for row in rows:
            session.expunge(row)
        return {r.product_id: r for r in rows}


def _notifications(world: World) -> list[StoreNotification]:
    with world.runtime.db.session_scope() as session:
        rows = list(session.scalars(select(StoreNotification).order_by(StoreNotification.received_at)))
        for row in rows:
            session.expunge(row)
        return rows


def _post(world: World, body: bytes, secret: str, delivery: str = "d-1", topic: str = "products/update",
          shop: str = "acme") -> requests.Response:
    return requests.post(f"{world.hub_url}/stores/fakeshop/webhooks", data=body, timeout=10, headers={
        "X-Fake-Shop": shop, "X-Fake-Topic": topic, "X-Fake-Webhook-Id": delivery,
        "X-Fake-Hmac": sign_body(secret, body), "Content-Type": "application/json"})


def test_webhooks_are_verified_stored_once_and_answered_before_processing(world: World) -> None:
    world.install()
    world.work()
    world.platform.save_product("acme", tee(701), notify=False)
    body = json.dumps({"id": 701}).encode()
    assert _post(world, body, "not-the-app-secret").status_code == 401
    assert _notifications(world) == []
    first = _post(world, body, world.platform.client_secret)
    assert first.status_code == 200
    # Answered before anything read the product: the notification waits for its job.
    [stored] = _notifications(world)
    assert stored.status == "received" and "701" not in _snapshots(world)
    assert "GET /shops/acme/api/products/701" not in world.platform.calls
    assert _post(world, body, world.platform.client_secret).status_code == 200  # a repeat delivery
    assert len(_notifications(world)) == 1
    world.work()
    assert "701" in _snapshots(world)
    assert [n.status for n in _notifications(world)] == ["processed"]
    assert world.platform.calls.count("GET /shops/acme/api/products/701") == 1
    other = requests.post(f"{world.hub_url}/stores/nosuchplatform/webhooks", data=body, timeout=10)
    assert other.status_code == 404


def test_uninstall_stops_the_work_and_reinstall_resumes_without_a_second_store(world: World) -> None:
    world.install()
    world.platform.save_product("acme", tee(801))
    world.wait(lambda: "801" in _snapshots(world), "product at the hub")
    store_id = world.store_id()

    world.platform.uninstall("acme")
    world.wait(lambda: world.credential().status == "uninstalled", "uninstalled")
    credential = world.credential()
    assert credential.access_token_encrypted is None and credential.refresh_token_encrypted is None
    stores = world.browser().get("/stores/").text
    assert "App uninstalled" in stores

    # While uninstalled nothing reaches the platform and nothing is taken from it.
    calls = len(world.platform.calls)
    world.platform.save_product("acme", tee(801, price="15.00"))
    world.work()
    assert _snapshots(world)["801"].data["variants"][0]["price"] == "12.50"
    assert world.platform.calls[calls:] == []

    # Installing again finds the same store: the change made meanwhile arrives, nothing is duplicated.
    world.install()
    world.wait(lambda: _snapshots(world)["801"].data["variants"][0]["price"] == "15.00", "change caught up")
    assert world.store_id() == store_id and world.credential().status == "connected"
    with world.runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Store).where(Store.platform == "fakeshop")) == 1
        assert session.scalar(select(func.count()).select_from(ProductSnapshot)
                              .where(ProductSnapshot.store_id == store_id)) == 1


def test_the_sweep_finds_what_webhooks_missed(world: World) -> None:
    world.install()
    world.work()
    world.platform.drop_webhooks = True  # the platform gave up on delivering
    world.platform.save_product("acme", tee(901))
    world.work()
    assert "901" not in _snapshots(world)
    from hub.queues import MAINTENANCE, queue

    job = queue(MAINTENANCE, world.runtime.redis).enqueue("hub.jobs.stores.sweep_all", 3600)
    world.wait(lambda: "901" in _snapshots(world), "swept product")
    assert job.get_status(refresh=True) == "finished"
    swept = world.credential().swept_until
    assert swept is not None and datetime.now(timezone.utc) - swept < timedelta(minutes=1)
    # The next sweep asks only for what changed since (with an overlap), not for everything again.
    world.platform.calls.clear()
    queue(MAINTENANCE, world.runtime.redis).enqueue("hub.jobs.stores.sweep_store", world.store_id())
    world.work()
    assert any(c == "GET /shops/acme/api/products" for c in world.platform.calls)


def test_an_expiring_token_is_refreshed_once_and_a_refused_one_parks_the_work(world: World) -> None:
    world.install()
    world.work()
    with world.runtime.db.session_scope() as session:
        credential = session.scalar(select(StoreCredential).where(StoreCredential.shop_id == "acme"))
        credential.access_token_expires_at = datetime.now(timezone.utc) + timedelta(seconds=30)
        old = credential.access_token_encrypted
    world.platform.save_product("acme", tee(1001))
    world.wait(lambda: "1001" in _snapshots(world), "product read with a refreshed token")
    assert world.credential().access_token_encrypted != old
    assert world.platform.calls.count("POST /admin/oauth/token") == 2  # the install, then one refresh

    # The platform revokes every token: the connection is marked broken and the work waits.
    world.platform.tokens.clear()
    world.platform.refresh_tokens.clear()
    world.platform.save_product("acme", tee(1002))
    world.wait(lambda: world.credential().status == "broken", "connection broken")
    assert "1002" not in _snapshots(world)
    assert [n.status for n in _notifications(world) if n.payload.get("id") == 1002] == ["received"]
    assert "Needs reconnecting" in world.browser().get("/stores/").text
    # Authorising again picks up what waited.
    world.install()
    world.wait(lambda: "1002" in _snapshots(world), "parked notification processed after reconnecting")
