"""Returns on the Orders page: state, lines, amount and the buyer's reason under their order, with
Approve/Reject only while TikTok waits for the seller; another merchant's return is out of reach."""

from __future__ import annotations

from typing import Any

from hub.models import Order, TikTokReturn
from tests.web.conftest import Browser


def _seed(runtime: Any, who: dict[str, str], tid: str, *, state: str, action: str | None) -> str:
    with runtime.db.session_scope() as session:
        session.add(Order(merchant_id=who["merchant_id"], store_id=who["store_id"], tiktok_shop_id="shop-a",
                          tiktok_order_id=tid, status="created", platform_order_id="1042"))
        ret = TikTokReturn(merchant_id=who["merchant_id"], store_id=who["store_id"], tiktok_shop_id="shop-a",
                           return_id=f"4036{tid[-6:]}", tiktok_order_id=tid, return_type="RETURN_AND_REFUND",
                           tiktok_status="RETURN_OR_REFUND_REQUEST_PENDING", state=state, seller_action=action,
                           buyer_reason="Wrong size", currency="GBP", refund_total="9.99", refund_shipping="0",
                           lines=[{"sku_id": "1729", "seller_sku": "SOCK-M", "product_name": "Socks", "quantity": 1,
                                   "amount": "9.99", "restock": True}])
        session.add(ret)
        session.flush()
        return ret.id


def test_a_return_is_shown_under_its_order_with_its_decision(logged_in: Browser, runtime: Any,
                                                             merchant_a: dict[str, str]) -> None:
    _seed(runtime, merchant_a, "576000000000000501", state="requested", action="SELLER_RESPOND_RETURN")
    html = logged_in.get("/orders/").text
    assert "Return 4036000501" in html and "Requested" in html and "Buyer's reason: Wrong size" in html
    assert "1 × SOCK-M (9.99) · back in stock" in html and "GBP 9.99" in html
    assert 'aria-label="Approve return 4036000501"' in html and 'aria-label="Reject return 4036000501"' in html


def test_a_decision_on_a_return_not_waiting_for_one_is_refused_with_a_reason(
        logged_in: Browser, runtime: Any, merchant_a: dict[str, str], merchant_b: dict[str, str]) -> None:
    done = _seed(runtime, merchant_a, "576000000000000502", state="refunded", action=None)
    html = logged_in.get("/orders/").text
    assert 'aria-label="Approve return 4036000502"' not in html
    answer = logged_in.post_form("/orders/", f"/orders/returns/{done}/decision", {"decision": "approve"})
    assert answer.status_code == 200 and "it is not waiting for your decision" in answer.text
    other = _seed(runtime, merchant_b, "576000000000000503", state="requested", action="SELLER_RESPOND_REFUND")
    assert logged_in.post_form("/orders/", f"/orders/returns/{other}/decision", {"decision": "reject"}).status_code == 404
