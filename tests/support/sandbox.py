"""The TikTok Shop sandbox on loopback, shared between tests and put back to its fixture state between them.

A sandbox app is cheap to build but each one keeps two threads (review timer, webhook sender) and a
server; a test run makes hundreds of tests against it. So one server per set of options lives for the
whole run (`SandboxPool`), and every test starts from `POST /sandbox/reset` (docs/sandbox.md): the
fixture shop, no products, orders, tokens, faults, webhook log or call counters, and the review policy
and rate limit the server was built with. A reset also drops the reviews and webhook deliveries still
scheduled by the test before.
"""

from __future__ import annotations

import io
from typing import Any

import requests
from PIL import Image

from sandbox.app import create_app
from sandbox.server import ServerThread

APP_KEY = "6a8shopsync"
APP_SECRET = "9f1c2e7d5b3a4c6e8f0a1b2c3d4e5f60"


class Sandbox:
    """The sandbox's control API (`/sandbox/...`), as a test drives it."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()

    def control(self, method: str, path: str, json: Any = None, ok: bool = True) -> Any:
        response = self.http.request(method, f"{self.url}/sandbox{path}", json=json, timeout=10)
        if ok:
            assert response.status_code < 300, response.text
        return response.json()

    def reset(self) -> "Sandbox":
        self.control("POST", "/reset")
        return self

    def code(self) -> str:
        """An authorisation code, as the authorize page would give one."""
        return self.control("POST", "/oauth/code", {})["code"]

    def state(self) -> dict[str, Any]:
        return self.control("GET", "/state")

    def calls(self, key: str) -> int:
        """How many calls the sandbox answered on `key` ("METHOD /path/template")."""
        return int(self.state()["calls"].get(key, 0))

    def product(self, tiktok_id: str) -> dict[str, Any]:
        return self.control("GET", f"/products/{tiktok_id}")

    def shop(self, **settings: Any) -> dict[str, Any]:
        return self.control("PUT", "/shop", settings)

    def review(self, tiktok_id: str, decision: str, reason: str = "") -> dict[str, Any]:
        return self.control("POST", f"/products/{tiktok_id}/review", {"decision": decision, "reason": reason})

    def fault(self, endpoint: str, kind: str, count: int = 1, **options: Any) -> None:
        self.control("POST", "/faults", {"endpoint": endpoint, "kind": kind, "count": count, **options})

    def webhook_url(self, url: str | None) -> None:
        self.control("PUT", "/webhook-url", {"url": url})

    def webhooks(self, order_id: str | None = None) -> list[dict[str, Any]]:
        log = self.control("GET", "/webhooks")["webhooks"]
        return [w for w in log if order_id is None or str(w["payload"]["data"].get("order_id")) == order_id]

    def place_order(self, lines: list[dict[str, Any]], status: str = "AWAITING_SHIPMENT", **spec: Any) -> str:
        return self.control("POST", "/orders", {"lines": lines, "status": status, **spec})["id"]

    def move(self, order_id: str, status: str, **body: Any) -> dict[str, Any]:
        return self.control("POST", f"/orders/{order_id}/status", {"status": status, **body})

    def request_return(self, order_id: str, return_type: str = "REFUND", **body: Any) -> dict[str, Any]:
        """The buyer asks for a refund or a return (`skus=[{"seller_sku", "quantity"}]`, `refund_total`)."""
        return self.control("POST", f"/orders/{order_id}/return-request", {"return_type": return_type, **body})

    def return_(self, return_id: str) -> dict[str, Any]:
        return self.control("GET", f"/returns/{return_id}")

    def return_step(self, return_id: str, action: str) -> dict[str, Any]:
        return self.control("POST", f"/returns/{return_id}/{action}")

    def order(self, order_id: str) -> dict[str, Any]:
        return self.control("GET", f"/orders/{order_id}")


class SandboxServer:
    """One sandbox app served on loopback by the sandbox's own server (port picked by the kernel)."""

    def __init__(self, app_key: str = APP_KEY, app_secret: str = APP_SECRET, **options: Any):
        self.app = create_app(app_key, app_secret, **options)
        self.thread = ServerThread(self.app).start()
        self.url = self.thread.url

    def fresh(self) -> Sandbox:
        """A control client on this server, put back to the fixture state."""
        return Sandbox(self.url).reset()

    def close(self) -> None:
        self.thread.stop()
        self.app.extensions["tiktok_sandbox"].close()

    def __enter__(self) -> "SandboxServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class SandboxPool:
    """One running sandbox per set of options, made on first use and kept until `close`."""

    def __init__(self) -> None:
        self.servers: dict[tuple, SandboxServer] = {}

    def get(self, app_key: str = APP_KEY, app_secret: str = APP_SECRET, **options: Any) -> SandboxServer:
        key = (app_key, app_secret, repr(sorted(options.items())))
        if key not in self.servers:
            self.servers[key] = SandboxServer(app_key, app_secret, **options)
        return self.servers[key]

    def fresh(self, app_key: str = APP_KEY, app_secret: str = APP_SECRET, **options: Any) -> Sandbox:
        return self.get(app_key, app_secret, **options).fresh()

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()


def png(size: tuple[int, int] = (800, 800), color: tuple[int, int, int] = (30, 90, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def leaf_without_size_chart(client: Any) -> tuple[str, list[dict[str, Any]]]:
    """A leaf category the sandbox accepts products in without a size chart or certificates, with its
    required product attributes filled by their first value: the simplest category to list in.

    `client` is the hub's `ShopClient`."""
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


def sales_warehouse(client: Any) -> str:
    """The id of the shop's enabled sales warehouse."""
    return next(w["id"] for w in client.logistics.warehouses()["warehouses"]
                if w["type"] == "SALES_WAREHOUSE" and w["effect_status"] == "ENABLED")
