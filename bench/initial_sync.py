"""Initial catalog sync: products listed per second with N worker processes, and image uploads on a re-sync.

Usage: python -m bench.initial_sync [--products 1000] [--workers 2] [--database sqlite|postgresql]

1,000 products × 3 variants × 3 distinct images each (3,000 pictures, 600×600 JPEG) are stored in the
hub first (as the Extension API would), then their category is mapped and the clock starts: the
listing jobs run in `--workers` separate worker processes (RQ workers on the embedded Redis) against
the TikTok sandbox on loopback with its rate limits off, the pictures coming from a local HTTP server.
The figure is products created on TikTok per second, from mapping to the last create. Then every
product's details are resent (Resync details), and the number of image uploads that caused is counted
from the sandbox's own call counter: the content-hash cache should make it 0.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

APP_KEY, APP_SECRET = "benchkey", "benchsecret0123456789abcdef012345"
UPLOAD = "POST /product/202309/images/upload"
CREATE = "POST /product/202309/products"


def _worker() -> None:
    """A worker process: the hub runtime from the environment, then an RQ worker until the queues are empty."""
    from rq import SimpleWorker

    from hub.config import load_settings
    from hub.queues import all_queues
    from hub.runtime import Runtime, install

    runtime = Runtime.build(load_settings())
    install(runtime)
    try:
        SimpleWorker(all_queues(runtime.redis), connection=runtime.redis).work(
            burst=True, with_scheduler=False, logging_level="ERROR")
    finally:
        runtime.close()


class Pictures:
    """A threaded loopback server with one JPEG per path, made once and kept in memory."""

    def __init__(self) -> None:
        from werkzeug.serving import make_server
        from werkzeug.wrappers import Request, Response

        self.cache: dict[str, bytes] = {}
        lock = threading.Lock()

        def app(environ, start_response):  # noqa: ANN001, ANN202
            from PIL import Image

            path = Request(environ).path
            with lock:
                data = self.cache.get(path)
            if data is None:
                n = int(path.rsplit("/", 1)[-1].split(".")[0])
                buffer = io.BytesIO()
                Image.new("RGB", (600, 600), (n % 251, (n // 251) % 251, (n * 7) % 253)).save(buffer, "JPEG", quality=80)
                data = buffer.getvalue()
                with lock:
                    self.cache[path] = data
            return Response(data, mimetype="image/jpeg")(environ, start_response)

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _catalog(count: int, pictures: Pictures) -> list[dict]:
    products = []
    for i in range(count):
        pid = str(10_000 + i)
        products.append({
            "id": pid, "version": 1, "status": "active", "title": f"Organic Cotton T-shirt number {i}",
            "description_html": "<p>Soft organic cotton.</p><ul><li>Regular fit</li><li>Machine washable</li></ul>"
                                "<table><tr><th>Material</th><td>Cotton</td></tr></table>",
            "url": f"https://store.example/p/{pid}", "brand": None,
            "categories": [{"id": "15", "name": "T-shirts", "path": ["Clothing", "T-shirts"]}],
            "images": [{"url": f"{pictures.base}/img/{3 * i + k}.jpg", "alt": ""} for k in range(3)],
            "attributes": {"Material": "Cotton"}, "weight": {"value": "200", "unit": "g"}, "dimensions": None,
            "variants": [{"id": f"{pid}{s}", "sku": f"TEE-{pid}-{s}", "price": "12.50", "compare_at_price": None,
                          "currency": "GBP", "quantity": 20, "manage_stock": True, "options": {"Size": s},
                          "barcode": None, "barcode_type": None, "image_url": None, "weight": None,
                          "dimensions": None} for s in ("S", "M", "L")],
        })
    return products


def _run_workers(count: int, env: dict[str, str]) -> float:
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "bench.initial_sync", "--worker"], env=env)
             for _ in range(count)]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit("a worker failed")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker()
        return

    import requests
    from sqlalchemy import func, select, update
    from werkzeug.serving import make_server

    from hub.config import load_settings
    from hub.merchants import create_store, find_or_create_merchant
    from hub.migrations import upgrade
    from hub.models import CategoryDefaults, Listing, ListingPlan, Store
    from hub.runtime import Runtime, install
    from hub.sync.intake import apply_events
    from hub.sync.products.categories import map_category
    from hub.sync.products.schedule import enqueue_listings, sync
    from hub.tiktok.connection import connect
    from sandbox.app import create_app as create_sandbox

    sandbox_app = create_sandbox(APP_KEY, APP_SECRET, review_mode="manual", rate_limit=0, daily_listing_cap=100_000)
    sandbox_server = make_server("127.0.0.1", 0, sandbox_app, threaded=True)
    threading.Thread(target=sandbox_server.serve_forever, daemon=True).start()
    sandbox_url = f"http://127.0.0.1:{sandbox_server.server_port}"
    pictures = Pictures()

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HUB_DATA_DIR": tmp, "HUB_TIKTOK_API_BASE": sandbox_url,
               "HUB_TIKTOK_AUTH_BASE": sandbox_url, "HUB_TIKTOK_APP_KEY": APP_KEY,
               "HUB_TIKTOK_APP_SECRET": APP_SECRET, "HUB_ALLOW_PRIVATE_IMAGE_HOSTS": "1",
               "HUB_TIKTOK_RATE_LIMIT": "100000"}
        settings = load_settings(environ=env)
        upgrade(settings.database_url)
        runtime = Runtime.build(settings)
        install(runtime)
        env["HUB_REDIS_URL"] = runtime.redis_url  # the workers share this process's embedded server
        code = requests.post(f"{sandbox_url}/sandbox/oauth/code", json={}, timeout=10).json()["code"]
        with runtime.db.session_scope() as session:
            merchant = find_or_create_merchant(session, "Bench Ltd")
            merchant.settings = {"daily_listing_cap": 100_000}
            connect(runtime, session, code, merchant.id)
            store, _secret = create_store(session, runtime.secrets, merchant, "demo", "Bench")
            store.currency = "GBP"
            store_id = store.id
            session.add(CategoryDefaults(store_id=store_id, tiktok_category_id="601226", attributes={},
                                         size_chart={"template_id": "7001"}))
        catalog = _catalog(args.products, pictures)
        for start in range(0, len(catalog), 500):
            with runtime.db.session_scope() as session:
                events = [{"id": str(uuid.uuid4()), "type": "product.upsert", "product": p}
                          for p in catalog[start:start + 500]]
                apply_events(session, session.get(Store, store_id), events)

        started = time.perf_counter()
        with runtime.db.session_scope() as session:
            _mapping, affected = map_category(session, store_id, "Clothing > T-shirts", "601226", version="v1",
                                              name="Menswear & Underwear > Men's Tops > Men's T-shirts")
        enqueue_listings(runtime, store_id, affected)
        _run_workers(args.workers, env)
        elapsed = time.perf_counter() - started
        state = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
        with runtime.db.session_scope() as session:
            listed = session.scalar(select(func.count()).select_from(Listing).where(
                Listing.store_id == store_id, Listing.tiktok_product_id.is_not(None)))
            failed = session.scalars(select(Listing.reason).where(Listing.tiktok_product_id.is_(None)).limit(3)).all()
        uploads_first = state["calls"].get(UPLOAD, 0)
        print(f"initial sync: {listed}/{args.products} products created in {elapsed:.1f} s with {args.workers} "
              f"workers = {listed / elapsed:.1f} products/s; {uploads_first} image uploads, "
              f"{state['calls'].get(CREATE, 0)} creates" + (f"; not listed: {failed}" if failed else ""))

        with runtime.db.session_scope() as session:
            session.execute(update(ListingPlan).where(ListingPlan.store_id == store_id).values(details_changed=True))
        started = time.perf_counter()
        counts = sync(runtime, store_id, details=True)
        _run_workers(args.workers, env)
        elapsed = time.perf_counter() - started
        state = requests.get(f"{sandbox_url}/sandbox/state", timeout=60).json()
        uploads_again = state["calls"].get(UPLOAD, 0) - uploads_first
        edits = sum(v for k, v in state["calls"].items() if k.startswith("PUT /product/"))
        print(f"re-sync of the same catalog (Resync details, {counts['details']} products, {edits} edits) in "
              f"{elapsed:.1f} s: {uploads_again} image uploads")
        runtime.close()
    sandbox_server.shutdown()
    pictures.server.shutdown()


if __name__ == "__main__":
    main()
