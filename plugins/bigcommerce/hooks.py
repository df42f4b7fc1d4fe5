"""BigCommerce webhooks: which scopes the app subscribes to, how deliveries are verified, and keeping
the subscriptions alive.

Deliveries are checked twice before anything is stored:
1. the Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the
   `standardwebhooks` library, keyed with the base64 of the app's client secret as BigCommerce documents
   (docs/integrations/webhooks/https-webhook-overview.mdx); the library refuses timestamps more than
   five minutes away, so an old delivery cannot be replayed;
2. the per-store secret header the app set on each subscription (`headers` of `POST /v3/hooks`, echoed
   on every delivery): an HMAC of the store hash with the hub's own secret key, so a delivery naming
   another store's `producer`, or one signed with a leaked client secret alone, is refused.

A repeat delivery carries the same `hash` (SHA-1 of the payload); the dedupe key is the store, scope,
hash and event time, so the hub stores it once (BigCommerce's wording leaves open whether the hash covers
the event time; with it in the key a genuine later change of the same product is never dropped).

Subscriptions go inactive after 90 days without traffic and after 48 hours of failed deliveries, and a
public URL can change: every sweep (`ensure`) lists the app's hooks and creates, re-activates or
corrects the ones that are missing, inactive or pointed elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Any, Mapping

from standardwebhooks.webhooks import Webhook

from hub.errors import DataError
from hub.stores.connector import Notification, WebhookRejected
from hub.stores.http import PlatformClient

from plugins.bigcommerce.api import PAGE, pages

log = logging.getLogger("plugins.bigcommerce")

SECRET_HEADER = "X-Hub-Store-Secret"
UNINSTALLED = "store/app/uninstalled"
PRODUCT_SCOPES = (
    "store/product/created", "store/product/updated", "store/product/deleted",
    # Product-tracked stock fires product/inventory/*, variant-tracked stock fires sku/inventory/*: both.
    "store/product/inventory/updated", "store/product/inventory/order/updated",
    "store/sku/created", "store/sku/updated", "store/sku/deleted",
    "store/sku/inventory/updated", "store/sku/inventory/order/updated",
)
ORDER_SCOPES = ("store/shipment/created", "store/shipment/updated", "store/order/statusUpdated")
SCOPES = PRODUCT_SCOPES + ORDER_SCOPES + (UNINSTALLED,)


def store_secret(hub_secret_key: str, store_hash: str) -> str:
    return hmac.new(hub_secret_key.encode(), f"bigcommerce-webhook:{store_hash}".encode(), hashlib.sha256).hexdigest()


def signing_key(client_secret: str) -> str:
    """The Standard Webhooks key as BigCommerce documents it: the base64 of the client secret."""
    return base64.b64encode(client_secret.encode()).decode()


def verify(body: bytes, headers: Mapping[str, str], *, client_secret: str, hub_secret_key: str) -> Notification:
    """A verified delivery as the hub's Notification; `WebhookRejected` for anything else."""
    headers = {name.lower(): value for name, value in headers.items()}  # HTTP/2 sends them lower case
    try:
        Webhook(signing_key(client_secret)).verify(body, headers, json_parse=False)
    except Exception as error:  # noqa: BLE001 - the library raises several kinds for malformed headers
        raise WebhookRejected(f"Standard Webhooks signature refused: {error}") from None
    try:
        payload = json.loads(body)
    except ValueError:
        raise WebhookRejected("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookRejected("the body is not a JSON object")
    producer, scope, digest = payload.get("producer"), payload.get("scope"), payload.get("hash")
    if not isinstance(producer, str) or not producer.startswith("stores/") or not isinstance(scope, str) \
            or not isinstance(digest, str) or not digest:
        raise WebhookRejected("missing producer, scope or hash")
    store_hash = producer.split("/", 1)[1]
    expected = store_secret(hub_secret_key, store_hash)
    if not hmac.compare_digest(expected, headers.get(SECRET_HEADER.lower(), "")):
        raise WebhookRejected(f"the store secret header does not match store {store_hash}")
    key = f"{store_hash}:{scope}:{digest}:{payload.get('created_at', '')}"
    # Stored: only what the connector reads (BigCommerce's payloads are light; nothing personal).
    kept = {k: payload.get(k) for k in ("scope", "store_id", "producer", "hash", "created_at", "data")}
    return Notification(shop_id=store_hash, topic=scope, dedupe_key=key, payload=kept)


def ensure(api: PlatformClient, destination: str, secret: str) -> dict[str, int]:
    """Make every scope's hook exist, be active, point at `destination` and carry the secret header."""
    headers = {SECRET_HEADER: secret}
    found: dict[str, dict[str, Any]] = {}
    for page in pages(api, "/v3/hooks", {"limit": PAGE}):
        for listed in page:
            scope = listed.get("scope")
            if scope in SCOPES and (scope not in found or listed.get("destination") == destination):
                found[scope] = listed
    counts = {"created": 0, "repaired": 0, "ok": 0}
    for scope in SCOPES:
        hook = found.get(scope)
        if hook is None:
            api.request("POST", "/v3/hooks", json_body={"scope": scope, "destination": destination,
                                                       "is_active": True, "headers": headers})
            counts["created"] += 1
        # BigCommerce may answer `headers: null` for a hook that has them: only a different value is repaired
        # (a hook truly without the header fails every delivery, is deactivated, and is repaired then).
        elif hook.get("destination") != destination or not hook.get("is_active") or \
                (hook.get("headers") and hook["headers"] != headers):
            api.request("PUT", f"/v3/hooks/{int(hook['id'])}", json_body={"destination": destination, "is_active": True,
                                                                          "headers": headers})
            counts["repaired"] += 1
        else:
            counts["ok"] += 1
    if counts["created"] or counts["repaired"]:
        log.info("BigCommerce hooks for %s: %s", destination, counts)
    return counts


def delete_all(api: PlatformClient) -> int:
    """Delete the app's hooks on this store (uninstall); returns how many."""
    deleted = 0
    ids = [int(h["id"]) for page in pages(api, "/v3/hooks", {"limit": PAGE}) for h in page if h.get("scope") in SCOPES]
    for hook_id in ids:
        try:
            api.request("DELETE", f"/v3/hooks/{hook_id}")
            deleted += 1
        except DataError as error:
            if error.code != "store_not_found":
                raise
    return deleted
