"""BigCommerce initial catalogue: the first sweep of a store with 10,000 products, read 250 a page
from the fake BigCommerce and stored at the hub; the time it takes and the API quota it uses.

Usage: python -m bench.bigcommerce_catalog [--products 10000] [--variants 3]

The hub's side only: the fake BigCommerce (`plugins/bigcommerce/fake`) answers on loopback in this
process, so its own time is in the figure too, but no network or BigCommerce latency is. The sweep runs
as the install queues it (`hub.stores.sweep.sweep_store`, called here directly in this process): the
webhook subscriptions, `/v2/store`, the category trees and brands, then `GET /v3/catalog/products
?include=variants,images,custom_fields&limit=250` page by page, each page mapped and stored through the
same intake as the Extension API (embedded Redis, SQLite). The quota is counted from the fake's log of
the app's calls (BigCommerce's documented example quota is 150 requests per 30 s window).
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import func, select

from bench.bigcommerce_stock import APP_ID, CLIENT_ID, CLIENT_SECRET, STORE, bigcommerce_hub, install
from bench.propagation import sandbox_process


def main() -> None:
    from hub.models import ProductSnapshot
    from hub.stores.sweep import sweep_store
    from plugins.bigcommerce.fake import FakeBigCommerce, make_product

    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--variants", type=int, default=3)
    args = parser.parse_args()
    sizes = ["S", "M", "L", "XL", "XXL"][: args.variants]
    with FakeBigCommerce(CLIENT_ID, CLIENT_SECRET, app_id=APP_ID, quota=150, window_ms=30_000) as fake, \
            sandbox_process() as sandbox_url, bigcommerce_hub(fake, sandbox_url) as (_url, runtime):
        fake.add_store(STORE, "Bench Tees")
        for i in range(args.products):
            fake.save_product(STORE, make_product(
                100_000 + i, f"Catalogue product {i}", categories=[23], brand_id=36, mpn=f"MPN-{i}",
                images=[f"{fake.image_url}/{i}-1.jpg", f"{fake.image_url}/{i}-2.jpg"], custom_fields={"Material": "Cotton"},
                variants=[{"options": {"Size": s}, "sku": f"CAT-{i}-{s}", "stock": 5} for s in sizes]), notify=False)
        store_id = install(runtime, fake)  # the install queues the sweep; it is run here, timed
        calls_before = len(fake.app_calls(STORE))
        started = time.perf_counter()
        result = sweep_store(runtime, store_id)
        elapsed = time.perf_counter() - started
        calls = fake.app_calls(STORE)[calls_before:]
        with runtime.db.session_scope() as session:
            stored = session.scalar(select(func.count()).select_from(ProductSnapshot)
                                    .where(ProductSnapshot.store_id == store_id))
        pages = sum(1 for _t, call, _s in calls if call == "GET /v3/catalog/products")
        throttled = sum(1 for _t, _call, status in calls if status == 429)
        windows = max(1, int(elapsed // 30) + 1)
    print(f"bigcommerce initial catalogue: {stored} products x {args.variants} variants stored in {elapsed:.1f} s "
          f"({stored / elapsed:.0f} products/s); {len(calls)} API requests ({pages} product pages of 250), "
          f"{throttled} answered 429, over {windows} quota window(s) of 30 s; sweep result {result}")


if __name__ == "__main__":
    main()
