"""Orders API (docs/tiktok-api.md): search by time window and fetch details.

Order import polls `search` by update-time window (webhooks are not fully reliable) and reads
`detail` for the full order. `next_page_token` is opaque base64 with `+`, `/` and `=`: it is passed
back exactly as received and percent-encoded on the wire by the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from hub.tiktok import validation as v
from hub.tiktok.endpoint import Endpoint

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

SEARCH = Endpoint("POST", "/order/202309/orders/search")
DETAIL = Endpoint("GET", "/order/202309/orders")

STATUSES = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
            "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED")
MAX_DETAIL_IDS = 50


class OrdersApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def search(self, *, page_size: int = 50, page_token: str | None = None, sort_field: str | None = None,
               sort_order: str | None = None, order_status: str | None = None,
               create_time_ge: int | None = None, create_time_lt: int | None = None,
               update_time_ge: int | None = None, update_time_lt: int | None = None,
               shipping_type: str | None = None) -> dict[str, Any]:
        """`{"orders": [...], "next_page_token", "total_count"}`."""
        query = {"page_size": v.int_range(page_size, "page_size", 1, 100), "page_token": page_token,
                 "sort_field": v.one_of(sort_field, "sort_field", ("create_time", "update_time")) if sort_field else None,
                 "sort_order": v.one_of(sort_order, "sort_order", ("ASC", "DESC")) if sort_order else None}
        body: dict[str, Any] = {}
        if order_status is not None:
            body["order_status"] = v.one_of(order_status, "order_status", STATUSES)
        if shipping_type is not None:
            body["shipping_type"] = v.one_of(shipping_type, "shipping_type", ("TIKTOK", "SELLER"))
        for name, value in (("create_time_ge", create_time_ge), ("create_time_lt", create_time_lt),
                            ("update_time_ge", update_time_ge), ("update_time_lt", update_time_lt)):
            if value is not None:
                body[name] = v.unix_time(value, name)
        data = self.client.request(SEARCH, query=query, body=body)
        data.setdefault("orders", [])
        return data

    def detail(self, order_ids: Iterable[str]) -> dict[str, Any]:
        """`{"orders": [...]}` for up to 50 ids; each line item is one unit (no quantity field)."""
        ids = v.id_list(list(order_ids) if not isinstance(order_ids, str) else None, "ids", maximum=MAX_DETAIL_IDS)
        data = self.client.request(DETAIL, query={"ids": ",".join(ids)})
        data.setdefault("orders", [])
        return data
