"""Returns and refunds (Return & Refund API 202309; TikTok's official Node SDK `returnRefundV202309Api`).

- `search` (POST /returns/search): page size 10–50, `sort_field` create_time | update_time; filters by
  return ids, order ids, statuses, types and create/update time windows.
- `records` (GET /returns/{return_id}/records): the return's history, newest first.
- `approve` / `reject` (POST /returns/{return_id}/approve | reject): the seller's decision; a rejection
  needs a reason name from `reject_reasons` (GET /reject_reasons?return_or_cancel_id=…).
- `create` (POST /returns): a return the seller starts on the buyer's behalf (then approved like any
  other); only for line items `aftersale_eligibility` (GET /orders/{order_id}/aftersale_eligibility,
  `initiate_aftersale_user=SELLER`) reports eligible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from hub.tiktok import validation as v
from hub.tiktok.endpoint import Endpoint
from hub.tiktok.errors import require

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

SEARCH = Endpoint("POST", "/return_refund/202309/returns/search")
RECORDS = Endpoint("GET", "/return_refund/202309/returns/{return_id}/records")
APPROVE = Endpoint("POST", "/return_refund/202309/returns/{return_id}/approve")
REJECT = Endpoint("POST", "/return_refund/202309/returns/{return_id}/reject")
REJECT_REASONS = Endpoint("GET", "/return_refund/202309/reject_reasons")
CREATE = Endpoint("POST", "/return_refund/202309/returns")
ELIGIBILITY = Endpoint("GET", "/return_refund/202309/orders/{order_id}/aftersale_eligibility")

APPROVE_DECISIONS = ("APPROVE_REFUND", "APPROVE_RETURN", "APPROVE_RECEIVED_PACKAGE", "APPROVE_REPLACEMENT",
                     "ISSUE_REPLACEMENT_REFUND", "OFFER_PARTIAL_REFUND", "DIRECT_REFUND")
REJECT_DECISIONS = ("REJECT_REFUND", "REJECT_RETURN", "REJECT_RECEIVED_PACKAGE", "REJECT_REPLACEMENT")
RETURN_TYPES = ("REFUND", "RETURN_AND_REFUND", "REPLACEMENT")


class ReturnsApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def search(self, *, page_size: int = 50, page_token: str | None = None, sort_field: str = "update_time",
               sort_order: str = "ASC", return_ids: Iterable[str] | None = None,
               order_ids: Iterable[str] | None = None, update_time_ge: int | None = None,
               update_time_lt: int | None = None) -> dict[str, Any]:
        """`{"return_orders": [...], "next_page_token", "total_count"}`."""
        query = {"page_size": v.int_range(page_size, "page_size", 10, 50), "page_token": page_token,
                 "sort_field": v.one_of(sort_field, "sort_field", ("create_time", "update_time")),
                 "sort_order": v.one_of(sort_order, "sort_order", ("ASC", "DESC"))}
        body: dict[str, Any] = {}
        if return_ids is not None:
            body["return_ids"] = v.id_list(list(return_ids), "return_ids", maximum=100)
        if order_ids is not None:
            body["order_ids"] = v.id_list(list(order_ids), "order_ids", maximum=100)
        for name, value in (("update_time_ge", update_time_ge), ("update_time_lt", update_time_lt)):
            if value is not None:
                body[name] = v.unix_time(value, name)
        data = self.client.request(SEARCH, query=query, body=body)
        data.setdefault("return_orders", [])
        return data

    def records(self, return_id: str) -> list[dict[str, Any]]:
        data = self.client.request(RECORDS, path_params={"return_id": v.tiktok_id(return_id, "return_id")})
        return list(data.get("records") or [])

    def reject_reasons(self, return_id: str) -> list[dict[str, Any]]:
        data = self.client.request(REJECT_REASONS,
                                   query={"return_or_cancel_id": v.tiktok_id(return_id, "return_or_cancel_id")})
        return list(data.get("reasons") or [])

    def approve(self, return_id: str, decision: str, *, buyer_keep_item: bool | None = None) -> None:
        body: dict[str, Any] = {"decision": v.one_of(decision, "decision", APPROVE_DECISIONS)}
        if buyer_keep_item is not None:
            body["buyer_keep_item"] = bool(buyer_keep_item)
        self.client.request(APPROVE, path_params={"return_id": v.tiktok_id(return_id, "return_id")}, body=body)

    def reject(self, return_id: str, decision: str, reject_reason: str, comment: str | None = None) -> None:
        body: dict[str, Any] = {"decision": v.one_of(decision, "decision", REJECT_DECISIONS),
                                "reject_reason": v.text(reject_reason, "reject_reason", maximum=200)}
        if comment:
            body["comment"] = v.text(comment, "comment", maximum=1000)
        self.client.request(REJECT, path_params={"return_id": v.tiktok_id(return_id, "return_id")}, body=body)

    def create(self, order_id: str, *, return_type: str, skus: Iterable[dict[str, Any]], refund_total: str,
               currency: str, return_reason: str) -> dict[str, Any]:
        """`{"return_id", "return_status"}`: a return the seller starts for the buyer."""
        entries = v.non_empty_list(list(skus), "skus", maximum=1000)
        body = {"order_id": v.tiktok_id(order_id, "order_id"),
                "return_type": v.one_of(return_type, "return_type", ("REFUND", "RETURN_AND_REFUND")),
                "skus": [{"sku_id": v.tiktok_id(v.mapping(s, f"skus[{i}]").get("sku_id"), f"skus[{i}].sku_id"),
                          "quantity": v.int_range(s.get("quantity", 1), f"skus[{i}].quantity", 1, 99_999)}
                         for i, s in enumerate(entries)],
                "refund_total": v.amount(refund_total, "refund_total"), "currency": v.text(currency, "currency"),
                "return_reason": v.text(return_reason, "return_reason", maximum=200)}
        data = self.client.request(CREATE, body=body)
        return require(data, "return_id", endpoint=CREATE.key)

    def aftersale_eligibility(self, order_id: str, *, user: str = "SELLER") -> list[dict[str, Any]]:
        data = self.client.request(ELIGIBILITY, path_params={"order_id": v.tiktok_id(order_id, "order_id")},
                                   query={"initiate_aftersale_user": v.one_of(user, "initiate_aftersale_user",
                                                                              ("BUYER", "SELLER"))})
        return list(data.get("sku_eligibility") or [])
