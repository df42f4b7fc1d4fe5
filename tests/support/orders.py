"""A whole order-sync world on loopback: the TikTok sandbox, a live hub, real `hub worker` processes,
a connected TikTok shop with a live product, and a fake store extension built on the real hub client.

Used by tests/orders/ and by `bench/order_latency.py` / `bench/order_storm.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hub.app import create_app
from hub.merchants import create_store, find_or_create_merchant
from hub.models import SkuBinding
from hub.runtime import Runtime
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event
from tests.support.hub import Workers, close_runtime, make_runtime
from tests.support.sandbox import APP_KEY, APP_SECRET, Sandbox, SandboxServer, leaf_without_size_chart, png
from tests.support.sandbox import sales_warehouse
from tests.support.servers import LiveServer
from tests.support.store import FakeStore, StoreOrder
from tests.support.waiting import wait_until

__all__ = ["APP_KEY", "APP_SECRET", "FakeStore", "StoreOrder", "World", "build_world", "wait_until"]

# The order tests' sandbox: products are reviewed 0.1 s after they are sent.
SANDBOX_OPTIONS = {"review_delay": 0.1}


@dataclass
class World:
    runtime: Runtime
    sandbox: Sandbox
    hub_url: str
    store: dict[str, str]
    client: HubClient
    product: dict[str, Any] = field(default_factory=dict)  # TikTok product id and sku ids by seller_sku
    workers: Workers | None = None
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

    def notifications(self) -> list[dict[str, Any]]:
        """TikTok notifications the hub received, oldest first, with how far it got with each."""
        from sqlalchemy import select

        from hub.models import TikTokNotification

        with self.runtime.db.session_scope() as session:
            rows = session.scalars(select(TikTokNotification).order_by(TikTokNotification.received_at))
            return [{"notification_id": n.notification_id, "type": n.type, "status": n.status} for n in rows]

    def idle(self) -> bool:
        """No job waiting, scheduled or running on any queue: the workers have done all they were given."""
        from tests.support.jobs import pending_jobs

        return pending_jobs(self.runtime) == 0

    def settled(self) -> bool:
        """Every TikTok notification the hub stored has been handled and the workers have finished every
        job there is (including the jobs those jobs enqueued)."""
        return all(n["status"] != "received" for n in self.notifications()) and self.idle()

    def settle(self, timeout: float = 30.0) -> None:
        wait_until(self.settled, timeout, what="every notification handled and every job finished")

    def wake_store(self) -> None:
        """Wake the store's long-polls, as the hub does when it has a command for the store."""
        from hub.commands.outbox import notify

        notify(self.runtime.redis, self.store["store_id"])

    def start_workers(self, count: int = 1) -> None:
        if self.workers is None:
            self.workers = Workers(self.runtime)
        self.workers.start(count)

    def spawn_workers(self, count: int = 1) -> None:
        """Start `count` workers without waiting for them (`start_workers(0)` waits)."""
        if self.workers is None:
            self.workers = Workers(self.runtime)
        self.workers.spawn(count)

    def poll_now(self) -> None:
        """Run the periodic order search once, in a worker (as the schedule would)."""
        from hub.queues import ORDERS, queue

        job = queue(ORDERS, self.runtime.redis).enqueue("hub.jobs.orders.poll_orders", False)
        wait_until(lambda: job.get_status(refresh=True) in ("finished", "failed"), 30, what="poll job")
        assert job.get_status() == "finished", job.exc_info

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()
        for closer in reversed(self.closers):
            closer()


def build_world(tmp_path: Path, redis_url: str, *, workers: int = 1, visibility_timeout: int = 120,
                database_url: str | None = None, sku_stock: int = 500,
                sandbox: Sandbox | None = None) -> World:
    """`sandbox`: a reset sandbox built with SANDBOX_OPTIONS (the tests share one); none: a private one."""
    from hub.tiktok.connection import connect

    closers: list[Callable[[], None]] = []
    if sandbox is None:
        server = SandboxServer(APP_KEY, APP_SECRET, **SANDBOX_OPTIONS)
        closers.append(server.close)
        sandbox = Sandbox(server.url)
    runtime = make_runtime(tmp_path, redis_url, database_url, tiktok_api_base=sandbox.url,
                           tiktok_auth_base=sandbox.url, tiktok_authorize_url=f"{sandbox.url}/open/authorize",
                           tiktok_app_key=APP_KEY, tiktok_app_secret=APP_SECRET,
                           command_visibility_timeout=visibility_timeout)
    closers.append(lambda: close_runtime(runtime))
    # The workers import the hub (a second or two) while the rest is set up; until it is, they find
    # nothing to do.
    world = World(runtime, sandbox, "", {}, None, workers=Workers(runtime).spawn(workers),  # type: ignore[arg-type]
                  closers=closers)
    try:
        hub_server = LiveServer(create_app(runtime=runtime)).start()
        closers.append(hub_server.close)
        with runtime.db.session_scope() as session:
            merchant = find_or_create_merchant(session, "Northern Threads Ltd")
            store, secret = create_store(session, runtime.secrets, merchant, "woocommerce", "Northern Threads")
            world.store = {"store_id": store.id, "key_id": store.key_id, "secret": secret, "merchant_id": merchant.id}
            connect(runtime, session, sandbox.code(), merchant.id)
        world.hub_url = hub_server.url
        world.client = HubClient(hub_server.url, world.store["key_id"], world.store["secret"], max_retries=2,
                                 backoff=0.05)
        _set_up(world, sku_stock)
        world.workers.ready()
    except BaseException:
        world.close()
        raise
    return world


def _set_up(world: World, sku_stock: int) -> None:
    """A live TikTok product for the store, known to the hub and bound to the store's variants."""
    from hub.tiktok.connection import client_for_merchant

    runtime, sandbox, client, creds = world.runtime, world.sandbox, world.client, world.store

    # A live TikTok product with two SKUs, created through the real API.
    with runtime.db.session_scope() as session:
        tiktok = client_for_merchant(session, creds["merchant_id"], runtime)
    with tiktok:
        category, attributes = leaf_without_size_chart(tiktok)
        image = tiktok.catalog.upload_image(png(), use_case="MAIN_IMAGE")
        warehouse = sales_warehouse(tiktok)
        body = {"title": "Men's Cotton Ankle Socks 5 Pack", "description": "<p>Breathable cotton socks.</p>",
                "category_id": category, "main_images": [{"uri": image["uri"]}],
                "package_weight": {"value": "0.25", "unit": "KILOGRAM"},
                "package_dimensions": {"length": "20", "width": "15", "height": "5", "unit": "CENTIMETER"},
                "product_attributes": attributes, "external_product_id": "88",
                "skus": [{"seller_sku": sku, "sales_attributes": [{"name": "Size", "value_name": size}],
                          "price": {"amount": "9.99", "currency": "GBP"},
                          "inventory": [{"warehouse_id": warehouse, "quantity": sku_stock}]}
                         for sku, size in (("SOCK-M", "M"), ("SOCK-L", "L"))]}
        created = tiktok.products.create(body)
        product_id = created["product_id"]
        wait_until(lambda: tiktok.products.get(product_id)["status"] == "ACTIVATE", 20, what="product live")
        skus = {s["seller_sku"]: s["id"] for s in tiktok.products.get(product_id)["skus"]}
    world.product = {"id": product_id, "skus": skus, "warehouse_id": warehouse}

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
    sandbox.webhook_url(f"{world.hub_url}/tiktok/webhooks")
