"""Returns and refunds as TikTok's Return & Refund API (202309) documents them: a buyer's request, the
seller's decision, partial returns by line items and amounts, records, and RETURN_STATUS_CHANGE."""

import pytest


@pytest.fixture()
def live(client, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "manual"})
    data = client.call("POST", "/product/202309/products", body=tee_body()).data
    client.ctl("POST", f"/products/{data['product_id']}/review", {"decision": "approve"})
    return data


def delivered(client, lines, shipping_fee="2.99"):
    oid = client.ctl("POST", "/orders", {"lines": lines, "shipping_fee": shipping_fee,
                                         "status": "DELIVERED"}).json["id"]
    return oid


def search(client, **body):
    r = client.call("POST", "/return_refund/202309/returns/search", {"page_size": "10"}, body=body)
    assert r.code == 0, r.json
    return r.data


def test_partial_refund_request_approved_by_the_seller(client, live, receiver):
    oid = delivered(client, [{"seller_sku": "TEE-BLK-M", "quantity": 2}, {"seller_sku": "TEE-BLK-L", "quantity": 1}])
    r = client.ctl("POST", f"/orders/{oid}/return-request",
                   {"return_type": "REFUND", "skus": [{"seller_sku": "TEE-BLK-M", "quantity": 1}],
                    "reason": "ecom_order_delivered_refund_and_return_reason_damaged"})
    assert r.status == 201, r.json
    rid = r.json["return_id"]
    found = search(client, order_ids=[oid])["return_orders"]
    assert [x["return_id"] for x in found] == [rid]
    ret = found[0]
    assert ret["return_status"] == "RETURN_OR_REFUND_REQUEST_PENDING" and ret["role"] == "BUYER"
    assert ret["return_reason_text"] == "Damaged or defective"
    assert len(ret["return_line_items"]) == 1 and ret["return_line_items"][0]["seller_sku"] == "TEE-BLK-M"
    assert ret["refund_amount"]["refund_total"] == "12.50" and ret["refund_amount"]["refund_shipping_fee"] == "0"
    assert ret["seller_next_action_response"][0]["action"] == "SELLER_RESPOND_REFUND"
    receiver.wait_for(lambda e: e["type"] == 12 and e["data"]["return_id"] == rid
                      and e["data"]["return_status"] == "RETURN_OR_REFUND_REQUEST_PENDING")
    wrong = client.call("POST", f"/return_refund/202309/returns/{rid}/approve", body={"decision": "APPROVE_RETURN"})
    assert wrong.code == 98001004 and "decision" in wrong.message
    ok = client.call("POST", f"/return_refund/202309/returns/{rid}/approve", body={"decision": "APPROVE_REFUND"})
    assert ok.code == 0, ok.json
    assert search(client, return_ids=[rid])["return_orders"][0]["return_status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    receiver.wait_for(lambda e: e["type"] == 12 and e["data"]["return_status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE")
    records = client.call("GET", f"/return_refund/202309/returns/{rid}/records").data["records"]
    assert records[0]["description"] == "The buyer has been refunded" and all(r["event"] == "ORDER_RETURN" for r in records)
    # The same unit cannot be returned twice; the other one can.
    again = client.ctl("POST", f"/orders/{oid}/return-request",
                       {"return_type": "REFUND", "skus": [{"seller_sku": "TEE-BLK-M", "quantity": 2}]})
    assert again.status == 409


def test_return_and_refund_goes_through_shipping_back_and_can_be_rejected(client, live):
    oid = delivered(client, [{"seller_sku": "TEE-BLK-M", "quantity": 1}, {"seller_sku": "TEE-BLK-L", "quantity": 1}])
    rid = client.ctl("POST", f"/orders/{oid}/return-request", {"return_type": "RETURN_AND_REFUND"}).json["return_id"]
    ret = search(client, return_ids=[rid])["return_orders"][0]
    assert ret["refund_amount"]["refund_total"] == "27.99"  # every item: the shipping fee comes back too
    reasons = client.call("GET", "/return_refund/202309/reject_reasons", {"return_or_cancel_id": rid}).data["reasons"]
    assert reasons and all(set(r) == {"name", "text"} for r in reasons)
    client.call("POST", f"/return_refund/202309/returns/{rid}/approve", body={"decision": "APPROVE_RETURN"})
    assert client.ctl("GET", f"/returns/{rid}").json["return_status"] == "AWAITING_BUYER_SHIP"
    assert client.ctl("POST", f"/returns/{rid}/ship").json["return_status"] == "BUYER_SHIPPED_ITEM"
    bad = client.call("POST", f"/return_refund/202309/returns/{rid}/reject",
                      body={"decision": "REJECT_RECEIVED_PACKAGE", "reject_reason": "not a reason"})
    assert bad.code == 98001004
    r = client.call("POST", f"/return_refund/202309/returns/{rid}/reject",
                    body={"decision": "REJECT_RECEIVED_PACKAGE", "reject_reason": reasons[-1]["name"],
                          "comment": "Wrong item returned"})
    assert r.code == 0, r.json
    state = client.ctl("GET", f"/returns/{rid}").json
    assert state["return_status"] == "REJECT_RECEIVE_PACKAGE" and state["records"][-1]["note"] == "Wrong item returned"


def test_partial_amount_is_spread_over_the_lines(client, live):
    oid = delivered(client, [{"seller_sku": "TEE-BLK-M", "quantity": 2}])
    ret = client.ctl("POST", f"/orders/{oid}/return-request", {"return_type": "REFUND", "refund_total": "10.00"}).json
    assert ret["refund_amount"]["refund_total"] == "10"
    assert [l["refund_amount"]["refund_total"] for l in ret["return_line_items"]] == ["5", "5"]
    too_much = client.ctl("POST", f"/orders/{oid}/return-request", {"return_type": "REFUND", "refund_total": "99"})
    assert too_much.status == 409


def test_seller_may_start_a_refund_only_where_eligible(client, live):
    shipped = delivered(client, [{"seller_sku": "TEE-BLK-M", "quantity": 1}])
    waiting = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-L", "quantity": 1}],
                                             "status": "AWAITING_SHIPMENT"}).json["id"]
    el = client.call("GET", f"/return_refund/202309/orders/{waiting}/aftersale_eligibility",
                     {"initiate_aftersale_user": "SELLER"}).data["sku_eligibility"][0]["line_item_eligibility"]
    assert {e["request_type"]: e["eligible"] for e in el} == {"CANCEL": True, "REFUND": False,
                                                             "RETURN_AND_REFUND": False}
    refused = client.call("POST", "/return_refund/202309/returns",
                          body={"order_id": waiting, "return_type": "REFUND", "return_reason": "x"})
    assert refused.code == 98001004
    made = client.call("POST", "/return_refund/202309/returns",
                       body={"order_id": shipped, "return_type": "REFUND", "currency": "GBP", "refund_total": "5.00",
                             "skus": [{"sku_id": live["skus"][0]["id"], "quantity": 1}], "return_reason": "x"})
    assert made.code == 0 and made.data["return_status"] == "RETURN_OR_REFUND_REQUEST_PENDING", made.json
    ret = search(client, return_ids=[made.data["return_id"]])["return_orders"][0]
    assert ret["role"] == "SELLER" and ret["refund_amount"]["refund_total"] == "5"


def test_search_validates_its_parameters(client, live):
    r = client.call("POST", "/return_refund/202309/returns/search", {"page_size": "5"}, body={})
    assert r.code == 98001004
    r = client.call("POST", "/return_refund/202309/returns/search", {"page_size": "10"},
                    body={"return_status": ["NOPE"]})
    assert r.code == 98001004
