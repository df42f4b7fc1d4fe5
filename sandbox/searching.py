"""What TikTok's search endpoints share: the sort (`sort_field`, `sort_order`) and the time window
(`create_time_ge/_lt`, `update_time_ge/_lt`, Unix seconds) of Search Orders and Search Returns."""

from __future__ import annotations

from .errors import param_error

TIME_BOUNDS = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")


def sort_of(query: dict, default_order: str) -> tuple[str, str]:
    """The checked sort field and order of a search (the two endpoints default to different orders)."""
    sort_field = query.get("sort_field") or "create_time"
    sort_order = query.get("sort_order") or default_order
    if sort_field not in ("create_time", "update_time"):
        raise param_error("sort_field", f"unsupported value {sort_field!r}", "create_time or update_time")
    if sort_order not in ("ASC", "DESC"):
        raise param_error("sort_order", f"unsupported value {sort_order!r}", "ASC or DESC")
    return sort_field, sort_order


def check_window(body: dict) -> None:
    for k in TIME_BOUNDS:
        if body.get(k) is not None and (not isinstance(body[k], int) or isinstance(body[k], bool)):
            raise param_error(k, "must be a Unix timestamp in seconds", "an integer")


def in_window(item: dict, body: dict) -> bool:
    """Whether the item's create and update times are inside the search's bounds (_ge inclusive)."""
    for field in ("create_time", "update_time"):
        low, high = body.get(f"{field}_ge"), body.get(f"{field}_lt")
        if low is not None and item[field] < low:
            return False
        if high is not None and item[field] >= high:
            return False
    return True
