"""Rate limits, the currency stop, broken connections and reconciliation of drift made on TikTok."""

from __future__ import annotations

from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from hub.queues import MAINTENANCE, queue
from hub.jobs.stock import ensure_periodic
from hub.models import ActivityEntry, TikTokShop
from hub.models.tiktok_shops import BROKEN, CONNECTED
from hub.sync.stock.reconcile import reconcile_all
from hub.sync.stock.schedule import enqueue_reconcile
from tests.stock.conftest import Shop, drain

INVENTORY_ENDPOINT = "POST /product/202309/products/{product_id}/inventory/update"


def test_429_answers_are_waited_out_and_retried_until_tiktok_holds_the_value(shop: Shop) -> None:
    tiktok_id = shop.list_product("70", [("BAG", "30.00", 5)])
    shop.sandbox.fault(INVENTORY_ENDPOINT, "429", count=6, retry_after=0.2)
    shop.stock("70", "70-BAG", 17, "31.00", version=2)
    drain(shop.runtime, timeout=60)
    sku = shop.skus(tiktok_id)["BAG"]
    assert (sku["stock"], sku["price"]) == (17, "31.00")
    state = shop.sandbox.state()
    assert state["throttled"][INVENTORY_ENDPOINT] == 6    # every injected 429 was met and outlasted
    assert [f["remaining"] for f in state["faults"]] == [0]


def test_currency_stop_sends_nothing_until_the_currency_matches(shop: Shop) -> None:
    tiktok_id = shop.list_product("71", [("SCARF", "25.00", 9)])
    shop.send({"id": "00000000-0000-4000-8000-0000000000e1", "type": "store.update", "store": {"currency": "EUR"}})
    before = shop.sandbox.state()["calls"]
    shop.stock("71", "71-SCARF", 2, "19.00", version=2)
    drain(shop.runtime)
    enqueue_reconcile(shop.runtime, shop.store_id)
    drain(shop.runtime)
    assert shop.sandbox.state()["calls"] == before     # not one TikTok call, not even a read
    assert shop.skus(tiktok_id)["SCARF"]["stock"] == 9
    shop.send({"id": "00000000-0000-4000-8000-0000000000e2", "type": "store.update", "store": {"currency": "GBP"}})
    enqueue_reconcile(shop.runtime, shop.store_id)      # nothing was lost: the periodic run catches up
    drain(shop.runtime)
    sku = shop.skus(tiktok_id)["SCARF"]
    assert (sku["stock"], sku["price"]) == (2, "19.00")


def test_a_broken_connection_parks_work_and_nothing_is_lost(shop: Shop) -> None:
    tiktok_id = shop.list_product("72", [("BELT", "18.00", 4)])
    with shop.runtime.db.session_scope() as session:
        session.scalar(select(TikTokShop)).status = BROKEN
    shop.stock("72", "72-BELT", 1, "17.00", version=2)
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["BELT"]["stock"] == 4
    with shop.runtime.db.session_scope() as session:
        session.scalar(select(TikTokShop)).status = CONNECTED   # the merchant reconnected
    assert reconcile_all(shop.runtime) == 1
    drain(shop.runtime)
    sku = shop.skus(tiktok_id)["BELT"]
    assert (sku["stock"], sku["price"]) == (1, "17.00")


def test_reconciliation_repairs_drift_made_on_tiktok_and_logs_it(shop: Shop) -> None:
    first = shop.list_product("73", [("S", "10.00", 20), ("M", "10.00", 20)])
    second = shop.list_product("74", [("ONE", "6.00", 8)])
    ids = {sku: b.tiktok_sku_id for sku, b in shop.bindings("73").items()}
    one = shop.bindings("74")["ONE"].tiktok_sku_id
    # A seller edits in Seller Center (through the API, as Seller Center does).
    shop.client.products.update_price(first, [{"id": ids["S"], "price": {"amount": "3.00", "currency": "GBP"}}])
    shop.client.products.update_inventory(first, [{"id": ids["M"], "inventory": [{"quantity": 999}]}])
    shop.client.products.update_inventory(second, [{"id": one, "inventory": [{"quantity": 2}]}])

    enqueue_reconcile(shop.runtime, shop.store_id)
    drain(shop.runtime)
    skus = shop.skus(first)
    assert (skus["S"]["price"], skus["M"]["stock"]) == ("10.00", 20)
    # Lower stock on TikTok may be a sale not yet in the store: repaired only if it persists.
    assert shop.skus(second)["ONE"]["stock"] == 2
    with shop.runtime.db.session_scope() as session:
        entries = list(session.scalars(select(ActivityEntry).where(ActivityEntry.kind == "reconcile.drift")))
    assert len(entries) == 1
    assert (entries[0].data["price_drift"], entries[0].data["stock_drift"]) == (1, 1)

    enqueue_reconcile(shop.runtime, shop.store_id)
    drain(shop.runtime)
    assert shop.skus(second)["ONE"]["stock"] == 8
    with shop.runtime.db.session_scope() as session:
        entries = list(session.scalars(select(ActivityEntry).where(ActivityEntry.kind == "reconcile.drift")
                                       .order_by(ActivityEntry.id)))
    assert len(entries) == 2 and entries[1].data["stock_drift"] == 1

    # In step: a third run changes nothing and logs nothing.
    before = shop.sandbox.state()["calls"]
    enqueue_reconcile(shop.runtime, shop.store_id)
    drain(shop.runtime)
    after = shop.sandbox.state()["calls"]
    assert {k: v for k, v in after.items() if "update" in k} == {k: v for k, v in before.items() if "update" in k}


def test_the_periodic_reconciliation_is_scheduled_once_however_many_workers_start(shop: Shop) -> None:
    first = ensure_periodic(shop.runtime)
    second = ensure_periodic(shop.runtime)
    assert first == second
    registry = ScheduledJobRegistry(queue=queue(MAINTENANCE, shop.runtime.redis))
    assert [j for j in registry.get_job_ids() if j.startswith("reconcile-all-")] == [first]


def test_tiktok_refusing_access_parks_pushes_and_reconciliation_until_the_merchant_reconnects(shop: Shop) -> None:
    from hub.sync import policy
    from hub.tiktok.connection import connect

    tiktok_id = shop.list_product("75", [("GLOVE", "12.00", 6)])
    shop.sandbox.control("POST", "/tokens/expire", {"refresh_tokens": True})  # revoked: no refresh works
    shop.stock("75", "75-GLOVE", 2, "11.00", version=2)
    drain(shop.runtime)  # the push job ends parked: no error, no retry storm
    enqueue_reconcile(shop.runtime, shop.store_id)
    drain(shop.runtime)
    with shop.runtime.db.session_scope() as session:
        tiktok_shop = session.scalar(select(TikTokShop))
        assert tiktok_shop.status == BROKEN and "Reconnect" in (tiktok_shop.status_reason or "")
        parked = list(session.scalars(select(ActivityEntry).where(ActivityEntry.kind == "tiktok.parked")))
    assert len(parked) == 1 and "price and stock" in parked[0].message
    assert shop.skus(tiktok_id)["GLOVE"]["stock"] == 6

    with shop.runtime.db.session_scope() as session:  # the merchant reconnects on the settings page
        connect(shop.runtime, session, shop.sandbox.code(), shop.merchant_id)
    policy.resume_parked(shop.runtime, shop.merchant_id)
    drain(shop.runtime)
    sku = shop.skus(tiktok_id)["GLOVE"]
    assert (sku["stock"], sku["price"]) == (2, "11.00")
