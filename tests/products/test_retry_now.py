"""A fix does not wait behind the retry backoff: a changed product or the Sync button runs now.

A product waiting for a scheduled retry (up to 30 minutes) used to absorb both into the wait ("sync
started" shown, nothing happening). Work parked for a broken TikTok connection stays parked.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from click.testing import CliRunner
from rq.registry import ScheduledJobRegistry

from hub.models.listings import NOT_SYNCED, UNDER_REVIEW
from hub.queues import LISTINGS, queue
from hub.sync.products import schedule
from hub.sync.products.schedule import RETRY, list_job_id


def _scheduled(shop) -> list[str]:  # noqa: ANN001
    return ScheduledJobRegistry(queue=queue(LISTINGS, shop.runtime.redis)).get_job_ids()


def test_a_changed_product_replaces_the_scheduled_retry_and_runs_now(shop, monkeypatch) -> None:  # noqa: ANN001
    shop.map()
    broken = shop.images.url(900, 900, (120, 10, 10))
    shop.images.busy[urlsplit(broken).path] = 100  # the store's picture server keeps failing
    before = datetime.now(timezone.utc)
    shop.push(shop.product("41", images=[broken]))
    assert _scheduled(shop) == [list_job_id(shop.store_id, "41")]
    listing = shop.listing("41")
    assert listing.status == NOT_SYNCED and listing.reason_code == "retrying"
    # The retry state: which attempt failed and when the next one is due.
    assert listing.retry_attempt == 1
    first_delay = RETRY.intervals[0]
    assert before + timedelta(seconds=first_delay - 1) <= listing.retry_at <= \
        datetime.now(timezone.utc) + timedelta(seconds=first_delay + 1)
    assert f"attempt 1 of {RETRY.max + 1}" in listing.reason and "next attempt at" in listing.reason

    from hub.cli import products as cli

    monkeypatch.setattr(cli, "build_runtime", lambda: shop.runtime)
    monkeypatch.setattr(shop.runtime, "close", lambda: None)
    result = CliRunner().invoke(cli.products, ["--store", shop.store_id, "--json"])
    row = {r["product_id"]: r for r in json.loads(result.output)["products"]}["41"]
    assert row["retry"] == {"attempt": 1, "attempts": RETRY.max + 1, "next_attempt_at": listing.retry_at.isoformat()}

    # The merchant replaces the picture in the store: the change runs now, not in 5 s … 30 min.
    shop.push(shop.product("41", images=[shop.images.url(900, 900, (10, 120, 10))]))
    assert shop.listing("41").status == UNDER_REVIEW
    assert _scheduled(shop) == []  # the retry was replaced, not left to run again later
    assert shop.listing("41").retry_attempt is None


def test_the_sync_button_runs_a_waiting_retry_now_but_parked_work_waits_for_the_connection(shop) -> None:  # noqa: ANN001
    shop.map()
    flaky = shop.images.url(900, 900, (10, 10, 120))
    shop.images.busy[urlsplit(flaky).path] = 1  # one 503, then the server is back
    shop.push(shop.product("42", images=[flaky]))
    assert shop.listing("42").reason_code == "retrying" and _scheduled(shop)
    assert schedule.sync(shop.runtime, shop.store_id, "42")["list"] == 1
    shop.work()
    assert shop.listing("42").status == UNDER_REVIEW and _scheduled(shop) == []

    shop.push(shop.product("43"), run=False)
    shop.sandbox.control("POST", "/tokens/expire", {"refresh_tokens": True})
    shop.work()
    assert shop.listing("43").reason_code == "reconnect"
    calls = sum(shop.sandbox.state()["calls"].values())
    assert schedule.sync(shop.runtime, shop.store_id, "43")["list"] == 0  # parked until reconnected
    shop.push(shop.product("43", title="Organic Cotton Tee, new title"))
    assert shop.listing("43").reason_code == "reconnect"
    assert queue(LISTINGS, shop.runtime.redis).count == 0 and _scheduled(shop) == []
    assert sum(shop.sandbox.state()["calls"].values()) == calls  # nothing tried against the broken connection
