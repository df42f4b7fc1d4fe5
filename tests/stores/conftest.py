"""A hosted store world on loopback: the TikTok sandbox, Fakeshop (a store platform) with its
connector registered, a live hub, a merchant with a settings-page login and a connected TikTok shop.

Jobs run in this process with RQ's SimpleWorker in burst mode (`world.work()`), so a test drives the
pipeline step by step and waits for observable end states, never for fixed times.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from sqlalchemy import select

from hub.app import create_app
from hub.merchants import create_user, find_or_create_merchant
from hub.models import Store
from hub.runtime import Runtime
from hub.stores.registry import register, unregister
from tests.support.hosted import EMAIL, PASSWORD, HostedWorld
from tests.support.hub import close_runtime, make_runtime
from tests.support.sandbox import SandboxPool
from tests.support.servers import LiveServer
from tests.stores.fakeplatform.connector import FakeshopConnector
from tests.stores.fakeplatform.server import FakePlatform

APP_KEY = "6a8hosted"
APP_SECRET = "1f1c2e7d5b3a4c6e8f0a1b2c3d4e5f62"
CLIENT_ID = "fakeshop-app"
CLIENT_SECRET = "fakeshop-client-secret-0123456789"


class World(HostedWorld):
    default_shop = "acme"

    def __init__(self, runtime: Runtime, sandbox_url: str, platform: FakePlatform, connector: FakeshopConnector,
                 hub_url: str, merchant_id: str):
        super().__init__(runtime, sandbox_url, connector, hub_url, merchant_id)
        self.platform = platform

    def install(self, shop: str = "acme") -> requests.Response:
        """The merchant starts the install on the Stores page; Fakeshop's authorize redirects back."""
        response = self.browser().post_form("/stores/", "/stores/install/fakeshop", {"shop": shop})
        assert response.status_code == 200, response.text
        return response

    def stores(self) -> list[Store]:
        with self.runtime.db.session_scope() as session:
            rows = list(session.scalars(select(Store)))
            for row in rows:
                session.expunge(row)
            return rows


def tee(product_id: int, *, price: str = "12.50", stock: tuple[int, int] = (10, 4), image: str = "") -> dict[str, Any]:
    """A Fakeshop product in Fakeshop's own shape (not the hub's canonical one)."""
    return {"id": product_id, "title": f"Organic Cotton Crew Neck T-shirt {product_id}", "status": "active",
            "body_html": "<p>Soft organic cotton.</p>", "vendor": "Acme", "product_type": "Clothing > T-shirts",
            "grams": 250, "images": [{"src": image}] if image else [], "options": [{"name": "Size"}],
            "metafields": {"Material": "Cotton"},
            "variants": [{"id": product_id * 10 + 1, "sku": f"TEE-{product_id}-M", "price": price, "option1": "M",
                          "inventory_quantity": stock[0], "barcode": None},
                         {"id": product_id * 10 + 2, "sku": f"TEE-{product_id}-L", "price": price, "option1": "L",
                          "inventory_quantity": stock[1], "barcode": None}]}


@pytest.fixture()
def platform() -> Iterator[FakePlatform]:
    with FakePlatform(CLIENT_ID, CLIENT_SECRET) as fake:
        fake.add_shop("acme", "Acme Tees")
        fake.add_shop("other", "Other Tees")
        yield fake


@pytest.fixture()
def connector(platform: FakePlatform) -> Iterator[FakeshopConnector]:
    made = FakeshopConnector(platform.url, CLIENT_ID, CLIENT_SECRET)
    register(made)
    yield made
    unregister(made.platform)


@pytest.fixture()
def world(tmp_path: Path, redis_url: str, database_url: str, platform: FakePlatform,
          connector: FakeshopConnector, sandboxes: SandboxPool) -> Iterator[World]:
    """Every hosted-store test runs on SQLite (the embedded default) and on PostgreSQL (production)."""
    sandbox = sandboxes.fresh(APP_KEY, APP_SECRET, review_delay=0.2)
    runtime = make_runtime(tmp_path, redis_url, database_url, tiktok_api_base=sandbox.url, tiktok_auth_base=sandbox.url,
                           tiktok_authorize_url=f"{sandbox.url}/open/authorize", tiktok_app_key=APP_KEY,
                           tiktok_app_secret=APP_SECRET, command_visibility_timeout=5)
    try:
        with runtime.db.session_scope() as session:
            merchant = find_or_create_merchant(session, "Acme Tees Ltd")
            create_user(session, merchant, EMAIL, PASSWORD)
            merchant_id = merchant.id
        with LiveServer(create_app(runtime=runtime)) as hub:
            requests.put(f"{sandbox.url}/sandbox/webhook-url", json={"url": f"{hub.url}/tiktok/webhooks"},
                         timeout=10)
            yield World(runtime, sandbox.url, platform, connector, hub.url, merchant_id)
    finally:
        close_runtime(runtime)
