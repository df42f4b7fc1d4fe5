"""The Shopify app's figures, against the fake Shopify (Shopify's real Admin schema) and the TikTok sandbox.

Usage:
  python -m bench.shopify stock [--changes 200] [--products 20]
      an `inventory_levels/update` webhook received by the hub → the new stock visible at the TikTok
      sandbox (p50, p99): webhook → stored → job → one Admin API read → intake → TikTok push;
  python -m bench.shopify catalogue [--products 10000] [--variants 2]
      the first catalogue of a shop through one bulk operation: time from install until every product
      is at the hub, and the Admin API cost used (this measures the hub's side: the fake prepares the
      bulk file in a background thread, its time is shown apart).

Real parts: the sandbox as its own process, the hub on loopback HTTP, `hub worker` processes, the
embedded Redis-compatible server and SQLite (the embedded default).
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
from urllib.parse import urlencode

import requests
from sqlalchemy import func, select

from bench._harness import live_hub, percentile
from bench.propagation import APP_KEY, APP_SECRET, hub_settings, run_worker, sandbox_process

SHOP = "bench-shop.myshopify.com"
CLIENT_ID, CLIENT_SECRET = "bench-shopify-app", "shpss_bench0123456789abcdef0123456789"


def shopify_env(fake: Any) -> dict[str, str]:
    return {"HUB_SHOPIFY_CLIENT_ID": CLIENT_ID, "HUB_SHOPIFY_CLIENT_SECRET": CLIENT_SECRET,
            "HUB_SHOPIFY_ADMIN_URL": fake.admin_url}


@contextmanager
def workers(runtime: Any, sandbox_url: str, fake: Any, count: int) -> Iterator[None]:
    env = dict(os.environ, HUB_DATA_DIR=str(runtime.settings.data_dir), HUB_DATABASE_URL=runtime.settings.database_url,
               HUB_REDIS_URL=runtime.redis_url, HUB_TIKTOK_API_BASE=sandbox_url, HUB_TIKTOK_AUTH_BASE=sandbox_url,
               HUB_TIKTOK_APP_KEY=APP_KEY, HUB_TIKTOK_APP_SECRET=APP_SECRET, HUB_SECRET_KEY=runtime.settings.secret_key,
               HUB_ALLOW_PRIVATE_IMAGE_HOSTS="1", **shopify_env(fake))
    procs = [subprocess.Popen([sys.executable, "-m", "bench.shopify", "worker"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)


def seed(fake: Any, products: int, variants: int) -> None:
    shop = fake.add_shop(SHOP, "Bench Shop")
    location = shop.locations[0]["id"]
    for p in range(products):
        pid = str(100000 + p)
        fake.save_product(SHOP, {
            "id": pid, "title": f"Bench product {p}", "status": "ACTIVE", "vendor": "Bench",
            "productType": "Bench > Things", "descriptionHtml": "<p>A thing.</p>", "images": [],
            "options": [{"name": "Size", "values": [f"S{v}" for v in range(variants)]}] if variants > 1 else [],
            "variants": [{"id": f"{pid}{v:02d}", "sku": f"B-{pid}-{v}", "price": "10.00", "weight": ("200", "GRAMS"),
                          "options": {"Size": f"S{v}"} if variants > 1 else {},
                          "levels": {location: {"available": 10}}} for v in range(variants)]}, notify=False)


def install(runtime: Any, fake: Any, hub_url: str) -> str:
    """The authorization-code install, as the Stores page starts it; returns the store id."""
    from hub.merchants import find_or_create_merchant
    from hub.models import StoreCredential
    from hub.stores import install as installing

    with runtime.db.session_scope() as session:
        merchant_id = find_or_create_merchant(session, "Bench merchant").id
    state = installing.new_state(runtime, "shopify", merchant_id)
    url = f"{fake.url}/{SHOP}/admin/oauth/authorize?" + urlencode(
        {"client_id": CLIENT_ID, "scope": "read_products", "redirect_uri": f"{hub_url}/stores/shopify/auth/callback",
         "state": state})
    requests.get(url, timeout=60).raise_for_status()
    with runtime.db.session_scope() as session:
        return session.scalar(select(StoreCredential.store_id).where(StoreCredential.shop_id == SHOP))


def products_at_hub(runtime: Any, store_id: str) -> int:
    from hub.models import ProductSnapshot

    with runtime.db.session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(ProductSnapshot)
                                  .where(ProductSnapshot.store_id == store_id)) or 0)


def bind(runtime: Any, store_id: str, sandbox_url: str, fake: Any) -> dict[str, str]:
    """List every product on the sandbox and bind it as the listing engine would: variant id → TikTok product id."""
    from bench.propagation import connect
    from hub.models import Listing, SkuBinding
    from hub.models.listings import ACTIVE
    from tests.support.sandbox import leaf_without_size_chart, png

    client = connect(runtime, store_id, sandbox_url)
    category_id, attributes = leaf_without_size_chart(client)
    image = client.catalog.upload_image(png(), use_case="MAIN_IMAGE")["uri"]
    warehouse = next(w["id"] for w in client.logistics.warehouses()["warehouses"] if w["type"] == "SALES_WAREHOUSE")
    bound: dict[str, str] = {}
    for product in fake.shops[SHOP].products.values():
        variant = product["variants"][0]
        created = client.products.create({
            "title": product["title"], "description": "<p>x</p>", "category_id": category_id,
            "main_images": [{"uri": image}], "package_weight": {"value": "0.2", "unit": "KILOGRAM"},
            "package_dimensions": {"length": "10", "width": "10", "height": "5", "unit": "CENTIMETER"},
            "product_attributes": attributes, "external_product_id": f"bench-{product['id']}-{uuid.uuid4().hex[:6]}",
            "skus": [{"seller_sku": variant["sku"], "price": {"amount": "10.00", "currency": "GBP"},
                      "inventory": [{"warehouse_id": warehouse, "quantity": 10}]}]})
        with runtime.db.session_scope() as session:
            session.add(SkuBinding(store_id=store_id, product_id=product["id"], variant_id=variant["id"],
                                   tiktok_product_id=created["product_id"], tiktok_sku_id=created["skus"][0]["id"],
                                   seller_sku=variant["sku"], pushed_price="10.00", pushed_quantity=10, pushed_version=1))
            session.add(Listing(store_id=store_id, product_id=product["id"], status=ACTIVE,
                                tiktok_product_id=created["product_id"]))
        bound[variant["id"]] = created["product_id"]
    client.close()
    return bound


def stock(changes: int, products: int) -> None:
    from plugins.shopify.fake_admin import FakeShopify

    with FakeShopify(CLIENT_ID, CLIENT_SECRET, bucket=(20000.0, 1000.0)) as fake, sandbox_process() as sandbox_url:
        os.environ.update(shopify_env(fake))
        seed(fake, products, 1)
        with live_hub(**hub_settings(sandbox_url)) as (url, _creds, runtime):
            fake.hub_url = url
            runtime.settings = runtime.settings.with_overrides(public_url=url)
            with workers(runtime, sandbox_url, fake, 1):
                store_id = install(runtime, fake, url)
                deadline = time.monotonic() + 120
                while products_at_hub(runtime, store_id) < products and time.monotonic() < deadline:
                    time.sleep(0.2)
                bound = bind(runtime, store_id, sandbox_url, fake)
                location = fake.shops[SHOP].locations[0]["id"]
                variants = list(bound)
                poll = requests.Session()
                latencies: list[float] = []
                time.sleep(1.0)
                for n in range(changes):
                    variant = variants[n % len(variants)]
                    quantity = 100 + n
                    start = time.perf_counter()
                    fake.set_stock(SHOP, variant, location, quantity)  # returns once the hub answered 200
                    while True:
                        held = poll.get(f"{sandbox_url}/sandbox/products/{bound[variant]}", timeout=10).json()
                        if held["skus"][0]["stock"] == quantity:
                            break
                        if time.perf_counter() - start > 30:
                            raise SystemExit(f"change {n} did not reach the sandbox within 30 s")
                        time.sleep(0.002)
                    latencies.append((time.perf_counter() - start) * 1000)
    print(f"Shopify inventory_levels/update → TikTok sandbox over {len(latencies)} changes (1 worker): "
          f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
          f"max {max(latencies):.1f} ms")


def catalogue(products: int, variants: int) -> None:
    from plugins.shopify import queries
    from plugins.shopify.fake_admin import FakeShopify

    with FakeShopify(CLIENT_ID, CLIENT_SECRET) as fake, sandbox_process() as sandbox_url:
        os.environ.update(shopify_env(fake))
        started = time.perf_counter()
        seed(fake, products, variants)
        print(f"seeded {products} products with {variants} variants in {time.perf_counter() - started:.1f} s")
        with live_hub(**hub_settings(sandbox_url)) as (url, _creds, runtime):
            fake.hub_url = url
            runtime.settings = runtime.settings.with_overrides(public_url=url)
            with workers(runtime, sandbox_url, fake, 1):
                time.sleep(2.0)  # the worker process is up
                spent_before, calls_before = fake.cost_spent, len(fake.documents)
                started = time.perf_counter()
                store_id = install(runtime, fake, url)
                deadline = time.monotonic() + 3600
                while products_at_hub(runtime, store_id) < products and time.monotonic() < deadline:
                    time.sleep(0.5)
                took = time.perf_counter() - started
                documents = fake.documents[calls_before:]
                cost = fake.cost_spent - spent_before
                [operation] = fake.shops[SHOP].bulk.values()
                # What reading the same catalogue product by product would have cost (one product's actual cost).
                token = next(t for t, (shop, _) in fake.tokens.items() if shop == SHOP)
                one = requests.post(f"{fake.url}/{SHOP}/admin/api/{fake.version}/graphql.json", timeout=30,
                                    json={"query": queries.PRODUCT, "variables": {"id": "gid://shopify/Product/100000"}},
                                    headers={"X-Shopify-Access-Token": token}).json()["extensions"]["cost"]
    per_product = one["actualQueryCost"]
    print(f"first catalogue of {products} products ({products * variants} variants) through one bulk operation: "
          f"{took:.1f} s from install to every product at the hub ({products / took:.0f} products/s); "
          f"the fake's bulk file took {operation['seconds']:.1f} s of it ({int(operation['fileSize']) / 1e6:.1f} MB, "
          f"{operation['objectCount']} lines)")
    print(f"Admin API: {len(documents)} GraphQL calls ({', '.join(sorted(set(documents)))}), {cost:.0f} cost points; "
          f"product by product it would be {products} calls and about {per_product * products:,.0f} points "
          f"({per_product} each, requested {one['requestedQueryCost']}), "
          f"{per_product * products / 100 / 60:.0f} min at a Standard shop's 100 points/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["stock", "catalogue", "worker"])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--products", type=int, default=None)
    parser.add_argument("--variants", type=int, default=2)
    args = parser.parse_args()
    if args.what == "worker":
        run_worker()
    elif args.what == "stock":
        stock(args.changes, args.products or 20)
    else:
        catalogue(args.products or 10000, args.variants)


if __name__ == "__main__":
    main()
