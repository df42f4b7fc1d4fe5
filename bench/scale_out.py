"""Scale-out: the same listing and stock workload with 1, 2 and 4 `hub worker` processes.

Usage: python -m bench.scale_out [--workers 1,2,4] [--listings 150] [--products 300] [--changes 3000]
                                 [--web 2] [--postgres URL]

Production shape on one machine: the TikTok sandbox as its own process (50 requests/s per endpoint),
the hub's web tier as `hub serve --gunicorn --workers <web>`, `hub worker` processes, PostgreSQL (a
private embedded cluster unless `--postgres` names one; a fresh database per run) and a private Redis.
For each worker count, on a fresh database:

1. listing: `--listings` products (3 sizes, 3 pictures each, from a loopback picture server) arrive
   through the Extension API; their category is mapped and the clock runs until TikTok has created
   every one (the listing engine: pictures uploaded, product created);
2. stock: `--products` live simple products; `--changes` price-and-stock changes to random ones are
   posted through the Extension API as fast as it takes them, and the clock runs until the sandbox
   holds every product's final values. Minimum = calls needed per endpoint ÷ 50/s.

Prints one line per phase and worker count, with the CPU seconds each part used and the load
average (the machine is shared: compare runs taken back to back).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import requests

from bench._harness import postgres_url
from bench.initial_sync import Pictures, _catalog
from bench.order_storm import _cpu_seconds, _database_cpu, _fresh_database, _load
from bench.propagation import APP_KEY, APP_SECRET, connect, list_products, sandbox_process
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event

LIMIT = 50.0
CREATE = "POST /product/202309/products"
UPLOAD = "POST /product/202309/images/upload"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(predicate: Any, timeout: float, what: str, interval: float = 0.5,  # noqa: ANN401
          detail: Any = None) -> None:  # noqa: ANN401
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}" + (f": {detail()}" if detail else ""))
        time.sleep(interval)


def _children_cpu(pid: int) -> float:
    """CPU time of a process and its children (gunicorn's arbiter and its web workers)."""
    total = _cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                total += _cpu_seconds(int(entry.name))
    return total


class Deployment:
    """gunicorn web processes and `hub worker` processes on one database, Redis and sandbox."""

    def __init__(self, env: dict[str, str], web: int, workers: int, stack: ExitStack):
        self.env = env
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        log = open(Path(env["HUB_DATA_DIR"]) / "web.log", "ab")  # noqa: SIM115 - closed with the stack
        stack.callback(log.close)
        print(f"web: {web} gunicorn processes; workers: {workers}; data in {env['HUB_DATA_DIR']}", flush=True)
        self.web = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--gunicorn", "--workers", str(web),
                                     "--threads", "16", "--port", str(port)], env=env, stdout=log, stderr=log)
        stack.callback(self._stop, [self.web])
        _wait(self._up, 60, "the web processes")
        self.workers = [subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], env=env, stdout=log, stderr=log)
                        for _ in range(workers)]
        stack.callback(self._stop, self.workers)

    def _up(self) -> bool:
        try:
            return requests.get(f"{self.url}/", timeout=2, allow_redirects=False).status_code < 500
        except requests.RequestException:
            return False

    @staticmethod
    def _stop(procs: list[subprocess.Popen]) -> None:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def cpu(self) -> dict[str, float]:
        return {"workers": sum(_cpu_seconds(p.pid) for p in self.workers), "web": _children_cpu(self.web.pid)}


def _registered(runtime: Any, count: int) -> bool:  # noqa: ANN401
    from rq import Worker

    return len(Worker.all(connection=runtime.redis)) >= count


def run_once(workers: int, args: argparse.Namespace, server_url: str, redis_url: str) -> list[str]:
    from sqlalchemy import func, select

    from hub.config import load_settings
    from hub.merchants import create_store, find_or_create_merchant
    from hub.migrations import upgrade
    from hub.models import CategoryDefaults, Listing, SkuBinding
    from hub.runtime import Runtime, install
    from hub.sync.products.categories import map_category
    from hub.sync.products.schedule import enqueue_listings

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    name = f"scale_out_{workers}"
    database_url = _fresh_database(server_url, name)
    lines = []
    with ExitStack() as stack, sandbox_process(LIMIT) as sandbox_url:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        env = {**os.environ, "HUB_DATA_DIR": tmp, "HUB_DATABASE_URL": database_url, "HUB_REDIS_URL": redis_url,
               "HUB_TIKTOK_API_BASE": sandbox_url, "HUB_TIKTOK_AUTH_BASE": sandbox_url,
               "HUB_TIKTOK_APP_KEY": APP_KEY, "HUB_TIKTOK_APP_SECRET": APP_SECRET,
               "HUB_ALLOW_PRIVATE_IMAGE_HOSTS": "1", "HUB_PUBLIC_URL": "http://127.0.0.1"}
        settings = load_settings(environ=env)
        upgrade(settings.database_url)
        runtime = Runtime.build(settings)
        install(runtime)
        stack.callback(runtime.close)
        with runtime.db.session_scope() as session:
            merchant = find_or_create_merchant(session, "Bench Ltd")
            merchant.settings = {"daily_listing_cap": 100_000}
            store, secret = create_store(session, runtime.secrets, merchant, "woocommerce", "Bench")
            store.currency = "GBP"
            store_id, key_id = store.id, store.key_id
            session.add(CategoryDefaults(store_id=store_id, tiktok_category_id="601226", attributes={},
                                         size_chart={"template_id": "7420186513740087041"}))
        deployment = Deployment(env, args.web, workers, stack)
        hub = HubClient(deployment.url, key_id, secret, timeout=120)
        client = connect(runtime, store_id, sandbox_url)
        stack.callback(client.close)
        live = list_products(runtime, hub, client, store_id, args.products, sandbox_url)
        pictures = Pictures()
        stack.callback(pictures.server.shutdown)
        catalog = _catalog(args.listings, pictures)
        hub.upsert_products(catalog)
        _wait(lambda: _registered(runtime, workers), 90, "the workers")
        time.sleep(3)  # the workers' start-up sweeps and periodic jobs settle

        def calls() -> dict[str, int]:
            return requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()["calls"]

        # 1. Listing.
        load, cpu, pg, base = _load(), deployment.cpu(), _database_cpu(name), calls()
        started = time.perf_counter()
        with runtime.db.session_scope() as session:
            _mapping, affected = map_category(session, store_id, "Clothing > T-shirts", "601226", version="v1",
                                              name="Menswear & Underwear > Men's Tops > Men's T-shirts")
        enqueue_listings(runtime, store_id, affected)

        def created() -> int:
            with runtime.db.session_scope() as session:
                return int(session.scalar(select(func.count()).select_from(Listing).where(
                    Listing.store_id == store_id, Listing.product_id.in_([p["id"] for p in catalog]),
                    Listing.tiktok_product_id.is_not(None))) or 0)

        def listing_states() -> str:
            with runtime.db.session_scope() as session:
                rows = session.execute(select(Listing.status, Listing.reason, func.count()).where(
                    Listing.store_id == store_id, Listing.product_id.in_([p["id"] for p in catalog]))
                    .group_by(Listing.status, Listing.reason)).all()
            return "; ".join(f"{status} ({reason}): {n}" for status, reason, n in rows)

        _wait(lambda: created() >= args.listings, args.timeout, "every listing created", interval=0.25,
              detail=listing_states)
        elapsed = time.perf_counter() - started
        after, used = calls(), _used(deployment.cpu(), cpu, _database_cpu(name) - pg)
        creates, uploads = after.get(CREATE, 0) - base.get(CREATE, 0), after.get(UPLOAD, 0) - base.get(UPLOAD, 0)
        lines.append(f"workers={workers} listing: {args.listings} products created in {elapsed:.1f} s = "
                     f"{args.listings / elapsed:.1f}/s ({args.listings / elapsed / workers:.1f}/s per worker); "
                     f"creates {creates}, picture uploads {uploads} (upload minimum {uploads / LIMIT:.1f} s); "
                     f"CPU s {used}; load {load} -> {_load()}")

        # 2. Stock.
        rng = random.Random(7)
        final: dict[str, tuple[int, str]] = {}
        items = []
        for n in range(args.changes):
            i = rng.randrange(args.products)
            quantity, price = rng.randrange(0, 500), f"{rng.randrange(100, 10000) / 100:.2f}"
            items.append({"product_id": f"p{i}", "variant_id": f"v{i}", "quantity": quantity, "price": price,
                          "version": 100 + n})
            final[f"p{i}"] = (quantity, price)
        expected = {live[p][1]: v for p, v in final.items()}
        needed = max(sum(1 for q, _ in final.values() if q != 10), sum(1 for _, pr in final.values() if pr != "10.00"))
        load, cpu, pg = _load(), deployment.cpu(), _database_cpu(name)
        started = time.perf_counter()
        for k in range(0, len(items), 500):
            hub.send_events([new_event("inventory.update", items=items[k:k + 500])])
        sent = time.perf_counter() - started

        def wrong() -> int:
            state = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
            held = {s["id"]: (s["stock"], s["price"]) for p in state["products"] for s in p["skus"]}
            return sum(1 for sku, value in expected.items() if held.get(sku) != value)

        _wait(lambda: wrong() == 0, args.timeout, "every final value on TikTok", detail=lambda: f"{wrong()} wrong")
        elapsed = time.perf_counter() - started
        used = _used(deployment.cpu(), cpu, _database_cpu(name) - pg)
        minimum = needed / LIMIT
        lines.append(f"workers={workers} stock: {args.changes} changes to {len(final)} products posted in {sent:.1f} s; "
                     f"every final value on TikTok after {elapsed:.1f} s (minimum {minimum:.1f} s, ratio "
                     f"{elapsed / minimum:.2f}) = {2 * needed / elapsed:.0f} update calls/s "
                     f"({2 * needed / elapsed / workers:.0f}/s per worker); CPU s {used}; load {load} -> {_load()}")
        with runtime.db.session_scope() as session:
            assert session.scalar(select(func.count()).select_from(SkuBinding)) >= args.products
    return lines


def _used(now: dict[str, float], before: dict[str, float], database: float) -> str:
    parts = {name: now[name] - before[name] for name in now}
    parts["postgresql"] = database
    return ", ".join(f"{name} {value:.1f}" for name, value in parts.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="1,2,4", help="worker counts to run, comma-separated")
    parser.add_argument("--listings", type=int, default=150)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--changes", type=int, default=3000)
    parser.add_argument("--web", type=int, default=2, help="gunicorn web processes")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (default: a private one)")
    parser.add_argument("--redis-url", default=None, help="default: a private Redis")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for each phase")
    args = parser.parse_args()
    with ExitStack() as stack:
        redis_url = args.redis_url
        if not redis_url:
            from hub.embedded import EmbeddedRedis

            embedded = EmbeddedRedis(Path(stack.enter_context(tempfile.TemporaryDirectory())))
            redis_url = embedded.acquire()
            stack.callback(embedded.release)
        server = stack.enter_context(postgres_url(args.postgres))
        for count in (int(n) for n in args.workers.split(",")):
            for line in run_once(count, args, server, redis_url):
                print(line, flush=True)


if __name__ == "__main__":
    main()
