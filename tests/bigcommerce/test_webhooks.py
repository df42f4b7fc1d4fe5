"""BigCommerce's webhooks at the hub: Standard Webhooks signatures computed with the real library,
the per-store secret header, duplicates dropped by the payload hash, answered before any reading, one
read for a burst of light payloads, hooks repaired by the sweep, and a token BigCommerce invalidated
parking the work until the merchant approves the app again (nothing lost)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import requests
from sqlalchemy import func, select

from hub.models import StoreNotification
from hub.stores.sweep import sweep_store
from plugins.bigcommerce.hooks import SECRET_HEADER, store_secret
from tests.bigcommerce.conftest import STORE, World, tee


def _post(world: World, payload: dict, *, headers: dict | None = None, body: bytes | None = None,
          sign_with: str | None = None, at: datetime | None = None, store_hash: str = STORE) -> requests.Response:
    raw = body if body is not None else json.dumps(payload).encode()
    sent = {"Content-Type": "application/json",
            SECRET_HEADER: store_secret(world.runtime.settings.secret_key, store_hash),
            **world.fake.sign(raw, at=at, secret=sign_with), **(headers or {})}
    return requests.post(f"{world.hub_url}/stores/bigcommerce/webhooks", data=raw, headers=sent, timeout=10)


def _payload(product_id: int, scope: str = "store/product/updated", created_at: int | None = None,
             store_hash: str = STORE) -> dict:
    return {"scope": scope, "store_id": "1025646", "data": {"type": "product", "id": product_id},
            "hash": f"{product_id:040x}", "created_at": created_at or int(time.time()),
            "producer": f"stores/{store_hash}"}


def _stored(world: World) -> int:
    with world.runtime.db.session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(StoreNotification)) or 0)


def test_signed_deliveries_are_taken_and_forged_ones_refused(world: World) -> None:
    world.installed()
    good = _payload(501)
    assert _post(world, good).status_code == 200
    assert _stored(world) == 1
    raw = json.dumps(_payload(502)).encode()
    refused = {
        "signed with another secret": _post(world, _payload(503), sign_with="someone-elses-client-secret"),
        "body changed after signing": requests.post(
            f"{world.hub_url}/stores/bigcommerce/webhooks", data=raw.replace(b"502", b"504"), timeout=10,
            headers={"Content-Type": "application/json", **world.fake.sign(raw),
                     SECRET_HEADER: store_secret(world.runtime.settings.secret_key, STORE)}),
        "timestamp ten minutes old": _post(world, _payload(505), at=datetime.now(timezone.utc) - timedelta(minutes=10)),
        "no store secret header": _post(world, _payload(506), headers={SECRET_HEADER: ""}),
        "another store's secret": _post(world, _payload(507), headers={
            SECRET_HEADER: store_secret(world.runtime.settings.secret_key, "other9")}),
        "malformed signature header": _post(world, _payload(508), headers={"webhook-signature": "v1"}),
        "no signature at all": requests.post(f"{world.hub_url}/stores/bigcommerce/webhooks", data=raw, timeout=10,
                                             headers={"Content-Type": "application/json"}),
        "not JSON": _post(world, {}, body=b"not json"),
    }
    for what, answer in refused.items():
        assert answer.status_code == 401, (what, answer.status_code)
    assert _stored(world) == 1  # nothing forged was stored


def test_a_repeat_delivery_is_dropped_by_its_hash_and_a_later_change_is_not(world: World) -> None:
    world.installed()
    first = _payload(501, created_at=1_900_000_000)
    assert _post(world, first).status_code == 200
    assert _post(world, first).status_code == 200  # BigCommerce retried: same hash, same event
    assert _stored(world) == 1
    later = {**first, "created_at": 1_900_000_060}  # the same product changed again a minute later
    assert _post(world, later).status_code == 200
    assert _stored(world) == 2


def test_deliveries_are_answered_before_anything_is_read_from_bigcommerce(world: World) -> None:
    world.installed()
    world.work()
    calls_before = len(world.fake.app_calls(STORE))
    world.fake.save_product(STORE, tee(501))
    world.fake.flush()
    [delivery] = [d for d in world.fake.deliveries if d.scope == "store/product/created"]
    assert delivery.status == 200 and delivery.answered_at - delivery.sent_at < 1.0
    assert len(world.fake.app_calls(STORE)) == calls_before  # answered; the read waits for the job
    world.wait(lambda: world.snapshot(501), "product read by the job")


def test_a_burst_of_light_payloads_for_one_product_is_read_once(world: World) -> None:
    world.installed()
    world.fake.save_product(STORE, tee(501, stock=(10, 4)))
    world.wait(lambda: world.snapshot(501), "product at the hub")
    reads = lambda: [c for _, c, _s in world.fake.app_calls(STORE) if c == "GET /v3/catalog/products/501"]  # noqa: E731
    before = len(reads())
    for level in (9, 8, 7, 6, 5):  # five stock changes land before a worker picks any of them up
        world.fake.set_stock(STORE, 501, level, variant_id=5011)
    world.fake.flush()
    world.wait(lambda: (world.snapshot(501) or {})["variants"][0]["quantity"] == 5, "latest stock at the hub")
    assert len(reads()) - before == 1


def test_the_sweep_repairs_hooks_that_went_inactive_or_were_deleted(world: World) -> None:
    world.installed()
    hooks = world.fake.stores[STORE].hooks
    world.fake.deactivate_hooks(STORE)  # 90 days without traffic
    deleted = next(iter(hooks))
    hooks.pop(deleted)  # and one removed by hand
    world.runtime.redis.delete(f"rq:job:store-sweep-{world.store_id()}")
    sweep_store(world.runtime, world.store_id())
    assert len(hooks) == 14 and all(h["is_active"] for h in hooks.values())
    assert {h["destination"] for h in hooks.values()} == {f"{world.hub_url}/stores/bigcommerce/webhooks"}
    world.fake.save_product(STORE, tee(777))
    world.wait(lambda: world.snapshot(777), "a change delivered through the repaired hooks")


def test_a_token_invalidated_by_bigcommerce_parks_the_work_shows_reconnect_and_loses_nothing(world: World) -> None:
    world.installed()
    world.fake.save_product(STORE, tee(501))
    world.wait(lambda: world.snapshot(501), "product at the hub")
    world.fake.invalidate_tokens(STORE)  # the app's scopes changed: BigCommerce wants a new approval
    world.fake.save_product(STORE, tee(501, price=15.0))
    world.wait(lambda: world.credential().status == "broken", "connection marked broken")
    with world.runtime.db.session_scope() as session:
        parked = session.scalars(select(StoreNotification.status)).all()
        assert "received" in parked  # kept, not failed or dropped
    # The merchant opens the app: the settings page in the iframe says what to do.
    page = requests.get(world.fake.load_url(STORE), timeout=10)
    assert page.status_code == 200
    stores = requests.get(f"{world.hub_url}/stores/", params={"frame": page.url.split("frame=")[1]}, timeout=10)
    assert "Needs reconnecting" in stores.text and "Open the app from your BigCommerce admin" in stores.text
    # ... approves the app again: BigCommerce calls /auth, the parked change arrives.
    world.install()
    assert world.credential().status == "connected"
    world.wait(lambda: (world.snapshot(501) or {})["variants"][0]["price"] == "15.00", "the parked change")
