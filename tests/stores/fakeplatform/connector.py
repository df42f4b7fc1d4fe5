"""The Fakeshop connector: a complete hosted connector in one module, written against hub.stores only."""

from __future__ import annotations

import hmac
import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from urllib.parse import urlencode

from flask import Blueprint, Request, Response, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from hub.errors import DataError
from hub.runtime import current
from hub.stores import framing, install
from hub.stores.connector import Grant, HostedConnector, Installation, Notification, WebhookRejected
from hub.stores.context import ConnectorContext
from hub.stores.http import PlatformClient, header_budget
from tests.stores.fakeplatform.server import sign_body, sign_query

SHOP = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1_000_000) // 1000


class FakeshopConnector(HostedConnector):
    platform = "fakeshop"
    label = "Fakeshop"
    option_word = "options"

    def __init__(self, platform_url: str, client_id: str, client_secret: str):
        self.url = platform_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret

    # ---- web -------------------------------------------------------------------------------------
    def install_url(self, shop: str, state: str) -> str:
        if not SHOP.match(shop):
            raise DataError("Enter your Fakeshop address: lower-case letters, digits and hyphens.",
                            code="invalid_shop")
        redirect_uri = url_for("store_fakeshop.callback", _external=True)
        return f"{self.url}/admin/oauth/authorize?" + urlencode(
            {"client_id": self.client_id, "shop": shop, "state": state, "redirect_uri": redirect_uri})

    def blueprint(self) -> Blueprint:
        bp = Blueprint("fakeshop", __name__)
        bp.add_url_rule("/auth/callback", "callback", self._callback)
        bp.add_url_rule("/app", "app", self._app_page)
        return bp

    def _callback(self) -> Any:
        params = request.args.to_dict()
        signed = sign_query(self.client_secret, params)
        if not hmac.compare_digest(signed, params.get("hmac", "")) or abs(time.time() - int(params.get("timestamp", 0))) > 90:
            return Response("The install request is not signed by Fakeshop.", status=401)
        state = install.consume_state(current(), self.platform, params.get("state"))
        if state is None:
            return Response("This install link expired or was already used.", status=400)
        shop = params["shop"]
        token = PlatformClient(name=self.label, base_url=self.url).request(
            "POST", "/admin/oauth/token", json_body={"client_id": self.client_id, "client_secret": self.client_secret,
                                                     "code": params.get("code")})
        grant = self._grant(token)
        install.complete_install(current(), self, Installation(shop_id=shop, shop_name=f"{shop} (Fakeshop)",
                                                               grant=grant), merchant_id=state.get("merchant_id"))
        # Subscribe to webhooks at the hub's address for this platform.
        PlatformClient(name=self.label, base_url=f"{self.url}/shops/{shop}/api",
                       auth_headers=lambda t: {"X-Fake-Token": t}).request(
            "PUT", "/webhooks", json_body={"url": request.url_root.rstrip("/") + f"/stores/{self.platform}/webhooks"},
            headers={"X-Fake-Token": grant.access_token})
        return framing.begin(self, shop)

    def _app_page(self) -> Any:
        try:
            claims = URLSafeTimedSerializer(self.client_secret, salt="fakeshop-admin").loads(
                request.args.get("token", ""), max_age=60)
        except BadSignature:
            return Response("This page must be opened from your Fakeshop admin.", status=401)
        if claims.get("aud") != "tiktok-shop-sync" or claims.get("shop") != request.args.get("shop"):
            return Response("This page must be opened from your Fakeshop admin.", status=401)
        return framing.begin(self, claims["shop"])

    def verify_webhook(self, req: Request) -> Notification:
        body = req.get_data()
        if not hmac.compare_digest(sign_body(self.client_secret, body), req.headers.get("X-Fake-Hmac", "")):
            raise WebhookRejected("bad signature")
        shop, topic, delivery = (req.headers.get(h) for h in ("X-Fake-Shop", "X-Fake-Topic", "X-Fake-Webhook-Id"))
        payload = req.get_json(silent=True)
        if not shop or not topic or not delivery or not isinstance(payload, dict):
            raise WebhookRejected("missing shop, topic, delivery id or body")
        return Notification(shop_id=shop, topic=topic, dedupe_key=delivery, payload=payload)

    def admin_origins(self, shop_id: str, details: dict[str, Any]) -> list[str]:
        return [self.url]

    # ---- reading ---------------------------------------------------------------------------------
    def _client(self, ctx: ConnectorContext) -> PlatformClient:
        return ctx.http(f"{self.url}/shops/{ctx.shop_id}/api",
                        budget=header_budget("X-Budget-Left", reset_ms="X-Budget-Reset-Ms"),
                        auth_headers=lambda token: {"X-Fake-Token": token})

    def canonical(self, product: dict[str, Any]) -> dict[str, Any]:
        names = [o["name"] for o in product.get("options") or []]
        path = [p.strip() for p in (product.get("product_type") or "").split(">") if p.strip()]
        return {
            "id": str(product["id"]), "version": _ms(product["updated_at"]), "status": product.get("status", "active"),
            "title": product["title"], "description_html": product.get("body_html") or "",
            "url": f"{self.url}/products/{product['id']}", "brand": product.get("vendor"),
            "categories": [{"id": "-".join(path) or "none", "name": path[-1], "path": path}] if path else [],
            "images": [{"url": i["src"], "alt": i.get("alt") or ""} for i in product.get("images") or []],
            "attributes": dict(product.get("metafields") or {}),
            "weight": {"value": str(product.get("grams") or 0), "unit": "g"}, "dimensions": None,
            "variants": [{"id": str(v["id"]), "sku": v.get("sku"), "price": v["price"], "compare_at_price": None,
                          "currency": "GBP", "quantity": int(v["inventory_quantity"]), "manage_stock": True,
                          "options": {n: v[f"option{i + 1}"] for i, n in enumerate(names)},
                          "barcode": v.get("barcode"), "barcode_type": None, "image_url": None,
                          "weight": None, "dimensions": None} for v in product["variants"]],
        }

    def events_for(self, ctx: ConnectorContext, notification: Notification) -> list[dict[str, Any]]:
        topic, payload = notification.topic, notification.payload
        if topic == "app/uninstalled":
            ctx.uninstall("The TikTok Shop Sync app was uninstalled in Fakeshop.")
            return []
        with self._client(ctx) as client:
            if topic in ("products/create", "products/update"):
                try:
                    product = client.request("GET", f"/products/{int(payload['id'])}")
                except DataError as error:
                    if error.code == "store_not_found":
                        return [{"type": "product.delete", "product_id": str(payload["id"])}]
                    raise
                return [{"type": "product.upsert", "product": self.canonical(product)}]
            if topic == "products/delete":
                return [{"type": "product.delete", "product_id": str(payload["id"])}]
            if topic == "fulfillments/create":
                order = client.request("GET", f"/orders/{int(payload['order_id'])}")
                shipped = order.get("fulfillment") or {}
                return [{"type": "order.fulfilled", "tiktok_order_id": order["external_id"],
                         "platform_order_id": str(order["id"]), "tracking_number": shipped["tracking_number"],
                         "carrier": shipped["carrier"], "shipped_at": shipped.get("shipped_at")}]
        return []

    def store_info(self, ctx: ConnectorContext) -> dict[str, Any]:
        with self._client(ctx) as client:
            info = client.request("GET", "/store")
        return {"currency": info["currency"], "weight_unit": info["weight_unit"],
                "dimension_unit": info["dimension_unit"], "platform_version": info["version"], "base_url": self.url}

    def changed_since(self, ctx: ConnectorContext, since: datetime | None) -> Iterable[dict[str, Any]]:
        with self._client(ctx) as client:
            found = client.request("GET", "/products", params={"updated_since": since.isoformat()} if since else None)
        return [{"type": "product.upsert", "product": self.canonical(p)} for p in found["products"]]

    # ---- writing ---------------------------------------------------------------------------------
    def create_order(self, ctx: ConnectorContext, order: dict[str, Any]) -> dict[str, Any]:
        tid = order["tiktok_order_id"]
        with self._client(ctx) as client:
            existing = client.request("GET", "/orders", params={"external_id": tid})["orders"]
            if existing:  # made before, its answer lost: report it, never a second order
                return {"status": "done", "platform_order_id": str(existing[0]["id"])}
            body = {"external_id": tid, "shipping_address": order.get("shipping_address"),
                    "total": (order.get("totals") or {}).get("total"),
                    "line_items": [{"variant_id": int(line["variant_id"]), "quantity": line["quantity"],
                                    "price": line.get("unit_price")} for line in order["lines"]]}
            try:
                created = client.request("POST", "/orders", json_body=body)
            except DataError as error:
                reason = "PRODUCT_DELETED" if "does not exist" in error.message else "PLATFORM_ERROR"
                return {"status": "failed", "reason": reason, "message": error.message, "retryable": False}
        return {"status": "done", "platform_order_id": str(created["id"])}

    def cancel_order(self, ctx: ConnectorContext, payload: dict[str, Any]) -> dict[str, Any]:
        with self._client(ctx) as client:
            client.request("POST", f"/orders/{int(payload['platform_order_id'])}/cancel")
        return {"status": "done", "platform_order_id": str(payload["platform_order_id"])}

    # ---- credentials -----------------------------------------------------------------------------
    def _grant(self, token: dict[str, Any]) -> Grant:
        return Grant(access_token=token["access_token"], refresh_token=token.get("refresh_token"),
                     expires_at=datetime.now(timezone.utc) + timedelta(seconds=int(token["expires_in"])),
                     scopes=tuple(str(token.get("scope", "")).split(",")))

    def refresh(self, shop_id: str, details: dict[str, Any], refresh_token: str) -> Grant:
        token = PlatformClient(name=self.label, base_url=self.url).request(
            "POST", "/admin/oauth/token", json_body={"client_id": self.client_id, "client_secret": self.client_secret,
                                                     "grant_type": "refresh_token", "refresh_token": refresh_token})
        return self._grant(token)  # a refused refresh is the client's AuthError (401): the hub marks it broken


def build() -> FakeshopConnector:
    """The entry point's target: configuration from the environment, as a real connector's would be."""
    import os

    return FakeshopConnector(os.environ.get("FAKESHOP_URL", "http://127.0.0.1:9"),
                             os.environ.get("FAKESHOP_CLIENT_ID", "fakeshop-app"),
                             os.environ.get("FAKESHOP_CLIENT_SECRET", "fakeshop-secret"))
