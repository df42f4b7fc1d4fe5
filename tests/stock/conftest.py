"""Price/stock propagation against the real sandbox over HTTP, a real hub, Redis, database and RQ worker.

The listing engine (create path) is not part of this package's fixtures: products are created on the
sandbox through its public create API with the hub's TikTok client, and the SkuBinding/Listing rows
the listing engine would write are written here. That is test data, not a mock: every later price and
stock change goes through the Extension API, the real job and the real TikTok client.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from hub.app import create_app
from hub.models import Listing, Merchant, SkuBinding
from hub.models.listings import ACTIVE
from hub.runtime import Runtime
from hub.sync.stock.rules import desired, rules_from_settings
from hub.tiktok.client import ShopClient
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event
from tests.support.hub import add_store, close_runtime
from tests.support.jobs import drain
from tests.support.sandbox import Sandbox, SandboxPool, leaf_without_size_chart, png, sales_warehouse
from tests.support.servers import LiveServer
from tests.support.waiting import wait_until
from tests.tiktok.conftest import tiktok_runtime

__all__ = ["Shop", "drain"]

SANDBOX_OPTIONS = {"review_delay": 0.05}


@pytest.fixture()
def sandbox(sandboxes: SandboxPool) -> Sandbox:
    return sandboxes.fresh(**SANDBOX_OPTIONS)


@pytest.fixture()
def runtime(tmp_path: Path, redis_url: str, sandbox: Sandbox) -> Iterator[Runtime]:
    rt = tiktok_runtime(tmp_path, redis_url, sandbox.url)
    yield rt
    close_runtime(rt)


@dataclass
class Shop:
    """A merchant with a connected sandbox shop, a store on the Extension API, and helpers."""

    runtime: Runtime
    sandbox: Sandbox
    hub: HubClient
    store_id: str
    merchant_id: str
    client: ShopClient
    warehouse_id: str
    category_id: str
    attributes: list[dict[str, Any]]
    image_uri: str

    def send(self, *events: dict[str, Any]) -> list[dict[str, Any]]:
        results = self.hub.send_events(list(events))
        assert all(r["status"] in ("accepted", "duplicate") for r in results), results
        return results

    def stock(self, product_id: str, variant_id: str, quantity: int, price: str | None, version: int) -> None:
        self.send(new_event("inventory.update", items=[{"product_id": product_id, "variant_id": variant_id,
                                                         "quantity": quantity, "price": price, "version": version}]))

    def set_settings(self, **sections: Any) -> None:
        with self.runtime.db.session_scope() as session:
            merchant = session.get(Merchant, self.merchant_id)
            merchant.settings = {**(merchant.settings or {}), **sections}

    def tiktok(self, tiktok_product_id: str) -> dict[str, Any]:
        """The product as the sandbox holds it (control API)."""
        return self.sandbox.control("GET", f"/products/{tiktok_product_id}")

    def skus(self, tiktok_product_id: str) -> dict[str, dict[str, Any]]:
        return {s["seller_sku"]: s for s in self.tiktok(tiktok_product_id)["skus"]}

    def calls(self, endpoint: str) -> int:
        return sum(n for key, n in self.sandbox.state()["calls"].items() if endpoint in key)

    def list_product(self, product_id: str, variants: list[tuple[str, str, int]], version: int = 1) -> str:
        """Send the product to the hub, create it on TikTok as the listing engine would, bind it.

        `variants`: (sku, price, quantity). Returns the TikTok product id, once it is live.
        """
        product = {
            "id": product_id, "version": version, "status": "active", "title": f"Cotton Socks {product_id}",
            "description_html": "<p>Socks</p>", "url": f"https://store.example/p/{product_id}", "brand": "Acme",
            "categories": [{"id": "15", "name": "Socks", "path": ["Clothing", "Socks"]}],
            "images": [{"url": "https://store.example/i.jpg", "alt": ""}], "attributes": {},
            "weight": {"value": "0.25", "unit": "kg"},
            "dimensions": {"length": "20", "width": "15", "height": "5", "unit": "cm"},
            "variants": [{"id": f"{product_id}-{sku}", "sku": sku, "price": price, "compare_at_price": None,
                          "currency": "GBP", "quantity": qty, "manage_stock": True,
                          "options": {"Size": sku} if len(variants) > 1 else {}, "barcode": None,
                          "barcode_type": None, "image_url": None, "weight": None, "dimensions": None}
                         for sku, price, qty in variants],
        }
        self.send(new_event("product.upsert", product=product))
        with self.runtime.db.session_scope() as session:
            rules = rules_from_settings(session.get(Merchant, self.merchant_id).settings)
        wanted = {sku: desired(qty, price, rules) for sku, price, qty in variants}
        body = {
            "title": product["title"], "description": "<p>Socks</p>", "category_id": self.category_id,
            "main_images": [{"uri": self.image_uri}], "package_weight": {"value": "0.25", "unit": "KILOGRAM"},
            "package_dimensions": {"length": "20", "width": "15", "height": "5", "unit": "CENTIMETER"},
            "product_attributes": self.attributes, "external_product_id": f"{product_id}-{uuid.uuid4().hex[:6]}",
            "skus": [{"seller_sku": sku, "price": {"amount": wanted[sku].price, "currency": "GBP"},
                      "inventory": [{"warehouse_id": self.warehouse_id, "quantity": max(wanted[sku].quantity, 1)}],
                      **({"sales_attributes": [{"name": "Size", "value_name": sku}]} if len(variants) > 1 else {})}
                     for sku, _, _ in variants],
        }
        created = self.client.products.create(body)
        tiktok_id = created["product_id"]
        wait_until(lambda: self.tiktok(tiktok_id)["status"] == "ACTIVATE", 10, what="the sandbox approved the product")
        sku_ids = {s["seller_sku"]: s["id"] for s in created["skus"]}
        with self.runtime.db.session_scope() as session:
            for sku, _, _ in variants:
                session.add(SkuBinding(store_id=self.store_id, product_id=product_id,
                                       variant_id=f"{product_id}-{sku}", tiktok_product_id=tiktok_id,
                                       tiktok_sku_id=sku_ids[sku], seller_sku=sku, pushed_price=wanted[sku].price,
                                       pushed_quantity=max(wanted[sku].quantity, 1), pushed_version=version))
            session.add(Listing(store_id=self.store_id, product_id=product_id, status=ACTIVE,
                                tiktok_product_id=tiktok_id))
        return tiktok_id

    def listing(self, product_id: str) -> Listing:
        with self.runtime.db.session_scope() as session:
            return session.scalar(select(Listing).where(Listing.store_id == self.store_id,
                                                        Listing.product_id == product_id))

    def bindings(self, product_id: str) -> dict[str, SkuBinding]:
        with self.runtime.db.session_scope() as session:
            return {b.seller_sku: b for b in session.scalars(select(SkuBinding).where(
                SkuBinding.store_id == self.store_id, SkuBinding.product_id == product_id))}


def connect_shop(runtime: Runtime, sandbox: Sandbox, hub_url: str) -> Shop:
    from hub.tiktok.connection import client_for_merchant, connect

    store = add_store(runtime, merchant="Northern Threads Ltd")
    with runtime.db.session_scope() as session:
        connect(runtime, session, sandbox.code(), store["merchant_id"])
        client = client_for_merchant(session, store["merchant_id"], runtime)
    hub = HubClient(hub_url, store["key_id"], store["secret"], max_retries=1, backoff=0.05)
    hub.send_events([new_event("store.update", store={"currency": "GBP", "weight_unit": "kg",
                                                      "dimension_unit": "cm"})])
    category_id, attributes = leaf_without_size_chart(client)
    image = client.catalog.upload_image(png(color=(200, 30, 60)), use_case="MAIN_IMAGE")
    return Shop(runtime, sandbox, hub, store["store_id"], store["merchant_id"], client, sales_warehouse(client),
                category_id, attributes, image["uri"])


@pytest.fixture()
def shop(runtime: Runtime, sandbox: Sandbox) -> Iterator[Shop]:
    with LiveServer(create_app(runtime=runtime)) as server:
        connected = connect_shop(runtime, sandbox, server.url)
        yield connected
        connected.client.close()

