"""The chaos run: a whole hub under TikTok faults and process kills, then a check that nothing was lost,
stalled or duplicated (docs/reliability.md, "Chaos run").

One harness for the full-size benchmark (`bench/chaos.py`) and the reduced test
(`tests/foundation/test_chaos.py`). Everything is real and separate, as in production: the web process
is `hub serve` in its own process, the workers are `hub worker` processes, Redis is a server of its own
(the hub is given its URL, as with `HUB_REDIS_URL`), TikTok is the sandbox with faults on every endpoint,
and the store is an extension on the real hub client that keeps an outbox of its changes.

The load: `products` products are sent and listed (one variant each, one picture), `changes` price and
stock changes flow from the store while `orders` TikTok orders are placed on the listed products. The
faults: each TikTok call fails with probability `fault_rate` (5xx, 429, timeout or committed-but-
response-lost, a quarter each); the worker running the scheduler is killed with SIGKILL, then Redis is
killed and started again, then the web process is killed and started again, then another worker is
killed. Killed workers are replaced, as a process supervisor would. Then the faults stop and the run
waits up to `settle_seconds` for the end state.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import requests

from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event
from tests.support.hub import ROOT, Workers, add_store, close_runtime, hub_environ, make_runtime
from tests.support.images import ImageServer
from tests.support.sandbox import APP_KEY, APP_SECRET, Sandbox, SandboxServer, leaf_without_size_chart
from tests.support.servers import free_port
from tests.support.store import FakeStore

FAULT_KINDS = ("5xx", "429", "timeout", "lost_response")
CATEGORY = "Clothing > T-shirts"  # the store's category, mapped to a TikTok leaf that needs no size chart


@dataclass
class ChaosResult:
    database: str
    products: int
    changes: int
    orders: int
    faults_struck: int = 0
    kills: list[str] = field(default_factory=list)
    settle_seconds: float = 0.0
    total_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    tiktok_products: int = 0
    orders_created: int = 0
    orders_failed: int = 0
    secrets_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        return (f"{self.database}: {self.products} products, {self.changes} changes, {self.orders} orders; "
                f"{self.faults_struck} TikTok faults; kills: {', '.join(self.kills)}; settled in "
                f"{self.settle_seconds:.0f} s (run {self.total_seconds:.0f} s); {self.tiktok_products} TikTok "
                f"products, {self.orders_created} orders created, {self.orders_failed} failed with a reason; "
                f"{self.secrets_checked} secrets searched for in the database, Redis and the logs; "
                + ("OK" if self.ok else "PROBLEMS: " + "; ".join(self.problems[:10])))


class OutboxStore(FakeStore):
    """The store extension: its own price and stock per variant, every change queued in an outbox that
    is sent (and re-sent until the hub acknowledges it) from the polling loop, as real extensions do."""

    def __init__(self, client: HubClient, stock: dict[tuple[str, str], int], prices: dict[tuple[str, str], str]):
        super().__init__(client, stock)
        self.prices = dict(prices)
        self.outbox: list[dict[str, Any]] = []
        self.sender = threading.Thread(target=self._send_loop, daemon=True)

    def start(self) -> "OutboxStore":
        super().start()
        self.sender.start()
        return self

    def change(self, key: tuple[str, str], *, quantity: int | None = None, price: str | None = None) -> None:
        with self.lock:
            if quantity is not None:
                self.stock[key] = quantity
            if price is not None:
                self.prices[key] = price
            self.outbox.append(new_event("inventory.update", items=[{
                "product_id": key[0], "variant_id": key[1], "quantity": self.stock[key], "price": self.prices[key],
                "version": time.time_ns() // 1000}]))

    def _create(self, order: dict[str, Any]) -> dict[str, Any] | None:
        tid = order["tiktok_order_id"]
        with self.lock:
            existing = self.orders.get(tid)
            if existing is not None:  # a re-delivered command: the order made before, never a second one
                return {"status": "done", "platform_order_id": existing.number}
        from tests.support.store import StoreOrder

        with self.lock:
            self.next_number += 1
            made = StoreOrder(str(self.next_number), tid, order["lines"], order)
            self.orders[tid] = made
        for line in order["lines"]:
            key = (line["product_id"], line["variant_id"])
            if key in self.stock:
                self.change(key, quantity=self.stock[key] - line["quantity"])
        return {"status": "done", "platform_order_id": made.number}

    def _send_loop(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                batch = self.outbox[:200]
            if not batch:
                self.stop.wait(0.05)
                continue
            try:
                self.client.send_events(batch)
            except Exception:  # noqa: BLE001 - the hub is restarting: keep the outbox and try again
                self.stop.wait(0.5)
                continue
            with self.lock:
                del self.outbox[:len(batch)]

    def drained(self) -> bool:
        with self.lock:
            return not self.outbox


class WebProcess:
    """`hub serve` in a process of its own, on a fixed port so it can be killed and started again."""

    def __init__(self, environ: dict[str, str], log: Path):
        self.environ, self.log, self.port = environ, log, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = open(self.log, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--port", str(self.port)],
                                        env=self.environ, cwd=ROOT, stdout=out, stderr=out)
        from tests.support.waiting import wait_until

        def up() -> bool:
            assert self.process is not None and self.process.poll() is None, f"hub serve exited: see {self.log}"
            try:
                return requests.get(f"{self.url}/login", timeout=2).ok
            except requests.RequestException:
                return False

        wait_until(up, 180, interval=0.1, what="hub serve answering")  # a busy 2-core machine: slow imports

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def run_chaos(tmp: Path, *, database_url: str | None, products: int, changes: int, orders: int, workers: int,
              fault_rate: float = 0.10, settle_seconds: float = 300.0, seed: int = 17,
              say: Callable[[str], None] = lambda _: None) -> ChaosResult:
    from hub.embedded import EmbeddedRedis
    from hub.jobs.scheduler import holder
    from hub.models import CategoryDefaults, Merchant
    from hub.sync.products.categories import map_category
    from hub.sync.products.schedule import enqueue_listings
    from hub.tiktok.connection import client_for_merchant, connect
    from tests.support.waiting import wait_until

    rng = random.Random(seed)
    result = ChaosResult("postgresql" if database_url and "postgresql" in database_url else "sqlite",
                         products, changes, orders)
    started = time.monotonic()
    closers: list[Callable[[], None]] = []
    try:
        redis_server = EmbeddedRedis(tmp / "redis-server")  # "the" Redis server, killed and restarted below
        redis_url = redis_server.acquire()
        closers.append(redis_server.release)
        sandbox_server = SandboxServer(APP_KEY, APP_SECRET, review_delay=0.3, rate_limit=0, daily_listing_cap=100_000,
                                       fault_seed=seed, webhook_retry_delays=[1, 3, 10])
        closers.append(sandbox_server.close)
        sandbox = Sandbox(sandbox_server.url)
        pictures = ImageServer()
        closers.append(pictures.server.shutdown)
        runtime = make_runtime(tmp / "hub", redis_url, database_url, tiktok_api_base=sandbox.url,
                               tiktok_auth_base=sandbox.url, tiktok_authorize_url=f"{sandbox.url}/open/authorize",
                               tiktok_app_key=APP_KEY, tiktok_app_secret=APP_SECRET, command_visibility_timeout=20)
        closers.append(lambda: close_runtime(runtime))
        creds = add_store(runtime, "woocommerce", "Chaos store", "Chaos Ltd")
        with runtime.db.session_scope() as session:
            session.get(Merchant, creds["merchant_id"]).settings = {"daily_listing_cap": 100_000}
            connect(runtime, session, sandbox.code(), creds["merchant_id"])
            with client_for_merchant(session, creds["merchant_id"], runtime) as tiktok:
                category, required = leaf_without_size_chart(tiktok)
            session.add(CategoryDefaults(store_id=creds["store_id"], tiktok_category_id=category, attributes={
                a["id"]: a["values"][0]["id"] for a in required}))
        environ = hub_environ(runtime)
        web = WebProcess(environ, runtime.settings.data_dir / "web.log")
        web.start()
        closers.append(web.close)
        pool = Workers(runtime, environ).spawn(workers)
        closers.append(pool.close)
        pool.ready()
        sandbox.webhook_url(f"{web.url}/tiktok/webhooks")
        client = HubClient(web.url, creds["key_id"], creds["secret"], max_retries=8, backoff=0.2)

        keys = [(str(20_000 + i), f"{20_000 + i}1") for i in range(products)]
        stock = {k: rng.randint(30, 60) for k in keys}
        prices = {k: f"{rng.randint(500, 4000) / 100:.2f}" for k in keys}
        store = OutboxStore(client, stock, prices).start()
        closers.append(lambda: store.close())

        for fault in FAULT_KINDS:  # four independent draws of rate/4 each: about `fault_rate` of all calls
            sandbox.fault("*", fault, count=10**9, rate=fault_rate / len(FAULT_KINDS),
                          **({"seconds": 2} if fault == "timeout" else {}))
        say(f"hub up ({result.database}); sending {products} products")
        catalog = [{
            "id": pid, "version": 1, "status": "active", "title": f"Organic Cotton T-shirt number {n}",
            "description_html": "<p>Soft organic cotton.</p>", "url": f"https://store.example/p/{pid}", "brand": None,
            "categories": [{"id": "15", "name": "T-shirts", "path": ["Clothing", "T-shirts"]}],
            "images": [{"url": f"{pictures.base}/img/600x600/{n % 250}-{(n * 7) % 250}-90.jpg", "alt": ""}],
            "attributes": {"Material": "Cotton"}, "weight": {"value": "200", "unit": "g"}, "dimensions": None,
            "variants": [{"id": vid, "sku": f"TEE-{pid}", "price": prices[(pid, vid)], "compare_at_price": None,
                          "currency": "GBP", "quantity": stock[(pid, vid)], "manage_stock": True,
                          "options": {"Size": "M"}, "barcode": None, "barcode_type": None, "image_url": None,
                          "weight": None, "dimensions": None}]} for n, (pid, vid) in enumerate(keys)]
        client.send_events([new_event("store.update", store={"currency": "GBP", "weight_unit": "g",
                                                             "dimension_unit": "cm"})])
        client.upsert_products(catalog)
        with runtime.db.session_scope() as session:
            _mapping, affected = map_category(session, creds["store_id"], CATEGORY, category, version="v1")
        enqueue_listings(runtime, creds["store_id"], affected)

        def live() -> dict[str, dict[str, Any]]:
            state = sandbox.state()
            return {p["external_product_id"] or p["skus"][0]["seller_sku"]: p for p in state["products"]
                    if p["status"] == "ACTIVATE"}

        stop = threading.Event()
        errors: list[str] = []

        def change_flow() -> None:
            for n in range(changes):
                if stop.is_set():
                    return
                key = rng.choice(keys)
                if n % 2:
                    store.change(key, quantity=rng.randint(20, 60))
                else:
                    store.change(key, price=f"{rng.randint(500, 4000) / 100:.2f}")
                stop.wait(0.005)

        def order_flow() -> None:
            placed = 0
            while placed < orders and not stop.is_set():
                try:
                    on_sale = list(live().values())
                except requests.RequestException:
                    return  # the run is being torn down
                if not on_sale:
                    stop.wait(0.5)
                    continue
                product = rng.choice(on_sale)
                try:
                    sandbox.place_order([{"sku_id": product["skus"][0]["id"], "quantity": 1}],
                                        status="AWAITING_SHIPMENT")
                    placed += 1
                except Exception as error:  # noqa: BLE001
                    errors.append(f"placing an order: {error}")
                stop.wait(0.02)
            result.orders = placed

        threads = [threading.Thread(target=change_flow, daemon=True), threading.Thread(target=order_flow, daemon=True)]
        for thread in threads:
            thread.start()

        def kill_worker(which: str) -> None:
            token = holder(runtime.redis) if which == "scheduler" else None
            alive = [p for p in pool.processes if p.exitcode is None]
            victim = next((p for p in alive if token and int(token.split(":")[1]) == p.pid), None) or rng.choice(alive)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.join(10)
            pool.spawn(1)  # the process supervisor starts a new one
            result.kills.append(f"worker{' (scheduler)' if token and victim.pid == int(token.split(':')[1]) else ''}")

        def listings() -> str:
            from collections import Counter

            from sqlalchemy import select

            from hub.models import Listing

            with runtime.db.session_scope() as session:
                rows = session.execute(select(Listing.status, Listing.reason)).all()
            return str(Counter(f"{status}: {(reason or '')[-200:]}" for status, reason in rows).most_common(4))

        def reach(share: int, what: str) -> None:
            try:
                wait_until(lambda: len(live()) >= max(1, products // share), settle_seconds, interval=0.5, what=what)
            except AssertionError as error:
                raise AssertionError(f"{error}; listings: {listings()}") from None

        reach(10, "the first tenth of the products live")
        say(f"listings: {listings()}")
        say("killing the worker running the scheduler")
        kill_worker("scheduler")
        reach(4, "a quarter of the products live")
        say("killing Redis")
        os.kill(int(redis_server.pid_file.read_text()), signal.SIGKILL)
        result.kills.append("redis")
        stop.wait(3)
        redis_server.ensure_running()
        say("Redis back; killing the web process")
        reach(3, "a third of the products live")
        web.kill()
        result.kills.append("web")
        stop.wait(2)
        web.start()
        say("web back; killing another worker")
        kill_worker("any")
        for thread in threads:
            thread.join(settle_seconds)
        say("load done; faults off, settling")
        struck = sum(f["hits"] for f in sandbox.state()["faults"])
        result.faults_struck = struck
        sandbox.control("DELETE", "/faults")
        settle_start = time.monotonic()

        def check() -> list[str]:
            return _problems(runtime, sandbox, store, creds["store_id"], keys, result)

        last: list[str] = []

        def settled() -> bool:
            nonlocal last
            last = check()
            return not last

        try:
            wait_until(settled, settle_seconds, interval=2, what="the settled state")
        except AssertionError:
            last = last + [f"listings: {listings()}"]
        result.settle_seconds = time.monotonic() - settle_start
        result.problems = last + errors + _leaked_secrets(runtime, creds["secret"], result)
        stop.set()
        dead = [p.pid for p in pool.processes if p.exitcode is not None and p.exitcode != -signal.SIGKILL]
        if dead:
            result.problems.append(f"worker processes exited on their own: {dead}")
    finally:
        for closer in reversed(closers):
            try:
                closer()
            except Exception:  # noqa: BLE001 - tearing down: the rest still closes
                pass
    result.total_seconds = time.monotonic() - started
    return result


def _problems(runtime: Any, sandbox: Sandbox, store: OutboxStore, store_id: str, keys: list[tuple[str, str]],
              result: ChaosResult) -> list[str]:
    from sqlalchemy import func, select

    from hub.models import Command, Order

    problems: list[str] = []
    if not store.drained():
        problems.append("the store's outbox still holds changes")
    state = sandbox.state()
    by_external: dict[str, list[dict[str, Any]]] = {}
    for product in state["products"]:  # the store's product id, from the seller SKU the hub sent (TEE-<id>)
        by_external.setdefault(product["skus"][0]["seller_sku"].removeprefix("TEE-"), []).append(product)
    duplicates = [pid for pid, found in by_external.items() if len(found) > 1]
    if duplicates:
        problems.append(f"duplicate TikTok listings for {duplicates[:5]}")
    missing = [pid for pid, _vid in keys if pid not in by_external]
    if missing:
        problems.append(f"{len(missing)} products not on TikTok, e.g. {missing[:3]}")
    result.tiktok_products = len(by_external)
    wrong = []
    with store.lock:
        want = {k: (store.stock[k], store.prices[k]) for k in keys}
    for pid, vid in keys:
        found = by_external.get(pid)
        if not found:
            continue
        sku = found[0]["skus"][0]
        quantity, price = want[(pid, vid)]
        if sku["stock"] != quantity or Decimal(str(sku["price"])) != Decimal(price):
            wrong.append(f"{pid}: TikTok {sku['stock']} @ {sku['price']}, store {quantity} @ {price}")
    if wrong:
        problems.append(f"{len(wrong)} SKUs differ from the store, e.g. {wrong[:3]}")
    tiktok_orders = {o["id"] for o in state["orders"]}
    with runtime.db.session_scope() as session:
        rows = session.execute(select(Order.tiktok_order_id, Order.status, Order.reason)).all()
        per_order = session.execute(select(Command.dedupe_key, func.count()).where(
            Command.store_id == store_id, Command.type == "order.create").group_by(Command.dedupe_key)).all()
    statuses = {tid: (status, reason) for tid, status, reason in rows}
    not_in_hub = tiktok_orders - set(statuses)
    if not_in_hub:
        problems.append(f"{len(not_in_hub)} TikTok orders the hub does not have")
    unsettled = [f"{tid}: {status}" for tid, (status, reason) in statuses.items()
                 if not (status == "created" or (status == "failed" and reason))]
    if unsettled:
        problems.append(f"{len(unsettled)} orders neither Created nor Failed with a reason, e.g. {unsettled[:3]}")
    if any(count > 1 for _key, count in per_order):
        problems.append("an order got more than one order.create command")
    store_orders = len(store.orders)
    created = sum(1 for status, _ in statuses.values() if status == "created")
    result.orders_created = created
    result.orders_failed = sum(1 for status, _ in statuses.values() if status == "failed")
    if store_orders != created:
        problems.append(f"the store has {store_orders} orders, the hub says {created} were created")
    return problems


def _leaked_secrets(runtime: Any, store_secret: str, result: ChaosResult) -> list[str]:
    """After the run: no plaintext TikTok token, app secret, store secret or hub key in any row, any
    Redis value or any file of the hub's data folder (the web and worker logs among them)."""
    from tests.support.secrets import database_dump, folder_dump, plaintext_found, redis_dump, tiktok_tokens

    secrets = {"app secret": APP_SECRET, "hub secret key": runtime.settings.secret_key, "store secret": store_secret}
    secrets.update({f"TikTok token {n}": token for n, token in enumerate(sorted(tiktok_tokens(runtime)))})
    result.secrets_checked = len(secrets)
    return plaintext_found(secrets, {"database": database_dump(runtime), "Redis": redis_dump(runtime.redis),
                                     "data folder": folder_dump(runtime.settings.data_dir)})


def unique_name() -> str:
    return uuid.uuid4().hex[:8]
