"""CPU per price/stock push and per ingested change: what one worker core can keep at TikTok's budget.

Usage: python -m bench.push_cpu [--products 500] [--changes 5000] [--workers 1] [--postgres [URL]]
                               [--profile DIR]

Real parts: the TikTok sandbox as its own process, the hub on loopback HTTP (in this process), `hub
worker` processes, Redis, SQLite (or PostgreSQL). Live products are created and bound as in
`bench.propagation`; then `--changes` random price and stock changes are posted in batches of 500
(one Extension API request each) and the run waits until TikTok holds every final value.

- *CPU per ingested change*: this process's CPU while posting (the hub's request handling plus the
  client building the requests: an upper bound for the hub's share) ÷ changes; and the CPU of the
  hub's request threads alone (thread CPU time from the start to the end of each request) ÷ changes.
- *CPU per push*: the worker processes' CPU (user + system, from `psutil`) from the first change to
  the last value on TikTok ÷ the update calls the sandbox received (one call per product and endpoint).

`--profile DIR` writes cProfile statistics of CPU time (per thread): `DIR/worker-<n>.prof` for each worker process (its whole
life, start-up included), `DIR/ingest.prof` for the hub's request threads while posting and
`DIR/client.prof` for the posting client; the top functions by cumulative time are printed
(`python -m pstats DIR/worker-0.prof` for more).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Iterator

import psutil
import requests

from bench._harness import cpu_seconds, live_hub, postgres_url, processes
from bench.propagation import APP_KEY, APP_SECRET, connect, hub_settings, list_products, sandbox_process
from bench.storm import _update_calls
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event

LIMIT = 50.0


@contextmanager
def workers(runtime: Any, sandbox_url: str, count: int, profile: Path | None) -> Iterator[list[subprocess.Popen]]:
    """`hub worker` processes, each under cProfile when `profile` names a directory."""
    env = dict(os.environ, HUB_DATA_DIR=str(runtime.settings.data_dir), HUB_DATABASE_URL=runtime.settings.database_url,
               HUB_REDIS_URL=runtime.redis_url, HUB_TIKTOK_API_BASE=sandbox_url, HUB_TIKTOK_AUTH_BASE=sandbox_url,
               HUB_TIKTOK_APP_KEY=APP_KEY, HUB_TIKTOK_APP_SECRET=APP_SECRET)
    if runtime.settings.secret_key:
        env["HUB_SECRET_KEY"] = runtime.settings.secret_key
    commands = [[sys.executable, "-m", "bench.push_cpu", "--worker",
                 *(["--profile", str(profile / f"worker-{n}.prof")] if profile else [])] for n in range(count)]
    with processes(commands, env, stop_within=30) as procs:
        yield procs


def run_worker(profile: str | None) -> None:
    """`hub worker` in a process of its own; with `profile`, its statistics are written when it stops."""
    from hub.cli import _exit_on_sigterm
    from hub.cli.support import build_runtime
    from hub.jobs.worker import run_worker as work

    runtime = build_runtime()
    _exit_on_sigterm()
    profiler = cProfile.Profile(time.thread_time) if profile else None
    try:
        if profiler is not None:
            profiler.enable()
        work(runtime)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        runtime.close()


@contextmanager
def _served_requests(profiler: cProfile.Profile | None, spent: list[float]) -> Iterator[None]:
    """Time the hub's request threads' CPU into `spent` and profile them with `profiler` if given (one
    request at a time here: the posts are sequential)."""
    from werkzeug.serving import WSGIRequestHandler

    original = WSGIRequestHandler.run_wsgi

    def run_wsgi(handler: WSGIRequestHandler) -> None:
        started = time.thread_time()
        if profiler is not None:
            profiler.enable()
        try:
            original(handler)
        finally:
            if profiler is not None:
                profiler.disable()
            spent.append(time.thread_time() - started)

    WSGIRequestHandler.run_wsgi = run_wsgi  # type: ignore[method-assign]
    try:
        yield
    finally:
        WSGIRequestHandler.run_wsgi = original  # type: ignore[method-assign]


def _print_profile(path: Path, title: str, limit: int = 40) -> None:
    print(f"--- {title}: {path} (top {limit} by cumulative time)")
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(limit)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--changes", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", nargs="?", const="", default=None)
    parser.add_argument("--profile", default=None, help="directory for cProfile statistics")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.profile)
        return
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
        profile = Path(args.profile) if args.profile else None
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
        profiler = cProfile.Profile(time.thread_time) if profile is not None else None
        served = cProfile.Profile(time.thread_time) if profile is not None else None
        spent: list[float] = []  # CPU of each request in the hub's request thread
        with workers(runtime, sandbox_url, args.workers, profile) as procs:
            time.sleep(3.0)  # the workers are up and have started their periodic jobs
            watched = [psutil.Process(p.pid) for p in procs]
            base = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
            worker_cpu = cpu_seconds(watched)
            start, own_cpu = time.perf_counter(), time.process_time()
            with _served_requests(served, spent):
                if profiler is not None:
                    profiler.enable()
                for items in batches:
                    hub.send_events([new_event("inventory.update", items=items)])
                if profiler is not None:
                    profiler.disable()
            ingest_cpu, sent = time.process_time() - own_cpu, time.perf_counter() - start
            while True:
                state = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
                held = {s["id"]: (s["stock"], s["price"]) for p in state["products"] for s in p["skus"]}
                if all(held.get(sku) == value for sku, value in expected.items()) or time.perf_counter() - start > 600:
                    break
                time.sleep(0.5)
            done = time.perf_counter() - start
            worker_cpu = cpu_seconds(watched) - worker_cpu
        client.close()
    pushes = _update_calls(state) - _update_calls(base)
    print(f"{args.changes} changes to {args.products} products posted in {sent:.1f} s; every value on TikTok "
          f"after {done:.1f} s; {pushes} update calls; {args.workers} worker(s); "
          f"{'PostgreSQL' if database_url else 'SQLite'}")
    print(f"CPU per ingested change: {ingest_cpu / args.changes * 1000:.3f} ms ({ingest_cpu:.2f} s); the hub's "
          f"request threads alone: {sum(spent) / args.changes * 1000:.4f} ms ({sum(spent):.3f} s)")
    print(f"CPU per push (worker): {worker_cpu / max(pushes, 1) * 1000:.2f} ms ({worker_cpu:.2f} s for {pushes} calls)"
          f" → one core keeps {1 / (worker_cpu / max(pushes, 1)) / LIMIT:.1f} shops at {LIMIT:.0f} calls/s")
    if profile is not None and profiler is not None and served is not None:
        profiler.dump_stats(str(profile / "client.prof"))
        served.dump_stats(str(profile / "ingest.prof"))
        _print_profile(profile / "ingest.prof", "ingest (the hub's request threads while posting)")
        _print_profile(profile / "client.prof", "the posting client", 15)
        for n in range(args.workers):
            if (profile / f"worker-{n}.prof").exists():
                _print_profile(profile / f"worker-{n}.prof", f"worker {n}")


if __name__ == "__main__":
    main()
