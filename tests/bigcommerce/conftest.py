"""A BigCommerce world on loopback: the fake BigCommerce (API, login host, control panel, webhook
sender), the BigCommerce connector registered against it, a live hub whose public URL is its own
address, the TikTok sandbox, and a merchant with a settings-page login.

Jobs run in this process with RQ's SimpleWorker in burst mode (`world.work()`), so a test drives the
pipeline and waits for observable end states, never for fixed times.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from hub.app import create_app
from hub.merchants import create_user, find_or_create_merchant
from hub.runtime import Runtime, install
from hub.stores.registry import register, unregister
from plugins.bigcommerce.config import BigCommerceConfig
from plugins.bigcommerce.connector import BigCommerceConnector
from plugins.bigcommerce.fake import FakeBigCommerce, make_product
from sandbox.app import create_app as create_sandbox
from tests.conftest import LiveServer, make_runtime
from tests.support.hosted import EMAIL, PASSWORD, HostedWorld

APP_KEY = "6a8bigc"
APP_SECRET = "1f1c2e7d5b3a4c6e8f0a1b2c3d4e5f62"
CLIENT_ID = "bc-client-id-0123456789abcdef"
CLIENT_SECRET = "bc-client-secret-fedcba9876543210"
APP_ID = "31415"
STORE = "abc123"


def tee(product_id: int, *, price: float = 12.5, stock: tuple[int, int] = (10, 4), image: str = "",
        tracking: str = "variant") -> dict[str, Any]:
    """A two-size T-shirt in BigCommerce's Catalog API v3 shape."""
    return make_product(product_id, f"Organic Cotton Crew Neck T-shirt {product_id}", price=price, tracking=tracking,
                        stock=sum(stock), categories=[23], brand_id=36, mpn=f"MPN-{product_id}",
                        images=[image] if image else [], custom_fields={"Material": "Cotton"},
                        variants=[{"options": {"Size": "M"}, "sku": f"TEE-{product_id}-M", "stock": stock[0],
                                   "gtin": "5012345678900"},
                                  {"options": {"Size": "L"}, "sku": f"TEE-{product_id}-L", "stock": stock[1]}])


class World(HostedWorld):
    default_shop = STORE
    wait_interval = 0.05

    def __init__(self, runtime: Runtime, sandbox_url: str, fake: FakeBigCommerce, connector: BigCommerceConnector,
                 hub_url: str, merchant_id: str):
        super().__init__(runtime, sandbox_url, connector, hub_url, merchant_id)
        self.fake = fake

    def install(self, store_hash: str = STORE) -> requests.Response:
        """The merchant approves the app in the control panel: BigCommerce opens the `/auth` callback in
        the app's iframe (a browser without the hub's cookie), which lands on the framed settings page."""
        response = requests.get(self.fake.install_url(store_hash), timeout=30)
        assert response.status_code == 200, response.text[:500]
        return response

    def install_from_hub(self, store_hash: str = STORE) -> requests.Response:
        """The merchant starts on the hub's Stores page, signs in to BigCommerce and approves the app
        there: the store joins this merchant (the BigCommerce account's e-mail is the merchant's login)."""
        started = self.browser().post_form("/stores/", "/stores/install/bigcommerce", {"shop": store_hash},
                                         allow_redirects=False)
        assert started.status_code == 303, started.text[:500]
        self.fake.sign_in(store_hash)
        landed = requests.get(started.headers["Location"], timeout=30)
        assert landed.status_code == 200 and "frame=" in landed.url, landed.text[:500]
        return landed

    def installed(self, store_hash: str = STORE, from_hub: bool = False) -> None:
        """Install and let the first sweep subscribe the hooks and read the catalog."""
        self.install_from_hub(store_hash) if from_hub else self.install(store_hash)
        self.wait(lambda: len(self.fake.stores[store_hash].hooks) >= 14, "hooks subscribed")


@pytest.fixture()
def fake() -> Iterator[FakeBigCommerce]:
    with FakeBigCommerce(CLIENT_ID, CLIENT_SECRET, app_id=APP_ID) as made:
        made.add_store(STORE, "Acme Tees", owner_email=EMAIL)
        made.add_store("other9", "Other Tees", owner_email="someone@other.example")
        yield made


@pytest.fixture()
def connector(fake: FakeBigCommerce) -> Iterator[BigCommerceConnector]:
    made = BigCommerceConnector(BigCommerceConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, app_id=APP_ID,
                                                  api_url=fake.api_url, login_url=fake.login_url,
                                                  admin_origin=fake.admin_origin))
    register(made)
    yield made
    unregister(made.platform)


def build_world(tmp_path: Path, redis_url: str, database_url: str | None, fake: FakeBigCommerce,
                connector: BigCommerceConnector) -> Iterator[World]:
    sandbox_app = create_sandbox(APP_KEY, APP_SECRET, review_delay=0.2)
    with LiveServer(sandbox_app) as sandbox:
        runtime = make_runtime(tmp_path, redis_url, database_url, tiktok_api_base=sandbox.url,
                               tiktok_auth_base=sandbox.url, tiktok_authorize_url=f"{sandbox.url}/open/authorize",
                               tiktok_app_key=APP_KEY, tiktok_app_secret=APP_SECRET, command_visibility_timeout=5)
        try:
            with runtime.db.session_scope() as session:
                merchant = find_or_create_merchant(session, "Acme Tees Ltd")
                create_user(session, merchant, EMAIL, PASSWORD)
                merchant_id = merchant.id
            hub = LiveServer(create_app(runtime=runtime))
            runtime.settings = runtime.settings.with_overrides(public_url=hub.url)
            fake.configure_app(f"{hub.url}/stores/bigcommerce")
            with hub:
                requests.put(f"{sandbox.url}/sandbox/webhook-url", json={"url": f"{hub.url}/tiktok/webhooks"},
                             timeout=10)
                yield World(runtime, sandbox.url, fake, connector, hub.url, merchant_id)
        finally:
            install(None)
            runtime.close()
            sandbox_app.extensions["tiktok_sandbox"].close()


@pytest.fixture()
def world(tmp_path: Path, redis_url: str, fake: FakeBigCommerce, connector: BigCommerceConnector) -> Iterator[World]:
    """SQLite (the embedded default): most BigCommerce tests are about the platform, not the database."""
    yield from build_world(tmp_path, redis_url, None, fake, connector)


@pytest.fixture()
def world_each_db(tmp_path: Path, redis_url: str, database_url: str, fake: FakeBigCommerce,
                  connector: BigCommerceConnector) -> Iterator[World]:
    """The end-to-end life on SQLite and on PostgreSQL (production)."""
    yield from build_world(tmp_path, redis_url, database_url, fake, connector)
