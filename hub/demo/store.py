"""The demo store: a small shop that speaks the Extension API like a real extension does.

It pushes its catalog, serves its product pictures over HTTP, long-polls the hub for commands and
creates orders, following the extension rules (docs/extension-api.md): it looks an order up by its
TikTok order id before creating it, reports the existing one if found, and sends the stock change
back through `inventory.update`. Its state lives in a JSON file so a second `hub demo` resumes.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort

from hub.demo.images import CONTENT_TYPES, render
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event


def image_app() -> Flask:
    app = Flask("demo_store_images")

    @app.get("/img/<string:name>.<string:fmt>")
    def image(name: str, fmt: str) -> Response:
        if fmt not in CONTENT_TYPES:
            abort(404)
        return Response(render(name, fmt), content_type=CONTENT_TYPES[fmt])

    return app


class DemoStore:
    def __init__(self, client: HubClient, state_file: Path, catalog: list[dict[str, Any]], currency: str = "GBP"):
        self.client = client
        self.state_file = state_file
        self.catalog = {p["id"]: p for p in catalog}
        self.currency = currency
        self.lock = threading.Lock()
        self.state = self._load()

    def _load(self) -> dict[str, Any]:
        if self.state_file.exists():
            return json.loads(self.state_file.read_text())
        return {"orders": {}, "next_number": 1001, "deleted": [], "stock": {}}

    def _save(self) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=1))
        tmp.replace(self.state_file)

    # -- outbound ---------------------------------------------------------------------------------
    def push_store_info(self) -> None:
        self.client.send_events([new_event("store.update", store={
            "currency": self.currency, "weight_unit": "kg", "dimension_unit": "cm",
            "platform_version": "demo 1.0", "extension_version": "1.0.0", "base_url": "http://demo-store.local",
            "capabilities": ["order.refund"]})])

    def push_catalog(self) -> list[dict[str, Any]]:
        products = []
        for product in self.catalog.values():
            if product["id"] in self.state["deleted"]:
                continue
            product = json.loads(json.dumps(product))
            for variant in product["variants"]:
                variant["quantity"] = self.state["stock"].get(variant["id"], variant["quantity"])
            products.append(product)
        return self.client.upsert_products(products)

    def delete_product(self, product_id: str) -> None:
        with self.lock:
            if product_id not in self.state["deleted"]:
                self.state["deleted"].append(product_id)
                self._save()
        self.client.send_events([new_event("product.delete", product_id=product_id)])

    # -- commands ---------------------------------------------------------------------------------
    def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        kind, payload = command["type"], command["payload"]
        if kind == "order.create":
            return self._create_order(payload["order"])
        if kind == "order.cancel":
            return self._cancel_order(payload)
        if kind == "order.refund":
            return self._refund_order(payload)
        if kind == "catalog.resend":
            self.push_catalog()
            return {"status": "done"}
        return {"status": "failed", "reason": "PLATFORM_ERROR", "message": f"Unknown command {kind}", "retryable": False}

    def _create_order(self, order: dict[str, Any]) -> dict[str, Any]:
        tiktok_id = order["tiktok_order_id"]
        changed: list[dict[str, Any]] = []
        with self.lock:
            existing = self.state["orders"].get(tiktok_id)
            if existing:  # the rule: never a second store order for one TikTok order
                return {"status": "done", "platform_order_id": existing["number"]}
            for line in order.get("lines", []):
                product = self.catalog.get(line.get("product_id") or "")
                if product is None or product["id"] in self.state["deleted"]:
                    return {"status": "failed", "reason": "PRODUCT_DELETED", "retryable": False,
                            "message": f"Product {line.get('product_id')} is no longer in the store."}
            address = order.get("shipping_address") or {}
            if not address.get("postal_code") or not address.get("line1"):
                return {"status": "failed", "reason": "INVALID_ADDRESS", "retryable": False,
                        "message": "The shipping address has no street or postcode."}
            number = str(self.state["next_number"])
            self.state["next_number"] += 1
            for line in order.get("lines", []):
                product = self.catalog[line["product_id"]]
                variant = next((v for v in product["variants"] if v["id"] == line.get("variant_id")), product["variants"][0])
                quantity = max(0, self.state["stock"].get(variant["id"], variant["quantity"]) - int(line["quantity"]))
                self.state["stock"][variant["id"]] = quantity
                changed.append({"product_id": product["id"], "variant_id": variant["id"], "quantity": quantity,
                                "price": None, "version": int(time.time() * 1000)})
            self.state["orders"][tiktok_id] = {"number": number, "status": "processing", "order": order}
            self._save()
        if changed:
            self.client.send_events([new_event("inventory.update", items=changed)])
        return {"status": "done", "platform_order_id": number}

    def _refund_order(self, payload: dict[str, Any]) -> dict[str, Any]:
        """One store refund per TikTok return: a refund already made for the return is reported again."""
        changed: list[dict[str, Any]] = []
        with self.lock:
            existing = self.state["orders"].get(payload["tiktok_order_id"])
            if existing is None:
                return {"status": "failed", "reason": "PLATFORM_ERROR", "retryable": False,
                        "message": f"There is no store order {payload.get('platform_order_id')}."}
            refunds = existing.setdefault("refunds", [])
            made = next((x for x in refunds if x["tiktok_return_id"] == payload["tiktok_return_id"]), None)
            if made is not None:
                return {"status": "done", "platform_order_id": existing["number"], "platform_refund_id": made["id"]}
            refund_id = f"{existing['number']}-R{len(refunds) + 1}"
            for line in payload.get("lines", []):
                if not line.get("restock"):
                    continue
                variant_id = line["variant_id"]
                product = self.catalog.get(line["product_id"]) or {"variants": []}
                start = next((v["quantity"] for v in product["variants"] if v["id"] == variant_id), 0)
                quantity = self.state["stock"].get(variant_id, start) + int(line["quantity"])
                self.state["stock"][variant_id] = quantity
                changed.append({"product_id": line["product_id"], "variant_id": variant_id, "quantity": quantity,
                                "price": None, "version": int(time.time() * 1000)})
            refunds.append({"id": refund_id, "tiktok_return_id": payload["tiktok_return_id"],
                            "amount": payload.get("amount"), "lines": payload.get("lines", [])})
            self._save()
        if changed:
            self.client.send_events([new_event("inventory.update", items=changed)])
        return {"status": "done", "platform_order_id": existing["number"], "platform_refund_id": refund_id}

    def _cancel_order(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            existing = self.state["orders"].get(payload["tiktok_order_id"])
            if existing:
                existing["status"] = "cancelled"
                self._save()
        return {"status": "done", "platform_order_id": existing["number"] if existing else None}

    def run(self, stop: threading.Event) -> None:
        self.client.run_command_loop(self.handle, stop=stop, wait=5)
