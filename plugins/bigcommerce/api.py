"""Calling a store's REST API: the hub's rate-limited platform client, with BigCommerce's budget.

BigCommerce counts requests per store in a window (30 s on most plans; 150 requests in the docs'
example) shared by every app installed on the store, and reports it on every answer:
`X-Rate-Limit-Requests-Left`, `X-Rate-Limit-Requests-Quota`, `X-Rate-Limit-Time-Reset-Ms` and
`X-Rate-Limit-Time-Window-Ms`. A 429 carries the same headers and means "wait until the reset"; a 429
without them means platform load (source: BigCommerce's "API rate limits" page,
docs/api-docs/getting-started/api-rate-limits.mdx in github.com/bigcommerce/docs).

The hub's platform client shares the budget between its workers through Redis (hub/stores/http.py):
`budget()` below tells it how long every worker should hold. When the quota is nearly used (other apps
use it too) the connector slows down instead of running into the wall: below a fifth of the quota left,
each answer holds the store's calls for `reset / left`, which spreads what is left over the rest of the
window and keeps a reserve for the merchant's other apps; at the last request it holds until the reset.
A hold longer than the client's short wait makes the job retry later rather than sleep through a window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import requests

from hub.stores.http import Budget, PlatformClient

if TYPE_CHECKING:
    from hub.stores.context import ConnectorContext

    from plugins.bigcommerce.config import BigCommerceConfig

LEFT, QUOTA = "X-Rate-Limit-Requests-Left", "X-Rate-Limit-Requests-Quota"
RESET_MS, WINDOW_MS = "X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Time-Window-Ms"
SLOW_FRACTION = 0.2
PAGE = 250  # the Catalog API's largest page
# The steady ceiling before the first answer tells the budget (a burst of workers on one store).
PER_SECOND = 20


def budget(response: requests.Response, body: Any) -> Budget | None:
    """BigCommerce's headers as the hub's `Budget`, with the slow zone near the end of the quota."""
    headers = response.headers
    try:
        left = float(headers[LEFT])
        reset = float(headers.get(RESET_MS, "0")) / 1000.0
        quota = float(headers.get(QUOTA) or 0)
    except (KeyError, ValueError):
        return None
    if left <= 1:
        return Budget(0.0, reset or 1.0)
    if quota and left < quota * SLOW_FRACTION and reset:
        return Budget(0.0, reset / left)  # hold briefly: pace the rest of the window
    return Budget(left, reset or None)


def client(ctx: "ConnectorContext", config: "BigCommerceConfig") -> PlatformClient:
    """The store's client: `https://api.bigcommerce.com/stores/{hash}/` with `X-Auth-Token`."""
    return ctx.http(f"{config.api_url}/stores/{ctx.shop_id}", budget=budget, per_second=PER_SECOND,
                    auth_headers=lambda token: {"X-Auth-Token": token})


def pages(api: PlatformClient, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Every page of a v3 collection (`data` + `meta.pagination`), one request per page."""
    page = 1
    while True:
        answer = api.request("GET", path, params={**params, "page": page, "limit": params.get("limit", PAGE)})
        data = list((answer or {}).get("data") or [])
        yield data
        pagination = ((answer or {}).get("meta") or {}).get("pagination") or {}
        total_pages = int(pagination.get("total_pages") or 0)
        if not data or page >= total_pages:
            return
        page += 1
