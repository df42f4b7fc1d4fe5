"""Shopify webhooks: verified over the raw body, named by their delivery id, kept lean.

Shopify signs every delivery with `X-Shopify-Hmac-Sha256`: the base64 HMAC-SHA256 of the raw body
with the app's client secret (after a secret rotation, the previous secret for up to an hour).
Deliveries are at least once: `X-Shopify-Webhook-Id` names a delivery and is the hub's dedupe key
(`X-Shopify-Event-Id`, the event's id, when a proxy dropped it).

Only the fields the app acts on are stored (`KEEP`): a fulfilment delivery, for instance, carries the
buyer's address and email, which the hub has no use for, so they are never written to its database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Iterable

from flask import Request

from hub.stores.connector import Notification, WebhookRejected
from plugins.shopify.auth import valid_shop

PRODUCTS_CREATE, PRODUCTS_UPDATE, PRODUCTS_DELETE = "products/create", "products/update", "products/delete"
INVENTORY_LEVELS_UPDATE = "inventory_levels/update"
APP_UNINSTALLED = "app/uninstalled"
FULFILLMENTS_CREATE, FULFILLMENTS_UPDATE = "fulfillments/create", "fulfillments/update"
CUSTOMERS_DATA_REQUEST, CUSTOMERS_REDACT, SHOP_REDACT = "customers/data_request", "customers/redact", "shop/redact"
COMPLIANCE_TOPICS = (CUSTOMERS_DATA_REQUEST, CUSTOMERS_REDACT, SHOP_REDACT)

# The fields kept of each topic's payload (Shopify's payload shapes, API version 2026-07).
KEEP: dict[str, tuple[str, ...]] = {
    PRODUCTS_CREATE: ("id", "admin_graphql_api_id", "updated_at"),
    PRODUCTS_UPDATE: ("id", "admin_graphql_api_id", "updated_at"),
    PRODUCTS_DELETE: ("id",),
    INVENTORY_LEVELS_UPDATE: ("inventory_item_id", "location_id", "available", "updated_at", "admin_graphql_api_id"),
    APP_UNINSTALLED: ("id", "myshopify_domain", "domain"),
    FULFILLMENTS_CREATE: ("id", "order_id", "status", "tracking_company", "tracking_number", "tracking_numbers",
                          "tracking_url", "updated_at", "admin_graphql_api_id"),
    FULFILLMENTS_UPDATE: ("id", "order_id", "status", "tracking_company", "tracking_number", "tracking_numbers",
                          "tracking_url", "updated_at", "admin_graphql_api_id"),
    # The buyer's email and phone are not kept: the store order ids say which orders the request is about.
    CUSTOMERS_DATA_REQUEST: ("shop_id", "shop_domain", "orders_requested", "data_request"),
    CUSTOMERS_REDACT: ("shop_id", "shop_domain", "orders_to_redact"),
    SHOP_REDACT: ("shop_id", "shop_domain"),
}
TOPICS = tuple(KEEP)


def body_hmac(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(request: Request, secrets: Iterable[str], topics: Iterable[str] = TOPICS) -> Notification:
    """The delivery as a Notification, or WebhookRejected (the hub answers 401 and stores nothing)."""
    body = request.get_data(cache=True)
    given = request.headers.get("X-Shopify-Hmac-Sha256", "")
    if not given or not any(hmac.compare_digest(body_hmac(s, body), given) for s in secrets):
        raise WebhookRejected("X-Shopify-Hmac-Sha256 does not match the body")
    topic = request.headers.get("X-Shopify-Topic", "")
    shop = valid_shop(request.headers.get("X-Shopify-Shop-Domain"))
    delivery = request.headers.get("X-Shopify-Webhook-Id") or request.headers.get("X-Shopify-Event-Id")
    if shop is None or not delivery:
        raise WebhookRejected("no shop domain or delivery id")
    try:
        payload = json.loads(body)
    except ValueError:
        raise WebhookRejected("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookRejected("the body is not a JSON object")
    if topic not in topics:
        # Signed by Shopify but not a topic the app subscribes to (a subscription left over from an older
        # configuration): accepted and dropped, so Shopify does not keep retrying it.
        return Notification(shop_id=shop, topic=topic[:100] or "unknown", dedupe_key=f"shopify:{delivery}", payload={})
    return Notification(shop_id=shop, topic=topic, dedupe_key=f"shopify:{delivery}",
                        payload=lean(topic, payload))


def lean(topic: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {k: payload[k] for k in KEEP.get(topic, ()) if k in payload}
