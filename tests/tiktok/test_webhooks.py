"""`POST /tiktok/webhooks` and the notification job, over real HTTP with real Redis and RQ queues."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from rq import Queue
from sqlalchemy import func, select

from hub.jobs import tiktok_notifications as job
from hub.models import TikTokNotification, TikTokShop
from hub.tiktok.signing import webhook_signature
from tests.tiktok import notification_handlers
from tests.tiktok.conftest import APP_KEY, APP_SECRET
from tests.support.waiting import wait_until


def post(hub_url: str, payload: Any, *, secret: str = APP_SECRET, raw: bytes | None = None) -> requests.Response:
    body = raw if raw is not None else json.dumps(payload).encode()
    return requests.post(f"{hub_url}/tiktok/webhooks", data=body, timeout=5,
                         headers={"Content-Type": "application/json",
                                  "Authorization": webhook_signature(APP_KEY, secret, body)})


def rows(runtime) -> list[TikTokNotification]:  # noqa: ANN001
    with runtime.db.session_scope() as session:
        return list(session.scalars(select(TikTokNotification).order_by(TikTokNotification.received_at)))


def queued(runtime, name: str) -> list[str]:  # noqa: ANN001
    return Queue(name, connection=runtime.redis).job_ids


def notification(kind: int, data: dict[str, Any], shop_id: str = "7494105515082810525",
                 notification_id: str = "7327112393057371910") -> dict[str, Any]:
    return {"type": kind, "tts_notification_id": notification_id, "shop_id": shop_id, "timestamp": 1644412885,
            "data": data}


def test_bad_signature_is_401_and_nothing_is_stored(runtime, live_hub) -> None:  # noqa: ANN001
    response = post(live_hub.url, notification(1, {"order_id": "576486316948490001"}), secret="wrong")
    assert response.status_code == 401 and response.content == b""
    unsigned = requests.post(f"{live_hub.url}/tiktok/webhooks", data=b"{}", timeout=5)
    assert unsigned.status_code == 401
    assert rows(runtime) == []
    assert queued(runtime, "orders") == []


def test_valid_notification_is_stored_and_only_queued(runtime, live_hub) -> None:  # noqa: ANN001
    raw = (b'{"type":5,"tts_notification_id":"7327112393057371911","shop_id":"7494105515082810525",'
           b'"timestamp":1644412885,"data":{"product_id":576486316948490001,'
           b'"status":"PRODUCT_FIRST_PASS_REVIEW","suspended_reason":"","update_time":1644412885}}')
    response = post(live_hub.url, None, raw=raw)
    assert response.status_code == 200 and response.content == b""
    [row] = rows(runtime)
    assert row.payload["data"]["product_id"] == "576486316948490001"  # exact, as a string
    # No worker is running: the answer did not wait for processing, the job is waiting in its queue.
    assert row.status == "received"
    assert queued(runtime, "details") == ["tiktok-notifications-details-7494105515082810525"]


def test_duplicates_are_stored_once(runtime, live_hub) -> None:  # noqa: ANN001
    payload = notification(1, {"order_id": "576486316948490001", "order_status": "CANCEL"})
    for _ in range(3):
        assert post(live_hub.url, payload).status_code == 200
    assert len(rows(runtime)) == 1
    assert len(queued(runtime, "orders")) == 1
    assert rows(runtime)[0].payload["data"]["order_status"] == "CANCEL"


def test_retries_of_a_stored_notification_are_answered_from_redis_and_the_database_still_decides_without_it(
        runtime, live_hub) -> None:  # noqa: ANN001
    payload = notification(1, {"order_id": "576486316948490001", "order_status": "AWAITING_SHIPMENT"})
    assert post(live_hub.url, payload).status_code == 200
    assert runtime.redis.ttl("hub:tiktok:stored:7327112393057371910") > 3600
    with runtime.db.session_scope() as session:  # were the retry to reach the database, it would store it again
        session.query(TikTokNotification).delete()
    assert post(live_hub.url, payload).status_code == 200
    assert rows(runtime) == []

    runtime.redis.delete("hub:tiktok:stored:7327112393057371910")  # expired, or Redis lost it
    assert post(live_hub.url, payload).status_code == 200
    assert post(live_hub.url, payload).status_code == 200
    runtime.redis.delete("hub:tiktok:stored:7327112393057371910")
    assert post(live_hub.url, payload).status_code == 200
    assert len(rows(runtime)) == 1


def test_notification_without_an_id_is_accepted_once(runtime, live_hub) -> None:  # noqa: ANN001
    """TikTok's samples of the older types carry no tts_notification_id: accepted, deduplicated on content."""
    sample = {"type": 1, "shop_id": "7494049642642441621", "timestamp": 1644412885,
              "data": {"order_id": "576486316948490001", "order_status": "UNPAID", "is_on_hold_order": False,
                       "update_time": 1644412885}}
    for _ in range(3):  # TikTok's retries repeat it unchanged
        assert post(live_hub.url, sample).status_code == 200
    # the same notification with other key order and spacing is still the same notification
    respaced = json.dumps(dict(reversed(list(sample.items()))), indent=1).encode()
    assert post(live_hub.url, None, raw=respaced).status_code == 200
    assert len(rows(runtime)) == 1 and len(queued(runtime, "orders")) == 1
    # the next change of the same order is a new notification
    paid = dict(sample, timestamp=1644412999, data=dict(sample["data"], order_status="AWAITING_SHIPMENT"))
    assert post(live_hub.url, paid).status_code == 200
    stored = rows(runtime)
    assert len(stored) == 2 and len(queued(runtime, "orders")) == 1  # the shop's waiting job takes both
    assert {r.payload["data"]["order_status"] for r in stored} == {"UNPAID", "AWAITING_SHIPMENT"}
    assert all(r.notification_id.startswith("sha256:") for r in stored)


def test_a_burst_of_one_shops_notifications_is_one_job_handled_in_arrival_order(
        runtime, merchant_id, live_hub, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """An order storm is thousands of notifications: one waiting job per shop takes them all, a run
    handles a batch and its follow-up the rest, oldest first."""
    monkeypatch.setattr(job, "ORDER_HANDLER", notification_handlers.on_notification)
    monkeypatch.setattr(job, "BATCH", 2)
    order_ids = [f"57648631694849{n:04d}" for n in range(5)]
    for n, order_id in enumerate(order_ids):
        assert post(live_hub.url, notification(1, {"order_id": order_id}, notification_id=f"9{n}")).status_code == 200
    post(live_hub.url, notification(1, {"order_id": "1"}, shop_id="1111", notification_id="8"))  # another shop
    assert queued(runtime, "orders") == ["tiktok-notifications-orders-7494105515082810525",
                                         "tiktok-notifications-orders-1111"]
    statuses = _process_all(runtime)
    assert sorted(statuses) == ["processed"] * 5 + ["unhandled"]
    assert [r["order_id"] for r in notification_handlers.received(runtime.redis)] == order_ids


def test_a_batch_that_only_fails_retryably_is_not_run_again_at_once_and_new_notifications_go_first(
        runtime, merchant_id, live_hub, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(job, "ORDER_HANDLER", notification_handlers.unavailable)
    monkeypatch.setattr(job, "BATCH", 2)
    for n in range(3):
        post(live_hub.url, notification(1, {"order_id": f"57648631694849000{n}"}, notification_id=f"6{n}"))
    assert _process_all(runtime) == ["received"] * 3  # one run: two tried, no follow-up of the same two
    assert [r.attempts for r in rows(runtime)] == [1, 1, 0]

    monkeypatch.setattr(job, "ORDER_HANDLER", notification_handlers.on_notification)
    assert job.replay(runtime) == 3
    assert _process_all(runtime) == ["processed"] * 3
    assert [r["order_id"] for r in notification_handlers.received(runtime.redis)][0] == "576486316948490002"


def test_signed_but_malformed_notification_is_refused(runtime, live_hub) -> None:  # noqa: ANN001
    assert post(live_hub.url, {"type": 1, "data": {}}).status_code == 400
    assert post(live_hub.url, {"tts_notification_id": "1", "shop_id": "7", "data": {}}).status_code == 400
    assert post(live_hub.url, None, raw=b"not json").status_code == 400
    assert rows(runtime) == []


def _process_all(runtime) -> list[str]:  # noqa: ANN001
    """Run the queued jobs the way a worker would (burst), and return the final statuses."""
    from hub.jobs.worker import run_worker

    run_worker(runtime, burst=True, with_scheduler=False)
    return [r.status for r in rows(runtime)]


def test_deauthorization_and_expiry_mark_the_connection(runtime, merchant_id, live_hub) -> None:  # noqa: ANN001
    post(live_hub.url, notification(7, {"message": "expires soon", "expiration_time": "1893456000"},
                                    notification_id="1"))
    assert _process_all(runtime) == ["processed"]
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
        assert int(shop.authorization_expires_at.timestamp()) == 1893456000
        assert shop.status == "connected"

    post(live_hub.url, notification(6, {"message": "Shop_id 7494105515082810525 is deauthorized from your APP "
                                                   "by merchant."}, notification_id="2"))
    assert _process_all(runtime) == ["processed", "processed"]
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
        assert shop.status == "deauthorized"
        assert "deauthorized" in shop.status_reason and "Reconnect" in shop.status_reason


def test_a_failing_handler_keeps_the_notification_for_replay(runtime, merchant_id, live_hub,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(job, "ORDER_HANDLER", notification_handlers.broken)
    post(live_hub.url, notification(1, {"order_id": "576486316948490001", "order_status": "AWAITING_SHIPMENT"}))
    assert _process_all(runtime) == ["failed"]
    assert "handler bug" in rows(runtime)[0].detail

    # Once the handler is fixed, replay delivers the kept notification to it.
    monkeypatch.setattr(job, "ORDER_HANDLER", notification_handlers.on_notification)
    assert job.replay(runtime) == 1
    assert _process_all(runtime) == ["processed"]
    assert notification_handlers.received(runtime.redis) == [{"shop_id": "7494105515082810525", "type": 1,
                                               "order_id": "576486316948490001", "in_session": True}]


def test_notification_for_an_unknown_shop_is_kept_unhandled(runtime, live_hub) -> None:  # noqa: ANN001
    post(live_hub.url, notification(6, {"message": "bye"}, shop_id="1111"))
    assert _process_all(runtime) == ["unhandled"]


def test_sandbox_webhooks_signed_by_tiktoks_rules_are_accepted(runtime, merchant_id, live_hub, sandbox,
                                                                shop_client) -> None:  # noqa: ANN001
    """The sandbox signs on its own (independent code); the hub must accept what it sends."""
    from tests.tiktok.conftest import leaf_without_size_chart
    from tests.tiktok.test_endpoints import png

    sandbox.control("PUT", "/webhook-url", {"url": f"{live_hub.url}/tiktok/webhooks"})
    category_id, attributes = leaf_without_size_chart(shop_client)
    warehouse = shop_client.logistics.warehouses()["warehouses"][0]["id"]
    image = shop_client.catalog.upload_image(png())
    created = shop_client.products.create({
        "title": "Wool Beanie Hat", "description": "<p>Warm.</p>", "category_id": category_id,
        "main_images": [{"uri": image["uri"]}], "package_weight": {"value": "0.1", "unit": "KILOGRAM"},
        "product_attributes": attributes,
        "skus": [{"seller_sku": "HAT-1", "price": {"amount": "12.00", "currency": "GBP"},
                  "inventory": [{"warehouse_id": warehouse, "quantity": 5}]}]})

    def review_notifications() -> list:
        return [r for r in rows(runtime) if r.payload["data"].get("product_id") == created["product_id"]
                and r.type in (5, 37)]

    wait_until(review_notifications, 15, interval=0.1, what="the review's webhooks stored")
    with runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(TikTokNotification)) == len(rows(runtime))
