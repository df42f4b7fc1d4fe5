"""Command wake-up: from a command being created to a waiting long-poll returning it (p50, p99).

Usage: python -m bench.command_wakeup [--commands 200]
"""

from __future__ import annotations

import argparse
import threading
import time

from bench._harness import live_hub, percentile
from hub.commands.outbox import create_command, notify
from plugins.hub_client import HubClient


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=200)
    args = parser.parse_args()
    latencies: list[float] = []
    with live_hub() as (url, creds, runtime):
        client = HubClient(url, creds["key_id"], creds["secret"])
        for i in range(args.commands):
            got: list = []
            poller = threading.Thread(target=lambda: got.extend(client.poll_commands(wait=10)))
            poller.start()
            time.sleep(0.05)  # the poll is waiting
            start = time.perf_counter()
            with runtime.db.session_scope() as s:
                create_command(s, creds["store_id"], "order.create", {"n": i}, f"bench:{i}")
            notify(runtime.redis, creds["store_id"])
            poller.join()
            latencies.append((time.perf_counter() - start) * 1000)
            assert len(got) == 1
            client.report_result(got[0]["id"], {"status": "done", "platform_order_id": str(i)})
    print(f"wake-up over {len(latencies)} commands: p50 {percentile(latencies, 0.5):.1f} ms, "
          f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms")


if __name__ == "__main__":
    main()
