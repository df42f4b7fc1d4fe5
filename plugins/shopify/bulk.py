"""The catalogue through a bulk operation: one JSONL file instead of thousands of paged queries.

`bulkOperationRunQuery` asks Shopify to run a query over every product (or those changed since a
time: `products(query: "updated_at:>='…'")`) in the background; the app polls the operation until
it is `COMPLETED` and streams the result file: one JSON object per line, nested connection nodes on
their own lines with `__parentId` naming their parent (product → media and variants; variant →
inventory levels). A 50,000-product shop costs a handful of query points this way rather than
hundreds of thousands, and the file is read line by line, never held whole.

Only one bulk query per app and shop may run at a time on older API versions: an operation that is
already running (a worker restarted mid-poll) is adopted rather than started again.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any, Callable, Iterator

import requests

from hub.errors import DataError, RetryableError
from plugins.shopify import queries
from plugins.shopify.admin import AdminApi

log = logging.getLogger("plugins.shopify")

POLL_SECONDS = (0.2, 0.5, 1, 2, 3, 5)  # then every 5 s
MAX_WAIT = 45 * 60  # a sweep job may run an hour; a bulk query slower than this is retried later
DONE, FAILED_STATES = "COMPLETED", {"FAILED", "CANCELED", "EXPIRED"}


def bulk_query(since: datetime | None) -> str:
    flt = f'(query: "updated_at:>=\'{since.strftime("%Y-%m-%dT%H:%M:%SZ")}\'")' if since else ""
    return queries.BULK_PRODUCTS % {"filter": flt}


def start(api: AdminApi, since: datetime | None) -> str:
    """Start the bulk query (or adopt one that is running); returns the operation's id."""
    data = api.run(queries.BULK_RUN, {"query": bulk_query(since)})["bulkOperationRunQuery"] or {}
    errors = data.get("userErrors") or []
    if errors:
        message = "; ".join(e.get("message") or "" for e in errors)
        running = api.run(queries.BULK_RUNNING)["bulkOperations"]["nodes"]
        if running and "products" in (running[0].get("query") or ""):
            log.info("Adopting the running bulk operation %s", running[0]["id"])
            return str(running[0]["id"])
        if "in progress" in message.lower() or "already" in message.lower():
            raise RetryableError(f"Shopify is running another bulk operation for the app: {message}",
                                 code="shopify_bulk_busy")
        raise DataError(f"Shopify refused the catalogue export: {message}", code="shopify_bulk_refused")
    return str(data["bulkOperation"]["id"])


def wait(api: AdminApi, operation_id: str, *, sleep: Callable[[float], None] = time.sleep,
         max_wait: float = MAX_WAIT) -> dict[str, Any]:
    """Poll until the operation ends; returns it (with `url`, None for an empty result)."""
    started = time.monotonic()
    for attempt in range(100_000):
        operation = api.run(queries.BULK_STATUS, {"id": operation_id})["bulkOperation"] or {}
        status = operation.get("status")
        if status == DONE:
            return operation
        if status in FAILED_STATES:
            raise RetryableError(f"Shopify's catalogue export ended {status} ({operation.get('errorCode')})",
                                 code="shopify_bulk_failed")
        if time.monotonic() - started > max_wait:
            break
        sleep(POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)])
    raise RetryableError("Shopify's catalogue export is still running; it is read on the next attempt",
                         code="shopify_bulk_running")


def lines(url: str | None, *, session: requests.Session | None = None) -> Iterator[dict[str, Any]]:
    """The result file's objects, streamed (an empty result has no URL)."""
    if not url:
        return
    http = session or requests.Session()
    try:
        with http.get(url, stream=True, timeout=(5.0, 60.0)) as response:
            if response.status_code >= 400:
                raise RetryableError(f"Shopify's export file answered HTTP {response.status_code}",
                                     code="shopify_bulk_download")
            for raw in response.iter_lines():
                if raw:
                    yield json.loads(raw)
    except requests.RequestException as error:
        raise RetryableError(f"Shopify's export file could not be read: {type(error).__name__}",
                             code="shopify_bulk_download") from error
    except ValueError as error:
        raise RetryableError("Shopify's export file was cut off", code="shopify_bulk_download") from error
    finally:
        if session is None:
            http.close()


def products(objects: Iterator[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Regroup the flat JSONL into (product node with its media, its variant nodes with their levels).

    Shopify writes each child after its parent (products, then their media and variants, then the
    variants' levels), so a product is complete when the next product starts.
    """
    product: dict[str, Any] | None = None
    variants: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}  # a variant's or its inventory item's id -> the variant's id

    def finish() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        assert product is not None
        return product, list(variants.values())

    for obj in objects:
        kind = str(obj.get("id") or "").split("/")[3] if str(obj.get("id") or "").startswith("gid://") else ""
        parent = obj.get("__parentId")
        if parent is None and kind == "Product":
            if product is not None:
                yield finish()
            product, variants, owner = {**obj, "media": {"nodes": []}}, {}, {}
            continue
        if product is None:
            continue
        if kind == "ProductVariant":
            item = obj.get("inventoryItem") or {}
            obj = {**obj, "inventoryItem": {**item, "inventoryLevels": {"nodes": []}}}
            variants[obj["id"]] = obj
            owner[obj["id"]] = obj["id"]
            if item.get("id"):
                owner[item["id"]] = obj["id"]
        elif kind == "InventoryLevel" and parent in owner:
            variants[owner[parent]]["inventoryItem"]["inventoryLevels"]["nodes"].append(obj)
        elif parent == product["id"]:
            product["media"]["nodes"].append(obj)
    if product is not None:
        yield finish()
