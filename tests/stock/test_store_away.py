"""A store that goes away stops selling on TikTok, and everything comes back when it does
(hub/sync/stock/away.py, docs/decisions.md "A store that goes away").

Against the sandbox, the real hub over HTTP and real RQ jobs, with a silence of 2 s instead of 30 minutes.
The hosted side (uninstall at once, reinstall) is in tests/stores/test_away.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from rq.job import Job
from sqlalchemy import select

from hub.models import ActivityEntry, Store
from hub.runtime import Runtime
from hub.sync.stock import away
from tests.stock.conftest import Shop, drain
from tests.support.hub import close_runtime
from tests.support.sandbox import Sandbox
from tests.support.waiting import wait_until
from tests.tiktok.conftest import tiktok_runtime
from tests.web.conftest import Browser, add_user

SILENCE = 2.0


@pytest.fixture()
def runtime(tmp_path: Path, redis_url: str, sandbox: Sandbox) -> Iterator[Runtime]:
    rt = tiktok_runtime(tmp_path, redis_url, sandbox.url, store_silence_seconds=SILENCE)
    yield rt
    close_runtime(rt)


def _store(shop: Shop) -> Store:
    with shop.runtime.db.session_scope() as session:
        row = session.get_one(Store, shop.store_id)
        session.expunge(row)
        return row


def _kinds(shop: Shop) -> list[str]:
    with shop.runtime.db.session_scope() as session:
        return list(session.scalars(select(ActivityEntry.kind).where(
            ActivityEntry.store_id == shop.store_id, ActivityEntry.kind.in_(("store.away", "store.back")))
            .order_by(ActivityEntry.id)))


def _goes_silent(shop: Shop) -> None:
    """No call from the store: the periodic check marks it away once the silence has passed."""
    wait_until(lambda: shop.store_id in away.check_all(shop.runtime) or _store(shop).away_since is not None,
               SILENCE * 10, what="the silent store marked away")
    drain(shop.runtime)


def _stock(shop: Shop, tiktok_id: str) -> dict[str, int]:
    return {sku: s["stock"] for sku, s in shop.skus(tiktok_id).items()}


def test_a_silent_store_has_its_tiktok_stock_set_to_0_and_restored_when_it_is_back(shop: Shop) -> None:
    tiktok_id = shop.list_product("90", [("RED", "9.00", 5), ("BLUE", "9.00", 3)])
    other = shop.list_product("91", [("ONE", "4.00", 7)])
    shop.stock("90", "90-RED", 6, "9.00", version=2)
    drain(shop.runtime)
    assert _stock(shop, tiktok_id) == {"RED": 6, "BLUE": 3}
    add_user(shop.runtime, "owner@northern.example", "Northern Threads Ltd")
    with shop.runtime.db.session_scope() as session:
        assert session.get_one(Store, shop.store_id).away_since is None

    _goes_silent(shop)
    assert _stock(shop, tiktok_id) == {"RED": 0, "BLUE": 0} and _stock(shop, other) == {"ONE": 0}
    assert shop.tiktok(tiktok_id)["status"] == "ACTIVATE"   # still live, nothing to review afterwards
    store = _store(shop)
    assert store.away_action == "zero" and "heard nothing" in (store.away_reason or "")
    assert _kinds(shop) == ["store.away"]
    # The reconciliation leaves the 0 alone while the store is away.
    from hub.sync.stock.reconcile import reconcile_store

    assert reconcile_store(shop.runtime, shop.store_id).repushed == []
    # The merchant sees why on the settings page.
    with _live_page(shop) as browser:
        page = browser.get("/settings/").text
        assert "is away" in page and "heard nothing" in page and "stock was set to 0" in page
    # ... and among the alerts (overview, e-mail digest).
    from hub.sync.alerts import current_alerts

    with shop.runtime.db.session_scope() as session:
        [alert] = [a for a in current_alerts(session, shop.merchant_id) if a.key.startswith("store_away:")]
        assert "stock was set to 0" in alert.title and "heard nothing" in alert.detail
    # Another check changes nothing.
    assert away.check_all(shop.runtime) == []

    shop.hub.ping()  # any signed call: the store is back
    drain(shop.runtime)
    assert _stock(shop, tiktok_id) == {"RED": 6, "BLUE": 3} and _stock(shop, other) == {"ONE": 7}
    assert _store(shop).away_since is None and _kinds(shop) == ["store.away", "store.back"]
    with _live_page(shop) as browser:
        assert "is away" not in browser.get("/settings/").text


def test_with_deactivate_chosen_the_listings_go_off_sale_and_come_back_on_sale(shop: Shop) -> None:
    tiktok_id = shop.list_product("92", [("RED", "9.00", 5)])
    sold_out = shop.list_product("93", [("ONE", "4.00", 2)])
    shop.sandbox.control("PUT", "/shop", {"allow_zero_stock_on_update": False})
    shop.stock("93", "93-ONE", 0, "4.00", version=2)   # off sale already, for being sold out
    drain(shop.runtime)
    assert shop.tiktok(sold_out)["status"] == "SELLER_DEACTIVATED"
    shop.set_settings(stock={"when_store_away": "deactivate"})

    _goes_silent(shop)
    assert shop.tiktok(tiktok_id)["status"] == "SELLER_DEACTIVATED"
    assert _stock(shop, tiktok_id) == {"RED": 5}             # the stock is left as it was
    store = _store(shop)
    assert store.away_action == "deactivate" and store.away_deactivated == [tiktok_id]

    # The merchant changing the choice meanwhile does not undo it halfway.
    shop.set_settings(stock={"when_store_away": "zero"})
    shop.hub.ping()
    drain(shop.runtime)
    assert shop.tiktok(tiktok_id)["status"] in ("PENDING", "ACTIVATE")   # back on sale, through TikTok's review
    assert shop.tiktok(sold_out)["status"] == "SELLER_DEACTIVATED"       # still sold out in the store
    assert _store(shop).away_deactivated is None and _stock(shop, tiktok_id) == {"RED": 5}


def test_a_store_with_nothing_on_tiktok_is_never_away_and_the_check_is_one_periodic_chain(shop: Shop) -> None:
    wait_until(lambda: away.check_all(shop.runtime) == [] and _silent_for(shop) > SILENCE, SILENCE * 10,
               what="the silence passed")
    assert _store(shop).away_since is None
    from hub.jobs.stock import ensure_periodic

    ensure_periodic(shop.runtime)
    ensure_periodic(shop.runtime)
    ids = [j for j in _scheduled(shop.runtime) if j.startswith("store-away-check-")]
    assert len(ids) == 1
    job = Job.fetch(ids[0], connection=shop.runtime.redis)
    assert job.func_name == away.CHECK_JOB


def _silent_for(shop: Shop) -> float:
    from datetime import datetime, timezone

    store = _store(shop)
    last = store.last_contact_at or store.created_at
    return (datetime.now(timezone.utc) - last).total_seconds()


def _scheduled(runtime: Runtime) -> list[str]:
    from rq.registry import ScheduledJobRegistry

    from hub.queues import MAINTENANCE, queue

    return ScheduledJobRegistry(queue=queue(MAINTENANCE, runtime.redis)).get_job_ids()


class _live_page:
    """The settings page of the shop's merchant, logged in, on a server of its own."""

    def __init__(self, shop: Shop):
        from hub.app import create_app
        from tests.support.servers import LiveServer

        self.server = LiveServer(create_app(runtime=shop.runtime))

    def __enter__(self) -> Browser:
        self.server.__enter__()
        browser = Browser(self.server.url)
        assert browser.login("owner@northern.example").status_code == 200
        return browser

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)
