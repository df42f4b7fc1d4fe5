"""BigCommerce stock propagation: a stock change in the store (its inventory webhook sent) → the new
quantity visible in the TikTok sandbox (p50, p99).

Usage: python -m bench.bigcommerce_stock [--changes 200] [--products 20] [--workers 1]

Real parts: the sandbox as its own process, the hub on loopback HTTP (its public URL is its own
address), `hub worker` processes loading the BigCommerce connector from its entry point, the embedded
Redis-compatible server and SQLite. BigCommerce is the fake on loopback (`plugins/bigcommerce/fake`) in
this process: it sends the `store/sku/inventory/updated` webhook signed as BigCommerce does. The
products are listed on the sandbox and bound as the listing engine binds them; each measured change
then goes webhook → verified and stored → notification job (one product read from BigCommerce) →
intake → stock push job → TikTok client → sandbox.
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

from bench._harness import live_hub, percentile
from bench.propagation import APP_KEY, APP_SECRET, hub_settings, sandbox_process

CLIENT_ID, CLIENT_SECRET, APP_ID, STORE = "bench-bc-client", "bench-bc-secret-0123456789abcdef", "31415", "bench1"


def bigcommerce_env(fake: Any) -> dict[str, str]:
    return {"HUB_BIGCOMMERCE_CLIENT_ID": CLIENT_ID, "HUB_BIGCOMMERCE_CLIENT_SECRET": CLIENT_SECRET,
            "HUB_BIGCOMMERCE_APP_ID": APP_ID, "HUB_BIGCOMMERCE_API_URL": fake.api_url,
            "HUB_BIGCOMMERCE_LOGIN_URL": fake.login_url, "HUB_BIGCOMMERCE_ADMIN_ORIGIN": fake.admin_origin}


@contextmanager
def bigcommerce_hub(fake: Any, sandbox_url: str) -> Iterator[tuple[str, Any]]:
    """A live hub whose BigCommerce connector talks to `fake` (registered here, loaded by the workers)."""
    from hub.stores.registry import register, unregister
    from plugins.bigcommerce.config import from_environment
    from plugins.bigcommerce.connector import BigCommerceConnector

    register(BigCommerceConnector(from_environment(bigcommerce_env(fake))))
    try:
        with live_hub(**hub_settings(sandbox_url)) as (url, _creds, runtime):
            runtime.settings = runtime.settings.with_overrides(public_url=url)
            fake.configure_app(f"{url}/stores/bigcommerce")
            yield url, runtime
    finally:
        unregister("bigcommerce")


@contextmanager
def workers(runtime: Any, fake: Any, url: str, sandbox_url: str, count: int) -> Iterator[None]:
    env = dict(os.environ, HUB_DATA_DIR=str(runtime.settings.data_dir), HUB_DATABASE_URL=runtime.settings.database_url,
               HUB_REDIS_URL=runtime.redis_url, HUB_TIKTOK_API_BASE=sandbox_url, HUB_TIKTOK_AUTH_BASE=sandbox_url,
               HUB_TIKTOK_APP_KEY=APP_KEY, HUB_TIKTOK_APP_SECRET=APP_SECRET, HUB_PUBLIC_URL=url,
               HUB_SECRET_KEY=runtime.settings.secret_key, HUB_ALLOW_PRIVATE_IMAGE_HOSTS="1", **bigcommerce_env(fake))
    procs = [subprocess.Popen([sys.executable, "-m", "bench.propagation", "--worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:  # a job still running: the warm shutdown would wait for it
                proc.kill()
                proc.wait(10)


def install(runtime: Any, fake: Any) -> str:
    """The control panel's install; returns the hub's store id."""
    from sqlalchemy import select

    from hub.models import StoreCredential

    answer = requests.get(fake.install_url(STORE), timeout=60)
    if answer.status_code != 200:
        raise SystemExit(f"install failed: {answer.status_code} {answer.text[:300]}")
    with runtime.db.session_scope() as session:
        return str(session.scalar(select(StoreCredential.store_id).where(StoreCredential.shop_id == STORE)))


def list_on_sandbox(runtime: Any, store_id: str, sandbox_url: str, products: list[dict[str, Any]]) -> dict[int, str]:
    """Create each product on the sandbox and bind it as the listing engine would: product id → TikTok id."""
    from hub.models import Listing, SkuBinding, Store
    from hub.models.listings import ACTIVE
    from hub.tiktok.connection import client_for_merchant, connect
    from tests.support.sandbox import leaf_without_size_chart, png

    code = requests.post(f"{sandbox_url}/sandbox/oauth/code", json={}, timeout=10).json()["code"]
    with runtime.db.session_scope() as session:
        merchant_id = session.get(Store, store_id).merchant_id
        connect(runtime, session, code, merchant_id)
        client = client_for_merchant(session, merchant_id, runtime)
    with client:
        category_id, attributes = leaf_without_size_chart(client)
        image = client.catalog.upload_image(png(), use_case="MAIN_IMAGE")["uri"]
        warehouse = next(w["id"] for w in client.logistics.warehouses()["warehouses"] if w["type"] == "SALES_WAREHOUSE")
        bound: dict[int, str] = {}
        for product in products:
            variant = product["variants"][0]
            created = client.products.create({
                "title": product["name"], "description": "<p>x</p>", "category_id": category_id,
                "main_images": [{"uri": image}], "package_weight": {"value": "0.2", "unit": "KILOGRAM"},
                "package_dimensions": {"length": "10", "width": "10", "height": "5", "unit": "CENTIMETER"},
                "product_attributes": attributes, "external_product_id": f"bc-{product['id']}-{uuid.uuid4().hex[:6]}",
                "skus": [{"seller_sku": variant["sku"], "price": {"amount": "12.50", "currency": "GBP"},
                          "inventory": [{"warehouse_id": warehouse, "quantity": 10}]}]})
            bound[product["id"]] = created["product_id"]
            with runtime.db.session_scope() as session:
                session.add(SkuBinding(store_id=store_id, product_id=str(product["id"]), variant_id=str(variant["id"]),
                                       tiktok_product_id=created["product_id"], tiktok_sku_id=created["skus"][0]["id"],
                                       seller_sku=variant["sku"], pushed_price="12.50", pushed_quantity=10,
                                       pushed_version=1, tiktok_warehouse_id=warehouse))  # as the listing engine records it
                session.add(Listing(store_id=store_id, product_id=str(product["id"]), status=ACTIVE,
                                    tiktok_product_id=created["product_id"]))
    return bound


def main() -> None:
    from plugins.bigcommerce.fake import FakeBigCommerce, make_product

    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with FakeBigCommerce(CLIENT_ID, CLIENT_SECRET, app_id=APP_ID, quota=100_000) as fake, \
            sandbox_process() as sandbox_url, bigcommerce_hub(fake, sandbox_url) as (url, runtime):
        fake.add_store(STORE, "Bench Tees")
        products = [fake.save_product(STORE, make_product(1000 + i, f"Bench product {i}", sku=f"BC-{i}", stock=10),
                                      notify=False) for i in range(args.products)]
        store_id = install(runtime, fake)
        bound = list_on_sandbox(runtime, store_id, sandbox_url, products)
        poll = requests.Session()
        latencies: list[float] = []
        with workers(runtime, fake, url, sandbox_url, args.workers):
            deadline = time.monotonic() + 60
            while len(fake.stores[STORE].hooks) < 14:  # the first sweep subscribed the hooks
                if time.monotonic() > deadline:
                    raise SystemExit("the hooks were not subscribed within 60 s")
                time.sleep(0.1)
            fake.flush()
            time.sleep(3.0)  # the first sweep's own pushes are done
            for n in range(args.changes):
                product = products[n % len(products)]
                quantity = 100 + n
                start = time.perf_counter()
                fake.set_stock(STORE, product["id"], quantity)
                while True:
                    held = poll.get(f"{sandbox_url}/sandbox/products/{bound[product['id']]}", timeout=10).json()
                    if held["skus"][0]["stock"] == quantity:
                        break
                    if time.perf_counter() - start > 30:
                        raise SystemExit(f"change {n} did not reach the sandbox within 30 s")
                    time.sleep(0.002)
                latencies.append((time.perf_counter() - start) * 1000)
        refused = sum(1 for d in fake.deliveries if d.status != 200)
    print(f"bigcommerce stock over {len(latencies)} changes ({args.workers} worker(s)): "
          f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
          f"max {max(latencies):.1f} ms; webhooks not answered 200: {refused}")


if __name__ == "__main__":
    main()
