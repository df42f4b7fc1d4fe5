"""`hub status` against a real hub runtime: the figures it prints are the ones the hub's state holds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rq import SimpleWorker

from hub.models import Listing, SkuBinding, Store, VariantStock
from hub.queues import ORDERS, STOCK, queue
from hub.tiktok.ratelimit import RateLimiter
from tests.support.hub import ROOT, add_store, close_runtime, hub_environ, make_runtime


def _hub(runtime: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub.cli", "status", *args], env=hub_environ(runtime),
                          capture_output=True, text=True, timeout=120, cwd=str(ROOT))


def test_status_prints_queue_depths_failures_budget_waits_unsent_changes_and_last_contact(
        tmp_path: Path, redis_url: str) -> None:
    runtime = make_runtime(tmp_path, redis_url)
    try:
        behind = add_store(runtime, name="Behind store")
        quiet = add_store(runtime, name="Quiet store")
        changed_at = datetime.now(timezone.utc) - timedelta(minutes=5)
        with runtime.db.session_scope() as session:
            session.get(Store, behind["store_id"]).last_contact_at = datetime.now(timezone.utc) - timedelta(minutes=10)
            session.add(Listing(store_id=behind["store_id"], product_id="p1", status="Active", tiktok_product_id="171"))
            for variant, version, pushed in (("v1", 3, 1), ("v2", 2, 2)):  # v1 changed since the last push; v2 sent
                session.add(VariantStock(store_id=behind["store_id"], product_id="p1", variant_id=variant,
                                         quantity=4, price="9.99", version=version, updated_at=changed_at))
                session.add(SkuBinding(store_id=behind["store_id"], product_id="p1", variant_id=variant,
                                       tiktok_product_id="171", tiktok_sku_id=f"s{variant}", pushed_version=pushed))
        for n in range(3):
            queue(STOCK, runtime.redis).enqueue("hub.jobs.stock.push_stock", behind["store_id"], f"p{n}",
                                                job_id=f"status-test-{n}")
        # A job that fails when a worker runs it (an unknown queue name is refused).
        queue(ORDERS, runtime.redis).enqueue("hub.queues.queue", "no-such-queue", None)
        SimpleWorker([queue(ORDERS, runtime.redis)], connection=runtime.redis).work(burst=True,
                                                                                  logging_level="WARNING")
        limiter = RateLimiter(runtime.redis, per_second=1, max_wait=5)
        limiter.acquire("7495001", "products")
        limiter.acquire("7495001", "products")  # the budget of 1/s is spent: this one waits
        limiter.pause("7495001", "products", 0.05)  # TikTok answered 429

        out = _hub(runtime, "--json")
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        queues = {q["queue"]: q for q in report["queues"]}
        assert queues[STOCK]["waiting"] == 3 and queues[STOCK]["failed"] == 0
        assert queues[ORDERS]["waiting"] == 0 and queues[ORDERS]["failed"] == 1
        assert queues[ORDERS]["failed_last_hour"] == 1
        [shop] = report["tiktok_budget"]
        assert shop["shop"] == "7495001" and shop["waits"] == 1 and shop["429s"] == 1
        assert 0.3 < shop["waited_seconds"] <= 5
        stores = {s["name"]: s for s in report["stores"]}
        assert stores["Behind store"]["unsent_changes"] == 1
        assert 280 <= stores["Behind store"]["oldest_unsent_seconds"] < 3600
        assert stores["Behind store"]["last_contact_at"] is not None
        assert stores["Quiet store"]["unsent_changes"] == 0 and stores["Quiet store"]["last_contact_at"] is None
        assert quiet["store_id"] == stores["Quiet store"]["store_id"]

        text = _hub(runtime)
        assert text.returncode == 0, text.stderr
        lines = text.stdout.splitlines()
        stock = next(line for line in lines if line.strip().startswith(f"{STOCK} "))
        assert stock.split()[1:5] == ["3", "0", "0", "0"]
        orders = next(line for line in lines if line.strip().startswith(f"{ORDERS} "))
        assert orders.split()[4] == "1" and "1 in the last hour" in orders
        assert "shop 7495001: 1 waits" in text.stdout and "1 429s" in text.stdout
        behind_line = next(line for line in lines if "Behind store" in line)
        contact = re.search(r"last contact (\d+) min ago; 1 unsent, oldest (\d+) min ago", behind_line)
        assert contact and 10 <= int(contact[1]) <= 12 and 5 <= int(contact[2]) <= 7, behind_line
        assert "last contact never; all sent" in next(line for line in lines if "Quiet store" in line)
    finally:
        close_runtime(runtime)


def test_a_worker_host_for_one_queue_works_only_that_queue(tmp_path: Path, redis_url: str) -> None:
    """`hub worker --queue orders`: the orders job runs (and fails, as it must), the stock job waits."""
    runtime = make_runtime(tmp_path, redis_url)
    try:
        queue(STOCK, runtime.redis).enqueue("hub.queues.queue", "no-such-queue", None)
        queue(ORDERS, runtime.redis).enqueue("hub.queues.queue", "no-such-queue", None)
        out = subprocess.run([sys.executable, "-m", "hub.cli", "worker", "--burst", "--no-scheduler",
                              "--queue", ORDERS], env=hub_environ(runtime), capture_output=True, text=True,
                             timeout=120, cwd=str(ROOT))
        assert out.returncode == 0, out.stderr
        assert queue(ORDERS, runtime.redis).failed_job_registry.count == 1
        assert queue(STOCK, runtime.redis).count == 1 and queue(STOCK, runtime.redis).failed_job_registry.count == 0
        bad = subprocess.run([sys.executable, "-m", "hub.cli", "worker", "--burst", "--queue", "nope"],
                             env=hub_environ(runtime), capture_output=True, text=True, timeout=120, cwd=str(ROOT))
        assert bad.returncode != 0 and "nope" in bad.stderr and queue(STOCK, runtime.redis).count == 1
    finally:
        close_runtime(runtime)
