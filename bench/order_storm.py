"""Order storm: 1,000 orders, every webhook delivered three times, plus overlapping polling.

Counts the `order.create` commands (must be exactly one per order, no duplicate store orders) and
the time from the first order until the fake store has received all of them.

    python -m bench.order_storm --orders 1000 --workers 4
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import redis
import requests

from tests.support.orders import FakeStore, build_world, wait_until


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    args = parser.parse_args()
    redis.Redis.from_url(args.redis_url).flushdb()
    with tempfile.TemporaryDirectory() as tmp:
        world = build_world(Path(tmp), args.redis_url, workers=args.workers, sku_stock=args.orders + 10)
        store = FakeStore(world.client).start()
        stop = threading.Event()
        http = requests.Session()

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
                world.poll_now()
                stop.wait(2)

        threads = [threading.Thread(target=redeliver, daemon=True), threading.Thread(target=poll, daemon=True)]
        try:
            started = time.monotonic()
            for thread in threads:
                thread.start()
            ids = [world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}]) for _ in range(args.orders)]
            placed = time.monotonic() - started
            wait_until(lambda: len(store.orders) >= args.orders, 1800, interval=0.2)
            handed = time.monotonic() - started
            time.sleep(5)  # let late duplicates and the next poll arrive
            stop.set()
            for thread in threads:
                thread.join(30)
            commands = world.commands("order.create")
            keys = [c["dedupe_key"] for c in commands]
            creates = [c for c in store.received if c["type"] == "order.create"]
        finally:
            stop.set()
            store.close()
            world.close()
    print(f"orders={len(ids)} placed_in={placed:.1f}s all_handed_off_in={handed:.1f}s "
          f"order.create commands={len(commands)} duplicate keys={len(keys) - len(set(keys))} "
          f"store orders={len(store.orders)} deliveries to store={len(creates)}")


if __name__ == "__main__":
    main()
