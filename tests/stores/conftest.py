"""A hosted store world on loopback: the TikTok sandbox, Fakeshop (a store platform) with its
connector registered, a live hub, a merchant with a settings-page login and a connected TikTok shop.

Jobs run in this process with RQ's SimpleWorker in burst mode (`world.work()`), so a test drives the
pipeline step by step and waits for observable end states, never for fixed times.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests
from rq import SimpleWorker
from sqlalchemy import select

from hub.app import create_app
from hub.queues import all_queues
from hub.merchants import create_user, find_or_create_merchant
from hub.models import Store, StoreCredential
from hub.runtime import Runtime
from hub.stores.registry import register, unregister
from tests.support import waiting
from tests.support.hub import close_runtime, make_runtime
from tests.support.sandbox import SandboxPool
from tests.support.servers import LiveServer
from tests.stores.fakeplatform.connector import FakeshopConnector
from tests.stores.fakeplatform.server import FakePlatform

APP_KEY = "6a8hosted"
APP_SECRET = "1f1c2e7d5b3a4c6e8f0a1b2c3d4e5f62"
CLIENT_ID = "fakeshop-app"
CLIENT_SECRET = "fakeshop-client-secret-0123456789"
PASSWORD = "correct horse battery"
EMAIL = "owner@acme.example"


def wait_until(fn: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05, what: str = "condition",
               work: Callable[[], None] | None = None, detail: Callable[[], Any] | None = None) -> Any:
    """`tests.support.waiting.wait_until`, running `work` (the jobs) before each look and adding
    `detail()` to the failure message."""
    def look() -> Any:
        if work is not None:
            work()
        return fn()

    try:
        return waiting.wait_until(look, timeout, interval, what)
    except AssertionError as problem:
        if detail is None:
            raise
        raise AssertionError(f"{problem}; {detail()!r}") from None


class Browser:
    """A requests session posting forms as a browser does (the CSRF token read from the page)."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(path if path.startswith("http") else self.base + path, timeout=10, **kwargs)

    def post_form(self, page: str, action: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        html = self.get(page).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert token, "the page has no CSRF token"
        target = action if action.startswith("http") else self.base + action
        return self.http.post(target, data={"csrf_token": token.group(1), **data}, timeout=10, **kwargs)


class World:
    def __init__(self, runtime: Runtime, sandbox_url: str, platform: FakePlatform, connector: FakeshopConnector,
                 hub_url: str, merchant_id: str):
        self.runtime, self.sandbox_url, self.platform = runtime, sandbox_url, platform
        self.connector, self.hub_url, self.merchant_id = connector, hub_url, merchant_id
        self.sandbox = requests.Session()

    def control(self, method: str, path: str, json: Any = None) -> Any:
        response = self.sandbox.request(method, f"{self.sandbox_url}/sandbox{path}", json=json, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def work(self) -> None:
        SimpleWorker(all_queues(self.runtime.redis), connection=self.runtime.redis).work(
            burst=True, with_scheduler=True, logging_level="WARNING")

    def wait(self, fn: Callable[[], Any], what: str, timeout: float = 30.0,
             detail: Callable[[], Any] | None = None) -> Any:
        return wait_until(fn, timeout, interval=0.1, what=what, work=self.work, detail=detail)

    def browser(self) -> Browser:
        browser = Browser(self.hub_url)
        response = browser.post_form("/login", "/login", {"email": EMAIL, "password": PASSWORD})
        assert response.status_code == 200 and "Overview" in response.text
        return browser

    def install(self, shop: str = "acme") -> requests.Response:
        """The merchant starts the install on the Stores page; Fakeshop's authorize redirects back."""
        response = self.browser().post_form("/stores/", "/stores/install/fakeshop", {"shop": shop})
        assert response.status_code == 200, response.text
        return response

    def store_id(self, shop: str = "acme") -> str:
        with self.runtime.db.session_scope() as session:
            found = session.scalar(select(StoreCredential.store_id).where(StoreCredential.shop_id == shop))
            assert found is not None, "the store is not installed"
            return found

    def credential(self, shop: str = "acme") -> StoreCredential:
        with self.runtime.db.session_scope() as session:
            row = session.scalar(select(StoreCredential).where(StoreCredential.shop_id == shop))
            assert row is not None
            session.expunge(row)
            return row

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
