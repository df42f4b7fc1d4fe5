"""The BigCommerce connector: a single-click app the hub runs for BigCommerce stores.

Routes (mounted at `/stores/bigcommerce/`, the URLs entered in the app's Developer Portal profile):
`auth` (install and re-authorisation), `load` (the app opened in the control panel), `uninstall` and
`remove_user`. Webhooks arrive at the hub's `/stores/bigcommerce/webhooks`. Everything else is the
connector protocol of docs/store-connectors.md; the parts live in small modules beside this one:
`auth` (scopes, code exchange, signed payloads), `hooks` (subscriptions and verification), `catalog`
(reading and mapping products), `orders` (orders in, shipments and cancellations back), `api` (the
rate-limited client).
"""

from __future__ import annotations

import html
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator

from flask import Blueprint, Request, Response, request

from hub.errors import DataError, HubError, RetryableError
from hub.stores import framing, install
from hub.stores.connector import Grant, HostedConnector, Installation, Notification
from hub.stores.context import ConnectorContext, NotConnected, for_shop
from hub.stores.http import PlatformClient

from plugins.bigcommerce import api as bc_api
from plugins.bigcommerce import auth, catalog, hooks, orders
from plugins.bigcommerce.config import BigCommerceConfig, from_environment

log = logging.getLogger("plugins.bigcommerce")

CLAIM_SECONDS = install.STATE_SECONDS
FACTS_SECONDS = 300
READ_LOCK_SECONDS = 60
READ_STATE_SECONDS = 7 * 24 * 3600  # longer than a notification may wait parked; expiry only costs a read
UNINSTALLED_REASON = "The TikTok Shop Sync app was uninstalled in BigCommerce."


@dataclass(frozen=True)
class StoreFacts:
    """What `/v2/store` says that product mapping needs."""

    name: str
    currency: str
    places: int
    units: catalog.Units
    store_url: str
    control_panel: str
    raw: dict[str, Any]
    prices_include_tax: bool | None = None  # `is_price_entered_with_tax`; None when the store does not say


def _facts(info: dict[str, Any]) -> StoreFacts:
    return StoreFacts(name=str(info.get("name") or ""), currency=str(info.get("currency") or "").upper(),
                      places=int(info.get("decimal_places") or 2), units=catalog.store_units(info),
                      store_url=str(info.get("secure_url") or ""),
                      control_panel=str(info.get("control_panel_base_url") or ""), raw=info,
                      prices_include_tax=bool(info["is_price_entered_with_tax"])
                      if isinstance(info.get("is_price_entered_with_tax"), bool) else None)


def _page(title: str, text: str, status: int) -> Response:
    """A small page for the control panel's iframe (the callbacks answer with markup)."""
    body = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"</head><body><main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></main></body></html>")
    return Response(body, status=status, mimetype="text/html")


class BigCommerceConnector(HostedConnector):
    platform = "bigcommerce"
    label = "BigCommerce"
    option_word = "options"

    def __init__(self, config: BigCommerceConfig):
        self.config = config
        self._facts: dict[str, tuple[float, StoreFacts]] = {}
        self._facts_lock = threading.Lock()

    # ---- web: install and the control panel's callbacks ------------------------------------------
    def blueprint(self) -> Blueprint:
        bp = Blueprint("bigcommerce", __name__)
        bp.add_url_rule("/auth", "auth", self._auth)
        bp.add_url_rule("/load", "load", self._load)
        bp.add_url_rule("/uninstall", "uninstall", self._uninstall)
        bp.add_url_rule("/remove_user", "remove_user", self._remove_user)
        return bp

    def install_url(self, shop: str, state: str) -> str:
        """From the hub's Stores page: remember who asked for this store hash (ten minutes) and send the
        merchant to BigCommerce's install link; the `auth` callback joins the store to that merchant when
        the BigCommerce account's verified e-mail is one of the merchant's logins."""
        store_hash = shop.strip().lower().removeprefix("stores/")
        if not auth.STORE_HASH.match(store_hash):
            raise DataError("Enter your BigCommerce store hash: the letters and digits after /stores/ in your store's "
                            "API path (also in the control panel's address, store-<hash>.mybigcommerce.com).",
                            code="invalid_shop")
        if not self.config.configured:
            raise DataError("The hub's BigCommerce app is not configured (HUB_BIGCOMMERCE_CLIENT_ID and "
                            "HUB_BIGCOMMERCE_CLIENT_SECRET).", code="bigcommerce_not_configured")
        install.current_runtime().redis.set(self._claim_key(store_hash), state, ex=CLAIM_SECONDS)
        return self.config.install_link()

    def _claim_key(self, store_hash: str) -> str:
        return f"hub:stores:bigcommerce:claim:{store_hash}"

    def _claimed_merchant(self, store_hash: str, token: dict[str, Any]) -> str | None:
        runtime = install.current_runtime()
        state = runtime.redis.getdel(self._claim_key(store_hash))
        data = install.consume_state(runtime, self.platform, state.decode() if isinstance(state, bytes) else state)
        merchant_id = (data or {}).get("merchant_id")
        if not merchant_id:
            return None
        emails = {str((token.get(k) or {}).get("email") or "").strip().lower() for k in ("user", "owner")} - {""}
        if emails & install.merchant_logins(runtime, merchant_id):
            return merchant_id
        log.warning("BigCommerce store %s: the install was started by a merchant whose logins do not include the "
                    "BigCommerce account's e-mail; it gets a merchant of its own", store_hash)
        return None

    def _auth(self) -> Any:
        """`GET /auth?code&scope&context&account_uuid`: install, or re-authorise after a scope change."""
        args = request.args
        try:
            store_hash = auth.store_hash_of(args.get("context"))
        except auth.CallbackRefused:
            return _page("Not a BigCommerce install", "This address is opened by BigCommerce when the app is installed.",
                         400)
        if not args.get("code"):
            return _page("Not a BigCommerce install", "The install request has no authorisation code.", 400)
        missing = auth.missing_scopes(args.get("scope"))
        if missing:
            return _page("Permissions missing",
                         "The app needs these BigCommerce permissions, which were not approved: " + ", ".join(missing) +
                         ". Open the app again from Apps > My Apps and approve its permissions.", 400)
        runtime = install.current_runtime()
        try:
            token = auth.exchange_code(self.config, code=args["code"], context=args["context"], scope=args["scope"],
                                       redirect_uri=f"{runtime.settings.public_url}/stores/{self.platform}/auth")
            with PlatformClient(name=self.label, base_url=f"{self.config.api_url}/stores/{store_hash}",
                                auth_headers=lambda t: {"X-Auth-Token": t}) as client:
                info = client.request("GET", "/v2/store", headers={"X-Auth-Token": token["access_token"]})
        except HubError as error:
            log.warning("BigCommerce install of %s failed: %s", store_hash, error.message)
            return _page("The install did not finish", "BigCommerce did not complete the install "
                         f"({error.message}). Open the app again from your control panel to retry.", 502)
        facts = _facts(info or {})
        self._remember(store_hash, facts)
        merchant_id = self._claimed_merchant(store_hash, token)
        owner = token.get("owner") or {}
        user = token.get("user") or {}
        granted = str(token.get("scope") or "").split()
        details = {"control_panel": facts.control_panel, "store_url": facts.store_url,
                   "stock_by_location": auth.STOCK_BY_LOCATION in granted,
                   "account_uuid": str(token.get("account_uuid") or args.get("account_uuid") or ""),
                   "owner_id": str(owner.get("id") or ""), "installed_by": str(user.get("id") or "")}
        install.complete_install(runtime, self, Installation(
            shop_id=store_hash, shop_name=facts.name or store_hash,
            grant=Grant(access_token=str(token["access_token"]), scopes=tuple(str(token.get("scope") or "").split())),
            details=details), merchant_id=merchant_id)
        return framing.begin(self, store_hash)

    def _verified(self, single_use: bool) -> auth.SignedPayload | Response:
        try:
            payload = auth.verify_signed_payload(self.config, request.args.get("signed_payload_jwt"))
        except auth.CallbackRefused as refused:
            log.warning("BigCommerce callback %s refused: %s", request.path, refused)
            return _page("Open the app from BigCommerce", "This page opens from your BigCommerce control panel "
                         "(Apps > My Apps). The link used has expired or was not made by BigCommerce.", 401)
        jti = str(payload.claims.get("jti") or "")
        if single_use and jti:
            ttl = max(int(payload.claims.get("exp", 0)) - int(time.time()), 1)
            if not install.current_runtime().redis.set(f"hub:stores:bigcommerce:jti:{jti}", "1", nx=True, ex=ttl):
                return _page("Open the app from BigCommerce", "This link was used already; open the app again "
                             "from your control panel.", 401)
        return payload

    def _load(self) -> Any:
        payload = self._verified(single_use=True)
        if isinstance(payload, Response):
            return payload
        return framing.begin(self, payload.store_hash)

    def _uninstall(self) -> Any:
        payload = self._verified(single_use=True)
        if isinstance(payload, Response):
            return payload
        runtime = install.current_runtime()
        try:
            ctx = for_shop(runtime, self, payload.store_hash)
            with bc_api.client(ctx, self.config) as client:
                hooks.delete_all(client)
        except (HubError, NotConnected) as error:  # BigCommerce deletes them itself; tidy up when it can
            log.info("BigCommerce store %s: hooks not deleted at uninstall (%s)", payload.store_hash, error)
        store_id = install.uninstall(runtime, self.platform, payload.store_hash, UNINSTALLED_REASON)
        return Response(json.dumps({"status": "uninstalled" if store_id else "unknown store"}),
                        mimetype="application/json")

    def _remove_user(self) -> Any:
        """A user's access to the app was revoked. Framed sessions belong to the store, not to a user, and
        the hub keeps no BigCommerce users, so there is nothing to remove; answered for BigCommerce's log."""
        payload = self._verified(single_use=False)
        if isinstance(payload, Response):
            return payload
        log.info("BigCommerce store %s removed user %s from the app", payload.store_hash, payload.user_id)
        return Response(json.dumps({"status": "ok"}), mimetype="application/json")

    def admin_origins(self, shop_id: str, details: dict[str, Any]) -> list[str]:
        origins = [self.config.admin_origin.format(store_hash=shop_id)]
        panel = str(details.get("control_panel") or "").rstrip("/")
        if panel.startswith("https://") and panel not in origins:
            origins.append(panel)
        return origins

    # ---- webhooks ----------------------------------------------------------------------------------
    def verify_webhook(self, req: Request) -> Notification:
        runtime = install.current_runtime()
        note = hooks.verify(req.get_data(), dict(req.headers), client_secret=self.config.client_secret,
                            hub_secret_key=runtime.settings.secret_key)
        if note.topic in hooks.PRODUCT_SCOPES and note.topic != "store/product/deleted":
            tickets = {}
            try:
                for product_id in catalog.product_ids(note.payload):
                    key = self._read_key(note.shop_id, product_id)
                    tickets[str(product_id)] = int(runtime.redis.hincrby(key, "wanted", 1))
                    runtime.redis.expire(key, READ_STATE_SECONDS)
            except Exception:  # noqa: BLE001 - without a ticket the job simply reads the product
                log.warning("BigCommerce store %s: no read ticket for a %s delivery", note.shop_id, note.topic)
            return Notification(note.shop_id, note.topic, note.dedupe_key, {**note.payload, "read_tickets": tickets})
        return note

    def maintain(self, ctx: ConnectorContext) -> None:
        destination = f"{ctx.settings.public_url}/stores/{self.platform}/webhooks"
        with bc_api.client(ctx, self.config) as client:
            try:
                hooks.ensure(client, destination, hooks.store_secret(ctx.settings.secret_key, ctx.shop_id))
            except DataError as error:  # e.g. a public URL that is not https on port 443
                log.error("BigCommerce store %s: webhooks to %s refused (%s); the sweep still reads changes",
                          ctx.shop_id, destination, error.message)

    # ---- reading -------------------------------------------------------------------------------
    def _remember(self, store_hash: str, facts: StoreFacts) -> None:
        with self._facts_lock:
            self._facts[store_hash] = (time.monotonic(), facts)

    def facts(self, ctx: ConnectorContext, client: PlatformClient, fresh: bool = False) -> StoreFacts:
        with self._facts_lock:
            cached = self._facts.get(ctx.shop_id)
        if cached and not fresh and time.monotonic() - cached[0] < FACTS_SECONDS:
            return cached[1]
        facts = _facts(client.request("GET", "/v2/store") or {})
        self._remember(ctx.shop_id, facts)
        return facts

    def _mapped(self, ctx: ConnectorContext, client: PlatformClient, product: dict[str, Any], version: int,
                locations: dict[int, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        facts = self.facts(ctx, client)
        lookups = catalog.Lookups.for_store(client, ctx.shop_id)
        if locations is None and ctx.details.get("stock_by_location"):
            locations = catalog.locations_by_variant(client, [int(product["id"])])
        return {"type": "product.upsert", "product": catalog.canonical(
            product, units=facts.units, lookups=lookups, currency=facts.currency, store_url=facts.store_url,
            version=version, places=facts.places, locations=locations, prices_include_tax=facts.prices_include_tax)}

    def _page_locations(self, ctx: ConnectorContext, client: PlatformClient,
                        products: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]] | None:
        if not ctx.details.get("stock_by_location") or not products:
            return None
        return catalog.locations_by_variant(client, [int(p["id"]) for p in products])

    @staticmethod
    def _read_key(store_hash: str, product_id: int) -> str:
        return f"hub:stores:bigcommerce:read:{store_hash}:{product_id}"

    def _read_coalesced(self, ctx: ConnectorContext, client: PlatformClient, product_id: int,
                        ticket: int | None) -> list[dict[str, Any]]:
        """Read a product for a notification, once for a burst. Each delivery takes a ticket when it is
        received (`verify_webhook`); a read notes the newest ticket taken before it started, and every
        notification up to that ticket is covered by it (its change happened before it was delivered,
        so before the read). A notification without a ticket always reads."""
        redis = ctx.runtime.redis
        key = self._read_key(ctx.shop_id, product_id)
        lock = redis.lock(key + ":lock", timeout=READ_LOCK_SECONDS, blocking_timeout=READ_LOCK_SECONDS)
        if not lock.acquire():
            raise RetryableError(f"BigCommerce product {product_id} is being read by another worker",
                                 code="bigcommerce_read_busy")
        try:
            if ticket is not None and int(redis.hget(key, "done") or 0) >= ticket:
                return []
            upto = int(redis.hget(key, "wanted") or 0)
            product, version = catalog.read_product(client, product_id)
            events = ([self._mapped(ctx, client, product, version)] if product is not None else
                      [{"type": "product.delete", "product_id": str(product_id)}])
            if upto:
                redis.hset(key, "done", upto)
                redis.expire(key, READ_STATE_SECONDS)
            return events
        finally:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - an expired lock is released already
                pass

    def events_for(self, ctx: ConnectorContext, notification: Notification) -> list[dict[str, Any]]:
        scope, payload = notification.topic, notification.payload
        if scope == hooks.UNINSTALLED:
            ctx.uninstall(UNINSTALLED_REASON)
            return []
        with bc_api.client(ctx, self.config) as client:
            if scope == "store/product/deleted":
                return [{"type": "product.delete", "product_id": str(pid)} for pid in catalog.product_ids(payload)]
            if scope in hooks.PRODUCT_SCOPES:
                tickets = payload.get("read_tickets") or {}
                return [event for pid in catalog.product_ids(payload)
                        for event in self._read_coalesced(ctx, client, pid, tickets.get(str(pid)))]
            if scope.startswith("store/shipment/"):
                return orders.shipment_events(client, self.config, payload)
            if scope == "store/order/statusUpdated":
                return orders.status_events(client, self.config, payload)
        return []

    def store_info(self, ctx: ConnectorContext) -> dict[str, Any]:
        with bc_api.client(ctx, self.config) as client:
            facts = self.facts(ctx, client, fresh=True)
        catalog.Lookups.forget(ctx.shop_id)  # names and paths are read again with the catalog
        return {"currency": facts.currency or None, "weight_unit": facts.units.weight_unit,
                "dimension_unit": facts.units.dimension_unit, "platform_version": None,
                "base_url": facts.store_url or None, "capabilities": ["order.refund"]}

    def changed_since(self, ctx: ConnectorContext, since: datetime | None) -> Iterator[dict[str, Any]]:
        with bc_api.client(ctx, self.config) as client:
            for page, version in catalog.read_changed(client, since):
                locations = self._page_locations(ctx, client, page)
                for product in page:
                    yield self._mapped(ctx, client, product, version, locations)

    def fetch_products(self, ctx: ConnectorContext, product_ids: list[str]) -> Iterable[dict[str, Any]]:
        wanted = sorted({int(i) for i in product_ids if str(i).isdigit()})
        events: list[dict[str, Any]] = []
        with bc_api.client(ctx, self.config) as client:
            for start in range(0, len(wanted), 50):
                chunk = wanted[start:start + 50]
                version = catalog.now_ms()
                answer = client.request("GET", "/v3/catalog/products", params={
                    "id:in": ",".join(map(str, chunk)), "include": catalog.INCLUDE, "limit": len(chunk)})
                found = {int(p["id"]): p for p in (answer or {}).get("data") or []}
                locations = self._page_locations(ctx, client, list(found.values()))
                for product_id in chunk:
                    events.append(self._mapped(ctx, client, found[product_id], version, locations) if product_id in found
                                  else {"type": "product.delete", "product_id": str(product_id)})
        return events

    # ---- writing ---------------------------------------------------------------------------------
    def create_order(self, ctx: ConnectorContext, order: dict[str, Any]) -> dict[str, Any]:
        with bc_api.client(ctx, self.config) as client:
            return orders.create(client, self.config, order)

    def cancel_order(self, ctx: ConnectorContext, payload: dict[str, Any]) -> dict[str, Any]:
        with bc_api.client(ctx, self.config) as client:
            return orders.cancel(client, payload)

    def refund_order(self, ctx: ConnectorContext, payload: dict[str, Any]) -> dict[str, Any]:
        with bc_api.client(ctx, self.config) as client:
            return orders.refund(client, payload)

    # BigCommerce tokens do not expire; one it invalidated (the app's scopes or the owner's e-mail
    # changed) cannot be refreshed: the base class's `refresh` raises AuthError, the connection shows
    # "Needs reconnecting", and the new `/auth` callback BigCommerce sends once the merchant approves
    # again reconnects it and replays the parked work.


def build() -> BigCommerceConnector:
    """The entry point's target: the app's configuration from the environment."""
    return BigCommerceConnector(from_environment())


__all__ = ["BigCommerceConnector", "build"]
