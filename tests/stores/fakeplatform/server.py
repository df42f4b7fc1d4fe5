"""Fakeshop: a store platform served on loopback, shaped like the hosted platforms the hub serves.

Its wire formats borrow from the real ones (docs/store-connectors.md names them): an OAuth
authorization-code install whose redirect is signed with the app secret (hex HMAC over the sorted
query, as Shopify signs it), expiring access tokens with a rotating refresh token, a per-shop request
budget reported in headers (as BigCommerce's `X-Rate-Limit-*`), light webhooks signed with a base64
HMAC of the raw body and carrying a delivery id, an admin that frames the app with a signed token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import requests
from itsdangerous import URLSafeTimedSerializer
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def sign_query(secret: str, params: dict[str, str]) -> str:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign_body(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def admin_token(secret: str, shop: str) -> str:
    """What the platform's admin puts in the app page URL (like a Shopify session token)."""
    return URLSafeTimedSerializer(secret, salt="fakeshop-admin").dumps({"shop": shop, "aud": "tiktok-shop-sync"})


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1200), (30, 120, 60)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


@dataclass
class Shop:
    name: str
    currency: str = "GBP"
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    webhook_url: str | None = None


class FakePlatform:
    def __init__(self, client_id: str, client_secret: str, *, token_seconds: int = 3600, budget: int = 1000,
                 window_ms: int = 1000):
        self.client_id, self.client_secret = client_id, client_secret
        self.token_seconds = token_seconds
        self.budget, self.window_ms = budget, window_ms
        self.shops: dict[str, Shop] = {}
        self.codes: dict[str, str] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # access token -> (shop, expires at)
        self.refresh_tokens: dict[str, str] = {}
        self.spent: dict[str, list[float]] = {}
        self.calls: list[str] = []
        self.refused = 0  # answers 429 given
        self.cut_next_order_answer = False
        self.drop_webhooks = False
        self.sent_webhooks: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.next_id = 500
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "FakePlatform":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- the merchant's side (what happens in the store's admin) ---------------------------------
    def add_shop(self, shop: str, name: str) -> Shop:
        self.shops[shop] = Shop(name)
        return self.shops[shop]

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def save_product(self, shop: str, product: dict[str, Any], *, notify: bool = True) -> dict[str, Any]:
        with self.lock:
            product = {**product, "updated_at": now_iso()}
            self.shops[shop].products[product["id"]] = product
        if notify:
            self.webhook(shop, "products/update", {"id": product["id"]})
        return product

    def delete_product(self, shop: str, product_id: int) -> None:
        with self.lock:
            self.shops[shop].products.pop(product_id, None)
        self.webhook(shop, "products/delete", {"id": product_id})

    def fulfil(self, shop: str, order_id: int, tracking: str, carrier: str) -> None:
        with self.lock:
            order = self.shops[shop].orders[order_id]
            order["fulfillment"] = {"tracking_number": tracking, "carrier": carrier, "shipped_at": now_iso()}
        self.webhook(shop, "fulfillments/create", {"order_id": order_id})

    def uninstall(self, shop: str) -> None:
        self.tokens = {t: v for t, v in self.tokens.items() if v[0] != shop}
        self.webhook(shop, "app/uninstalled", {"shop": shop})

    def webhook(self, shop: str, topic: str, payload: dict[str, Any]) -> requests.Response | None:
        target = self.shops[shop].webhook_url
        body = json.dumps(payload).encode()
        headers = {"X-Fake-Shop": shop, "X-Fake-Topic": topic, "X-Fake-Webhook-Id": secrets.token_hex(8),
                   "X-Fake-Hmac": sign_body(self.client_secret, body), "Content-Type": "application/json"}
        self.sent_webhooks.append({"topic": topic, "body": body, "headers": headers})
        if target is None or self.drop_webhooks:
            return None
        return requests.post(target, data=body, headers=headers, timeout=10)

    def admin_page(self, shop: str, app_url: str) -> str:
        """The URL the platform's admin loads in its iframe for the app."""
        return f"{app_url}?{urlencode({'shop': shop, 'token': admin_token(self.client_secret, shop)})}"

    # ---- the platform's HTTP API -------------------------------------------------------------------
    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.calls.append(f"{request.method} {request.path}")
        response = self._route(request)
        return response(environ, start_response)

    def _json(self, data: Any, status: int = 200, **headers: str) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json", headers=headers)

    def _route(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if request.path == "/admin/oauth/authorize":
            return self._authorize(request)
        if request.path == "/admin/oauth/token" and request.method == "POST":
            return self._token(request)
        if parts[:1] == ["img"]:
            return Response(_jpeg(), mimetype="image/jpeg")
        if len(parts) >= 3 and parts[0] == "shops" and parts[2] == "api":
            return self._api(request, parts[1], parts[3:])
        return self._json({"message": "not found"}, 404)

    def _authorize(self, request: Request) -> Response:
        shop = request.args.get("shop", "")
        if request.args.get("client_id") != self.client_id or shop not in self.shops:
            return self._json({"message": "unknown app or shop"}, 400)
        code = secrets.token_hex(8)
        self.codes[code] = shop
        params = {"code": code, "shop": shop, "state": request.args.get("state", ""),
                  "timestamp": str(int(time.time()))}
        params["hmac"] = sign_query(self.client_secret, params)
        return Response(status=302, headers={"Location": f"{request.args['redirect_uri']}?{urlencode(params)}"})

    def _grant(self, shop: str) -> dict[str, Any]:
        access, refresh = "at_" + secrets.token_hex(12), "rt_" + secrets.token_hex(12)
        self.tokens[access] = (shop, time.time() + self.token_seconds)
        self.refresh_tokens[refresh] = shop
        return {"access_token": access, "refresh_token": refresh, "expires_in": self.token_seconds,
                "scope": "read_products,write_orders"}

    def _token(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        if body.get("client_id") != self.client_id or body.get("client_secret") != self.client_secret:
            return self._json({"message": "bad client"}, 401)
        if body.get("grant_type") == "refresh_token":
            shop = self.refresh_tokens.pop(body.get("refresh_token", ""), None)  # rotated: single use
            if shop is None:
                return self._json({"message": "invalid refresh token"}, 401)
            return self._json(self._grant(shop))
        shop = self.codes.pop(body.get("code", ""), None)
        if shop is None:
            return self._json({"message": "invalid code"}, 400)
        return self._json(self._grant(shop))

    def _budget(self, shop: str) -> tuple[bool, dict[str, str]]:
        now = time.time()
        window = self.window_ms / 1000.0
        spent = [t for t in self.spent.get(shop, []) if t > now - window]
        ok = len(spent) < self.budget
        if ok:
            spent.append(now)
        self.spent[shop] = spent
        reset_ms = int(((spent[0] + window) - now) * 1000) if spent else 0
        return ok, {"X-Budget-Left": str(max(self.budget - len(spent), 0)), "X-Budget-Reset-Ms": str(max(reset_ms, 0))}

    def _api(self, request: Request, shop_key: str, rest: list[str]) -> Response:
        token = request.headers.get("X-Fake-Token", "")
        owner = self.tokens.get(token)
        if owner is None or owner[0] != shop_key or owner[1] < time.time():
            return self._json({"message": "invalid or expired access token"}, 401)
        ok, headers = self._budget(shop_key)
        if not ok:
            self.refused += 1
            return self._json({"message": "too many requests"}, 429, **headers)
        shop = self.shops[shop_key]
        if rest == ["store"]:
            return self._json({"name": shop.name, "currency": shop.currency, "weight_unit": "g",
                               "dimension_unit": "cm", "version": "7.1"}, **headers)
        if rest == ["webhooks"] and request.method == "PUT":
            shop.webhook_url = (request.get_json() or {}).get("url")
            return self._json({"url": shop.webhook_url}, **headers)
        if rest == ["products"]:
            since = request.args.get("updated_since")
            found = [p for p in shop.products.values() if not since or p["updated_at"] >= since]
            return self._json({"products": found}, **headers)
        if len(rest) == 2 and rest[0] == "products":
            product = shop.products.get(int(rest[1]))
            return self._json(product, **headers) if product else self._json({"message": "no such product"}, 404)
        if rest == ["orders"] and request.method == "GET":
            wanted = request.args.get("external_id")
            return self._json({"orders": [o for o in shop.orders.values() if o["external_id"] == wanted]}, **headers)
        if rest == ["orders"] and request.method == "POST":
            return self._create_order(shop, request.get_json() or {}, headers)
        if len(rest) == 2 and rest[0] == "orders":
            order = shop.orders.get(int(rest[1]))
            return self._json(order, **headers) if order else self._json({"message": "no such order"}, 404)
        if len(rest) == 3 and rest[0] == "orders" and rest[2] == "cancel" and request.method == "POST":
            order = shop.orders.get(int(rest[1]))
            if order is None:
                return self._json({"message": "no such order"}, 404)
            order["cancelled"] = True
            return self._json(order, **headers)
        return self._json({"message": "not found"}, 404)

    def _create_order(self, shop: Shop, body: dict[str, Any], headers: dict[str, str]) -> Response:
        with self.lock:
            for line in body.get("line_items") or []:
                if not any(v["id"] == line.get("variant_id") for p in shop.products.values() for v in p["variants"]):
                    return self._json({"message": f"variant {line.get('variant_id')} does not exist"}, 422, **headers)
            order_id = self._id()
            order = {"id": order_id, "number": f"#{order_id}", "external_id": body.get("external_id"),
                     "line_items": body.get("line_items"), "shipping_address": body.get("shipping_address"),
                     "total": body.get("total"), "cancelled": False, "fulfillment": None}
            shop.orders[order_id] = order
            for line in body.get("line_items") or []:
                for product in shop.products.values():
                    for variant in product["variants"]:
                        if variant["id"] == line["variant_id"]:
                            variant["inventory_quantity"] -= int(line["quantity"])
            cut = self.cut_next_order_answer
            self.cut_next_order_answer = False
            touched = {p["id"] for p in shop.products.values() for v in p["variants"]
                       for line in body.get("line_items") or [] if v["id"] == line["variant_id"]}
            for product_id in touched:
                shop.products[product_id]["updated_at"] = now_iso()
        shop_key = next(k for k, v in self.shops.items() if v is shop)
        for product_id in touched:  # the stock went down: the platform says so, as real ones do
            threading.Thread(target=self.webhook, args=(shop_key, "products/update", {"id": product_id}),
                             daemon=True).start()
        if cut:  # committed, but the answer is cut off on its way back
            return Response(json.dumps(order)[:20], status=201, mimetype="application/json", headers=headers)
        return self._json(order, 201, **headers)
