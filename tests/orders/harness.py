"""A whole order-sync world on loopback: the TikTok sandbox, a live hub, real `hub worker` processes,
a connected TikTok shop with a live product, and a fake store extension built on the real hub client.

Shared by the tests in this folder and by `bench/order_latency.py` / `bench/order_storm.py`.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import requests
from PIL import Image

from hub.app import create_app
from hub.merchants import create_store, find_or_create_merchant
from hub.models import SkuBinding
from hub.runtime import Runtime
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event
from sandbox.app import create_app as create_sandbox
from tests.conftest import LiveServer, make_runtime

APP_KEY = "6a8shopsync"
APP_SECRET = "9f1c2e7d5b3a4c6e8f0a1b2c3d4e5f60"
ROOT = Path(__file__).resolve().parents[2]
# `hub worker` with the job modules imported before RQ forks a work horse per job, so each job does not
# pay their import again (hub/jobs/worker.py does not preload them yet).
PRELOADED_WORKER = """
import hub.jobs.orders, hub.jobs.tiktok_notifications, hub.sync.orders.importer, hub.sync.orders.handoff
import hub.sync.orders.events, hub.sync.orders.fulfilment, hub.sync.orders.cancellations, hub.sync.orders.polling
import hub.tiktok.connection, hub.tiktok.orders, hub.merchant_settings, hub.sync.dispatch
from hub.cli import main
main(["worker"])
"""


def wait_until(fn: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s (last value {value!r})")
        time.sleep(interval)


class Sandbox:
    def __init__(self, server: LiveServer):
        self.url = server.url
        self.http = requests.Session()

    def control(self, method: str, path: str, json: Any = None, ok: bool = True) -> Any:
        response = self.http.request(method, f"{self.url}/sandbox{path}", json=json, timeout=10)
        if ok:
            assert response.status_code < 300, response.text
        return response.json()

    def place_order(self, lines: list[dict[str, Any]], status: str = "AWAITING_SHIPMENT", **spec: Any) -> str:
        return self.control("POST", "/orders", {"lines": lines, "status": status, **spec})["id"]

    def move(self, order_id: str, status: str, **body: Any) -> dict[str, Any]:
        return self.control("POST", f"/orders/{order_id}/status", {"status": status, **body})

    def order(self, order_id: str) -> dict[str, Any]:
        return self.control("GET", f"/orders/{order_id}")

    def webhooks(self, order_id: str | None = None) -> list[dict[str, Any]]:
        log = self.control("GET", "/webhooks")["webhooks"]
        return [w for w in log if order_id is None or str(w["payload"]["data"].get("order_id")) == order_id]


@dataclass
class StoreOrder:
    number: str
    tiktok_order_id: str
    lines: list[dict[str, Any]]
    order: dict[str, Any]
    cancelled: bool = False


class FakeStore:
    """A store extension (simulated external system) that follows docs/extension-api.md rule 3.

    It keeps its own order table keyed by TikTok order id, so a re-delivered `order.create` finds the
    order it made before; its stock goes down when it creates an order and it reports the new absolute
    quantity through `inventory.update`, as a real extension does.
    """

    def __init__(self, client: HubClient, stock: dict[tuple[str, str], int] | None = None):
        self.client = client
        self.orders: dict[str, StoreOrder] = {}
        self.stock = dict(stock or {})
        self.lock = threading.Lock()
        self.crash_next_after_create = False
        self.fail_with: dict[str, Any] | None = None
        self.hold: threading.Event | None = None  # when set up, a create waits for it (to race a cancel)
        self.holding = threading.Event()
        self.received: list[dict[str, Any]] = []
        self.received_at: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.next_number = 1000

    def start(self) -> "FakeStore":
        self.stop.clear()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=15)

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                commands = self.client.poll_commands(wait=2, limit=50)
            except Exception:  # noqa: BLE001 - keep polling like a real cron would
                time.sleep(0.2)
                continue
            now = time.monotonic()
            for command in commands:
                self.received.append(command)
                key = (command["payload"].get("order") or command["payload"]).get("tiktok_order_id")
                self.received_at.setdefault(str(key), now)
                result = self.handle(command)
                if result is None:
                    continue  # crashed before reporting: the lease runs out and the hub hands it out again
                try:
                    self.client.report_result(command["id"], result)
                except Exception:  # noqa: BLE001
                    pass

    def handle(self, command: dict[str, Any]) -> dict[str, Any] | None:
        if command["type"] == "order.create":
            return self._create(command["payload"]["order"])
        if command["type"] == "order.cancel":
            with self.lock:
                found = self.orders.get(command["payload"]["tiktok_order_id"])
                if found is None:
                    return {"status": "failed", "reason": "PLATFORM_ERROR", "message": "no such order",
                            "retryable": False}
                found.cancelled = True
                return {"status": "done", "platform_order_id": found.number}
        return {"status": "done"}

    def _create(self, order: dict[str, Any]) -> dict[str, Any] | None:
        tid = order["tiktok_order_id"]
        if self.hold is not None:
            self.holding.set()
            self.hold.wait(20)
        with self.lock:
            existing = self.orders.get(tid)
            if existing is not None:  # rule 3: report the order made before, never a second one
                return {"status": "done", "platform_order_id": existing.number}
            if self.fail_with is not None:
                return dict(self.fail_with)
            self.next_number += 1
            made = StoreOrder(str(self.next_number), tid, order["lines"], order)
            self.orders[tid] = made
            changed = []
            for line in order["lines"]:
                key = (line["product_id"], line["variant_id"])
                if key in self.stock:
                    self.stock[key] -= line["quantity"]
                    changed.append({"product_id": key[0], "variant_id": key[1], "quantity": self.stock[key],
                                    "price": None, "version": time.time_ns() // 1000})
            crash = self.crash_next_after_create
            self.crash_next_after_create = False
        if changed:
            self.client.send_events([new_event("inventory.update", items=changed)])
        if crash:
            return None
        return {"status": "done", "platform_order_id": made.number}

    def send(self, type_: str, **fields: Any) -> list[dict[str, Any]]:
        return self.client.send_events([new_event(type_, **fields)])


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (30, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class World:
    runtime: Runtime
    sandbox: Sandbox
    hub_url: str
    store: dict[str, str]
    client: HubClient
    product: dict[str, Any] = field(default_factory=dict)  # TikTok product id and sku ids by seller_sku
    workers: list[subprocess.Popen] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def sku(self, seller_sku: str) -> str:
        return self.product["skus"][seller_sku]

    def set_settings(self, **orders: Any) -> None:
        from hub.merchant_settings import merged
        from hub.models import Merchant

        with self.runtime.db.session_scope() as session:
            merchant = session.get(Merchant, self.store["merchant_id"])
            merchant.settings = merged(merchant.settings, {"orders": orders})

    def orders(self) -> dict[str, dict[str, Any]]:
        from hub.sync.orders.status import list_orders

        with self.runtime.db.session_scope() as session:
            return {o["tiktok_order_id"]: o for o in list_orders(session, self.store["store_id"])}

    def order(self, tid: str) -> dict[str, Any] | None:
        return self.orders().get(tid)

    def wait_status(self, tid: str, status: str, timeout: float = 20.0) -> dict[str, Any]:
        return wait_until(lambda: (o := self.order(tid)) is not None and o["status"] == status and o,
                          timeout, what=f"order {tid} {status} (now {self.order(tid)})")

    def commands(self, type_: str | None = None) -> list[Any]:
        from sqlalchemy import select

        from hub.models import Command

        with self.runtime.db.session_scope() as session:
            rows = session.scalars(select(Command).where(Command.store_id == self.store["store_id"]))
            out = [dict(id=c.id, type=c.type, dedupe_key=c.dedupe_key, status=c.status, attempts=c.attempts,
                        payload=c.payload, result=c.result) for c in rows]
        return [c for c in out if type_ is None or c["type"] == type_]

    def start_workers(self, count: int = 1) -> None:
        env = {**os.environ, "HUB_DATA_DIR": str(self.runtime.settings.data_dir),
               "HUB_DATABASE_URL": self.runtime.settings.database_url, "HUB_REDIS_URL": self.runtime.redis_url,
               "HUB_TIKTOK_API_BASE": self.sandbox.url, "HUB_TIKTOK_AUTH_BASE": self.sandbox.url,
               "HUB_TIKTOK_AUTHORIZE_URL": f"{self.sandbox.url}/open/authorize",
               "HUB_TIKTOK_APP_KEY": APP_KEY, "HUB_TIKTOK_APP_SECRET": APP_SECRET,
               "HUB_SECRET_KEY": self.runtime.settings.secret_key,
               # Test stores listen on loopback; production refuses private addresses by default.
               "HUB_ALLOW_PRIVATE_STORE_HOSTS": "1"}
        for _ in range(count):
            log = open(self.runtime.settings.data_dir / f"worker-{len(self.workers)}.log", "ab")
            self.closers.append(log.close)
            self.workers.append(subprocess.Popen([sys.executable, "-c", PRELOADED_WORKER], env=env,
                                                 cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT))
        from rq import Worker

        wait_until(lambda: len(Worker.all(connection=self.runtime.redis)) >= len(self.workers), 60,
                   interval=0.2, what="workers registered")

    def poll_now(self) -> None:
        """Run the periodic order search once, in a worker (as the schedule would)."""
        from hub.queues import ORDERS, queue

        job = queue(ORDERS, self.runtime.redis).enqueue("hub.jobs.orders.poll_orders", False)
        wait_until(lambda: job.get_status(refresh=True) in ("finished", "failed"), 30, what="poll job")
        assert job.get_status() == "finished", job.exc_info

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()


def build_world(tmp_path: Path, redis_url: str, *, workers: int = 1, visibility_timeout: int = 120,
                database_url: str | None = None, sku_stock: int = 500) -> World:
    from hub.runtime import install
    from hub.tiktok.connection import client_for_merchant, connect

    sandbox_server = LiveServer(create_sandbox(APP_KEY, APP_SECRET, review_delay=0.1)).__enter__()
    sandbox = Sandbox(sandbox_server)
    runtime = make_runtime(tmp_path, redis_url, database_url, tiktok_api_base=sandbox.url,
                           tiktok_auth_base=sandbox.url, tiktok_authorize_url=f"{sandbox.url}/open/authorize",
                           tiktok_app_key=APP_KEY, tiktok_app_secret=APP_SECRET,
                           command_visibility_timeout=visibility_timeout)
    hub_server = LiveServer(create_app(runtime=runtime)).__enter__()
    with runtime.db.session_scope() as session:
        merchant = find_or_create_merchant(session, "Northern Threads Ltd")
        store, secret = create_store(session, runtime.secrets, merchant, "woocommerce", "Northern Threads")
        creds = {"store_id": store.id, "key_id": store.key_id, "secret": secret, "merchant_id": merchant.id}
        connect(runtime, session, sandbox.control("POST", "/oauth/code", {})["code"], merchant.id)
    client = HubClient(hub_server.url, creds["key_id"], creds["secret"], max_retries=2, backoff=0.05)
    world = World(runtime, sandbox, hub_server.url, creds, client)
    world.closers += [lambda: sandbox_server.__exit__(None), lambda: hub_server.__exit__(None),
                      lambda: (install(None), runtime.close())]

    # A live TikTok product with two SKUs, created through the real API.
    with runtime.db.session_scope() as session:
        tiktok = client_for_merchant(session, creds["merchant_id"], runtime)
    with tiktok:
        categories = tiktok.catalog.categories()["categories"]
        category, attributes = None, []
        for candidate in categories:
            if not candidate["is_leaf"]:
                continue
            rules = tiktok.catalog.rules(candidate["id"])
            if rules.get("size_chart", {}).get("is_required") or any(
                    c.get("is_required") for c in rules.get("product_certifications", [])):
                continue
            category = candidate["id"]
            attributes = [{"id": a["id"], "values": [{"id": a["values"][0]["id"]}]}
                          for a in tiktok.catalog.attributes(category)["attributes"]
                          if a["type"] == "PRODUCT_PROPERTY" and a.get("is_requried") and a.get("values")]
            break
        image = tiktok.catalog.upload_image(png(), use_case="MAIN_IMAGE")
        warehouse = next(w for w in tiktok.logistics.warehouses()["warehouses"]
                         if w["type"] == "SALES_WAREHOUSE" and w["effect_status"] == "ENABLED")
        body = {"title": "Men's Cotton Ankle Socks 5 Pack", "description": "<p>Breathable cotton socks.</p>",
                "category_id": category, "main_images": [{"uri": image["uri"]}],
                "package_weight": {"value": "0.25", "unit": "KILOGRAM"},
                "package_dimensions": {"length": "20", "width": "15", "height": "5", "unit": "CENTIMETER"},
                "product_attributes": attributes, "external_product_id": "88",
                "skus": [{"seller_sku": sku, "sales_attributes": [{"name": "Size", "value_name": size}],
                          "price": {"amount": "9.99", "currency": "GBP"},
                          "inventory": [{"warehouse_id": warehouse["id"], "quantity": sku_stock}]}
                         for sku, size in (("SOCK-M", "M"), ("SOCK-L", "L"))]}
        created = tiktok.products.create(body)
        product_id = created["product_id"]
        wait_until(lambda: tiktok.products.get(product_id)["status"] == "ACTIVATE", 20, what="product live")
        skus = {s["seller_sku"]: s["id"] for s in tiktok.products.get(product_id)["skus"]}
    world.product = {"id": product_id, "skus": skus, "warehouse_id": warehouse["id"]}

    # The store's side: the canonical product arrives through the Extension API; the binding between
    # store variant and TikTok SKU is written as test data (the listing engine normally writes it).
    client.upsert_products([{
        "id": "88", "version": 1, "status": "active", "title": "Men's Cotton Ankle Socks 5 Pack",
        "description_html": "<p>Socks</p>", "url": "https://store.example/p/88", "brand": "Acme",
        "categories": [], "images": [], "attributes": {},
        "weight": {"value": "0.25", "unit": "kg"}, "dimensions": None,
        "variants": [{"id": vid, "sku": sku, "price": "9.99", "compare_at_price": None, "currency": "GBP",
                      "quantity": sku_stock, "manage_stock": True, "options": {"Size": size}, "barcode": None,
                      "barcode_type": None, "image_url": None, "weight": None, "dimensions": None}
                     for vid, sku, size in (("91", "SOCK-M", "M"), ("92", "SOCK-L", "L"))]}])
    client.send_events([new_event("store.update", store={"currency": "GBP", "weight_unit": "kg",
                                                          "dimension_unit": "cm"})])
    with runtime.db.session_scope() as session:
        for vid, sku in (("91", "SOCK-M"), ("92", "SOCK-L")):
            session.add(SkuBinding(store_id=creds["store_id"], product_id="88", variant_id=vid,
                                   tiktok_product_id=product_id, tiktok_sku_id=skus[sku], seller_sku=sku,
                                   pushed_quantity=sku_stock))
    sandbox.control("PUT", "/webhook-url", {"url": f"{hub_server.url}/tiktok/webhooks"})
    world.start_workers(workers)
    return world


def new_event_id() -> str:
    return str(uuid.uuid4())
