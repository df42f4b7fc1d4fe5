"""Seller-side order cancellation (Return & Refund API 202309, "Cancel Order").

Used when the store cannot fulfil a TikTok order (out of stock, undeliverable). Whole order without
`order_line_item_ids`/`skus`; part of it with one of them. `cancel_reason` is one of TikTok's reason
keys for the shop's market and the order's status (`hub.tiktok.cancel_reasons`), e.g.
`seller_cancel_reason_out_of_stock_uk` for a paid UK order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from hub.errors import DataError
from hub.tiktok import validation as v
from hub.tiktok.endpoint import Endpoint
from hub.tiktok.errors import require

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

CANCEL_ORDER = Endpoint("POST", "/return_refund/202309/cancellations")


class CancellationsApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def cancel_order(self, order_id: str, *, cancel_reason: str,
                     order_line_item_ids: Iterable[str] | None = None,
                     skus: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
        """`{"cancel_id", "cancel_status"}`."""
        if order_line_item_ids is not None and skus is not None:
            raise DataError("Cancel by order_line_item_ids or by skus, not both", field="skus", code="invalid_request")
        body: dict[str, Any] = {"order_id": v.tiktok_id(order_id, "order_id"),
                                "cancel_reason": v.text(cancel_reason, "cancel_reason", maximum=200)}
        if order_line_item_ids is not None:
            body["order_line_item_ids"] = v.id_list(list(order_line_item_ids), "order_line_item_ids", maximum=1000)
        if skus is not None:
            entries = v.non_empty_list(list(skus), "skus", maximum=1000)
            body["skus"] = [{"sku_id": v.tiktok_id(v.mapping(s, f"skus[{i}]").get("sku_id"), f"skus[{i}].sku_id"),
                             "quantity": v.int_range(s.get("quantity", 1), f"skus[{i}].quantity", 1, 99_999)}
                            for i, s in enumerate(entries)]
        data = self.client.request(CANCEL_ORDER, body=body)
        return require(data, "cancel_id", endpoint=CANCEL_ORDER.key)
