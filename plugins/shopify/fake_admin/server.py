"""The fake Shopify's HTTP server and its shops (see the package docstring)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import itertools
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from graphql import (FragmentDefinitionNode, GraphQLError, OperationDefinitionNode, execute_sync, parse,
                     specified_rules, validate)
from graphql.validation import NoDeprecatedCustomRule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from plugins.shopify.auth import query_message
from plugins.shopify.config import API_VERSION, read_app_toml
from plugins.shopify.fake_admin import bulk as bulk_files
from plugins.shopify.fake_admin.cost import MAX_QUERY_COST, Bucket, actual_cost, requested_cost
from plugins.shopify.fake_admin.schema import admin_schema, example_payload

RULES = [*specified_rules, NoDeprecatedCustomRule]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def gid(kind: str, value: Any) -> str:
    return f"gid://shopify/{kind}/{value}"


def tail(value: Any) -> str:
    return str(value).rsplit("/", 1)[-1].split("?", 1)[0]


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1200), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def connection(items: list[Any], first: int | None = None, after: str | None = None, last: int | None = None,
               **_: Any) -> dict[str, Any]:
    start = int(base64.b64decode(after).decode()) + 1 if after else 0
    window = items[start:]
    if first is not None:
        window = window[:first]
    elif last is not None:
        window = window[-last:] if last else []
        start = len(items) - len(window)
    cursors = [base64.b64encode(str(start + n).encode()).decode() for n in range(len(window))]
    return {"nodes": window, "edges": [{"node": node, "cursor": c} for node, c in zip(window, cursors)],
            "pageInfo": {"hasNextPage": start + len(window) < len(items), "hasPreviousPage": start > 0,
                         "startCursor": cursors[0] if cursors else None, "endCursor": cursors[-1] if cursors else None}}


@dataclass
class Shop:
    domain: str
    name: str
    currency: str = "GBP"
    weight_unit: str = "KILOGRAMS"
    unit_system: str = "METRIC_SYSTEM"
    taxes_included: bool = True  # Settings → Taxes and duties: "Include sales tax in product price"
    locations: list[dict[str, Any]] = field(default_factory=list)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    bulk: dict[str, dict[str, Any]] = field(default_factory=dict)
    bucket: Bucket = field(default_factory=Bucket)
    installed: bool = False


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class FakeShopify:
    """Shopify for one app (client id and secret), serving any number of shops on one loopback port."""

    def __init__(self, client_id: str, client_secret: str, *, version: str = API_VERSION, token_seconds: int = 3600,
                 hub_url: str | None = None, bucket: tuple[float, float] = (2000.0, 100.0), host: str = "127.0.0.1",
                 port: int = 0):
        self.client_id, self.client_secret, self.version = client_id, client_secret, version
        self.schema = admin_schema(version)
        self.token_seconds = token_seconds
        self.hub_url = hub_url
        self.bucket_size = bucket
        self.shops: dict[str, Shop] = {}
        self.codes: dict[str, str] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.used_session_tokens: list[str] = []
        self.problems: list[str] = []  # documents Shopify would refuse: a test fails on any
        self.documents: list[str] = []  # every document received (operation names)
        self.calls: list[str] = []
        self.deliveries: list[dict[str, Any]] = []
        self.cut_next_order_answer = False
        self.drop_webhooks = False
        self.throttled = 0
        self.cost_spent = 0.0
        self.lock = threading.RLock()
        self._ids = itertools.count(int(time.time()) * 1000)
        self._order_numbers = itertools.count(1001)
        self._images: dict[str, bytes] = {}
        self._checked: dict[str, tuple[Any, list[GraphQLError]]] = {}
        app = read_app_toml()
        self.subscriptions = self._subscriptions(app)
        self.server = make_server(host, port, self, threaded=True, request_handler=_Quiet)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # ---- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> "FakeShopify":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def start(self) -> "FakeShopify":
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def admin_url(self) -> str:
        """The value for HUB_SHOPIFY_ADMIN_URL."""
        return f"{self.url}/{{shop}}"

    def new_id(self) -> str:
        return str(next(self._ids))

    @staticmethod
    def _subscriptions(app: dict[str, Any]) -> dict[str, tuple[str, list[str] | None]]:
        """topic → (the hub's path, the subscription's include_fields) from shopify.app.toml."""
        topics: dict[str, tuple[str, list[str] | None]] = {}
        for sub in (app.get("webhooks") or {}).get("subscriptions") or []:
            path = urlsplit(sub["uri"]).path
            for topic in list(sub.get("topics") or []) + list(sub.get("compliance_topics") or []):
                topics[topic] = (path, sub.get("include_fields"))
        return topics

    # ---- the merchant's side: shops, products, stock, shipping ------------------------------------
    def add_shop(self, domain: str, name: str, *, currency: str = "GBP", locations: int = 2,
                 weight_unit: str = "KILOGRAMS") -> Shop:
        shop = Shop(domain=domain, name=name, currency=currency, weight_unit=weight_unit,
                    bucket=Bucket(*self.bucket_size),
                    locations=[{"id": self.new_id(), "name": n, "isActive": True, "fulfillsOnlineOrders": True}
                               for n in ("Warehouse", "High Street shop", "Pop-up", "Outlet")[:locations]])
        self.shops[domain] = shop
        return shop

    def image(self, name: str, colour: tuple[int, int, int] = (30, 120, 60)) -> str:
        if name not in self._images:
            self._images[name] = _jpeg(colour)
        return f"{self.url}/img/{name}.jpg"

    def save_product(self, domain: str, product: dict[str, Any], *, notify: bool = True) -> dict[str, Any]:
        """Create or update a product (the shape `product()` in tests builds); fires its webhook."""
        shop = self.shops[domain]
        stamp = now_iso()
        with self.lock:
            created = str(product["id"]) not in shop.products
            product = {**product, "id": str(product["id"]), "updatedAt": stamp}
            for variant in product["variants"]:
                variant.setdefault("updatedAt", stamp)
                variant.setdefault("inventoryItemId", self.new_id())
                variant.setdefault("tracked", True)
                variant.setdefault("policy", "DENY")
                levels = variant.setdefault("levels", {})
                for location in list(levels):
                    levels[location] = {"available": int(levels[location]["available"]),
                                        "updatedAt": levels[location].get("updatedAt", stamp)}
            shop.products[product["id"]] = product
        if notify:
            self.webhook(domain, "products/create" if created else "products/update", self._product_payload(product))
        return product

    def delete_product(self, domain: str, product_id: str) -> None:
        with self.lock:
            self.shops[domain].products.pop(str(product_id), None)
        payload = example_payload("products/delete", self.version)
        payload["id"] = int(product_id)
        self.webhook(domain, "products/delete", payload)

    def _find_variant(self, shop: Shop, variant_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        for product in shop.products.values():
            for variant in product["variants"]:
                if str(variant["id"]) == str(variant_id):
                    return product, variant
        return None

    def set_stock(self, domain: str, variant_id: str, location_id: str, available: int, *,
                  notify: bool = True) -> dict[str, Any]:
        shop = self.shops[domain]
        with self.lock:
            found = self._find_variant(shop, variant_id)
            assert found is not None, f"no variant {variant_id}"
            variant = found[1]
            level = {"available": int(available), "updatedAt": now_iso()}
            variant["levels"][str(location_id)] = level
        payload = self._level_payload(variant, str(location_id), level)
        if notify:
            self.webhook(domain, "inventory_levels/update", payload)
        return payload

    def fulfil(self, domain: str, order_id: str, tracking_number: str | None, company: str) -> None:
        shop = self.shops[domain]
        with self.lock:
            order = shop.orders[str(order_id)]
            fulfilment: dict[str, Any] = {"id": self.new_id(), "status": "SUCCESS", "createdAt": now_iso(),
                          "tracking": [{"number": tracking_number, "company": company,
                                        "url": f"https://track.example/{tracking_number}"}] if tracking_number else []}
            order["fulfillments"].append(fulfilment)
        payload = example_payload("fulfillments/create", self.version)
        payload.update({"id": int(fulfilment["id"]), "order_id": int(order_id), "status": "success",
                        "tracking_company": company, "tracking_number": tracking_number,
                        "tracking_numbers": [tracking_number] if tracking_number else [],
                        "tracking_url": f"https://track.example/{tracking_number}" if tracking_number else None,
                        "tracking_urls": [f"https://track.example/{tracking_number}"] if tracking_number else [],
                        "name": f"{order['name']}.1", "admin_graphql_api_id": gid("Fulfillment", fulfilment["id"]),
                        "updated_at": fulfilment["createdAt"], "created_at": fulfilment["createdAt"]})
        self.webhook(domain, "fulfillments/create", payload)

    def uninstall(self, domain: str) -> requests.Response | None:
        with self.lock:
            self.tokens = {t: v for t, v in self.tokens.items() if v[0] != domain}
            self.refresh_tokens = {t: s for t, s in self.refresh_tokens.items() if s != domain}
            self.shops[domain].installed = False
        shop = self.shops[domain]
        payload = example_payload("app/uninstalled", self.version)
        payload.update({"id": int(abs(hash(domain)) % 10**9), "name": shop.name, "domain": domain,
                        "myshopify_domain": domain, "currency": shop.currency})
        return self.webhook(domain, "app/uninstalled", payload)

    # ---- webhooks ------------------------------------------------------------------------------
    def _product_payload(self, product: dict[str, Any]) -> dict[str, Any]:
        payload = example_payload("products/update", self.version)
        payload.update({"id": int(product["id"]), "admin_graphql_api_id": gid("Product", product["id"]),
                        "title": product["title"], "updated_at": product["updatedAt"],
                        "handle": product.get("handle") or f"product-{product['id']}",
                        "status": str(product.get("status", "ACTIVE")).lower()})
        return payload

    def _level_payload(self, variant: dict[str, Any], location_id: str, level: dict[str, Any]) -> dict[str, Any]:
        payload = example_payload("inventory_levels/update", self.version)
        item = variant["inventoryItemId"]
        payload.update({"inventory_item_id": int(item), "location_id": int(location_id),
                        "available": level["available"], "updated_at": level["updatedAt"],
                        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item}"})
        return payload

    def sign(self, body: bytes, secret: str | None = None) -> str:
        return base64.b64encode(hmac.new((secret or self.client_secret).encode(), body, hashlib.sha256).digest()).decode()

    def headers(self, domain: str, topic: str, body: bytes, *, webhook_id: str | None = None) -> dict[str, str]:
        return {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": domain,
                "X-Shopify-API-Version": self.version, "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
                "X-Shopify-Event-Id": str(uuid.uuid4()), "X-Shopify-Triggered-At": now_iso(),
                "X-Shopify-Hmac-Sha256": self.sign(body)}

    def webhook(self, domain: str, topic: str, payload: dict[str, Any]) -> requests.Response | None:
        """Deliver `payload` for `topic` to the address `shopify.app.toml` subscribes it to."""
        path, include = self.subscriptions.get(topic) or (None, None)
        if include:  # Shopify sends only the subscription's include_fields
            payload = {k: v for k, v in payload.items() if k in include}
        body = json.dumps(payload).encode()
        headers = self.headers(domain, topic, body)
        self.deliveries.append({"topic": topic, "shop": domain, "body": body, "headers": headers,
                                "at": time.monotonic()})
        if path is None or self.hub_url is None or self.drop_webhooks:
            return None
        return requests.post(self.hub_url.rstrip("/") + path, data=body, headers=headers, timeout=10)

    def webhook_later(self, domain: str, topic: str, payload: dict[str, Any]) -> None:
        threading.Thread(target=self.webhook, args=(domain, topic, payload), daemon=True).start()

    # ---- the admin: session tokens and the app's page ----------------------------------------------
    def session_token(self, domain: str, **overrides: Any) -> str:
        now = int(time.time())
        secret = overrides.pop("_secret", None) or self.client_secret
        claims = {"iss": f"https://{domain}/admin", "dest": f"https://{domain}", "aud": self.client_id,
                  "sub": "42", "exp": now + 60, "nbf": now - 5, "iat": now - 5, "jti": str(uuid.uuid4()),
                  "sid": secrets.token_hex(8), **overrides}
        return jwt.encode(claims, secret, algorithm="HS256")

    def admin_page(self, domain: str, app_url: str, *, token: str | None = None) -> str:
        """The URL Shopify's admin loads in its iframe (Shopify-managed installation has happened)."""
        self.shops[domain].installed = True
        host = base64.b64encode(f"admin.shopify.com/store/{domain.split('.')[0]}".encode()).decode().rstrip("=")
        params = {"embedded": "1", "host": host, "id_token": token or self.session_token(domain), "locale": "en-GB",
                  "session": secrets.token_hex(16), "shop": domain, "timestamp": str(int(time.time()))}
        params["hmac"] = hmac.new(self.client_secret.encode(), query_message(params.items()).encode(),
                                  hashlib.sha256).hexdigest()
        return f"{app_url}?{urlencode(params)}"

    # ---- HTTP ------------------------------------------------------------------------------------
    def __call__(self, environ: Any, start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        self.calls.append(f"{request.method} {request.path}")
        try:
            response = self._route(request)
        except Exception as error:  # noqa: BLE001 - a fake's bug shows as Shopify's 500 and a problem
            self.problems.append(f"fake Shopify failed on {request.path}: {error!r}")
            response = self._json({"errors": "Internal Server Error"}, 500)
        return response(environ, start_response)

    def _json(self, data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def _route(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if parts[0] == "img" and len(parts) == 2:
            data = self._images.get(parts[1].removesuffix(".jpg"))
            return Response(data, mimetype="image/jpeg") if data else Response(status=404)
        if parts[0] == "bulk" and len(parts) == 2:
            for shop in self.shops.values():
                operation = shop.bulk.get(parts[1].removesuffix(".jsonl"))
                if operation is not None:
                    return Response(operation["file"], mimetype="application/jsonl")
            return Response(status=404)
        domain = parts[0]
        if domain not in self.shops:
            return self._json({"errors": "Not Found"}, 404)
        rest = parts[1:]
        if rest == ["admin", "oauth", "authorize"]:
            return self._authorize(request, domain)
        if rest == ["admin", "oauth", "access_token"] and request.method == "POST":
            return self._access_token(request, domain)
        if len(rest) == 4 and rest[:2] == ["admin", "api"] and rest[3] == "graphql.json" and request.method == "POST":
            return self._graphql(request, domain, rest[2])
        return self._json({"errors": "Not Found"}, 404)

    def _authorize(self, request: Request, domain: str) -> Response:
        """The merchant approves the app at once (the page a merchant would click through)."""
        if request.args.get("client_id") != self.client_id:
            return self._json({"errors": "unknown app"}, 400)
        wanted = set((request.args.get("scope") or "").split(","))
        granted = set(str((read_app_toml().get("access_scopes") or {}).get("scopes", "")).split(","))
        if not wanted <= granted:
            self.problems.append(f"authorize asked for scopes beyond shopify.app.toml: {wanted - granted}")
        code = secrets.token_hex(12)
        self.codes[code] = domain
        self.shops[domain].installed = True
        params = {"code": code, "host": base64.b64encode(f"{domain}/admin".encode()).decode().rstrip("="),
                  "shop": domain, "state": request.args.get("state", ""), "timestamp": str(int(time.time()))}
        params["hmac"] = hmac.new(self.client_secret.encode(), query_message(params.items()).encode(),
                                  hashlib.sha256).hexdigest()
        return Response(status=302, headers={"Location": f"{request.args['redirect_uri']}?{urlencode(params)}"})

    def _grant(self, domain: str) -> dict[str, Any]:
        access, refresh = "shpat_" + secrets.token_hex(16), "shprt_" + secrets.token_hex(16)
        self.tokens[access] = (domain, time.time() + self.token_seconds)
        self.refresh_tokens[refresh] = domain
        return {"access_token": access, "scope": str((read_app_toml().get("access_scopes") or {}).get("scopes")),
                "expires_in": self.token_seconds, "refresh_token": refresh,
                "refresh_token_expires_in": 90 * 24 * 3600}

    def _access_token(self, request: Request, domain: str) -> Response:
        body = request.get_json(silent=True) or {}
        if body.get("client_id") != self.client_id or body.get("client_secret") != self.client_secret:
            return self._json({"error": "invalid_client", "error_description": "Client credentials are invalid"}, 401)
        grant_type = body.get("grant_type")
        if grant_type == "refresh_token":
            shop = self.refresh_tokens.pop(str(body.get("refresh_token")), None)  # rotated: single use
            if shop != domain:
                return self._json({"error": "invalid_grant", "error_description": "refresh token is invalid"}, 400)
            return self._json(self._grant(domain))
        if grant_type == "urn:ietf:params:oauth:grant-type:token-exchange":
            expected = {"subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
                        "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token"}
            if any(body.get(k) != v for k, v in expected.items()):
                return self._json({"error": "invalid_request"}, 400)
            try:
                claims = jwt.decode(str(body.get("subject_token")), self.client_secret, algorithms=["HS256"],
                                    audience=self.client_id, leeway=10)
            except jwt.PyJWTError as error:
                return self._json({"error": "invalid_subject_token", "error_description": str(error)}, 400)
            if claims.get("dest") != f"https://{domain}" or not self.shops[domain].installed:
                return self._json({"error": "invalid_subject_token"}, 400)
            self.used_session_tokens.append(str(body.get("subject_token")))
            return self._json(self._grant(domain))
        shop = self.codes.pop(str(body.get("code")), None)
        if shop != domain:
            return self._json({"error": "invalid_request", "error_description": "authorization code was not found "
                               "or was already used"}, 400)
        return self._json(self._grant(domain))

    # ---- GraphQL ---------------------------------------------------------------------------------
    def _graphql(self, request: Request, domain: str, version: str) -> Response:
        token = request.headers.get("X-Shopify-Access-Token", "")
        owner = self.tokens.get(token)
        if owner is None or owner[0] != domain or owner[1] < time.time():
            return self._json({"errors": "[API] Invalid API key or access token (unrecognized login or wrong "
                               "password)"}, 401)
        if version != self.version:
            self.problems.append(f"the app called API version {version}, not the pinned {self.version}")
            return self._json({"errors": "Not Found"}, 404)
        body = request.get_json(silent=True) or {}
        source, variables = str(body.get("query") or ""), body.get("variables") or {}
        checked = self._checked.get(source)
        if checked is None:  # the same document is parsed and validated once (validation needs no variables)
            try:
                document = parse(source)
            except GraphQLError as error:
                self.problems.append(f"unparsable document: {error.message}")
                return self._json({"errors": [{"message": error.message}]})
            checked = self._checked[source] = (document, validate(self.schema, document, RULES))
        document, errors = checked
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        name = operation.name.value if operation.name else "(anonymous)"
        self.documents.append(name)
        if errors:
            self.problems.extend(f"{name}: {e.message}" for e in errors)
            return self._json({"errors": [e.formatted for e in errors]})
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        shop = self.shops[domain]
        requested = requested_cost(self.schema, operation, fragments, variables)
        if requested > MAX_QUERY_COST:
            self.problems.append(f"{name} asks for {requested} points, over Shopify's {MAX_QUERY_COST}")
            return self._json({"errors": [{"message": f"Query cost is {requested}, which exceeds the single query "
                                           f"max cost limit ({MAX_QUERY_COST}).",
                                           "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested}}]})
        if not shop.bucket.try_take(requested):
            self.throttled += 1
            return self._json({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                               "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": None,
                                                       "throttleStatus": shop.bucket.status()}}})
        mutation = operation.operation.value == "mutation"
        result = execute_sync(self.schema, document, root_value=self._root(shop, mutation), variable_values=variables,
                              operation_name=operation.name.value if operation.name else None)
        data = result.data
        actual = actual_cost(data, mutation)
        shop.bucket.charge(actual)
        self.cost_spent += actual
        answer: dict[str, Any] = {"data": data, "extensions": {"cost": {
            "requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": shop.bucket.status()}}}
        if result.errors:
            self.problems.extend(f"{name}: {e.message}" for e in result.errors)
            answer["errors"] = [e.formatted for e in result.errors]
        if mutation and self.cut_next_order_answer and "orderCreate" in (data or {}):
            self.cut_next_order_answer = False
            return Response(json.dumps(answer)[:25], status=200, mimetype="application/json")
        return self._json(answer)

    def _root(self, shop: Shop, mutation: bool) -> dict[str, Any]:
        from plugins.shopify.fake_admin.resolvers import mutation_root, query_root

        return mutation_root(self, shop) if mutation else query_root(self, shop)

    def run_bulk(self, shop: Shop, operation: dict[str, Any], document: Any) -> None:
        from plugins.shopify.fake_admin.resolvers import query_root

        operation["status"] = "RUNNING"
        started = time.monotonic()
        result = execute_sync(self.schema, document, root_value=query_root(self, shop, bulk=True))
        if result.errors:
            self.problems.extend(f"bulk: {e.message}" for e in result.errors)
            operation.update(status="FAILED", errorCode="INTERNAL_SERVER_ERROR")
            return
        data = bulk_files.jsonl(result.data or {})
        operation.update(file=data, status="COMPLETED", completedAt=now_iso(), fileSize=str(len(data)),
                         objectCount=str(data.count(b"\n")), seconds=time.monotonic() - started,
                         rootObjectCount=str(sum(1 for line in data.splitlines() if b"__parentId" not in line)),
                         url=f"{self.url}/bulk/{operation['key']}.jsonl" if data else None)
