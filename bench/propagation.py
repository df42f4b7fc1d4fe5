"""Propagation: one stock change posted to the Extension API → visible in the TikTok sandbox (p50, p99).

Usage: python -m bench.propagation [--changes 200] [--products 20]

Real parts only: the sandbox runs as its own process (`python -m sandbox`), the hub on loopback HTTP,
one `hub worker` process, the embedded Redis-compatible server and SQLite (the embedded default).
Products are created on the sandbox through its public create API and bound as the listing engine
would bind them; every measured change then goes Extension API → job → TikTok client → sandbox.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from typing import Any, Iterator

import requests

from bench._harness import live_hub, percentile, processes
from bench._harness import sandbox_process as harness_sandbox
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event

APP_KEY = "benchkey"
APP_SECRET = "benchsecret0123456789abcdef"


@contextmanager
def sandbox_process(rate_limit: float = 50.0, shops: int = 1) -> Iterator[str]:
    with harness_sandbox(APP_KEY, APP_SECRET, rate_limit=rate_limit, shops=shops) as url:
        yield url


def hub_settings(sandbox_url: str) -> dict[str, Any]:
    return {"tiktok_api_base": sandbox_url, "tiktok_auth_base": sandbox_url,
            "tiktok_authorize_url": f"{sandbox_url}/open/authorize", "tiktok_app_key": APP_KEY,
            "tiktok_app_secret": APP_SECRET, "allow_private_image_hosts": True}


@contextmanager
def workers(runtime: Any, sandbox_url: str, count: int) -> Iterator[list[subprocess.Popen]]:
    env = dict(os.environ, HUB_DATA_DIR=str(runtime.settings.data_dir), HUB_DATABASE_URL=runtime.settings.database_url,
               HUB_REDIS_URL=runtime.redis_url, HUB_TIKTOK_API_BASE=sandbox_url, HUB_TIKTOK_AUTH_BASE=sandbox_url,
               HUB_TIKTOK_APP_KEY=APP_KEY, HUB_TIKTOK_APP_SECRET=APP_SECRET)
    if runtime.settings.secret_key:
        env["HUB_SECRET_KEY"] = runtime.settings.secret_key
    with processes([[sys.executable, "-m", "bench.propagation", "--worker"]] * count, env) as procs:
        yield procs


def connect(runtime: Any, store_id: str, sandbox_url: str, shop_id: str | None = None) -> Any:
    """The store's merchant connected to the sandbox's shop `shop_id` (default: its first shop)."""
    from hub.models import Store
    from hub.tiktok.connection import client_for_merchant, connect as connect_shop

    body = {"shop_id": shop_id} if shop_id else {}
    code = requests.post(f"{sandbox_url}/sandbox/oauth/code", json=body, timeout=10).json()["code"]
    with runtime.db.session_scope() as session:
        merchant_id = session.get(Store, store_id).merchant_id
        connect_shop(runtime, session, code, merchant_id)
        return client_for_merchant(session, merchant_id, runtime)


def list_products(runtime: Any, hub: HubClient, client: Any, store_id: str, count: int,
                  sandbox_url: str) -> dict[str, tuple[str, str]]:
    """`count` simple products: sent to the hub, created on the sandbox, bound. → product id → (tiktok id, sku id)."""
    from hub.models import Listing, SkuBinding
    from hub.models.listings import ACTIVE
    from tests.support.sandbox import leaf_without_size_chart, png

    hub.send_events([new_event("store.update", store={"currency": "GBP", "weight_unit": "kg", "dimension_unit": "cm"})])
    category_id, attributes = leaf_without_size_chart(client)
    image = client.catalog.upload_image(png(), use_case="MAIN_IMAGE")["uri"]
    warehouse = next(w["id"] for w in client.logistics.warehouses()["warehouses"] if w["type"] == "SALES_WAREHOUSE")
    products = [{"id": f"p{i}", "version": 1, "status": "active", "title": f"Bench product {i}",
                 "description_html": "<p>x</p>", "url": "https://store.example/p", "brand": "",
                 "categories": [], "images": [], "attributes": {}, "weight": None, "dimensions": None,
                 "variants": [{"id": f"v{i}", "sku": f"SKU-{i}", "price": "10.00", "compare_at_price": None,
                               "currency": "GBP", "quantity": 10, "manage_stock": True, "options": {},
                               "barcode": None, "barcode_type": None, "image_url": None, "weight": None,
                               "dimensions": None}]} for i in range(count)]
    hub.upsert_products(products)
    bound: dict[str, tuple[str, str]] = {}
    for product in products:
        i = product["id"][1:]
        created = client.products.create({
            "title": product["title"], "description": "<p>x</p>", "category_id": category_id,
            "main_images": [{"uri": image}], "package_weight": {"value": "0.2", "unit": "KILOGRAM"},
            "package_dimensions": {"length": "10", "width": "10", "height": "5", "unit": "CENTIMETER"},
            "product_attributes": attributes, "external_product_id": f"bench-{i}-{uuid.uuid4().hex[:6]}",
            "skus": [{"seller_sku": f"SKU-{i}", "price": {"amount": "10.00", "currency": "GBP"},
                      "inventory": [{"warehouse_id": warehouse, "quantity": 10}]}]})
        bound[product["id"]] = (created["product_id"], created["skus"][0]["id"])
    deadline = time.monotonic() + 120
    while True:
        state = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
        if all(p["status"] == "ACTIVATE" for p in state["products"]) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    with runtime.db.session_scope() as session:
        for product_id, (tiktok_id, sku_id) in bound.items():
            i = product_id[1:]
            session.add(SkuBinding(store_id=store_id, product_id=product_id, variant_id=f"v{i}",
                                   tiktok_product_id=tiktok_id, tiktok_sku_id=sku_id, seller_sku=f"SKU-{i}",
                                   tiktok_warehouse_id=warehouse,  # as the listing engine records it
                                   pushed_price="10.00", pushed_quantity=10, pushed_version=1))
            session.add(Listing(store_id=store_id, product_id=product_id, status=ACTIVE, tiktok_product_id=tiktok_id))
    return bound


def run_worker() -> None:
    """`hub worker` in a process of its own (it starts the periodic jobs itself)."""
    from hub.cli import _exit_on_sigterm
    from hub.cli.support import build_runtime
    from hub.jobs.worker import run_worker as work

    runtime = build_runtime()
    _exit_on_sigterm()
    try:
        work(runtime)
    finally:
        runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker()
        return
    with sandbox_process() as sandbox_url, live_hub(**hub_settings(sandbox_url)) as (url, creds, runtime):
        hub = HubClient(url, creds["key_id"], creds["secret"])
        client = connect(runtime, creds["store_id"], sandbox_url)
        bound = list_products(runtime, hub, client, creds["store_id"], args.products, sandbox_url)
        poll = requests.Session()
        latencies: list[float] = []
        with workers(runtime, sandbox_url, 1):
            time.sleep(2.0)  # the worker process is up and listening
            for n in range(args.changes):
                product_id = f"p{n % args.products}"
                tiktok_id, _ = bound[product_id]
                quantity = 100 + n
                start = time.perf_counter()
                hub.send_events([new_event("inventory.update", items=[{
                    "product_id": product_id, "variant_id": product_id.replace("p", "v"), "quantity": quantity,
                    "price": None, "version": 10 + n}])])
                while True:
                    held = poll.get(f"{sandbox_url}/sandbox/products/{tiktok_id}", timeout=10).json()
                    if held["skus"][0]["stock"] == quantity:
                        break
                    if time.perf_counter() - start > 30:
                        raise SystemExit(f"change {n} did not reach the sandbox within 30 s")
                    time.sleep(0.002)
                latencies.append((time.perf_counter() - start) * 1000)
        client.close()
    print(f"propagation over {len(latencies)} changes (1 worker): p50 {percentile(latencies, 0.5):.1f} ms, "
          f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms")


if __name__ == "__main__":
    main()
