"""The Shopify connector the hub loads (entry point `shopify`): routes, webhooks, reading, commands.

Routes, mounted by the hub at `/stores/shopify/`:

- `GET /app` — the app's page in the Shopify admin (`application_url`). Shopify opens it with a
  session token (`id_token`); the hub verifies it, exchanges it for an offline token the first time
  (Shopify-managed installation) or when the stored one was lost, and opens the settings page framed
  by that shop's admin only (hub/stores/framing.py). Without a session token (a non-embedded visit)
  the query must carry Shopify's HMAC; an uninstalled shop is sent to the authorize page.
- `GET /auth/callback` — the authorization-code grant's redirect (HMAC, timestamp and `state` checked).
- `POST /compliance` — the mandatory privacy webhooks (the other topics arrive at the hub's own
  `POST /stores/shopify/webhooks`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Iterable, Iterator
from urllib.parse import urlencode

from flask import Blueprint, Request, Response, redirect, request

from hub.errors import DataError
from hub.stores import framing, install
from hub.stores.connector import Grant, HostedConnector, Installation, Notification
from hub.stores.context import ConnectorContext
from hub.stores.http import PlatformClient
from hub.stores.privacy import BUYER_DATA_REQUEST, BUYER_REDACT, SHOP_REDACT, PrivacyRequest
from hub.stores.webhooks import receive
from plugins.shopify import auth, bulk, orders, queries, webhooks
from plugins.shopify.admin import AdminApi
from plugins.shopify.config import API_VERSION, ShopifyConfig
from plugins.shopify.mapper import available, gid, millis, nodes, numeric_id, product as map_product

log = logging.getLogger("plugins.shopify")

ADMIN_ORIGIN = "https://admin.shopify.com"
UNITS = {"METRIC_SYSTEM": "cm", "IMPERIAL_SYSTEM": "in"}
WEIGHTS = {"GRAMS": "g", "KILOGRAMS": "kg", "OUNCES": "oz", "POUNDS": "lb"}


def _page(message: str, status: int) -> Response:
    return Response(message, status=status, mimetype="text/plain")


class ShopifyConnector(HostedConnector):
    platform = "shopify"
    label = "Shopify"
    option_word = "options"

    def __init__(self, config: ShopifyConfig):
        self.config = config

    # ---- web: install, the admin page, webhooks ---------------------------------------------------
    def _configured(self) -> None:
        if not self.config.client_id or not self.config.client_secret:
            raise DataError("The Shopify app is not configured on this hub (HUB_SHOPIFY_CLIENT_ID, "
                            "HUB_SHOPIFY_CLIENT_SECRET).", code="shopify_not_configured")

    def _callback_url(self) -> str:
        return install.current_runtime().settings.public_url.rstrip("/") + "/stores/shopify/auth/callback"

    def install_url(self, shop: str, state: str) -> str:
        self._configured()
        typed = (shop or "").strip().lower().removeprefix("https://").split("/")[0]
        domain = auth.valid_shop(typed if "." in typed else f"{typed}.myshopify.com")
        if domain is None:
            raise DataError("Enter your shop's myshopify address, e.g. your-shop.myshopify.com.", code="invalid_shop")
        return f"{self.config.shop_url(domain)}/admin/oauth/authorize?" + urlencode(
            {"client_id": self.config.client_id, "scope": ",".join(self.config.scopes),
             "redirect_uri": self._callback_url(), "state": state})

    def blueprint(self) -> Blueprint:
        bp = Blueprint("shopify", __name__)
        bp.add_url_rule("/app", "app", self._app_page)
        bp.add_url_rule("/auth/callback", "callback", self._callback)
        bp.add_url_rule("/compliance", "compliance", lambda: receive(self), methods=["POST"])
        return bp

    def _shop_name(self, shop: str, grant: Grant) -> str:
        """The shop's own name (the store's name in the hub), read with the new token; its domain if not."""
        try:
            with PlatformClient(name=self.label, base_url=self.config.shop_url(shop),
                                auth_headers=lambda token: {"X-Shopify-Access-Token": token}) as client:
                body = client.request("POST", self.config.graphql_path(), json_body={"query": queries.SHOP_NAME},
                                      headers={"X-Shopify-Access-Token": grant.access_token})
            return str(body["data"]["shop"]["name"])[:200]
        except Exception:  # noqa: BLE001 - a name is a nicety; the install goes on
            return shop.removesuffix(".myshopify.com")

    def _install(self, shop: str, grant: Grant, merchant_id: str | None) -> str:
        runtime = install.current_runtime()
        return install.complete_install(runtime, self, Installation(
            shop_id=shop, shop_name=self._shop_name(shop, grant), grant=grant,
            details={"api_version": API_VERSION}), merchant_id=merchant_id)

    def _app_page(self) -> Any:
        try:
            self._configured()
        except DataError as error:
            return _page(error.message, 503)
        id_token = request.args.get("id_token") or _bearer(request)
        if id_token:
            try:
                shop = auth.decode_session_token(id_token, self.config).shop
            except auth.InvalidSignature:
                return _page("This page must be opened from your Shopify admin (the session token is not valid "
                             "or has expired).", 401)
            if install.connection_status(install.current_runtime(), self.platform, shop) != "connected":
                # Shopify-managed installation (or a reinstall): the session token is exchanged for the
                # shop's offline token, once.
                try:
                    grant = auth.exchange_session_token(self.config, shop, id_token)
                except Exception as error:  # noqa: BLE001 - told to the merchant, never a 500
                    log.warning("Shopify token exchange for %s failed: %s", shop, error)
                    return _page("Shopify did not give the app access to this shop; open the app again from "
                                 "your Shopify admin in a minute.", 502)
                self._install(shop, grant, None)
            return framing.begin(self, shop)
        try:
            auth.verify_query(self.config.secrets, request.args.items(multi=True))
        except auth.InvalidSignature:
            return _page("This page must be opened from your Shopify admin.", 401)
        visited = auth.valid_shop(request.args.get("shop"))
        if visited is None:
            return _page("The shop is not a Shopify shop.", 400)
        shop = visited
        if install.connection_status(install.current_runtime(), self.platform, shop) == "connected":
            return framing.begin(self, shop)
        state = install.new_state(install.current_runtime(), self.platform, None)
        return redirect(self.install_url(shop, state))

    def _callback(self) -> Any:
        try:
            self._configured()
            auth.verify_query(self.config.secrets, request.args.items(multi=True))
        except DataError as error:
            return _page(error.message, 503)
        except auth.InvalidSignature:
            return _page("The install request is not signed by Shopify, or is too old: start the install again.",
                         401)
        shop = auth.valid_shop(request.args.get("shop"))
        if shop is None:
            return _page("The shop is not a Shopify shop.", 400)
        state = install.consume_state(install.current_runtime(), self.platform, request.args.get("state"))
        if state is None:
            return _page("This install link expired or was already used: start the install again.", 400)
        try:
            grant = auth.exchange_code(self.config, shop, request.args.get("code", ""))
        except Exception as error:  # noqa: BLE001 - told to the merchant, never a 500
            log.warning("Shopify code exchange for %s failed: %s", shop, error)
            return _page("Shopify did not accept the install (the code may have been used already): "
                         "start the install again.", 400)
        self._install(shop, grant, state.get("merchant_id"))
        return framing.begin(self, shop)

    def verify_webhook(self, req: Request) -> Notification:
        return webhooks.verify(req, self.config.secrets)

    def admin_origins(self, shop_id: str, details: dict[str, Any]) -> list[str]:
        return [f"https://{shop_id}", ADMIN_ORIGIN]

    def privacy_request(self, notification: Notification) -> PrivacyRequest | None:
        payload = notification.payload
        if notification.topic == webhooks.CUSTOMERS_DATA_REQUEST:
            return PrivacyRequest(BUYER_DATA_REQUEST, tuple(str(i) for i in payload.get("orders_requested") or []),
                                  str((payload.get("data_request") or {}).get("id") or ""))
        if notification.topic == webhooks.CUSTOMERS_REDACT:
            return PrivacyRequest(BUYER_REDACT, tuple(str(i) for i in payload.get("orders_to_redact") or []),
                                  notification.dedupe_key)
        if notification.topic == webhooks.SHOP_REDACT:
            return PrivacyRequest(SHOP_REDACT, (), notification.dedupe_key)
        return None

    # ---- reading ---------------------------------------------------------------------------------
    def _api(self, ctx: ConnectorContext) -> AdminApi:
        return AdminApi(ctx, self.config)

    def _shop(self, api: AdminApi) -> dict[str, Any]:
        data = api.run(queries.SHOP)
        return {**data["shop"], "locations": nodes(data.get("locations"))}

    def _product(self, ctx: ConnectorContext, api: AdminApi, product_gid: str, currency: str,
                 taxes_included: bool | None = None) -> dict[str, Any] | None:
        found = api.run(queries.PRODUCT, {"id": product_gid})["product"]
        if found is None:
            return None
        variants = nodes(found["variants"])
        page = found["variants"]["pageInfo"]
        while page.get("hasNextPage"):
            more = api.run(queries.PRODUCT_VARIANTS, {"id": product_gid, "after": page["endCursor"]})["product"]
            if more is None:
                return None
            variants += nodes(more["variants"])
            page = more["variants"]["pageInfo"]
        for variant in variants:  # an item stocked at more locations than the first page holds
            levels = variant["inventoryItem"]["inventoryLevels"]
            cursor = (levels.get("pageInfo") or {})
            while cursor.get("hasNextPage"):
                more = api.run(queries.ITEM_LEVELS, {"id": variant["inventoryItem"]["id"],
                                                     "after": cursor["endCursor"]})["inventoryItem"]
                if more is None:
                    break
                levels["nodes"] = nodes(levels) + nodes(more["inventoryLevels"])
                cursor = more["inventoryLevels"]["pageInfo"]
        return map_product(found, variants, shop=ctx.shop_id, currency=currency, taxes_included=taxes_included)

    def _upsert_or_delete(self, ctx: ConnectorContext, api: AdminApi, product_id: str, currency: str,
                          taxes_included: bool | None = None) -> dict[str, Any]:
        mapped = self._product(ctx, api, gid("Product", product_id), currency, taxes_included)
        if mapped is None:
            return {"type": "product.delete", "product_id": numeric_id(product_id)}
        return {"type": "product.upsert", "product": mapped}

    def events_for(self, ctx: ConnectorContext, notification: Notification) -> list[dict[str, Any]]:
        topic, payload = notification.topic, notification.payload
        if topic == webhooks.APP_UNINSTALLED:
            ctx.uninstall("The TikTok Shop Sync app was uninstalled in Shopify.")
            return []
        if topic == webhooks.PRODUCTS_DELETE:
            return [{"type": "product.delete", "product_id": numeric_id(payload["id"])}]
        if topic not in (webhooks.PRODUCTS_CREATE, webhooks.PRODUCTS_UPDATE, webhooks.INVENTORY_LEVELS_UPDATE,
                         webhooks.FULFILLMENTS_CREATE, webhooks.FULFILLMENTS_UPDATE):
            return []
        with self._api(ctx) as api:
            if topic in (webhooks.PRODUCTS_CREATE, webhooks.PRODUCTS_UPDATE):
                shop = self._shop(api)
                return [self._upsert_or_delete(ctx, api, payload.get("admin_graphql_api_id") or payload["id"],
                                               shop["currencyCode"], shop.get("taxesIncluded"))]
            if topic == webhooks.INVENTORY_LEVELS_UPDATE:
                return self._stock(ctx, api, payload)
            return orders.fulfilled(api, payload)

    def _stock(self, ctx: ConnectorContext, api: AdminApi, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """The fast path: one call for the item's variants and its stock everywhere → `inventory.update`
        (the hub sums the locations the merchant chose for TikTok)."""
        level_gid = str(payload.get("admin_graphql_api_id") or "")
        item_id = level_gid.split("inventory_item_id=")[1] if "inventory_item_id=" in level_gid \
            else str(payload["inventory_item_id"])
        item = api.run(queries.INVENTORY_ITEM, {"id": gid("InventoryItem", item_id)})["inventoryItem"]
        if item is None:
            return []
        tracked = bool(item.get("tracked", True))
        quantity, figures, newest = available(nodes(item["inventoryLevels"]))
        version = max(newest, millis(payload.get("updated_at")), millis(item.get("updatedAt")))
        return [{"type": "inventory.update", "items": [
            {"product_id": numeric_id(v["product"]["id"]), "variant_id": numeric_id(v["id"]),
             "quantity": quantity if tracked else 0, "locations": figures if tracked else [], "price": None,
             "version": version}
            for v in nodes(item["variants"])]}]

    def store_info(self, ctx: ConnectorContext) -> dict[str, Any]:
        with self._api(ctx) as api:
            shop = self._shop(api)
        return {"currency": shop["currencyCode"], "weight_unit": WEIGHTS.get(shop["weightUnit"], "kg"),
                "dimension_unit": UNITS.get(shop["unitSystem"], "cm"),
                "platform_version": f"Shopify Admin API {API_VERSION}", "base_url": shop["primaryDomain"]["url"],
                # For the merchant to choose which sell on TikTok (Stores → Stock locations).
                "locations": [{"id": numeric_id(loc["id"]), "name": str(loc["name"])[:200]}
                              for loc in shop["locations"] if loc.get("isActive", True)],
                "capabilities": ["order.refund"]}

    def changed_since(self, ctx: ConnectorContext, since: datetime | None) -> Iterator[dict[str, Any]]:
        """Every product changed since `since` (None: all) through one bulk operation, streamed."""
        with self._api(ctx) as api:
            shop = self._shop(api)
            operation = bulk.wait(api, bulk.start(api, since))
            for node, variants in bulk.products(bulk.lines(operation.get("url"))):
                if not variants:
                    continue
                yield {"type": "product.upsert",
                       "product": map_product(node, variants, shop=ctx.shop_id, currency=shop["currencyCode"],
                                              taxes_included=shop.get("taxesIncluded"))}

    def fetch_products(self, ctx: ConnectorContext, product_ids: list[str]) -> Iterable[dict[str, Any]]:
        with self._api(ctx) as api:
            shop = self._shop(api)
            return [self._upsert_or_delete(ctx, api, product_id, shop["currencyCode"], shop.get("taxesIncluded"))
                    for product_id in product_ids]

    # ---- commands --------------------------------------------------------------------------------
    def create_order(self, ctx: ConnectorContext, order: dict[str, Any]) -> dict[str, Any]:
        with ctx.order_link(str(order["tiktok_order_id"])) as link, self._api(ctx) as api:
            return orders.create(api, link, order)

    def cancel_order(self, ctx: ConnectorContext, payload: dict[str, Any]) -> dict[str, Any]:
        with self._api(ctx) as api:
            return orders.cancel(api, payload)

    def refund_order(self, ctx: ConnectorContext, payload: dict[str, Any]) -> dict[str, Any]:
        with self._api(ctx) as api:
            locations = self._shop(api)["locations"]
            first = next((numeric_id(loc["id"]) for loc in locations if loc.get("isActive", True)), None)
            return orders.refund(api, payload, first)

    # ---- credentials -----------------------------------------------------------------------------
    def refresh(self, shop_id: str, details: dict[str, Any], refresh_token: str) -> Grant:
        return auth.refresh(self.config, shop_id, refresh_token)


def _bearer(req: Request) -> str | None:
    header = req.headers.get("Authorization", "")
    return header[7:].strip() or None if header.startswith("Bearer ") else None


def build() -> ShopifyConnector:
    """The entry point's target: the connector configured from the environment (README.md)."""
    return ShopifyConnector(ShopifyConfig.from_env())
