"""Order latency: an order placed in the sandbox (immediate import mode) → `order.create` in a waiting long-poll.

Real sandbox, live hub, real `hub worker` processes, webhooks over HTTP. The clock starts just before
the sandbox control call that places the (paid, on-hold) order and stops when the fake store's
long-poll returns the command.

    python -m bench.order_latency --orders 200 --workers 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import redis

from bench._harness import percentile
from tests.support.orders import FakeStore, build_world, wait_until


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    redis.Redis.from_url(args.redis_url).flushdb()
    with tempfile.TemporaryDirectory() as tmp:
        world = build_world(Path(tmp), args.redis_url, workers=args.workers, sku_stock=args.orders * 2 + 10)
        store = FakeStore(world.client).start()
        try:
            world.set_settings(import_at="immediately")
            latencies = []
            for _ in range(args.orders):
                started = time.monotonic()
                tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}], status="ON_HOLD")
                wait_until(lambda: tid in store.received_at, 30, interval=0.001)
                latencies.append(store.received_at[tid] - started)
        finally:
            store.close()
            world.close()
    ms = [x * 1000 for x in latencies]
    print(f"orders={len(ms)} p50={percentile(ms, 0.5):.0f} ms p99={percentile(ms, 0.99):.0f} ms "
          f"max={max(ms):.0f} ms (target p99 < 1000 ms)")


if __name__ == "__main__":
    main()
