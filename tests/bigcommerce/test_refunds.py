"""`order.refund` through BigCommerce's Orders API refunds: the order's products TikTok refunded with
their quantities and one offline payment for the amount, once per TikTok return (job run twice)."""

from __future__ import annotations

from typing import Any

from tests.bigcommerce.conftest import STORE, World, tee


def _ctx(world: World) -> Any:
    from hub.stores.context import for_store

    with world.runtime.db.session_scope() as session:
        return for_store(world.runtime, session, world.connector, world.store_id())


def test_partial_refund_of_a_two_line_order_is_made_once(world: World) -> None:
    world.installed(from_hub=True)
    world.fake.save_product(STORE, tee(821, stock=(10, 4)))
    world.wait(lambda: world.snapshot(821), "product at the hub")
    assert "order.refund" in (world.connector.store_info(_ctx(world)).get("capabilities") or [])
    address = {"name": "Alex Buyer", "line1": "1 High Street", "city": "Leeds", "region": "West Yorkshire",
               "postal_code": "LS1 1AA", "country_code": "GB", "phone": "+447700900123"}
    made = world.connector.create_order(_ctx(world), {
        "tiktok_order_id": "576000000000000921", "status": "AWAITING_SHIPMENT", "currency": "GBP",
        "buyer": {"name": "Alex Buyer", "email": "buyer@example.com", "phone": "+447700900123"},
        "shipping_address": address,
        "lines": [{"product_id": "821", "variant_id": "8211", "sku": "TEE-821-M", "quantity": 2, "unit_price": "12.50"},
                  {"product_id": "821", "variant_id": "8212", "sku": "TEE-821-L", "quantity": 1, "unit_price": "12.50"}],
        "totals": {"subtotal": "37.50", "shipping": "0.00", "tax": "6.25", "discount": "0.00", "total": "37.50"}})
    assert made["status"] == "done", made
    number = made["platform_order_id"]
    payload = {"tiktok_order_id": "576000000000000921", "platform_order_id": number,
               "tiktok_return_id": "4036000000000000921", "currency": "GBP", "amount": "17.50", "shipping": "0",
               "reason": "Wrong size",
               "lines": [{"product_id": "821", "variant_id": "8211", "sku": "TEE-821-M", "quantity": 1,
                          "amount": "12.50", "restock": True},
                         {"product_id": "821", "variant_id": "8212", "sku": "TEE-821-L", "quantity": 1,
                          "amount": "5.00", "restock": False}]}
    first = world.connector.refund_order(_ctx(world), payload)
    again = world.connector.refund_order(_ctx(world), payload)  # the job run twice
    assert first["status"] == "done" and again == first
    [refund] = world.fake.stores[STORE].orders[int(number)]["refunds"]
    assert refund["total_amount"] == 17.5 and refund["payments"][0]["offline"] is True
    products = {p["id"]: p["variant_id"] for p in world.fake.stores[STORE].orders[int(number)]["products"]}
    assert sorted((products[i["item_id"]], i["quantity"]) for i in refund["items"]) == [(8211, 1), (8212, 1)]
    assert "restock: 1 x TEE-821-M" in refund["reason"]
    too_many = dict(payload, tiktok_return_id="4036000000000000922", lines=[dict(payload["lines"][1], quantity=3)])
    refused = world.connector.refund_order(_ctx(world), too_many)
    assert refused["status"] == "failed" and "more than can be refunded" in refused["message"]
