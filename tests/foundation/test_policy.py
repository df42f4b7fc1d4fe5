"""The rules in hub.sync.policy, one test per rule: the sync gate, authorisation failures, retries and
the last attempt. The end-to-end behaviour of each sync path under these rules is tested with that
path (tests/stock, tests/products, tests/orders)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rq import Retry, SimpleWorker
from rq.job import Job
from sqlalchemy import select

from hub.errors import AuthError, RetryableError
from hub.models import ActivityEntry, Listing, Order, Store, TikTokShop
from hub.models.orders import FULFIL_QUEUED
from hub.models.tiktok_shops import BROKEN, CONNECTED
from hub.queues import ORDERS, all_queues, queue
from hub.runtime import Runtime
from hub.sync import policy
from tests.conftest import add_store


def _shop(**values: object) -> TikTokShop:
    return TikTokShop(**{"region": "GB", "currency": "GBP", "status": CONNECTED, **values})


def _store(**values: object) -> Store:
    return Store(**{"sync_enabled": True, "currency": "GBP", **values})


@pytest.mark.parametrize("store, shop, code", [
    (_store(), _shop(), None),
    (_store(currency=None), _shop(), None),  # not reported yet: nothing to compare
    (_store(), None, None),  # no shop: the calls report "not connected" and park, not block
    (_store(sync_enabled=False), _shop(), "sync_off"),
    (_store(), _shop(region="US", currency="USD"), "region"),
    (_store(currency="EUR"), _shop(), "currency"),
    (_store(currency="eur"), _shop(currency=None), "currency"),  # a shop without a currency sells in GBP
    (_store(), _shop(status=BROKEN), None),  # a broken connection parks work; it is not a set-up problem
])
def test_the_sync_gate(store: Store, shop: TikTokShop | None, code: str | None) -> None:
    found = policy.blocked(store, shop)
    assert (found.code if found else None) == code
    if found:
        assert found.message and found.fix and str(found).startswith(found.message)


def test_the_gate_reads_the_stores_shop(runtime: Runtime) -> None:
    store = add_store(runtime)
    with runtime.db.session_scope() as session:
        session.add(TikTokShop(merchant_id=store["merchant_id"], shop_id="7494", shop_cipher="c", region="GB",
                               currency="GBP", status=CONNECTED, access_token_encrypted="x",
                               refresh_token_encrypted="x", access_token_expires_at=datetime.now(timezone.utc),
                               refresh_token_expires_at=datetime.now(timezone.utc)))
        session.get(Store, store["store_id"]).currency = "EUR"
    with runtime.db.session_scope() as session:
        reason = policy.sync_blocked_reason(session, session.get(Store, store["store_id"]))
    assert reason and "EUR" in reason and "GBP" in reason and "resumes by itself" in reason


def _connected(runtime: Runtime) -> dict[str, str]:
    store = add_store(runtime)
    with runtime.db.session_scope() as session:
        session.add(TikTokShop(merchant_id=store["merchant_id"], shop_id="7494105515082810525", shop_cipher="c",
                               region="GB", currency="GBP", status=CONNECTED, access_token_encrypted="x",
                               refresh_token_encrypted="x", access_token_expires_at=datetime.now(timezone.utc),
                               refresh_token_expires_at=datetime.now(timezone.utc)))
    return store


def _parked_entries(runtime: Runtime) -> list[ActivityEntry]:
    with runtime.db.session_scope() as session:
        return list(session.scalars(select(ActivityEntry).where(ActivityEntry.kind == "tiktok.parked")))


def test_an_authorisation_failure_marks_the_connection_broken_once_and_says_what_waits(runtime: Runtime) -> None:
    store = _connected(runtime)
    refused = AuthError("access token revoked", code="tiktok_105002")
    assert policy.park(runtime, store["merchant_id"], refused, "sending price and stock") == policy.PARKED
    assert policy.park(runtime, store["merchant_id"], refused, "listing products") == policy.PARKED
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop))
        assert shop.status == BROKEN and "access token revoked" in shop.status_reason
        assert "Reconnect" in shop.status_reason
    [entry] = _parked_entries(runtime)  # many jobs hit the same break: one entry for the merchant
    assert "sending price and stock" in entry.message and "Nothing is lost" in entry.message

    with runtime.db.session_scope() as session:  # reconnected, then broken again: a new entry
        shop = session.scalar(select(TikTokShop))
        shop.status, shop.updated_at = CONNECTED, datetime.now(timezone.utc)
    policy.park(runtime, store["merchant_id"], refused, "fetching TikTok order 1")
    assert len(_parked_entries(runtime)) == 2


def test_resuming_after_reconnecting_sends_what_waited(runtime: Runtime) -> None:
    store = _connected(runtime)
    with runtime.db.session_scope() as session:
        session.add(Listing(store_id=store["store_id"], product_id="88", status="Not synced",
                            reason_code="reconnect", reason="Reconnect TikTok Shop"))
        session.add(Listing(store_id=store["store_id"], product_id="89", status="Not synced"))
        order = Order(merchant_id=store["merchant_id"], tiktok_shop_id="7494105515082810525", tiktok_order_id="576",
                      status="created", fulfilment_status=FULFIL_QUEUED, tracking_number="T1", carrier="DPD")
        session.add(order)
        session.flush()
        order_id = order.id
    resumed = policy.resume_parked(runtime, store["merchant_id"])
    assert resumed == {"listings": 1, "shipments": 1, "stores": 1}
    jobs = {job_id for q in all_queues(runtime.redis) for job_id in q.job_ids}
    assert f"list-{store['store_id']}-88" in jobs and f"list-{store['store_id']}-89" not in jobs
    assert f"order-ship-{order_id}" in jobs and f"reconcile-{store['store_id']}" in jobs


def test_every_kind_of_work_retries_on_its_table(runtime: Runtime) -> None:
    """Each enqueue site takes its delays from the one table (a job's retries are what RQ will do)."""
    from hub.sync.orders.events import after_order_events
    from hub.sync.orders.fulfilment import enqueue_ship
    from hub.sync.orders.importer import enqueue_import
    from hub.sync.products.schedule import enqueue_listing, list_job_id
    from hub.sync.stock.schedule import enqueue_pushes, enqueue_reconcile, push_job_id, reconcile_job_id

    enqueue_listing(runtime, "st_1", "88")
    enqueue_pushes(runtime, "st_1", ["88"])
    enqueue_reconcile(runtime, "st_1")
    enqueue_import(runtime, "7494", "576")
    after_order_events(runtime, "st_1", ["e1"])
    enqueue_ship("ord_1", runtime=runtime)
    from hub.stores.schedule import enqueue_notification, enqueue_sweep

    enqueue_notification(runtime, "sn_1")
    enqueue_sweep(runtime, "st_1")
    expected = {"store-notification-sn_1": policy.STORE_NOTIFICATION, "store-sweep-st_1": policy.STORE_SWEEP,
                list_job_id("st_1", "88"): policy.LISTING, push_job_id("st_1", "88"): policy.STOCK,
                reconcile_job_id("st_1"): policy.RECONCILE, "order-fetch-7494": policy.ORDER_IMPORT,
                "order-event-st_1-e1": policy.ORDER_EVENT, "order-ship-ord_1": policy.SHIPMENT}
    for job_id, kind in expected.items():
        job = Job.fetch(job_id, connection=runtime.redis)
        delays = list(policy.RETRY_DELAYS[kind])
        assert (job.retries_left, job.retry_intervals) == (len(delays), delays), job_id
    from hub.stores import commands
    from hub.sync.orders import handoff

    assert handoff.RETRY_DELAYS is commands.RETRY_DELAYS is policy.STORE_REDELIVERY_DELAYS


def give_up_visibly() -> str:
    """A job as the sync jobs write them: temporary failures retry, the last attempt says so."""
    if policy.last_attempt():
        return "failed visibly"
    raise RetryableError("TikTok answered 503")


def test_the_last_attempt_turns_a_temporary_failure_into_a_visible_one(runtime: Runtime) -> None:
    assert policy.last_attempt() is False  # outside a job the caller decides
    job = queue(ORDERS, runtime.redis).enqueue(give_up_visibly, retry=Retry(max=2))
    SimpleWorker(all_queues(runtime.redis), connection=runtime.redis).work(burst=True)
    job.refresh()
    assert job.return_value() == "failed visibly" and job.retries_left == 0
