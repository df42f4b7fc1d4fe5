"""TikTok orders become exactly one store order each, whatever the webhooks do."""

from __future__ import annotations

import time

import requests

from hub.canonical.order import OrderSchema
from hub.tiktok.signing import webhook_signature
from tests.support.orders import APP_KEY, APP_SECRET, FakeStore, World, wait_until
from tests.support.waiting import stays


def test_order_after_the_hold_is_created_once_with_grouped_quantities(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 2}, {"seller_sku": "SOCK-L", "quantity": 1}],
                                    buyer={"name": "Harriet Jones"}, shipping_fee="2.99")
    order = world.wait_status(tid, "Created")
    assert order["store_order_number"] == store.orders[tid].number
    made = store.orders[tid].order
    assert sorted((l["variant_id"], l["quantity"], l["unit_price"]) for l in made["lines"]) == \
        [("91", 2, "9.99"), ("92", 1, "9.99")]
    assert made["buyer"] == {"name": "Harriet Jones", "email": "tiktok-buyer@example.invalid",
                             "phone": made["shipping_address"]["phone"]}
    assert made["shipping_address"]["postal_code"] == "PR1 8JB" and made["totals"]["total"] == "32.96"
    assert len(world.commands("order.create")) == 1
    assert OrderSchema().validate(made) == {}  # the canonical ORDER every store connector reads


def test_duplicate_and_replayed_webhooks_make_one_order(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Created")
    hooks = world.sandbox.webhooks(tid)
    for hook in hooks:  # TikTok's retries: the same notification again, three times
        for _ in range(3):
            r = requests.post(f"{world.hub_url}/tiktok/webhooks", data=hook["body"].encode(),
                              headers={"Authorization": hook["signature"], "Content-Type": "application/json"})
            assert r.status_code == 200
    # the same change under new notification ids, and an old status arriving last
    for n, status in enumerate(["AWAITING_SHIPMENT", "UNPAID", "ON_HOLD"]):
        body = ('{"type":1,"tts_notification_id":"99%d%s","shop_id":"%s","timestamp":%d,"data":{"order_id":"%s",'
                '"order_status":"%s","update_time":1}}' % (n, tid[-8:], hooks[0]["shop_id"], time.time(), tid,
                                                           status)).encode()
        r = requests.post(f"{world.hub_url}/tiktok/webhooks", data=body,
                          headers={"Authorization": webhook_signature(APP_KEY, APP_SECRET, body)})
        assert r.status_code == 200
    # while the hub works through every notification above (and whatever each one starts): one order
    stays(lambda: world.order(tid)["status"] == "Created" and len(world.commands("order.create")) == 1,
          until=world.settled, what="one Created order with one order.create command")
    assert len(store.orders) == 1


def test_order_webhooks_without_notification_ids_import_the_order_once(world: World, store: FakeStore) -> None:
    """The sandbox sends order notifications as TikTok's samples show them: no tts_notification_id."""
    world.sandbox.control("PUT", "/shop", {"legacy_webhook_envelopes": True})
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Created")  # no poll ran: the webhook alone brought it in
    hooks = world.sandbox.webhooks(tid)
    assert hooks and all("tts_notification_id" not in h["payload"] for h in hooks)
    wait_until(lambda: all(h["status"] == "delivered" for h in world.sandbox.webhooks(tid)),
               what="every notification answered 200 (TikTok stops retrying)")
    for hook in hooks:  # TikTok's retries
        r = requests.post(f"{world.hub_url}/tiktok/webhooks", data=hook["body"].encode(),
                          headers={"Authorization": hook["signature"], "Content-Type": "application/json"})
        assert r.status_code == 200
    world.settle()
    from sqlalchemy import func, select

    from hub.models import TikTokNotification

    with world.runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(TikTokNotification)) == len(hooks)
    assert len(store.orders) == 1 and len(world.commands("order.create")) == 1


def test_held_order_waits_for_the_hold_then_imports(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}], status="ON_HOLD")
    pending = world.wait_status(tid, "Pending")
    wait_until(lambda: "hold" in (world.order(tid)["reason"] or ""), what="hold reason")
    assert world.commands("order.create") == [] and pending["store_order_number"] is None
    world.sandbox.move(tid, "AWAITING_SHIPMENT")
    world.wait_status(tid, "Created")
    assert len(store.orders) == 1


def test_immediate_mode_imports_at_payment_with_address_pending(world: World, store: FakeStore) -> None:
    world.set_settings(import_at="immediately", placeholder_email="orders@northern-threads.example")
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}], status="ON_HOLD")
    world.wait_status(tid, "Created")
    made = store.orders[tid].order
    assert made["status"] == "ON_HOLD" and made["address_pending"] is True
    assert made["buyer"]["email"] == "orders@northern-threads.example"
    assert OrderSchema().validate(made) == {}


def test_missed_webhook_is_caught_by_polling(world: World, store: FakeStore) -> None:
    world.sandbox.control("PUT", "/webhook-url", {"url": None})
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.poll_now()
    world.wait_status(tid, "Created")
    world.poll_now()  # the overlapping window sees it again: still one order
    world.settle()
    store.looked()  # and the store has asked for work since
    assert len(store.orders) == 1 and len(world.commands("order.create")) == 1
    from sqlalchemy import func, select

    from hub.models import TikTokNotification

    with world.runtime.db.session_scope() as session:  # no webhook arrived: polling alone found it
        assert session.scalar(select(func.count()).select_from(TikTokNotification)) == 0


def test_an_order_left_waiting_for_a_fetch_is_read_after_the_next_search(world: World, store: FakeStore) -> None:
    """A fetch job whose retries ran out leaves its order ids in the shop's waiting set with no job to read
    them. The search passes waiting orders over (their fetch is newer than its page) but sees that the
    fetch job is coming, so the order is not stranded."""
    from hub.sync.orders import batches

    world.sandbox.control("PUT", "/webhook-url", {"url": None})
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    from sqlalchemy import select

    from hub.models import TikTokShop

    with world.runtime.db.session_scope() as session:
        shop_id = session.scalar(select(TikTokShop.shop_id))
    world.runtime.redis.zadd(batches.waiting_key(shop_id), {tid: 0})
    world.poll_now()
    world.wait_status(tid, "Created")
    world.settle()
    assert world.runtime.redis.zcard(batches.waiting_key(shop_id)) == 0
    assert len(store.orders) == 1 and len(world.commands("order.create")) == 1


def test_webhook_for_another_shop_changes_nothing(world: World, store: FakeStore) -> None:
    body = b'{"type":1,"tts_notification_id":"7327112393057371999","shop_id":"1111111111","timestamp":1,' \
           b'"data":{"order_id":"576486316948490001","order_status":"AWAITING_SHIPMENT","update_time":1}}'
    r = requests.post(f"{world.hub_url}/tiktok/webhooks", data=body,
                      headers={"Authorization": webhook_signature(APP_KEY, APP_SECRET, body)})
    assert r.status_code == 200
    from sqlalchemy import select

    from hub.models import TikTokNotification

    def status() -> str | None:
        with world.runtime.db.session_scope() as session:
            return session.scalar(select(TikTokNotification.status).where(
                TikTokNotification.notification_id == "7327112393057371999"))
    assert wait_until(lambda: status() not in (None, "received") and status()) == "unhandled"
    assert world.orders() == {} and world.commands() == []
