"""`order.refund` through Shopify's refundCreate (the fake checks every document against Shopify's real
Admin schema): the lines and amount TikTok refunded, restock of what came back, once per TikTok return."""

from __future__ import annotations

from typing import Any

from tests.shopify.conftest import SHOP, World, tee


def _ctx(world: World) -> Any:
    from hub.stores.context import for_store

    with world.runtime.db.session_scope() as session:
        return for_store(world.runtime, session, world.connector, world.store_id())


def _level(world: World, product_id: str, variant_id: str) -> int:
    product = world.fake.shops[SHOP].products[product_id]
    variant = next(v for v in product["variants"] if v["id"] == variant_id)
    return sum(level["available"] for level in variant["levels"].values())


def test_partial_refund_of_a_two_line_order_is_made_once_with_restock(world: World) -> None:
    world.open_app()
    world.fake.save_product(SHOP, tee(901, world.fake, stock=(10, 4)))
    world.wait(lambda: world.snapshot("901"), "product at the hub")
    assert "order.refund" in (world.connector.store_info(_ctx(world)).get("capabilities") or [])
    made = world.connector.create_order(_ctx(world), {
        "tiktok_order_id": "576000000000000777", "currency": "GBP",
        "lines": [{"product_id": "901", "variant_id": "9011", "sku": "TEE-901-M", "quantity": 2, "unit_price": "9.00"},
                  {"product_id": "901", "variant_id": "9012", "sku": "TEE-901-L", "quantity": 1, "unit_price": "9.00"}],
        "shipping_address": {"name": "A Buyer", "line1": "1 High St", "city": "Leeds", "postal_code": "LS1 1AA",
                             "country_code": "GB"}, "totals": {"total": "27.00"}})
    assert made["status"] == "done"
    before_m, before_l = _level(world, "901", "9011"), _level(world, "901", "9012")
    payload = {"tiktok_order_id": "576000000000000777", "platform_order_id": made["platform_order_id"],
               "tiktok_return_id": "4036000000000000123", "currency": "GBP", "amount": "14.00", "shipping": "0",
               "reason": "Wrong size",
               "lines": [{"product_id": "901", "variant_id": "9011", "sku": "TEE-901-M", "quantity": 1, "amount": "9.00",
                          "restock": True},
                         {"product_id": "901", "variant_id": "9012", "sku": "TEE-901-L", "quantity": 1, "amount": "5.00",
                          "restock": False}]}
    first = world.connector.refund_order(_ctx(world), payload)
    again = world.connector.refund_order(_ctx(world), payload)  # the job run twice
    assert first["status"] == "done" and again == first
    assert world.fake.documents.count("RefundCreate") == 1
    [refund] = world.fake.shops[SHOP].orders[made["platform_order_id"]]["refunds"]
    sent = refund["input"]
    assert [(line["quantity"], line["restockType"]) for line in sent["refundLineItems"]] == [(1, "RETURN"), (1, "NO_RESTOCK")]
    assert sent["transactions"] == [{"orderId": sent["orderId"], "kind": "REFUND", "gateway": "TikTok Shop",
                                     "amount": "14.00"}]
    assert _level(world, "901", "9011") == before_m + 1 and _level(world, "901", "9012") == before_l
    too_many = dict(payload, tiktok_return_id="4036000000000000124",
                    lines=[dict(payload["lines"][1], quantity=5)])
    refused = world.connector.refund_order(_ctx(world), too_many)
    assert refused["status"] == "failed" and "Quantity" in refused["message"]
