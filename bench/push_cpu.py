"""CPU per price/stock push and per ingested change: what one worker core can keep at TikTok's budget.

Usage: python -m bench.push_cpu [--products 500] [--changes 5000] [--workers 1] [--postgres [URL]]

Real parts: the TikTok sandbox as its own process, the hub on loopback HTTP (in this process), `hub
worker` processes, Redis, SQLite (or PostgreSQL). Live products are created and bound as in
`bench.propagation`; then `--changes` random price and stock changes are posted in batches of 500
(one Extension API request each) and the run waits until TikTok holds every final value.

- *CPU per ingested change*: this process's CPU while posting (the hub's request handling plus the
  client building the requests: an upper bound for the hub's share) ÷ changes.
- *CPU per push*: the worker processes' CPU (user + system, from `psutil`) from the first change to
  the last value on TikTok ÷ the update calls the sandbox received (one call per product and endpoint).
"""

from __future__ import annotations

import argparse
import random
import time
from contextlib import ExitStack

import psutil
import requests

from bench._harness import live_hub, postgres_url
from bench.propagation import connect, hub_settings, list_products, sandbox_process, workers
from bench.storm import _update_calls
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event

LIMIT = 50.0


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            for p in [proc, *proc.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--changes", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", nargs="?", const="", default=None)
    args = parser.parse_args()
    with ExitStack() as stack:
        database_url = None if args.postgres is None else stack.enter_context(postgres_url(args.postgres or None))
        run(args, database_url)


def run(args: argparse.Namespace, database_url: str | None) -> None:
    rng = random.Random(args.seed)
    with sandbox_process(LIMIT) as sandbox_url, \
            live_hub(database_url, **hub_settings(sandbox_url)) as (url, creds, runtime):
        hub = HubClient(url, creds["key_id"], creds["secret"], timeout=120)
        client = connect(runtime, creds["store_id"], sandbox_url)
        bound = list_products(runtime, hub, client, creds["store_id"], args.products, sandbox_url)
        final: dict[str, tuple[int, str]] = {}
        batches: list[list[dict]] = [[] for _ in range((args.changes + 499) // 500)]
        for n in range(args.changes):
            i = rng.randrange(args.products)
            quantity, price = rng.randrange(0, 500), f"{rng.randrange(100, 10000) / 100:.2f}"
            batches[n // 500].append({"product_id": f"p{i}", "variant_id": f"v{i}", "quantity": quantity,
                                      "price": price, "version": 100 + n})
            final[f"p{i}"] = (quantity, price)
        expected = {bound[p][1]: v for p, v in final.items()}
        with workers(runtime, sandbox_url, args.workers) as procs:
            time.sleep(3.0)  # the workers are up and have started their periodic jobs
            watched = [psutil.Process(p.pid) for p in procs]
            base = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
            worker_cpu = _cpu(watched)
            start, own_cpu = time.perf_counter(), time.process_time()
            for items in batches:
                hub.send_events([new_event("inventory.update", items=items)])
            ingest_cpu, sent = time.process_time() - own_cpu, time.perf_counter() - start
            while True:
                state = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
                held = {s["id"]: (s["stock"], s["price"]) for p in state["products"] for s in p["skus"]}
                if all(held.get(sku) == value for sku, value in expected.items()) or time.perf_counter() - start > 600:
                    break
                time.sleep(0.5)
            done = time.perf_counter() - start
            worker_cpu = _cpu(watched) - worker_cpu
        client.close()
    pushes = _update_calls(state) - _update_calls(base)
    print(f"{args.changes} changes to {args.products} products posted in {sent:.1f} s; every value on TikTok "
          f"after {done:.1f} s; {pushes} update calls; {args.workers} worker(s); "
          f"{'PostgreSQL' if database_url else 'SQLite'}")
    print(f"CPU per ingested change: {ingest_cpu / args.changes * 1000:.3f} ms ({ingest_cpu:.2f} s)")
    print(f"CPU per push (worker): {worker_cpu / max(pushes, 1) * 1000:.2f} ms ({worker_cpu:.2f} s for {pushes} calls)"
          f" → one core keeps {1 / (worker_cpu / max(pushes, 1)) / LIMIT:.1f} shops at {LIMIT:.0f} calls/s")


if __name__ == "__main__":
    main()
