"""The upload-cap planner (docs/architecture.md): new listings beyond the shop's daily cap wait for the next days.

TikTok allows a new shop 100 new listings a day (1,000 after probation); the merchant's
`daily_listing_cap` says which applies. A create takes a slot of today's allowance (a Redis set per
shop and UTC day, shared by every worker, seeded from the database when Redis lost it); a product that
finds no slot is *planned*: `ListingPlan.planned_for` holds the day it is expected to go, and the
listing says so ("Scheduled for 28 Nov 2026"). The order is the merchant's: higher `priority` first,
then the order products arrived. `replan` recomputes every waiting product's day; the periodic
planner job lists those whose day has come. If TikTok itself answers "listing limit exceeded"
(12052093), today is marked full and the product is planned like the others — never a silent failure.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.merchant_settings import load_settings
from hub.models import Listing, ListingPlan, Merchant, Store
from hub.models.listings import FAILED_TO_SYNC, NOT_SYNCED

if TYPE_CHECKING:
    from hub.runtime import Runtime

KEY_TTL = 3 * 24 * 3600

_RESERVE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""


def today() -> date:
    return datetime.now(timezone.utc).date()


def daily_cap(session: Session, merchant_id: str) -> int:
    merchant = session.get(Merchant, merchant_id)
    return int(load_settings(merchant.settings if merchant else None)["daily_listing_cap"])


def _key(shop_id: str, day: date) -> str:
    return f"hub:listing-cap:{shop_id}:{day.isoformat()}"


def _member(store_id: str, product_id: str) -> str:
    return f"{store_id}:{product_id}"


def _seed(runtime: "Runtime", session: Session, shop_id: str, merchant_id: str, day: date) -> None:
    key = _key(shop_id, day)
    if runtime.redis.exists(key):
        return
    rows = session.execute(select(ListingPlan.store_id, ListingPlan.product_id).join(
        Store, Store.id == ListingPlan.store_id).where(Store.merchant_id == merchant_id,
                                                       ListingPlan.created_on == day)).all()
    pipe = runtime.redis.pipeline()
    pipe.sadd(key, "-seed-", *[_member(s, p) for s, p in rows])
    pipe.srem(key, "-seed-")
    pipe.expire(key, KEY_TTL)
    pipe.execute()


def used(runtime: "Runtime", session: Session, shop_id: str, merchant_id: str, day: date) -> int:
    _seed(runtime, session, shop_id, merchant_id, day)
    return int(runtime.redis.scard(_key(shop_id, day)))


def reserve(runtime: "Runtime", session: Session, shop_id: str, merchant_id: str, store_id: str,
            product_id: str, cap: int, day: date | None = None) -> bool:
    """Take (or keep) a slot of today's allowance for this product; False when the day is full."""
    day = day or today()
    _seed(runtime, session, shop_id, merchant_id, day)
    return bool(runtime.redis.eval(_RESERVE, 1, _key(shop_id, day), _member(store_id, product_id), cap, KEY_TTL))


def release(runtime: "Runtime", shop_id: str, store_id: str, product_id: str, day: date | None = None) -> None:
    """Give the slot back (the create did not happen: the product failed before reaching TikTok)."""
    runtime.redis.srem(_key(shop_id, day or today()), _member(store_id, product_id))


def mark_full(runtime: "Runtime", shop_id: str, cap: int, day: date | None = None) -> None:
    """TikTok says today's allowance is spent: fill the set so nobody else tries today."""
    key = _key(shop_id, day or today())
    missing = cap - int(runtime.redis.scard(key))
    if missing > 0:
        runtime.redis.sadd(key, *[f"-tiktok-full-{i}" for i in range(missing)])
        runtime.redis.expire(key, KEY_TTL)


def scheduled_reason(day: date, cap: int) -> tuple[str, str]:
    return (f"Scheduled for {day.strftime('%d %b %Y')}: TikTok lets your shop list {cap} new products a day, "
            "and today's allowance is used.",
            "Nothing to do: it is listed automatically that day. Raise its priority on the settings page to list "
            "it sooner.")


def replan(runtime: "Runtime", session: Session, shop_id: str, merchant_id: str) -> list[tuple[str, str]]:
    """Give every waiting product its day, by priority; returns the (store, product) due today."""
    cap = daily_cap(session, merchant_id)
    day = today()
    remaining = max(0, cap - used(runtime, session, shop_id, merchant_id, day))
    rows = session.execute(
        select(ListingPlan, Listing).join(Store, Store.id == ListingPlan.store_id)
        .join(Listing, (Listing.store_id == ListingPlan.store_id) & (Listing.product_id == ListingPlan.product_id))
        .where(Store.merchant_id == merchant_id, ListingPlan.planned_for.is_not(None),
               Listing.tiktok_product_id.is_(None))
        .order_by(ListingPlan.priority.desc(), ListingPlan.created_at, ListingPlan.id)).all()
    due = []
    for position, (plan, listing) in enumerate(rows):
        if listing.status not in (NOT_SYNCED, FAILED_TO_SYNC):
            continue
        if position < remaining:
            planned = day
            due.append((plan.store_id, plan.product_id))
        else:
            planned = day + timedelta(days=1 + (position - remaining) // cap)
        plan.planned_for = planned
        listing.status = NOT_SYNCED
        listing.reason_code = "scheduled"
        listing.reason, listing.fix = scheduled_reason(planned, cap)
    session.flush()
    return due


def set_priority(session: Session, store_id: str, product_id: str, priority: int) -> ListingPlan:
    """The merchant's say in the order (the settings page calls this); replan afterwards."""
    from hub.sync.products.categories import ensure_plan

    plan = ensure_plan(session, store_id, product_id)
    plan.priority = int(priority)
    session.flush()
    return plan
