"""Settings page with a large catalogue: how long the Products page takes to answer.

Usage: python -m bench.settings_page [--products 20000] [--runs 5] [--postgres [URL]]

Real parts: the hub over loopback HTTP (threaded server, SQLite by default), a logged-in merchant, the
catalogue sent through the Extension API as a store would send it (3 variants each, half of it in a
mapped category). Times the Overview, the first page of Products, a status filter, a text search, the last page, one
product's page and the Categories page; median of `--runs` requests each.
"""

from __future__ import annotations

import argparse
import re
import time
from contextlib import ExitStack

import requests

from bench._harness import live_hub, median, postgres_url
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event

EMAIL, PASSWORD = "bench@example.com", "bench password 123"


def catalogue(start: int, count: int) -> list[dict]:
    events = []
    for i in range(start, start + count):
        leaf = "Socks" if i % 2 else "T-shirts"
        events.append(new_event("product.upsert", product={
            "id": str(i), "version": 1, "status": "active", "title": f"Organic cotton {leaf.lower()} {i}",
            "description_html": "<p>Soft organic cotton, knitted in Leicester.</p>" * 10,
            "categories": [{"id": leaf, "name": leaf, "path": ["Clothing", leaf]}],
            "images": [{"url": f"https://store.example/img/{i}-{k}.jpg"} for k in range(3)],
            "attributes": {"Material": "Cotton"}, "weight": {"value": "200", "unit": "g"},
            "variants": [{"id": f"{i}-{s}", "sku": f"SKU-{i}-{s}", "price": "9.99", "quantity": 5,
                          "options": {"Size": s}} for s in ("S", "M", "L")]}))
    return events


def login(base: str) -> requests.Session:
    http = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(f"{base}/login", timeout=30).text).group(1)
    answer = http.post(f"{base}/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD}, timeout=30)
    assert answer.status_code == 200 and "Overview" in answer.text, answer.status_code
    return http


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", nargs="?", const="", default=None)
    args = parser.parse_args()
    with ExitStack() as stack:
        database_url = None if args.postgres is None else stack.enter_context(postgres_url(args.postgres or None))
        run(args, database_url)


def run(args: argparse.Namespace, database_url: str | None) -> None:
    from hub.merchants import create_user
    from hub.models import CategoryMapping, Store

    with live_hub(database_url) as (url, creds, runtime):
        with runtime.db.session_scope() as session:
            store = session.get(Store, creds["store_id"])
            create_user(session, store.merchant, EMAIL, PASSWORD)
            session.add(CategoryMapping(store_id=store.id, category_key="clothing > socks",
                                        category_path="Clothing > Socks", tiktok_category_id="601226",
                                        tiktok_category_name="Socks"))
        hub = HubClient(url, creds["key_id"], creds["secret"], timeout=300)
        hub.send_events([new_event("store.update", store={"currency": "GBP"})])
        loaded = time.perf_counter()
        for start in range(0, args.products, 500):
            hub.send_events(catalogue(start, min(500, args.products - start)))
        print(f"{args.products} products sent in {time.perf_counter() - loaded:.0f} s", flush=True)
        http = login(url)
        last = (args.products + 49) // 50
        pages = {"overview": "/", "first page": "/products/", "status filter": "/products/?status=Needs+category",
                 "text search": f"/products/?q=socks+{args.products - 1}", "last page": f"/products/?page={last}",
                 "one product": f"/products/{creds['store_id']}/{args.products // 2}", "categories": "/categories/"}
        for name, path in pages.items():
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                answer = http.get(url + path, timeout=300)
                times.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            print(f"{name:14} {path:50} median {median(times):8.1f} ms  ({len(answer.content) // 1024} KiB)")


if __name__ == "__main__":
    main()
