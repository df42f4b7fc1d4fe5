"""TikTok rate limiting: worker processes sharing one shop's request budget through Redis.

Usage: python -m bench.rate_limit [--workers 2] [--limit 20] [--seconds 30]

The sandbox enforces `--limit` requests/s for the shop and endpoint (token bucket, answers 429 above
it); each worker process runs its own `ShopClient` with a `RateLimiter` on the shared Redis and calls
the endpoint as fast as the limiter lets it. Reports the achieved rate as a fraction of the limit
(target >= 90%) and the 429s TikTok (the sandbox) answered (target 0).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import make_server

APP_KEY, APP_SECRET = "benchkey", "benchsecret"
ENDPOINT = "GET /logistics/202309/warehouses"


def _worker(api: str, redis_url: str, token: str, cipher: str, limit: float, start: float, until: float,
            results: "multiprocessing.Queue[tuple[int, int]]") -> None:
    import redis

    from hub.errors import HubError
    from hub.tiktok.client import ShopClient, StaticToken
    from hub.tiktok.ratelimit import RateLimiter

    limiter = RateLimiter(redis.Redis.from_url(redis_url), per_second=limit)
    client = ShopClient(api_base=api, app_key=APP_KEY, app_secret=APP_SECRET, tokens=StaticToken(token),
                        shop_cipher=cipher, limiter=limiter)
    done = failed = 0
    time.sleep(max(0.0, start - time.time()))
    while time.time() < until:
        try:
            client.logistics.warehouses()
            done += 1
        except HubError:
            failed += 1
    results.put((done, failed))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()

    from sandbox.app import create_app

    embedded = None
    redis_url = os.environ.get("HUB_REDIS_URL")
    with tempfile.TemporaryDirectory() as tmp:
        if not redis_url:
            from hub.embedded import EmbeddedRedis

            embedded = EmbeddedRedis(Path(tmp))
            redis_url = embedded.acquire()
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        server = make_server("127.0.0.1", 0, create_app(APP_KEY, APP_SECRET), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        api = f"http://127.0.0.1:{server.server_port}"
        http = requests.Session()
        http.put(f"{api}/sandbox/rate-limits", json={"default_per_second": args.limit}, timeout=5).raise_for_status()
        code = http.post(f"{api}/sandbox/oauth/code", json={}, timeout=5).json()["code"]
        token = http.get(f"{api}/api/v2/token/get", timeout=5, params={
            "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": code,
            "grant_type": "authorized_code"}).json()["data"]["access_token"]
        cipher = http.get(f"{api}/sandbox/state", timeout=5).json()["shops"][0]["cipher"]

        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        start = time.time() + 2.0  # let the processes import before the clock starts
        until = start + args.seconds
        procs = [context.Process(target=_worker, args=(api, redis_url, token, cipher, args.limit, start, until, results))
                 for _ in range(args.workers)]
        for proc in procs:
            proc.start()
        outcomes = [results.get(timeout=args.seconds + 60) for _ in procs]
        for proc in procs:
            proc.join()
        state = http.get(f"{api}/sandbox/state", timeout=5).json()
        server.shutdown()
        if embedded is not None:
            embedded.release()

    done = sum(o[0] for o in outcomes)
    failed = sum(o[1] for o in outcomes)
    calls = state["calls"].get(ENDPOINT, 0)
    throttled = state["throttled"].get(ENDPOINT, 0)
    rate = done / args.seconds
    print(f"workers={args.workers} limit={args.limit:g}/s seconds={args.seconds:g}")
    print(f"successful calls={done} failed={failed} sandbox calls={calls} 429s={throttled}")
    print(f"achieved {rate:.2f}/s = {100 * rate / args.limit:.1f}% of the limit (target >= 90%, 0 429s)")


if __name__ == "__main__":
    main()
