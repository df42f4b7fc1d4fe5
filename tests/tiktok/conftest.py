"""The TikTok client against the real sandbox over loopback HTTP, with real Redis and a real database."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from hub.merchants import find_or_create_merchant
from hub.runtime import Runtime, install
from hub.tiktok.client import ShopClient
from sandbox.app import create_app as create_sandbox
from tests.conftest import LiveServer, make_runtime

APP_KEY = "6a8shopsync"
APP_SECRET = "9f1c2e7d5b3a4c6e8f0a1b2c3d4e5f60"


class Sandbox:
    def __init__(self, server: LiveServer):
        self.server = server
        self.url = server.url
        self.http = requests.Session()

    def control(self, method: str, path: str, json: Any = None) -> Any:
        response = self.http.request(method, f"{self.url}/sandbox{path}", json=json, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def code(self) -> str:
        return self.control("POST", "/oauth/code", {})["code"]

    def state(self) -> dict[str, Any]:
        return self.control("GET", "/state")

    def fault(self, endpoint: str, kind: str, count: int = 1, **options: Any) -> None:
        self.control("POST", "/faults", {"endpoint": endpoint, "kind": kind, "count": count, **options})


@pytest.fixture()
def sandbox() -> Iterator[Sandbox]:
    app = create_sandbox(APP_KEY, APP_SECRET, review_delay=0.2)
    with LiveServer(app) as server:
        yield Sandbox(server)


def tiktok_runtime(tmp_path: Path, redis_url: str, sandbox_url: str, **overrides: Any) -> Runtime:
    return make_runtime(tmp_path, redis_url, tiktok_api_base=sandbox_url, tiktok_auth_base=sandbox_url,
                        tiktok_authorize_url=f"{sandbox_url}/open/authorize", tiktok_app_key=APP_KEY,
                        tiktok_app_secret=APP_SECRET, **overrides)


@pytest.fixture()
def runtime(tmp_path: Path, redis_url: str, sandbox: Sandbox) -> Iterator[Runtime]:
    rt = tiktok_runtime(tmp_path, redis_url, sandbox.url)
    yield rt
    install(None)
    rt.close()


@pytest.fixture()
def merchant_id(runtime: Runtime, sandbox: Sandbox) -> str:
    """A merchant whose TikTok shop is connected through the real code exchange."""
    from hub.tiktok.connection import connect

    with runtime.db.session_scope() as session:
        merchant = find_or_create_merchant(session, "Northern Threads Ltd")
        connect(runtime, session, sandbox.code(), merchant.id)
        return merchant.id


@pytest.fixture()
def shop_client(runtime: Runtime, merchant_id: str):  # noqa: ANN201
    from hub.tiktok.connection import client_for_merchant

    with runtime.db.session_scope() as session:
        client = client_for_merchant(session, merchant_id, runtime)
    yield client
    client.close()


def leaf_without_size_chart(client: ShopClient) -> tuple[str, list[dict[str, Any]]]:
    """A leaf the sandbox accepts products in without a size chart or certificates, with its required
    product attributes filled by their first value: the simplest category to list in."""
    for category in client.catalog.categories()["categories"]:
        if not category["is_leaf"] or "AVAILABLE" not in category.get("permission_statuses", ["AVAILABLE"]):
            continue
        rules = client.catalog.rules(category["id"])
        if rules.get("size_chart", {}).get("is_required") or any(c.get("is_required") for c in
                                                                   rules.get("product_certifications", [])):
            continue
        attributes = client.catalog.attributes(category["id"])["attributes"]
        required = [{"id": a["id"], "values": [{"id": a["values"][0]["id"]}]} for a in attributes
                    if a["type"] == "PRODUCT_PROPERTY" and a.get("is_requried") and a.get("values")]
        return category["id"], required
    raise AssertionError("the sandbox catalogue has no leaf category without a size chart")
