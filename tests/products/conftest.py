"""The listing engine against the real TikTok sandbox over loopback HTTP, with real Redis, a real
database and a real HTTP server on loopback serving the store's pictures."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from hub.merchants import create_store, find_or_create_merchant
from hub.models import Listing, Merchant, Store
from hub.runtime import Runtime
from hub.sync.intake import apply_events
from hub.sync.products.schedule import after_product_changes
from tests.support.hub import close_runtime, make_runtime
from tests.support.images import ImageServer
from tests.support.jobs import work
from tests.support.sandbox import Sandbox, SandboxPool
from tests.support.waiting import wait_until

__all__ = ["ImageServer", "Sandbox", "Shop", "wait_until"]

APP_KEY = "6a8listing"
APP_SECRET = "0f1c2e7d5b3a4c6e8f0a1b2c3d4e5f61"
# Reviews only when a test decides them; no rate limit, so the engine's own pacing is what is tested.
SANDBOX_OPTIONS = {"review_mode": "manual", "rate_limit": 0}


@pytest.fixture()
def sandbox(sandboxes: SandboxPool) -> Sandbox:
    return sandboxes.fresh(APP_KEY, APP_SECRET, **SANDBOX_OPTIONS)


@pytest.fixture(scope="session")
def image_host() -> Iterator[ImageServer]:
    server = ImageServer()
    yield server
    server.close()


@pytest.fixture()
def images(image_host: ImageServer) -> ImageServer:
    image_host.reset()
    return image_host


@pytest.fixture()
def runtime(tmp_path: Path, redis_url: str, sandbox: Sandbox, database_url: str) -> Iterator[Runtime]:
    """Every engine test runs on SQLite (the embedded default) and on PostgreSQL (production)."""
    rt = make_runtime(tmp_path, redis_url, database_url, tiktok_api_base=sandbox.url, tiktok_auth_base=sandbox.url,
                      tiktok_authorize_url=f"{sandbox.url}/open/authorize", tiktok_app_key=APP_KEY,
                      tiktok_app_secret=APP_SECRET)
    yield rt
    close_runtime(rt)


class Shop:
    """A merchant with a connected TikTok shop and one GBP store, and helpers to drive it."""

    def __init__(self, runtime: Runtime, sandbox: Sandbox, images: ImageServer):
        from hub.tiktok.connection import connect

        self.runtime, self.sandbox, self.images = runtime, sandbox, images
        with runtime.db.session_scope() as session:
            merchant = find_or_create_merchant(session, "Northern Threads Ltd")
            connect(runtime, session, sandbox.control("POST", "/oauth/code", {})["code"], merchant.id)
            store, _secret = create_store(session, runtime.secrets, merchant, "woocommerce", "Threads")
            store.currency = "GBP"
            self.merchant_id, self.store_id = merchant.id, store.id
        self.version = 1_700_000_000_000

    def settings(self, **changes: Any) -> None:
        from hub.merchant_settings import merged

        with self.runtime.db.session_scope() as session:
            merchant = session.get(Merchant, self.merchant_id)
            merchant.settings = merged(merchant.settings, changes)

    def push(self, *products: dict[str, Any], events: list[dict[str, Any]] | None = None,
             run: bool = True) -> None:
        """Store events in, as the Extension API applies them, then the dispatch call and the jobs."""
        import uuid

        raw = [{"id": str(uuid.uuid4()), "type": "product.upsert", "product": p} for p in products]
        raw += events or []
        with self.runtime.db.session_scope() as session:
            store = session.get(Store, self.store_id)
            results, changes = apply_events(session, store, raw)
            assert all(r["status"] != "rejected" for r in results), results
        after_product_changes(self.runtime, self.store_id, changes)
        if run:
            self.work()

    def product(self, pid: str, *, title: str | None = None, variants: list[dict[str, Any]] | None = None,
                images: list[str] | None = None, path: tuple[str, ...] = ("Clothing", "T-shirts"),
                **extra: Any) -> dict[str, Any]:
        self.version += 1
        product = {
            "id": pid, "version": self.version, "status": "active",
            "title": title or f"Organic Cotton Crew Neck T-shirt {pid}",
            "description_html": "<p>Soft organic cotton.</p><table><tr><th>Fit</th><td>Regular</td></tr></table>",
            "url": f"https://store.example/p/{pid}", "brand": None,
            "categories": [{"id": "15", "name": path[-1], "path": list(path)}],
            "images": [{"url": u, "alt": ""} for u in (images if images is not None else [self.images.url()])],
            "attributes": {"Material": "Cotton"},
            "weight": {"value": "250", "unit": "g"}, "dimensions": None,
            "variants": variants if variants is not None else [
                {"id": f"{pid}1", "sku": f"TEE-{pid}-M", "price": "12.50", "compare_at_price": None, "currency": "GBP",
                 "quantity": 10, "manage_stock": True, "options": {"Size": "M"}, "barcode": None,
                 "barcode_type": None, "image_url": None, "weight": None, "dimensions": None},
                {"id": f"{pid}2", "sku": f"TEE-{pid}-L", "price": "12.50", "compare_at_price": None, "currency": "GBP",
                 "quantity": 4, "manage_stock": True, "options": {"Size": "L"}, "barcode": None,
                 "barcode_type": None, "image_url": None, "weight": None, "dimensions": None}],
        }
        product.update(extra)
        return product

    def map(self, path: str = "Clothing > T-shirts", tiktok_category_id: str = "601226",
            size_chart: dict[str, Any] | None = None, attributes: dict[str, Any] | None = None) -> list[str]:
        """Map the category (as `hub category map` does) with a size chart default; returns affected ids."""
        from hub.models import CategoryDefaults
        from hub.sync.products.categories import find_leaf, map_category
        from hub.sync.products.schedule import enqueue_listings
        from hub.tiktok.connection import client_for_merchant

        with self.runtime.db.session_scope() as session:
            with client_for_merchant(session, self.merchant_id, self.runtime) as client:
                version, name = find_leaf(client, tiktok_category_id)
            defaults = CategoryDefaults(store_id=self.store_id, tiktok_category_id=tiktok_category_id,
                                        attributes=attributes or {},
                                        size_chart=size_chart if size_chart is not None else
                                        {"image_url": self.images.url(1200, 1600, (250, 250, 250))})
            session.add(defaults)
            _mapping, affected = map_category(session, self.store_id, path, tiktok_category_id,
                                              version=version, name=name)
        enqueue_listings(self.runtime, self.store_id, affected)
        self.work()
        return affected

    def work(self) -> None:
        work(self.runtime)

    def listing(self, pid: str) -> Listing:
        with self.runtime.db.session_scope() as session:
            return session.scalar(select(Listing).where(Listing.store_id == self.store_id, Listing.product_id == pid))

    def deliver_webhooks(self, app_client: Any, seen: set[str]) -> int:
        """Post the sandbox's webhooks (as TikTok sent them) to the hub's webhook endpoint, then work."""
        sent = 0
        for hook in self.sandbox.webhooks():
            if hook["id"] in seen:
                continue
            seen.add(hook["id"])
            response = app_client.post("/tiktok/webhooks", data=hook["body"].encode(),
                                       headers={"Authorization": hook["signature"],
                                                "Content-Type": "application/json"})
            assert response.status_code == 200
            sent += 1
        self.work()
        return sent


@pytest.fixture()
def shop(runtime: Runtime, sandbox: Sandbox, images: ImageServer) -> Shop:
    return Shop(runtime, sandbox, images)

