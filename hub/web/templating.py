"""Template filters and globals shared by every settings page."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Flask, g

from hub.models import listings

STATUS_TONE = {
    listings.NEEDS_CATEGORY: "muted", listings.NOT_SYNCED: "neutral", listings.FAILED_TO_SYNC: "bad",
    listings.UNDER_REVIEW: "wait", listings.FAILED_REVIEW: "bad", listings.ACTIVE: "good",
    listings.SYNCED: "neutral", "Pending": "wait", "Created": "good", "Failed": "bad", "Cancelled": "muted",
    "connected": "good", "broken": "bad", "deauthorized": "bad", "ok": "good", "fail": "bad",
    "warn": "wait", "info": "neutral", "warning": "wait", "error": "bad",
}

NAV = [("dashboard.index", "Overview"), ("products.index", "Products"), ("orders.index", "Orders"),
       ("categories.index", "Categories"), ("stores.index", "Stores"), ("settings.index", "Settings"),
       ("activity.index", "Activity")]


def ago(value: datetime | None) -> str:
    """'5 minutes ago': merchants care how fresh something is, not the timestamp."""
    if value is None:
        return "never"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    seconds = int((datetime.now(timezone.utc) - value).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            text = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "in a moment" if future else "just now"


def when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(timezone.utc).strftime("%d %b %Y %H:%M UTC")


def day(value: int | float | None) -> str:
    """A TikTok unix time (seconds) as a day, e.g. a certificate's expiry."""
    if value is None:
        return ""
    return datetime.fromtimestamp(float(value), timezone.utc).strftime("%d %b %Y")


def queue_outage() -> datetime | None:
    """Since when this web process cannot reach Redis, checked as the page is drawn (None: it can).

    While Redis is away store changes are still stored, but nothing is pushed to TikTok or sent to the
    stores until it returns; the merchant sees that on every page instead of wondering."""
    from hub.runtime import current

    runtime = current()
    if runtime.redis_reachable() or runtime.outage.since is None:
        return None
    return datetime.fromtimestamp(runtime.outage.since, timezone.utc)

def stamp(value: int | float | None) -> str:
    """A TikTok unix time (seconds) with the time of day, e.g. a pickup slot."""
    if value is None:
        return ""
    return datetime.fromtimestamp(float(value), timezone.utc).strftime("%a %d %b %H:%M UTC")


def away_stores() -> list:
    """The viewer's stores that are away now (hub/sync/stock/away.py): every page shows them in a banner."""
    if g.get("merchant_id") is None:
        return []
    from hub.sync.stock.away import away_stores as find
    from hub.web import scope
    from hub.web.db import db

    return find(db(), scope.store_ids_query())


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["stamp"] = stamp
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["groupby_first_seen"] = groupby_first_seen
    app.jinja_env.globals["tone"] = lambda status: STATUS_TONE.get(status or "", "neutral")
    app.jinja_env.globals["NAV"] = NAV
    app.jinja_env.globals["current_user"] = lambda: g.get("user")
    app.jinja_env.globals["queue_outage"] = queue_outage

    app.jinja_env.globals["away_stores"] = away_stores


def groupby_first_seen(items: Any, attribute: str) -> list[dict[str, Any]]:
    """Jinja's `groupby` sorts by the key; the checklist keeps its own order (the shop first, then each store)."""
    groups: dict[Any, list[Any]] = {}
    for item in items:
        groups.setdefault(getattr(item, attribute), []).append(item)
    return [{attribute: key, "members": members} for key, members in groups.items()]
