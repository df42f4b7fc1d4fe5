"""Is the TikTok shop set up to list? TikTok's side of the settings page's readiness checklist.

Whether a store may sync at all (sync switched on, a UK shop, matching currencies) is the gate in
`hub.sync.policy`; `checklist` adds what only TikTok knows (listing prerequisites, warehouses), and
`sales_warehouse_id` is the warehouse stock is listed in.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import AuthError, DataError, HubError
from hub.models import TikTokShop
from hub.models.tiktok_shops import CONNECTED

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.tiktok.client import ShopClient

log = logging.getLogger("hub.sync.products")

WAREHOUSE_CACHE_SECONDS = 600


@dataclass(frozen=True)
class CheckItem:
    key: str
    title: str
    ok: bool
    message: str
    fix: str | None = None

    @property
    def detail(self) -> str:  # the settings page's name for the message
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _item(key: str, title: str, ok: bool, message: str, fix: str | None = None) -> CheckItem:
    return CheckItem(key=key, title=title, ok=ok, message=message, fix=None if ok else fix)


def warehouses(runtime: "Runtime", shop: TikTokShop, client: "ShopClient", *, fresh: bool = False) -> list[dict]:
    """The shop's warehouses, cached in Redis for a few minutes (shared by every worker)."""
    key = f"hub:tiktok:warehouses:{shop.shop_id}"
    if not fresh:
        cached = runtime.cached(key)
        if cached:
            return json.loads(cached)
    found = client.logistics.warehouses()["warehouses"]
    runtime.cache_put(key, json.dumps(found), WAREHOUSE_CACHE_SECONDS)
    return found


def sales_warehouse_id(runtime: "Runtime", shop: TikTokShop, client: "ShopClient") -> str:
    """The enabled sales warehouse stock is written to (the default one when there are several)."""
    enabled = [w for w in warehouses(runtime, shop, client)
               if w.get("type") == "SALES_WAREHOUSE" and w.get("effect_status") == "ENABLED"]
    if not enabled:
        raise DataError("Your TikTok shop has no enabled sales warehouse, so products cannot be listed.",
                        code="no_sales_warehouse",
                        fix="Add or enable a sales (pickup) warehouse in TikTok Shop Seller Center, then click Sync.")
    enabled.sort(key=lambda w: not w.get("is_default"))
    return str(enabled[0]["id"])


def checklist(session: Session, merchant_id: str, runtime: "Runtime | None" = None, *,
              fresh: bool = False) -> list[CheckItem]:
    """TikTok's side of the readiness list: listing prerequisites and warehouses, asked live.

    The hub-side rules (connection, region, currencies) are `hub.sync.policy`'s and the settings
    page shows them itself. Answers are cached for a minute so a page view does not cost TikTok calls.
    """
    from hub.tiktok.connection import client_for_shop

    if runtime is None:
        from hub.runtime import current

        runtime = current()
    shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
    if shop is None or shop.status != CONNECTED:
        return []
    key = f"hub:tiktok:checklist:{shop.shop_id}"
    if not fresh:
        cached = runtime.cached(key)
        if cached:
            return [CheckItem(**item) for item in json.loads(cached)]
    if not runtime.redis_reachable():  # TikTok calls share their rate limits through Redis
        return [_item("tiktok_checks", "TikTok set-up checks", False,
                      "TikTok was not asked: the hub cannot reach its job queue (Redis) right now.",
                      "Nothing to do: the checks run again once the queue is back.")]
    items: list[CheckItem] = []
    try:
        client = client_for_shop(runtime, shop)
    except HubError as error:
        return [_item("tiktok_reachable", "TikTok can be reached", False, error.message,
                      "Reconnect TikTok Shop in the settings page.")]
    with client:
        try:
            for result in client.products.prerequisites()["check_results"]:
                item = str(result.get("check_item", ""))
                name = item.replace("_", " ").lower().replace("bank account", "bank account")
                failed = bool(result.get("is_failed"))
                reasons = " ".join(result.get("fail_reasons") or [])
                items.append(_item(f"prerequisite:{item}", f"TikTok listing prerequisite: {name}", not failed,
                                   (reasons or f"TikTok reports the {name} set-up as incomplete.") if failed
                                   else f"TikTok reports the {name} set-up as complete.",
                                   "Complete it in TikTok Shop Seller Center; listing resumes when you click Sync."))
        except AuthError:
            raise
        except HubError as error:
            items.append(_item("prerequisites", "TikTok listing prerequisites", False,
                               f"TikTok's listing prerequisites could not be read: {error.message}",
                               "Try again in a few minutes."))
        try:
            found = warehouses(runtime, shop, client, fresh=True)
            sales = [w for w in found if w.get("type") == "SALES_WAREHOUSE" and w.get("effect_status") == "ENABLED"]
            returns = [w for w in found if w.get("type") == "RETURN_WAREHOUSE"]
            items.append(_item("sales_warehouse", "An enabled sales warehouse", bool(sales),
                               f"Stock is listed in {sales[0].get('name') or sales[0].get('id')}." if sales
                               else "The shop has no enabled sales (pickup) warehouse, so nothing can be listed.",
                               "Add or enable a sales warehouse in TikTok Shop Seller Center."))
            items.append(_item("return_warehouse", "A return warehouse", bool(returns),
                               f"Returns go to {returns[0].get('name') or returns[0].get('id')}." if returns
                               else "The shop has no return warehouse; TikTok refuses new listings without one.",
                               "Add a return warehouse in TikTok Shop Seller Center."))
        except AuthError:
            raise
        except HubError as error:
            items.append(_item("warehouses", "Warehouses", False,
                               f"TikTok's warehouses could not be read: {error.message}", "Try again in a few minutes."))
    runtime.cache_put(key, json.dumps([i.as_dict() for i in items]), 60)
    return items
