"""Buyer orders: single-unit line items, masked address, stock, page tokens, statuses, fulfilment, cancels."""

import pytest



@pytest.fixture()
def live(client, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "manual"})
    data = client.call("POST", "/product/202309/products", body=tee_body()).data
    client.ctl("POST", f"/products/{data['product_id']}/review", {"decision": "approve"})
    return data


def detail(client, oid):
    r = client.call("GET", "/order/202309/orders", {"ids": oid})
    assert r.code == 0, r.json
    return r.data["orders"][0]


def test_quantity_two_is_two_line_items_and_stock_moves(client, live):
    r = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-M", "quantity": 2},
                                                 {"sku_id": live["skus"][1]["id"], "quantity": 1}],
                                       "shipping_fee": "2.99"})
    assert r.status == 201
    o = detail(client, r.json["id"])
    assert o["status"] == "UNPAID" and len(o["line_items"]) == 3
    assert [l["seller_sku"] for l in o["line_items"]] == ["TEE-BLK-M", "TEE-BLK-M", "TEE-BLK-L"]
    assert len({l["id"] for l in o["line_items"]}) == 3
    assert "quantity" not in o["line_items"][0]
    assert o["line_items"][0]["sku_name"] == "Black, M" and o["line_items"][0]["sale_price"] == "12.50"
    assert o["payment"]["sub_total"] == "37.50" and o["payment"]["total_amount"] == "40.49"
    assert o["payment"]["currency"] == "GBP"
    p = client.call("GET", f"/product/202309/products/{live['product_id']}").data
    assert [s["inventory"][0]["quantity"] for s in p["skus"]] == [8, 2]
    inv = client.call("POST", "/product/202309/inventory/search", body={"product_ids": [live["product_id"]]}).data
    assert inv["inventory"][0]["skus"][0]["total_committed_quantity"] == 2
    out = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-L", "quantity": 3}]})
    assert out.status == 409 and "out of stock" in out.json["error"]["message"]


def test_address_hidden_until_paid(client, live, receiver):
    oid = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-M", "quantity": 1}],
                                         "buyer": {"name": "Harriet Jones"}}).json["id"]
    a = detail(client, oid)["recipient_address"]
    assert a["name"] == "" and a["address_line1"] == "" and a["postal_code"] == "" and a["region_code"] == "GB"
    client.ctl("POST", f"/orders/{oid}/status", {"status": "ON_HOLD"})
    o = detail(client, oid)
    assert o["is_on_hold_order"] is True and o["recipient_address"]["postal_code"] == ""
    client.ctl("POST", f"/orders/{oid}/status", {"status": "AWAITING_SHIPMENT"})
    a = detail(client, oid)["recipient_address"]
    assert a["name"] == "Harriet Jones" and a["postal_code"] == "PR1 8JB" and a["post_town"] == "Preston"
    assert a["phone_number"].startswith("(+44)7") and "*" in a["phone_number"]
    statuses = [e["json"]["data"]["order_status"] for e in
                receiver.wait_for(lambda e: e["type"] == 1 and e["data"]["order_status"] == "AWAITING_SHIPMENT")
                and receiver.events if e["json"]["type"] == 1 and e["json"]["data"]["order_id"] == oid]
    assert statuses == ["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"]


def test_search_orders_with_opaque_page_tokens(client, live):
    ids = [client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-M", "quantity": 1}],
                                          "status": "AWAITING_SHIPMENT", "create_time": 1_700_000_000 + i}).json["id"]
           for i in range(5)]
    seen, token, pages = [], None, 0
    while True:
        q = {"page_size": 2, "sort_field": "create_time", "sort_order": "ASC"}
        if token:
            q["page_token"] = token
        r = client.call("POST", "/order/202309/orders/search", q, body={"order_status": "AWAITING_SHIPMENT"})
        assert r.code == 0, r.json
        assert r.data["total_count"] == 5
        seen += [o["id"] for o in r.data["orders"]]
        pages += 1
        token = r.data["next_page_token"]
        if not token:
            break
        assert "+" in token and "/" in token and "=" in token
    assert seen == ids and pages == 3
    window = client.call("POST", "/order/202309/orders/search", {"page_size": 50},
                         body={"create_time_ge": 1_700_000_001, "create_time_lt": 1_700_000_003}).data
    assert window["total_count"] == 2
    upd = client.call("POST", "/order/202309/orders/search", {"page_size": 50, "sort_field": "update_time"},
                      body={"update_time_ge": 1_700_000_000}).data
    assert upd["total_count"] == 5
    assert client.call("POST", "/order/202309/orders/search", {}, body={}).code == 98001004
    assert client.call("GET", "/order/202507/orders", {"ids": "1"}).code == 21008111


def test_ship_with_tracking_then_deliver(client, live, receiver):
    oid = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-M", "quantity": 2}],
                                         "status": "AWAITING_SHIPMENT"}).json["id"]
    o = detail(client, oid)
    assert len(o["packages"]) == 1 and "package_id" not in o["line_items"][0]
    providers = client.call("GET", f"/logistics/202309/delivery_options/{o['delivery_option_id']}/shipping_providers")
    royal_mail = next(p for p in providers.data["shipping_providers"] if p["name"] == "Royal Mail")
    first_line = o["line_items"][0]["id"]
    r = client.call("POST", f"/fulfillment/202309/orders/{oid}/packages",
                    body={"order_line_item_ids": [first_line], "tracking_number": "RM000000001GB",
                          "shipping_provider_id": royal_mail["id"]})
    assert r.code == 0 and r.data["order_line_item_ids"] == [first_line]
    assert detail(client, oid)["status"] == "PARTIALLY_SHIPPING"
    pkg = o["packages"][0]["id"]
    r = client.call("POST", f"/fulfillment/202309/packages/{pkg}/ship",
                    body={"self_shipment": {"tracking_number": "RM000000002GB", "shipping_provider_id": royal_mail["id"]}})
    assert r.code == 0, r.json
    o = detail(client, oid)
    assert o["status"] == "AWAITING_COLLECTION"
    assert {l["tracking_number"] for l in o["line_items"]} == {"RM000000001GB", "RM000000002GB"}
    assert all(l["package_status"] == "PROCESSING" and l["shipping_provider_name"] == "Royal Mail"
               for l in o["line_items"])
    fix = client.call("POST", f"/fulfillment/202309/packages/{pkg}/shipping_info/update",
                      body={"tracking_number": "RM000000003GB", "shipping_provider_id": royal_mail["id"]})
    assert fix.code == 0
    assert client.call("GET", f"/fulfillment/202309/packages/{pkg}").data["tracking_number"] == "RM000000003GB"
    again = client.call("POST", f"/fulfillment/202309/orders/{oid}/packages",
                        body={"tracking_number": "X1", "shipping_provider_id": royal_mail["id"]})
    assert again.code == 98001004
    client.ctl("POST", f"/orders/{oid}/status", {"status": "DELIVERED"})
    o = detail(client, oid)
    assert o["status"] == "DELIVERED" and o["line_items"][0]["package_status"] == "COMPLETED"
    assert client.call("GET", f"/fulfillment/202309/orders/{oid}/tracking").data["tracking"]
    assert client.ctl("POST", f"/orders/{oid}/status", {"status": "UNPAID"}).status == 409
    receiver.wait_for(lambda e: e["type"] == 1 and e["data"]["order_status"] == "DELIVERED")
    pk = client.call("POST", "/fulfillment/202309/packages/search", {"page_size": 10}, body={}).data
    assert pk["total_count"] == 2


def test_seller_cancel_restocks_and_emits_11_and_1(client, live, receiver):
    oid = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-M", "quantity": 2}],
                                         "status": "AWAITING_SHIPMENT"}).json["id"]
    lines = detail(client, oid)["line_items"]
    r = client.call("POST", "/return_refund/202309/cancellations",
                    body={"order_id": oid, "order_line_item_ids": [lines[0]["id"]],
                          "cancel_reason": "seller_cancel_reason_out_of_stock_uk"})
    assert r.code == 0 and r.data["cancel_status"] == "CANCELLATION_REQUEST_COMPLETE"
    o = detail(client, oid)
    assert o["status"] == "AWAITING_SHIPMENT" and o["line_items"][0]["display_status"] == "CANCELLED"
    assert client.call("GET", f"/product/202309/products/{live['product_id']}").data["skus"][0]["inventory"][0][
        "quantity"] == 9
    r = client.call("POST", "/return_refund/202309/cancellations",
                    body={"order_id": oid, "cancel_reason": "seller_cancel_paid_reason_address_not_deliver_uk"})
    assert r.code == 0
    o = detail(client, oid)
    assert o["status"] == "CANCELLED" and o["cancellation_initiator"] == "SELLER"
    ev = receiver.wait_for(lambda e: e["type"] == 1 and e["data"]["order_id"] == oid
                           and e["data"]["order_status"] == "CANCEL")
    assert ev
    elevens = receiver.wait_for(lambda e: e["type"] == 11 and e["data"]["order_id"] == oid)
    assert elevens[0]["data"]["cancellations_role"] == "SELLER"
    assert client.call("POST", "/return_refund/202309/cancellations",
                       body={"order_id": oid, "cancel_reason": "seller_cancel_reason_out_of_stock_uk"}).code == 98001004
    found = client.call("POST", "/return_refund/202309/cancellations/search", {"page_size": 10},
                        body={"order_ids": [oid]}).data
    assert found["total_count"] == 2


def test_seller_cancel_reason_must_match_the_uk_list_and_the_status(client, live):
    """TikTok's cancel-reasons page: UK keys end in _uk, and UNPAID has its own; others get 25001021."""
    unpaid = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-M", "quantity": 1}],
                                            "status": "UNPAID"}).json["id"]
    paid = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-M", "quantity": 1}],
                                          "status": "AWAITING_SHIPMENT"}).json["id"]

    def cancel(oid, reason):
        return client.call("POST", "/return_refund/202309/cancellations", body={"order_id": oid, "cancel_reason": reason})

    for oid, reason in ((paid, "seller_cancel_reason_out_of_stock"),  # the US/ID key, not the UK one
                        (paid, "seller_cancel_unpaid_reason_out_of_stock_uk"),  # the unpaid key on a paid order
                        (unpaid, "seller_cancel_reason_out_of_stock_uk"),  # the paid key on an unpaid order
                        (unpaid, "Out of stock")):
        r = cancel(oid, reason)
        assert r.code == 25001021 and r.message == "Reason not match order status", reason
    assert detail(client, paid)["status"] == "AWAITING_SHIPMENT" and detail(client, unpaid)["status"] == "UNPAID"
    assert cancel(unpaid, "seller_cancel_unpaid_reason_out_of_stock_uk").code == 0
    assert cancel(paid, "seller_cancel_reason_out_of_stock_uk").code == 0
    assert detail(client, paid)["status"] == "CANCELLED" and detail(client, unpaid)["status"] == "CANCELLED"
    assert detail(client, paid)["cancel_reason"] == "seller_cancel_reason_out_of_stock_uk"


def test_buyer_cancel_request_and_control_cancel(client, live, receiver):
    oid = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-L", "quantity": 1}],
                                         "status": "AWAITING_SHIPMENT"}).json["id"]
    cid = client.ctl("POST", f"/orders/{oid}/cancel-request", {"cancel_reason": "Ordered by mistake"}).json["cancel_id"]
    assert detail(client, oid)["is_buyer_request_cancel"] is True
    pending = receiver.wait_for(lambda e: e["type"] == 11 and e["data"]["cancel_id"] == cid)[0]
    assert pending["data"]["cancel_status"] == "CANCELLATION_REQUEST_PENDING"
    assert client.call("POST", f"/return_refund/202309/cancellations/{cid}/approve", body={}).code == 0
    assert detail(client, oid)["status"] == "CANCELLED"
    oid2 = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-L", "quantity": 1}]}).json["id"]
    r = client.ctl("POST", f"/orders/{oid2}/status", {"status": "CANCELLED", "cancellation_initiator": "BUYER"})
    assert r.json["status"] == "CANCELLED" and r.json["cancellation_initiator"] == "BUYER"
    receiver.wait_for(lambda e: e["type"] == 11 and e["data"]["order_id"] == oid2)


def test_orders_only_for_live_products(client, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "manual"})
    client.call("POST", "/product/202309/products", body=tee_body())
    r = client.ctl("POST", "/orders", {"lines": [{"seller_sku": "TEE-BLK-M", "quantity": 1}]})
    assert r.status == 409
    assert client.ctl("POST", "/orders", {"lines": [{"seller_sku": "NOPE", "quantity": 1}]}).status == 404
