"""A Shopify store world on loopback: the TikTok sandbox, the fake Shopify (Admin API against Shopify's
published schema), the hub with the Shopify connector, a merchant with a connected TikTok shop.

Every fixture that uses the fake checks at the end that Shopify would have accepted every document
the app sent (`fake.problems` empty): a field missing from the pinned API version fails the test.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from sqlalchemy import select

from hub.app import create_app
from hub.merchants import create_user, find_or_create_merchant
from hub.models import Listing
from hub.runtime import Runtime, install
from hub.stores.registry import load, register
from plugins.shopify.config import ShopifyConfig, read_app_toml, scopes_of
from plugins.shopify.connector import ShopifyConnector
from plugins.shopify.fake_admin import FakeShopify
from sandbox.app import create_app as create_sandbox
from tests.conftest import LiveServer, make_runtime
from tests.support.hosted import EMAIL, PASSWORD, HostedWorld

APP_KEY = "6a8shopify"
APP_SECRET = "2f1c2e7d5b3a4c6e8f0a1b2c3d4e5f63"
CLIENT_ID = "3f9c0e1d2b4a5c6d7e8f9a0b1c2d3e4f"
CLIENT_SECRET = "shpss_0123456789abcdef0123456789abcdef"
SHOP = "acme-tees.myshopify.com"


def config_for(fake: FakeShopify, secret: str = CLIENT_SECRET, previous: str | None = None) -> ShopifyConfig:
    return ShopifyConfig(client_id=CLIENT_ID, client_secret=secret, previous_client_secret=previous,
                         admin_url=fake.admin_url, scopes=scopes_of(read_app_toml()), embedded=True)


def tee(product_id: int, fake: FakeShopify, shop: str = SHOP, *, price: str = "12.50",
        stock: tuple[int, int] = (10, 4), barcode: str | None = None) -> dict[str, Any]:
    """A Shopify product as the merchant saves it (the fake's own shape)."""
    locations = [loc["id"] for loc in fake.shops[shop].locations]
    return {"id": str(product_id), "title": f"Organic Cotton Crew Neck T-shirt {product_id}", "status": "ACTIVE",
            "descriptionHtml": "<p>Soft organic cotton.</p><ul><li>Crew neck</li></ul>", "vendor": "Acme",
            "productType": "Clothing > T-shirts", "tags": ["summer"], "handle": f"tee-{product_id}",
            "options": [{"name": "Size", "values": ["M", "L"]}],
            "images": [{"url": fake.image(f"tee-{product_id}"), "alt": "front"}],
            "variants": [{"id": f"{product_id}1", "sku": f"TEE-{product_id}-M", "price": price, "barcode": barcode,
                          "options": {"Size": "M"}, "weight": ("250", "GRAMS"),
                          "levels": {locations[0]: {"available": stock[0]}}},
                         {"id": f"{product_id}2", "sku": f"TEE-{product_id}-L", "price": price,
                          "options": {"Size": "L"}, "weight": ("0.3", "KILOGRAMS"),
                          "levels": {locations[0]: {"available": stock[1]}}}]}


class World(HostedWorld):
    default_shop = SHOP

    def __init__(self, runtime: Runtime, sandbox_url: str, fake: FakeShopify, connector: ShopifyConnector,
                 hub_url: str, merchant_id: str):
        super().__init__(runtime, sandbox_url, connector, hub_url, merchant_id)
        self.fake = fake

    def open_app(self, shop: str = SHOP, **kwargs: Any) -> requests.Response:
        """The merchant opens the app in the Shopify admin (after Shopify-managed installation)."""
        return requests.get(self.fake.admin_page(shop, f"{self.hub_url}/stores/shopify/app", **kwargs), timeout=30)

    def install_from_hub(self, shop: str = SHOP) -> requests.Response:
        """The non-embedded install: the Stores page → Shopify's authorize page → the callback."""
        response = self.browser().post_form("/stores/", "/stores/install/shopify", {"shop": shop})
        assert response.status_code == 200, response.text
        return response

    def listing(self, product_id: str, shop: str = SHOP) -> Listing | None:
        with self.runtime.db.session_scope() as session:
            row = session.scalar(select(Listing).where(Listing.store_id == self.store_id(shop),
                                                      Listing.product_id == product_id))
            if row is not None:
                session.expunge(row)
            return row

    def connect_tiktok(self, shop: str | None = SHOP) -> None:
        """Connect TikTok for the merchant the shop's install made (from the framed settings page)."""
        from hub.models import Store
        from hub.tiktok.connection import connect

        if shop is not None:
            with self.runtime.db.session_scope() as session:
                store = session.get(Store, self.store_id(shop))
                assert store is not None
                self.merchant_id = store.merchant_id

        with self.runtime.db.session_scope() as session:
            connect(self.runtime, session, self.control("POST", "/oauth/code", {})["code"], self.merchant_id)


@pytest.fixture(scope="session")
def shopify_schema_ready() -> None:
    from plugins.shopify.config import API_VERSION
    from plugins.shopify.fake_admin.schema import admin_schema

    admin_schema(API_VERSION)  # built once (about 2 s) for every test of the session


@pytest.fixture()
def fake(shopify_schema_ready: None) -> Iterator[FakeShopify]:
    with FakeShopify(CLIENT_ID, CLIENT_SECRET) as made:
        made.add_shop(SHOP, "Acme Tees")
        made.add_shop("other-shop.myshopify.com", "Other Tees")
        yield made
        assert made.problems == [], f"Shopify would have refused: {made.problems}"


@pytest.fixture()
def world(tmp_path: Path, redis_url: str, database_url: str, fake: FakeShopify) -> Iterator[World]:
    """Runs on SQLite (the embedded default) and on PostgreSQL (production)."""
    sandbox_app = create_sandbox(APP_KEY, APP_SECRET, review_delay=0.2)
    load()  # the entry points first, so the connector registered below is the one serving
    connector = ShopifyConnector(config_for(fake))
    register(connector)
    with LiveServer(sandbox_app) as sandbox:
        runtime = make_runtime(tmp_path, redis_url, database_url, tiktok_api_base=sandbox.url,
                               tiktok_auth_base=sandbox.url, tiktok_authorize_url=f"{sandbox.url}/open/authorize",
                               tiktok_app_key=APP_KEY, tiktok_app_secret=APP_SECRET, command_visibility_timeout=5)
        try:
            with runtime.db.session_scope() as session:
                merchant = find_or_create_merchant(session, "Acme Tees Ltd")
                create_user(session, merchant, EMAIL, PASSWORD)
                merchant_id = merchant.id
            with LiveServer(create_app(runtime=runtime)) as hub:
                runtime.settings = runtime.settings.with_overrides(public_url=hub.url)
                fake.hub_url = hub.url
                requests.put(f"{sandbox.url}/sandbox/webhook-url", json={"url": f"{hub.url}/tiktok/webhooks"},
                             timeout=10)
                yield World(runtime, sandbox.url, fake, connector, hub.url, merchant_id)
        finally:
            install(None)
            runtime.close()
            sandbox_app.extensions["tiktok_sandbox"].close()
            register(ShopifyConnector(ShopifyConfig.from_env()))


def elapsed(since: float) -> float:
    return time.monotonic() - since
