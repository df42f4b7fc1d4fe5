"""A BigCommerce store platform on loopback, built from BigCommerce's published references.

Shapes follow github.com/bigcommerce/docs: `reference/catalog/products_catalog.v3.yml` (products with
`include=variants,images,custom_fields`, `data` + `meta.pagination`, `date_modified:min`, `id:in`),
`reference/catalog/category-trees_catalog.v3.yml` and `brands_catalog.v3.yml`, `reference/orders.v2.oas2.yml`
(orders with `external_order_id`, a list answering 204 when empty, shipments), `reference/store_information.v2.yml`
(`/v2/store`), `reference/webhooks.v3.yml` (`/v3/hooks`, 422 with `errors`), the app guides `auth.mdx`
and `callbacks.mdx` (the `/auth` callback's query, `POST /oauth2/token`, `signed_payload_jwt` claims), the
webhook guides (light payloads with a SHA-1 `hash`, custom headers echoed, Standard Webhooks signatures
keyed with the base64 of the client secret, only https on port 443) and `api-rate-limits.mdx` (a per-store
quota per window shared by every app, `X-Rate-Limit-*` headers on every answer, 429 with the reset time).
Nothing of those files is copied here; the fake is written from what they say.

Where a reference is silent the fake picks BigCommerce's observed behaviour and says so: v2 errors are a
list of `{"status", "message"}` objects; creating an order moves stock for every status but Incomplete,
and the stock change fires the `…/inventory/order/updated` webhooks with a relative value.

Loopback http destinations are accepted for hooks when `loopback_destinations` is on (tests and demo run
the hub over http on a random port); every other destination must be https on port 443, as on BigCommerce.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import queue
import secrets
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any, Callable
from urllib.parse import urlencode, urlparse

import jwt
import requests
from standardwebhooks.webhooks import Webhook
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

APP_SCOPES = "store_v2_products_read_only store_v2_orders store_v2_information_read_only"
STOCK_MOVING_STATUSES = {1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14}
CANCELLED = 5
STATUS_NAMES = {0: "Incomplete", 1: "Pending", 2: "Shipped", 3: "Partially Shipped", 4: "Refunded", 5: "Cancelled",
                6: "Declined", 7: "Awaiting Payment", 8: "Awaiting Pickup", 9: "Awaiting Shipment", 10: "Completed",
                11: "Awaiting Fulfillment", 12: "Manual Verification Required", 13: "Disputed",
                14: "Partially Refunded"}


def _iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts if ts is not None else time.time(), timezone.utc).isoformat(timespec="seconds")


def _rfc2822(ts: float | None = None) -> str:
    return format_datetime(datetime.fromtimestamp(ts if ts is not None else time.time(), timezone.utc))


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1200), (200, 80, 40)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def make_product(product_id: int, name: str, *, price: float = 12.5, sale_price: float = 0.0, sku: str | None = None,
                 variants: list[dict[str, Any]] | None = None, tracking: str = "variant", stock: int = 10,
                 categories: list[int] | None = None, brand_id: int = 0, weight: float = 0.25,
                 dimensions: tuple[float, float, float] = (20.0, 15.0, 5.0), gtin: str = "", upc: str = "",
                 mpn: str = "", images: list[str] | None = None, custom_fields: dict[str, str] | None = None,
                 description: str = "<p>Soft organic cotton.</p>", is_visible: bool = True,
                 availability: str = "available") -> dict[str, Any]:
    """A Catalog API v3 product with its variants, images and custom fields, in BigCommerce's shape.

    `variants` items: `{"options": {"Size": "M"}, "sku": ..., "stock": ..., "price": None, "gtin": ...,
    "purchasing_disabled": False}`; variant ids are `product_id * 10 + n`. Without `variants` the product
    has only its base variant (a product without options)."""
    width, height, depth = dimensions[1], dimensions[2], dimensions[0]
    rows = variants or [{"options": {}, "sku": sku or f"SKU-{product_id}", "stock": stock}]
    option_names: list[str] = []
    for row in rows:
        for option in row.get("options", {}):
            if option not in option_names:
                option_names.append(option)
    option_ids = {n: product_id * 100 + i + 1 for i, n in enumerate(option_names)}
    value_ids: dict[tuple[str, str], int] = {}
    made = []
    for n, row in enumerate(rows, start=1):
        values = []
        for option, label in row.get("options", {}).items():
            value_ids.setdefault((option, label), product_id * 1000 + len(value_ids) + 1)
            values.append({"id": value_ids[(option, label)], "label": label, "option_id": option_ids[option],
                           "option_display_name": option})
        made.append({
            "id": product_id * 10 + n, "product_id": product_id, "sku": row.get("sku") or f"SKU-{product_id}-{n}",
            "sku_id": product_id * 10 + n if values else None, "price": row.get("price"), "calculated_price": price,
            "sale_price": row.get("sale_price"), "retail_price": None, "map_price": None, "weight": row.get("weight"),
            "calculated_weight": weight, "width": None, "height": None, "depth": None, "is_free_shipping": False,
            "fixed_cost_shipping_price": None, "purchasing_disabled": bool(row.get("purchasing_disabled")),
            "purchasing_disabled_message": "", "image_url": row.get("image_url", ""), "cost_price": 0,
            "upc": row.get("upc", ""), "mpn": row.get("mpn", ""), "gtin": row.get("gtin", ""),
            "inventory_level": int(row.get("stock", stock)) if tracking == "variant" else 0,
            "inventory_warning_level": 0, "bin_picking_number": "", "option_values": values,
        })
    now = _iso()
    return {
        "id": product_id, "name": name, "type": "physical", "sku": sku or (made[0]["sku"] if len(made) == 1 else ""),
        "description": description, "weight": weight, "width": width, "depth": depth, "height": height,
        "price": price, "cost_price": 0, "retail_price": 0, "sale_price": sale_price, "map_price": 0,
        "tax_class_id": 0, "product_tax_code": "", "calculated_price": sale_price or price,
        "categories": list(categories or []), "brand_id": brand_id, "option_set_id": None,
        "option_set_display": "right", "inventory_level": stock if tracking == "product" else
        sum(v["inventory_level"] for v in made), "inventory_warning_level": 0, "inventory_tracking": tracking,
        "reviews_rating_sum": 0, "reviews_count": 0, "total_sold": 0, "fixed_cost_shipping_price": 0,
        "is_free_shipping": False, "is_visible": is_visible, "is_featured": False, "related_products": [-1],
        "warranty": "", "bin_picking_number": "", "layout_file": "product.html", "upc": upc,
        "search_keywords": "", "availability": availability, "availability_description": "",
        "gift_wrapping_options_type": "any", "gift_wrapping_options_list": [], "sort_order": 0,
        "condition": "New", "is_condition_shown": False, "order_quantity_minimum": 0,
        "order_quantity_maximum": 0, "page_title": "", "meta_keywords": [], "meta_description": "",
        "date_created": now, "date_modified": now, "view_count": 0, "preorder_release_date": None,
        "preorder_message": "", "is_preorder_only": False, "is_price_hidden": False, "price_hidden_label": "",
        "custom_url": {"url": f"/product-{product_id}/", "is_customized": False}, "base_variant_id": made[0]["id"],
        "open_graph_type": "product", "open_graph_title": "", "open_graph_description": "",
        "open_graph_use_meta_description": True, "open_graph_use_product_name": True,
        "open_graph_use_image": True, "gtin": gtin, "mpn": mpn, "date_last_imported": None,
        "variants": made,
        "images": [{"id": product_id * 10 + i, "product_id": product_id, "is_thumbnail": i == 0, "sort_order": i,
                    "description": "", "image_file": f"p{product_id}_{i}.jpg", "url_zoom": url, "url_standard": url,
                    "url_thumbnail": url, "url_tiny": url, "date_modified": now} for i, url in enumerate(images or [])],
        "custom_fields": [{"id": product_id * 10 + i, "name": k, "value": v}
                          for i, (k, v) in enumerate((custom_fields or {}).items())],
    }


@dataclass
class FakeStore:
    store_hash: str
    name: str
    owner_email: str
    currency: str = "GBP"
    weight_units: str = "KGS"
    dimension_units: str = "Centimeters"
    price_entered_with_tax: bool = True  # Settings → Tax: "Prices entered with tax"
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    categories: dict[int, dict[str, Any]] = field(default_factory=dict)
    brands: dict[int, str] = field(default_factory=dict)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    shipments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    hooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Inventory locations (Inventory API v3) and, per variant, its stock at each (else all at the first).
    locations: dict[int, str] = field(default_factory=lambda: {1: "Default location"})
    stock_at: dict[int, dict[int, int]] = field(default_factory=dict)
    window_start: float = 0.0
    window_index: int = 0
    used: int = 0  # requests of every app in the current window
    installed: bool = False


@dataclass
class Delivery:
    scope: str
    store_hash: str
    destination: str
    body: bytes
    headers: dict[str, str]
    status: int | None = None
    sent_at: float = 0.0
    answered_at: float = 0.0


class FakeBigCommerce:
    """The API host, the login host (token endpoint, install link) and the control panel in one server."""

    def __init__(self, client_id: str, client_secret: str, *, app_id: str = "31415", quota: int = 150,
                 window_ms: int = 30_000, loopback_destinations: bool = True, granted_scopes: str = APP_SCOPES,
                 image_url: str | None = None):
        self.client_id, self.client_secret, self.app_id = client_id, client_secret, app_id
        self.quota, self.window_ms = quota, window_ms
        self.loopback_destinations = loopback_destinations
        self.granted_scopes = granted_scopes
        self.app_base: str | None = None  # the app's callback base URL (Developer Portal profile)
        self.stores: dict[str, FakeStore] = {}
        self.codes: dict[str, tuple[str, str]] = {}
        self.tokens: dict[str, str] = {}
        self.token_scopes: dict[str, set[str]] = {}
        self.signed_in: str | None = None
        self.lock = threading.RLock()
        self.next_order = 100
        self.next_hook = 9000
        self.next_shipment = 1
        self.calls: list[tuple[float, str, str, int]] = []  # (time, store hash, "METHOD path", status) of app calls
        # (time, store hash, requests left after it, reset in ms, status, window number) of every app call
        self.budget_log: list[tuple[float, str, int, int, int, int]] = []
        self.deliveries: list[Delivery] = []
        self.cut_next_order_answer = False
        self._outbox: "queue.Queue[Delivery | None]" = queue.Queue()
        self._image = _jpeg()
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.image_url = image_url or f"{self.url}/img"
        self._threads = [threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True),
                         threading.Thread(target=self._send_loop, daemon=True)]
        self._http = requests.Session()

    # ---- life ------------------------------------------------------------------------------------
    def start(self) -> "FakeBigCommerce":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeBigCommerce":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        return self.url

    @property
    def login_url(self) -> str:
        return self.url

    @property
    def admin_origin(self) -> str:
        """The control panel's origin: `localhost` rather than `127.0.0.1`, so that in a browser it is
        another site than the hub's, as BigCommerce's control panel is (its frame gets no cookies)."""
        return f"http://localhost:{self.server.server_port}"

    def control_panel_url(self, store_hash: str) -> str:
        """The control panel's page that shows the app in its iframe (opened with a fresh load link)."""
        return f"{self.admin_origin}/manage/app/{self.app_id}?store={store_hash}"

    def configure_app(self, app_base: str) -> None:
        """The app's callback URLs, as entered in its Developer Portal profile (`<base>/auth`, ...)."""
        self.app_base = app_base.rstrip("/")

    # ---- the merchant's side: what happens in the control panel -----------------------------------
    def add_store(self, store_hash: str, name: str, owner_email: str = "owner@example.com", **facts: Any) -> FakeStore:
        with self.lock:
            store = FakeStore(store_hash, name, owner_email, **facts)
            store.categories = {18: {"category_id": 18, "parent_id": 0, "tree_id": 1, "name": "Clothing"},
                                23: {"category_id": 23, "parent_id": 18, "tree_id": 1, "name": "T-shirts"}}
            store.brands = {36: "Acme"}
            self.stores[store_hash] = store
            return store

    def install_url(self, store_hash: str, scope: str | None = None) -> str:
        """The `/auth` callback the control panel opens after the merchant approves the app."""
        assert self.app_base, "configure_app() first"
        code = secrets.token_hex(8)
        granted = self.granted_scopes if scope is None else scope
        with self.lock:
            self.codes[code] = (store_hash, granted)
        return f"{self.app_base}/auth?" + urlencode({
            "account_uuid": "12345678-90ab-cdef-1234-567890abcdef", "code": code, "context": f"stores/{store_hash}",
            "scope": granted})

    def sign_in(self, store_hash: str) -> None:
        """The merchant is signed in to this store's control panel (for the direct install link)."""
        self.signed_in = store_hash

    def signed_payload(self, store_hash: str, *, user_id: int = 9876543, email: str | None = None,
                       lifetime: int = 86400, secret: str | None = None, issuer: str = "bc",
                       audience: str | None = None, issued_at: float | None = None) -> str:
        store = self.stores[store_hash]
        now = int(issued_at if issued_at is not None else time.time())
        claims = {"aud": audience or self.client_id, "iss": issuer, "iat": now, "nbf": now, "exp": now + lifetime,
                  "jti": str(uuid.uuid4()), "sub": f"stores/{store_hash}",
                  "user": {"id": user_id, "email": email or store.owner_email, "locale": "en-GB"},
                  "owner": {"id": 7654321, "email": store.owner_email}, "url": "/", "channel_id": None}
        return jwt.encode(claims, secret or self.client_secret, algorithm="HS256")

    def load_url(self, store_hash: str, **kwargs: Any) -> str:
        assert self.app_base
        return f"{self.app_base}/load?" + urlencode({"signed_payload_jwt": self.signed_payload(store_hash, **kwargs)})

    def uninstall(self, store_hash: str) -> requests.Response:
        """The merchant clicks Uninstall: the app's uninstall callback, the app/uninstalled webhook, then
        BigCommerce revokes the token and deletes the app's hooks."""
        assert self.app_base
        answer = self._http.get(f"{self.app_base}/uninstall", params={
            "signed_payload_jwt": self.signed_payload(store_hash)}, timeout=30)
        self.fire(store_hash, "store/app/uninstalled", {"type": "app", "id": int(self.app_id)})
        self.flush()
        with self.lock:
            self.tokens = {t: h for t, h in self.tokens.items() if h != store_hash}
            self.stores[store_hash].hooks.clear()
            self.stores[store_hash].installed = False
        return answer

    def invalidate_tokens(self, store_hash: str) -> None:
        """The app's scopes or the owner's e-mail changed: BigCommerce marks the token invalid."""
        with self.lock:
            self.tokens = {t: h for t, h in self.tokens.items() if h != store_hash}

    def deactivate_hooks(self, store_hash: str) -> None:
        """90 days without traffic, or 48 hours of failed deliveries."""
        with self.lock:
            for hook in self.stores[store_hash].hooks.values():
                hook["is_active"] = False

    def spend(self, store_hash: str, n: int) -> None:
        """Another app on the store uses part of the shared quota."""
        with self.lock:
            store = self.stores[store_hash]
            self._roll(store)
            store.used = min(self.quota, store.used + n)

    def use_all_but(self, store_hash: str, left: int) -> None:
        """Other apps on the store use the window's quota down to `left` requests (never giving any back)."""
        with self.lock:
            store = self.stores[store_hash]
            self._roll(store)
            store.used = max(store.used, self.quota - left)

    def save_product(self, store_hash: str, product: dict[str, Any], *, notify: bool = True) -> dict[str, Any]:
        with self.lock:
            store = self.stores[store_hash]
            created = product["id"] not in store.products
            product = copy.deepcopy(product)
            product["date_modified"] = _iso()
            if created:
                product["date_created"] = product["date_modified"]
            store.products[product["id"]] = product
        if notify:
            self.fire(store_hash, "store/product/created" if created else "store/product/updated",
                      {"type": "product", "id": product["id"]})
        return product

    def set_stock(self, store_hash: str, product_id: int, level: int, variant_id: int | None = None) -> None:
        """An admin or API stock change (`method: absolute`), on the variant or on the product as tracked."""
        with self.lock:
            product = self.stores[store_hash].products[product_id]
            if product["inventory_tracking"] == "variant":
                variant = next(v for v in product["variants"] if v["id"] == (variant_id or product["variants"][0]["id"]))
                variant["inventory_level"] = level
                self._resplit(self.stores[store_hash], variant["id"], level)
                product["inventory_level"] = sum(v["inventory_level"] for v in product["variants"])
                scope, data = "store/sku/inventory/updated", {"type": "sku", "id": variant["sku_id"] or variant["id"],
                                                               "inventory": {"product_id": product_id, "method": "absolute",
                                                                             "value": level, "variant_id": variant["id"]}}
            else:
                product["inventory_level"] = level
                scope, data = "store/product/inventory/updated", {"type": "product", "id": product_id, "inventory": {
                    "product_id": product_id, "method": "absolute", "value": level}}
        self.fire(store_hash, scope, data)

    def delete_product(self, store_hash: str, product_id: int) -> None:
        with self.lock:
            self.stores[store_hash].products.pop(product_id, None)
        self.fire(store_hash, "store/product/deleted", {"type": "product", "id": product_id})

    def ship(self, store_hash: str, order_id: int, tracking_number: str, *, tracking_carrier: str = "",
             shipping_provider: str = "") -> dict[str, Any]:
        with self.lock:
            store = self.stores[store_hash]
            order = store.orders[order_id]
            shipment = {"id": self.next_shipment, "order_id": order_id, "customer_id": 0, "order_address_id": order_id,
                        "date_created": _rfc2822(), "tracking_number": tracking_number, "merchant_shipping_cost": "0.0000",
                        "shipping_method": "TikTok Shop", "shipping_provider": shipping_provider,
                        "tracking_carrier": tracking_carrier, "tracking_link": "", "comments": "",
                        "billing_address": order["billing_address"], "shipping_address": order["billing_address"],
                        "items": [{"order_product_id": n, "product_id": line["product_id"], "quantity": line["quantity"]}
                                  for n, line in enumerate(order["products"], start=1)],
                        "shipping_provider_display_name": "", "generated_tracking_link": ""}
            self.next_shipment += 1
            store.shipments.setdefault(order_id, []).append(shipment)
            order["status_id"], order["status"] = 2, STATUS_NAMES[2]
        self.fire(store_hash, "store/shipment/created", {"type": "shipment", "id": shipment["id"], "orderId": order_id})
        return shipment

    def cancel_order(self, store_hash: str, order_id: int) -> None:
        """The merchant cancels an order in the control panel."""
        self._set_status(self.stores[store_hash], order_id, CANCELLED)

    # ---- webhooks out --------------------------------------------------------------------------
    def fire(self, store_hash: str, scope: str, data: dict[str, Any]) -> int:
        """Queue the event for every active hook of the store with this scope; returns how many."""
        with self.lock:
            store = self.stores[store_hash]
            payload: dict[str, Any] = {"scope": scope, "store_id": str(zlib.crc32(store_hash.encode()) % 10_000_000),
                                       "data": data, "created_at": int(time.time()), "producer": f"stores/{store_hash}"}
            payload["hash"] = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            body = json.dumps(payload).encode()
            targets = [h for h in store.hooks.values() if h["is_active"] and h["scope"] == scope]
        for hook in targets:
            self._outbox.put(Delivery(scope=scope, store_hash=store_hash, destination=hook["destination"], body=body,
                                      headers=dict(hook.get("headers") or {})))
        return len(targets)

    def sign(self, body: bytes, msg_id: str | None = None, at: datetime | None = None,
             secret: str | None = None) -> dict[str, str]:
        """Standard Webhooks headers as BigCommerce sends them (key: base64 of the client secret)."""
        msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
        at = at or datetime.now(timezone.utc)
        key = base64.b64encode((secret or self.client_secret).encode()).decode()
        return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
                "webhook-signature": Webhook(key).sign(msg_id, at, body.decode())}

    def deliver(self, delivery: Delivery) -> Delivery:
        headers = {"Content-Type": "application/json", **delivery.headers, **self.sign(delivery.body)}
        delivery.sent_at = time.monotonic()
        try:
            answer = self._http.post(delivery.destination, data=delivery.body, headers=headers, timeout=10)
            delivery.status = answer.status_code
        except requests.RequestException:
            delivery.status = 0
        delivery.answered_at = time.monotonic()
        with self.lock:
            self.deliveries.append(delivery)
        return delivery

    def _send_loop(self) -> None:
        while True:
            delivery = self._outbox.get()
            if delivery is None:
                return
            try:
                self.deliver(delivery)
            finally:
                self._outbox.task_done()

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every queued webhook was delivered (answered)."""
        deadline = time.monotonic() + timeout
        while self._outbox.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    # ---- HTTP ---------------------------------------------------------------------------------------
    def __call__(self, environ: Any, start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        return self._route(request)(environ, start_response)

    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json", headers=headers or {})

    def _v3_error(self, status: int, title: str, headers: dict[str, str], errors: dict[str, str] | None = None) -> Response:
        body: dict[str, Any] = {"status": status, "title": title, "type": "/api-docs/getting-started/api-status-codes"}
        if errors is not None:
            body["errors"] = errors
        return self._json(body, status, headers)

    def _v2_error(self, status: int, message: str, headers: dict[str, str]) -> Response:
        return self._json([{"status": status, "message": message}], status, headers)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path == "/oauth2/token" and request.method == "POST":
            return self._token(request)
        if path == f"/app/{self.app_id}/install":
            if not self.signed_in:
                return Response("Sign in to your store first.", status=401)
            return Response(status=302, headers={"Location": self.install_url(self.signed_in)})
        if path == f"/manage/app/{self.app_id}":
            store_hash = request.args.get("store", "")
            if store_hash not in self.stores:
                return Response("No such store.", status=404)
            page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Apps</title></head><body>"
                    f"<h1>{self.stores[store_hash].name}: Apps</h1><iframe id=\"app\" title=\"App\" "
                    f"src=\"{self.load_url(store_hash)}\" style=\"width:1200px;height:900px\"></iframe></body></html>")
            return Response(page, mimetype="text/html")
        if path.startswith("/img"):
            return Response(self._image, mimetype="image/jpeg")
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "stores" and parts[2] in ("v2", "v3"):
            return self._api(request, parts[1], parts[2], parts[3:])
        return self._json({"status": 404, "title": "Not found"}, 404)

    def _token(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        if body.get("client_id") != self.client_id or body.get("client_secret") != self.client_secret:
            return self._json({"error": "Invalid client id or client secret"}, 401)
        if body.get("grant_type") != "authorization_code" or body.get("redirect_uri") != f"{self.app_base}/auth":
            return self._json({"error": "Invalid redirect_uri or grant_type"}, 400)
        with self.lock:
            found = self.codes.pop(str(body.get("code")), None)
            if found is None or body.get("context") != f"stores/{found[0]}" or body.get("scope") != found[1]:
                return self._json({"error": "Invalid grant"}, 400)
            store_hash, scope = found
            store = self.stores[store_hash]
            token = secrets.token_hex(16)
            self.tokens[token] = store_hash
            self.token_scopes[token] = set(scope.split())
            store.installed = True
        return self._json({"access_token": token, "scope": scope,
                           "user": {"id": 24654, "username": store.owner_email, "email": store.owner_email},
                           "owner": {"id": 12345, "username": store.owner_email, "email": store.owner_email},
                           "context": f"stores/{store_hash}", "account_uuid": "12345678-90ab-cdef-1234-567890abcdef"})

    def _roll(self, store: FakeStore) -> None:
        now = time.monotonic()
        if now - store.window_start >= self.window_ms / 1000.0:
            store.window_start, store.used = now, 0
            store.window_index += 1

    def _budget(self, store: FakeStore) -> tuple[bool, dict[str, str]]:
        with self.lock:
            self._roll(store)
            ok = store.used < self.quota
            if ok:
                store.used += 1
            reset = max(int((store.window_start + self.window_ms / 1000.0 - time.monotonic()) * 1000), 1)
            return ok, {"X-Rate-Limit-Requests-Left": str(max(self.quota - store.used, 0)),
                        "X-Rate-Limit-Requests-Quota": str(self.quota), "X-Rate-Limit-Time-Reset-Ms": str(reset),
                        "X-Rate-Limit-Time-Window-Ms": str(self.window_ms)}

    def _api(self, request: Request, store_hash: str, version: str, rest: list[str]) -> Response:
        store = self.stores.get(store_hash)
        owner = self.tokens.get(request.headers.get("X-Auth-Token", ""))
        call = f"{request.method} /{version}/{'/'.join(rest)}"
        if store is None or owner != store_hash:
            self.calls.append((time.monotonic(), store_hash, call, 401))
            return self._v3_error(401, "Unauthorized - the v3 Auth client ID or token in the request are not a valid "
                                       "combination for this store.", {})
        ok, headers = self._budget(store)
        now = time.monotonic()
        if not ok:
            self.calls.append((now, store_hash, call, 429))
            self.budget_log.append((now, store_hash, 0, int(headers["X-Rate-Limit-Time-Reset-Ms"]), 429,
                                    store.window_index))
            return self._v3_error(429, "Too many requests", headers)
        response = self._resource(request, store, version, rest, headers)
        self.calls.append((now, store_hash, call, response.status_code))
        self.budget_log.append((now, store_hash, int(headers["X-Rate-Limit-Requests-Left"]),
                                int(headers["X-Rate-Limit-Time-Reset-Ms"]), response.status_code, store.window_index))
        return response

    def _resource(self, request: Request, store: FakeStore, version: str, rest: list[str],
                  headers: dict[str, str]) -> Response:
        method = request.method
        if version == "v2" and rest == ["store"]:
            return self._json(self._store_info(store), 200, headers)
        if version == "v3" and rest[:2] == ["catalog", "products"]:
            return self._products(request, store, rest[2:], headers)
        if version == "v3" and rest == ["catalog", "trees", "categories"]:
            return self._collection(request, sorted(store.categories.values(), key=lambda c: c["category_id"]), headers)
        if version == "v3" and rest == ["catalog", "brands"]:
            return self._collection(request, [{"id": k, "name": v} for k, v in sorted(store.brands.items())], headers)
        if version == "v3" and rest == ["inventory", "items"]:
            if "store_inventory_read_only" not in self.token_scopes.get(request.headers.get("X-Auth-Token", ""), set()):
                return self._v3_error(403, "You don't have a required scope to access the endpoint", headers)
            return self._inventory_items(request, store, headers)
        if version == "v3" and rest[:1] == ["hooks"]:
            return self._hooks(request, store, rest[1:], headers)
        if version == "v2" and rest[:1] == ["orders"]:
            return self._orders(request, store, rest[1:], headers)
        if version == "v3" and len(rest) == 4 and rest[0] == "orders" and rest[2:] == ["payment_actions", "refunds"]:
            return self._refunds(request, store, rest[1], headers)
        return self._v3_error(404, f"No route for {method} /{version}/{'/'.join(rest)}", headers)

    def _store_info(self, store: FakeStore) -> dict[str, Any]:
        return {"id": store.store_hash, "account_uuid": "12345678-90ab-cdef-1234-567890abcdef",
                "domain": f"{store.store_hash}.example", "secure_url": f"https://{store.store_hash}.example",
                "control_panel_base_url": f"https://store-{store.store_hash}.mybigcommerce.com", "status": "live",
                "name": store.name, "first_name": "Sam", "last_name": "Owner", "address": "1 High Street, Leeds",
                "country": "United Kingdom", "country_code": "GB", "phone": "", "admin_email": store.owner_email,
                "order_email": store.owner_email, "timezone": {"name": "Europe/London", "raw_offset": 0,
                                                                "dst_offset": 3600, "dst_correction": True},
                "language": "en", "currency": store.currency, "currency_symbol": "£" if store.currency == "GBP" else "€",
                "decimal_separator": ".", "thousands_separator": ",", "decimal_places": 2,
                "currency_symbol_location": "left", "weight_units": store.weight_units,
                "dimension_units": store.dimension_units, "dimension_decimal_places": 2,
                "dimension_decimal_token": ".", "dimension_thousands_token": ",", "plan_name": "Standard",
                "plan_level": "Standard", "plan_is_trial": False, "industry": "Apparel",
                "is_price_entered_with_tax": store.price_entered_with_tax, "store_id": 1025646, "default_channel_id": 1,
                "default_site_id": 1000, "features": {"stencil_enabled": True, "multi_storefront_enabled": False}}

    def _paging(self, request: Request, headers: dict[str, str], max_limit: int = 250) -> tuple[int, int] | Response:
        try:
            page = int(request.args.get("page", "1"))
            limit = int(request.args.get("limit", "50"))
        except ValueError:
            return self._v3_error(400, "Input is invalid.", headers)
        if page < 1 or limit < 1:
            return self._v3_error(422, "Invalid page or limit", headers, {"limit": "must be positive"})
        return page, min(limit, max_limit)

    def _collection(self, request: Request, items: list[dict[str, Any]], headers: dict[str, str],
                    max_limit: int = 250, shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Response:
        paging = self._paging(request, headers, max_limit)
        if isinstance(paging, Response):
            return paging
        page, limit = paging
        total = len(items)
        pages = max((total + limit - 1) // limit, 1)
        data = [shape(item) if shape else item for item in items[(page - 1) * limit: page * limit]]
        return self._json({"data": data, "meta": {"pagination": {
            "total": total, "count": len(data), "per_page": limit, "current_page": page, "total_pages": pages,
            "links": {"current": f"?page={page}&limit={limit}",
                      **({"next": f"?page={page + 1}&limit={limit}"} if page < pages else {})}}}}, 200, headers)

    @staticmethod
    def _shaped(product: dict[str, Any], include: set[str]) -> dict[str, Any]:
        shaped = {k: v for k, v in product.items() if k not in ("variants", "images", "custom_fields")}
        for part in ("variants", "images", "custom_fields"):
            if part in include:
                shaped[part] = copy.deepcopy(product[part])
        return shaped

    def _products(self, request: Request, store: FakeStore, rest: list[str], headers: dict[str, str]) -> Response:
        include = set(filter(None, request.args.get("include", "").split(",")))
        if request.method != "GET":
            return self._v3_error(405, "Method not allowed", headers)
        if rest:
            try:
                product = store.products.get(int(rest[0]))
            except ValueError:
                product = None
            if product is None or len(rest) > 1:
                return self._v3_error(404, "The requested product was not found.", headers)
            return self._json({"data": self._shaped(product, include), "meta": {}}, 200, headers)
        with self.lock:
            found = list(store.products.values())
        since = request.args.get("date_modified:min")
        if since:
            try:
                floor = datetime.fromisoformat(since.replace("Z", "+00:00"))
            except ValueError:
                return self._v3_error(422, "The filter date_modified:min is invalid", headers,
                                      {"date_modified:min": "must be a date"})
            found = [p for p in found if datetime.fromisoformat(p["date_modified"]) >= floor]
        if request.args.get("id:in"):
            wanted = {int(i) for i in request.args["id:in"].split(",") if i.strip().isdigit()}
            found = [p for p in found if p["id"] in wanted]
        found.sort(key=lambda p: p["id"])
        # The docs: with options or modifiers included, at most 10 products a page.
        limit_cap = 10 if include & {"options", "modifiers"} else 250
        return self._collection(request, found, headers, limit_cap, shape=lambda p: self._shaped(p, include))

    def _inventory_items(self, request: Request, store: FakeStore, headers: dict[str, str]) -> Response:
        wanted = {int(i) for i in request.args.get("product_id:in", "").split(",") if i.strip().isdigit()}
        items = []
        with self.lock:
            for product in sorted(store.products.values(), key=lambda p: p["id"]):
                if wanted and product["id"] not in wanted:
                    continue
                for variant in product["variants"]:
                    level = variant["inventory_level"] if product["inventory_tracking"] == "variant" else \
                        product["inventory_level"]
                    split = store.stock_at.get(variant["id"]) or {min(store.locations): level}
                    items.append({"identity": {"sku": variant["sku"], "variant_id": variant["id"],
                                               "product_id": product["id"], "sku_id": variant["sku_id"]},
                                  "locations": [{"location_id": lid, "location_code": f"LOC-{lid}",
                                                 "location_name": name, "available_to_sell": split.get(lid, 0),
                                                 "total_inventory_onhand": split.get(lid, 0), "location_enabled": True,
                                                 "settings": {"safety_stock": 0, "is_in_stock": split.get(lid, 0) > 0,
                                                              "warning_level": 0, "bin_picking_number": ""}}
                                                for lid, name in sorted(store.locations.items())]})
        return self._collection(request, items, headers)

    @staticmethod
    def _resplit(store: FakeStore, variant_id: int, level: int) -> None:
        """A change of the variant's total lands at its first location (orders ship from there)."""
        split = store.stock_at.get(variant_id)
        if split:
            first = min(store.locations)
            split[first] = level - sum(q for lid, q in split.items() if lid != first)

    def set_location_stock(self, store_hash: str, product_id: int, variant_id: int, levels: dict[int, int]) -> None:
        """Stock of a variant-tracked variant per inventory location; its level is their total."""
        with self.lock:
            store = self.stores[store_hash]
            store.stock_at[variant_id] = dict(levels)
        self.set_stock(store_hash, product_id, sum(levels.values()), variant_id=variant_id)

    def _destination_ok(self, destination: Any) -> str | None:
        if not isinstance(destination, str) or not destination:
            return "error.path.missing."
        url = urlparse(destination)
        if self.loopback_destinations and url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost"):
            return None
        if url.scheme != "https" or (url.port not in (None, 443)):
            return "The destination must be an https URL on port 443."
        return None

    def _hooks(self, request: Request, store: FakeStore, rest: list[str], headers: dict[str, str]) -> Response:
        body = request.get_json(silent=True) or {}
        if not rest and request.method == "GET":
            items = sorted(store.hooks.values(), key=lambda h: h["id"])
            return self._collection(request, copy.deepcopy(items), headers)
        if not rest and request.method == "POST":
            errors = {}
            if not isinstance(body.get("scope"), str) or not body["scope"].startswith("store/"):
                errors["scope"] = "error.path.missing."
            problem = self._destination_ok(body.get("destination"))
            if problem:
                errors["destination"] = problem
            if any(h["scope"] == body.get("scope") and h["destination"] == body.get("destination")
                   for h in store.hooks.values()):
                errors["scope"] = "A webhook for this scope and destination exists already."
            if errors:
                return self._v3_error(422, "JSON data is missing or invalid", headers, errors)
            with self.lock:
                hook_id = self.next_hook
                self.next_hook += 1
                now = int(time.time())
                hook = {"id": hook_id, "client_id": self.client_id, "store_hash": store.store_hash,
                        "scope": body["scope"], "destination": body["destination"],
                        "headers": body.get("headers") or None, "is_active": bool(body.get("is_active", True)),
                        "created_at": now, "updated_at": now}
                store.hooks[hook_id] = hook
            return self._json({"data": copy.deepcopy(hook), "meta": {}}, 200, headers)
        try:
            hook = store.hooks[int(rest[0])]
        except (KeyError, ValueError, IndexError):
            return self._v3_error(404, f"Webhook with id [{rest[0] if rest else ''}] not found", headers)
        if request.method == "GET":
            return self._json({"data": copy.deepcopy(hook), "meta": {}}, 200, headers)
        if request.method == "PUT":
            if "destination" in body:
                problem = self._destination_ok(body["destination"])
                if problem:
                    return self._v3_error(422, "JSON data is missing or invalid", headers, {"destination": problem})
            with self.lock:
                for key in ("destination", "is_active", "headers", "scope"):
                    if key in body:
                        hook[key] = body[key]
                hook["updated_at"] = int(time.time())
            return self._json({"data": copy.deepcopy(hook), "meta": {}}, 200, headers)
        if request.method == "DELETE":
            with self.lock:
                store.hooks.pop(hook["id"], None)
            return self._json({"data": copy.deepcopy(hook), "meta": {}}, 200, headers)
        return self._v3_error(405, "Method not allowed", headers)

    # ---- orders --------------------------------------------------------------------------------
    def _orders(self, request: Request, store: FakeStore, rest: list[str], headers: dict[str, str]) -> Response:
        method = request.method
        if not rest and method == "GET":
            wanted = request.args.get("external_order_id")
            found = [o for o in store.orders.values() if wanted is None or o["external_order_id"] == wanted]
            if not found:
                return Response(status=204, headers=headers)  # v2 lists: No Content when nothing matches
            return self._json(copy.deepcopy(sorted(found, key=lambda o: o["id"])), 200, headers)
        if not rest and method == "POST":
            return self._create_order(store, request.get_json(silent=True), headers)
        try:
            order = store.orders[int(rest[0])]
        except (KeyError, ValueError, IndexError):
            return self._v2_error(404, "The requested resource was not found.", headers)
        if len(rest) == 1 and method == "GET":
            return self._json(copy.deepcopy(order), 200, headers)
        if len(rest) == 1 and method == "PUT":
            body = request.get_json(silent=True) or {}
            if "status_id" in body:
                if int(body["status_id"]) not in STATUS_NAMES:
                    return self._v2_error(400, "The field 'status_id' is invalid.", headers)
                self._set_status(store, order["id"], int(body["status_id"]))
            return self._json(copy.deepcopy(order), 200, headers)
        if rest[1:] == ["products"] and method == "GET":
            return self._json(copy.deepcopy(order["products"]), 200, headers)
        if rest[1:] == ["shipments"] and method == "GET":
            shipments = store.shipments.get(order["id"]) or []
            if not shipments:
                return Response(status=204, headers=headers)
            return self._json(copy.deepcopy(shipments), 200, headers)
        return self._v2_error(405, "Method not allowed", headers)

    def _line_target(self, store: FakeStore, line: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | str:
        product = store.products.get(int(line.get("product_id") or 0))
        if product is None:
            return f"The product with id {line.get('product_id')} could not be found."
        variant_id = line.get("variant_id")
        variant = next((v for v in product["variants"] if v["id"] == variant_id), None) if variant_id else \
            product["variants"][0]
        if variant is None:
            return f"The variant with id {variant_id} could not be found for product {product['id']}."
        return product, variant

    def _create_order(self, store: FakeStore, body: Any, headers: dict[str, str]) -> Response:
        if not isinstance(body, dict):
            return self._v2_error(400, "The request body is not valid JSON.", headers)
        billing = body.get("billing_address")
        if not isinstance(billing, dict):
            return self._v2_error(400, "The field 'billing_address' is required.", headers)
        if not billing.get("zip"):
            return self._v2_error(400, "The field 'zip' is invalid.", headers)
        if billing.get("country_iso2") and billing["country_iso2"] not in ("GB", "IE", "FR", "DE", "US"):
            return self._v2_error(400, f"The store does not ship to the country '{billing['country_iso2']}'.", headers)
        lines = body.get("products")
        if not isinstance(lines, list) or not lines:
            return self._v2_error(400, "The field 'products' is required.", headers)
        status_id = int(body.get("status_id", 1))
        with self.lock:
            targets = []
            for line in lines:
                target = self._line_target(store, line)
                if isinstance(target, str):
                    return self._v2_error(400, target, headers)
                product, variant = target
                level = variant["inventory_level"] if product["inventory_tracking"] == "variant" else \
                    product["inventory_level"]
                if product["inventory_tracking"] != "none" and status_id in STOCK_MOVING_STATUSES and \
                        int(line.get("quantity") or 0) > level:
                    return self._v2_error(400, f"The product '{product['name']}' does not have enough stock "
                                               f"({level} left).", headers)
                targets.append((product, variant, int(line.get("quantity") or 0)))
            order_id = self.next_order
            self.next_order += 1
            now = time.time()
            order = {"id": order_id, "customer_id": body.get("customer_id", 0), "date_created": _rfc2822(now),
                     "date_modified": _rfc2822(now), "status_id": status_id, "status": STATUS_NAMES[status_id],
                     "subtotal_inc_tax": str(sum(float(line.get("price_inc_tax") or 0) * int(line.get("quantity") or 0)
                                                 for line in lines)),
                     "total_inc_tax": str(body.get("total_inc_tax", "0")), "total_ex_tax": str(body.get("total_ex_tax", "0")),
                     "payment_method": body.get("payment_method", ""), "external_source": body.get("external_source"),
                     "external_order_id": body.get("external_order_id"), "external_id": None,
                     "staff_notes": body.get("staff_notes", ""), "customer_message": body.get("customer_message", ""),
                     "billing_address": billing, "shipping_addresses_body": body.get("shipping_addresses") or [],
                     "currency_code": store.currency, "channel_id": 1,
                     "products": [{"id": order_id * 100 + n, "product_id": p["id"], "variant_id": v["id"], "quantity": q,
                                   "price_inc_tax": next(float(line.get("price_inc_tax") or 0) for line in lines
                                                         if int(line.get("product_id") or 0) == p["id"])}
                                  for n, (p, v, q) in enumerate(targets, 1)]}
            store.orders[order_id] = order
            moves = self._move_stock(store, order, -1) if status_id in STOCK_MOVING_STATUSES else []
            cut = self.cut_next_order_answer
            self.cut_next_order_answer = False
        for scope, data in moves:
            self.fire(store.store_hash, scope, data)
        self.fire(store.store_hash, "store/order/created", {"type": "order", "id": order_id})
        if cut:  # made, but the answer is cut off on its way back
            return Response(json.dumps(order)[:25], status=201, mimetype="application/json", headers=headers)
        return self._json(copy.deepcopy(order), 201, headers)

    def _refunds(self, request: Request, store: FakeStore, order_key: str, headers: dict[str, str]) -> Response:
        """Orders API refunds: a refund names order products (item_id) and quantities not yet refunded, and
        payments that add up to at most what is left to refund; it does not move stock."""
        try:
            order = store.orders[int(order_key)]
        except (KeyError, ValueError):
            return self._v3_error(404, "Order not found", headers)
        made = order.setdefault("refunds", [])
        if request.method == "GET":
            return self._json({"data": copy.deepcopy(made), "meta": {}}, 200, headers)
        if request.method != "POST":
            return self._v3_error(405, "Method not allowed", headers)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list) or not body["items"]:
            return self._v3_error(422, "JSON data is missing or invalid", headers, {"items": "items are required"})
        payments = body.get("payments") or []
        with self.lock:
            refunded: dict[int, int] = {}
            for r in made:
                for item in r["items"]:
                    refunded[item["item_id"]] = refunded.get(item["item_id"], 0) + item["quantity"]
            for item in body["items"]:
                line = next((p for p in order["products"] if p["id"] == item.get("item_id")), None)
                if item.get("item_type") != "PRODUCT" or line is None:
                    return self._v3_error(422, f"Invalid item {item.get('item_id')}", headers)
                if int(item.get("quantity") or 0) > line["quantity"] - refunded.get(line["id"], 0):
                    return self._v3_error(422, "The quantity is more than can be refunded", headers)
            total = sum(float(p.get("amount") or 0) for p in payments)
            already = sum(float(r["total_amount"]) for r in made)
            if total > float(order["total_inc_tax"] or 0) - already + 1e-9:
                return self._v3_error(422, "The refund amount is more than the refundable amount", headers)
            refund = {"id": len(made) + 1 + order["id"] * 1000, "order_id": order["id"], "user_id": 0,
                      "created": _rfc2822(time.time()), "reason": str(body.get("reason") or ""),
                      "total_amount": round(total, 2), "total_tax": 0, "uses_merchant_override_values": False,
                      "payments": [{"id": 1, "provider_id": p.get("provider_id"), "amount": p.get("amount"),
                                    "offline": bool(p.get("offline")), "is_declined": False, "declined_message": ""}
                                   for p in payments],
                      "items": [{"item_type": "PRODUCT", "item_id": i["item_id"], "quantity": int(i["quantity"]),
                                 "requested_amount": None, "reason": ""} for i in body["items"]]}
            made.append(refund)
        return self._json({"data": copy.deepcopy(refund), "meta": {}}, 201, headers)

    def _move_stock(self, store: FakeStore, order: dict[str, Any], sign: int) -> list[tuple[str, dict[str, Any]]]:
        moves = []
        for line in order["products"]:
            product = store.products.get(line["product_id"])
            if product is None or product["inventory_tracking"] == "none":
                continue
            delta = sign * int(line["quantity"])
            if product["inventory_tracking"] == "variant":
                variant = next((v for v in product["variants"] if v["id"] == line["variant_id"]), None)
                if variant is None:
                    continue
                variant["inventory_level"] += delta
                self._resplit(store, variant["id"], variant["inventory_level"])
                product["inventory_level"] = sum(v["inventory_level"] for v in product["variants"])
                moves.append(("store/sku/inventory/order/updated", {
                    "type": "sku", "id": variant["sku_id"] or variant["id"], "inventory": {
                        "product_id": product["id"], "method": "relative", "value": delta, "variant_id": variant["id"]}}))
            else:
                product["inventory_level"] += delta
                moves.append(("store/product/inventory/order/updated", {
                    "type": "product", "id": product["id"], "inventory": {
                        "product_id": product["id"], "method": "relative", "value": delta}}))
        return moves

    def _set_status(self, store: FakeStore, order_id: int, status_id: int) -> None:
        with self.lock:
            order = store.orders[order_id]
            previous = order["status_id"]
            if previous == status_id:
                return
            order["status_id"], order["status"] = status_id, STATUS_NAMES[status_id]
            moves: list[tuple[str, dict[str, Any]]] = []
            if status_id == CANCELLED and previous in STOCK_MOVING_STATUSES:
                moves = self._move_stock(store, order, +1)
        for scope, data in moves:
            self.fire(store.store_hash, scope, data)
        self.fire(store.store_hash, "store/order/statusUpdated", {"type": "order", "id": order_id, "status": {
            "previous_status_id": previous, "new_status_id": status_id}})

    # ---- what the tests and benchmarks read ---------------------------------------------------------
    def app_calls(self, store_hash: str, status: int | None = None) -> list[tuple[float, str, int]]:
        return [(t, c, s) for t, h, c, s in list(self.calls) if h == store_hash and (status is None or s == status)]
