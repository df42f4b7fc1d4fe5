"""The GraphQL Admin API client: one per store connection, throttled by Shopify's own cost figures.

Shopify limits an app per shop by *calculated query cost* (a leaky bucket: Standard shops refill 100
points a second) and reports the bucket in every answer's `extensions.cost.throttleStatus`. The hub's
platform client (hub/stores/http.py) shares the budget across workers through Redis: `cost_budget`
tells it to hold every worker when the bucket cannot pay for the query just made, for as long as the
refill takes, and `throttled` turns Shopify's HTTP 200 `THROTTLED` answer into a rate-limit wait.

GraphQL errors arrive with HTTP 200; `AdminApi.run` sorts them into the hub's error kinds: access
refusals are `AuthError` (the connection is marked broken), Shopify's internal errors and timeouts
are `RetryableError`, anything else is `DataError` with Shopify's message.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

import requests

from hub.errors import AuthError, DataError, RetryableError
from hub.stores.context import ConnectorContext
from hub.stores.http import Budget, PlatformClient
from plugins.shopify.config import ShopifyConfig

log = logging.getLogger("plugins.shopify")

RETRYABLE_CODES = {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT", "BAD_GATEWAY"}
AUTH_CODES = {"ACCESS_DENIED", "UNAUTHORIZED", "FORBIDDEN"}


def _cost(body: Any) -> dict[str, Any] | None:
    if isinstance(body, dict):
        cost = (body.get("extensions") or {}).get("cost")
        if isinstance(cost, dict) and isinstance(cost.get("throttleStatus"), dict):
            return cost
    return None


def _wait(cost: dict[str, Any]) -> float | None:
    status = cost["throttleStatus"]
    try:
        available = float(status["currentlyAvailable"])
        restore = float(status["restoreRate"]) or 1.0
        needed = float(cost.get("requestedQueryCost") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    return max(needed - available, 0.0) / restore if needed > available else None


def cost_budget(response: requests.Response, body: Any) -> Budget | None:
    """Hold the shop's calls when the bucket cannot pay for another query like the last one."""
    cost = _cost(body)
    if cost is None:
        return None
    wait = _wait(cost)
    if wait is not None:
        return Budget(0.0, wait)
    return Budget(float(cost["throttleStatus"].get("currentlyAvailable") or 0.0), None)


def throttled(response: requests.Response, body: Any) -> float | None:
    """Seconds to wait when Shopify answered `THROTTLED` (HTTP 200, nothing executed)."""
    if not isinstance(body, dict):
        return None
    for error in body.get("errors") or []:
        if isinstance(error, dict) and (error.get("extensions") or {}).get("code") == "THROTTLED":
            cost = _cost(body)
            return (_wait(cost) if cost else None) or 1.0
    return None


class AdminApi:
    """The Admin API of one shop, for one piece of work."""

    def __init__(self, ctx: ConnectorContext, config: ShopifyConfig, *, client: PlatformClient | None = None):
        self.client = client or ctx.http(config.shop_url(ctx.shop_id), budget=cost_budget, throttled=throttled,
                                         per_second=20, auth_headers=lambda token: {"X-Shopify-Access-Token": token})
        self.path = config.graphql_path()
        self.cost_used = 0.0  # actual cost points spent (benchmarks report it)

    def __enter__(self) -> "AdminApi":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.client.close()

    def run(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = self.client.request("POST", self.path, json_body={"query": document, "variables": dict(variables or {})})
        if not isinstance(body, dict):
            raise RetryableError("Shopify's answer is not a GraphQL response", code="shopify_bad_answer")
        cost = _cost(body)
        if cost is not None:
            self.cost_used += float(cost.get("actualQueryCost") or cost.get("requestedQueryCost") or 0)
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        if errors:
            codes = {str((e.get("extensions") or {}).get("code") or "") for e in errors}
            message = "; ".join(str(e.get("message") or "") for e in errors)[:500]
            if codes & AUTH_CODES:
                raise AuthError(f"Shopify refused access: {message}", code="store_forbidden")
            if codes & RETRYABLE_CODES:
                raise RetryableError(f"Shopify failed: {message}", code="shopify_internal_error")
            raise DataError(f"Shopify refused the request: {message}", code="shopify_graphql_error")
        data = body.get("data")
        if not isinstance(data, dict):
            raise RetryableError("Shopify's answer has no data", code="shopify_bad_answer")
        return data
