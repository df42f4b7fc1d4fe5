"""TikTok orders handed to a BigCommerce store: every refusal ends as a failure reason with its fix (the
hub's reasons table), cancellations go both ways, and a shipment without tracking waits for one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.models import Order, SkuBinding
from hub.sync.orders.reasons import FIXES
from plugins.bigcommerce.fake import make_product
from tests.bigcommerce.conftest import STORE, World, tee

ADDRESS = {"name": "Alex Buyer", "line1": "1 High Street", "city": "Leeds", "region": "West Yorkshire",
           "postal_code": "LS1 1AA", "country_code": "GB", "phone": "+447700900123"}


def _bind(world: World, product_id: int, variants: list[tuple[int, str]]) -> None:
    with world.runtime.db.session_scope() as session:
        for variant, sku in variants:
            session.add(SkuBinding(store_id=world.store_id(), product_id=str(product_id), variant_id=str(variant),
                                   tiktok_product_id=f"17290000000{product_id}", tiktok_sku_id=f"1729000{variant}",
                                   seller_sku=sku, pushed_quantity=10))


def _hand_off(world: World, tid: str, product_id: int, variant_id: int, quantity: int = 1,
              address: dict[str, Any] | None = None) -> None:
    from hub.sync.orders.handoff import hand_off

    with world.runtime.db.session_scope() as session:
        order = Order(merchant_id=world.merchant_id, store_id=world.store_id(), tiktok_shop_id="shop-1",
                      tiktok_order_id=tid, status="pending")
        session.add(order)
        session.flush()
        hand_off(session, order, {"tiktok_order_id": tid, "lines": [
            {"product_id": str(product_id), "variant_id": str(variant_id), "sku": f"SKU-{variant_id}",
             "quantity": quantity, "unit_price": "12.50"}],
            "buyer": {"name": "Alex Buyer", "email": "buyer@example.com", "phone": "+447700900123"},
            "shipping_address": address if address is not None else ADDRESS,
            "totals": {"subtotal": "12.50", "shipping": "0.00", "tax": "2.08", "discount": "0.00", "total": "12.50"}})


def _hub_order(world: World, tid: str) -> dict[str, Any]:
    from hub.sync.orders.status import list_orders

    with world.runtime.db.session_scope() as session:
        return next(o for o in list_orders(session, world.store_id()) if o["tiktok_order_id"] == tid)


def _failed(world: World, tid: str) -> dict[str, Any]:
    return world.wait(lambda: (o := _hub_order(world, tid))["status"] == "Failed" and o, f"order {tid} failed",
                      detail=lambda: _hub_order(world, tid))


def test_each_refusal_is_a_reason_with_its_fix(world: World) -> None:
    world.installed(from_hub=True)
    world.fake.save_product(STORE, tee(801, stock=(1, 4)))
    world.fake.save_product(STORE, make_product(802, "Mug", variants=[
        {"options": {"Colour": "Blue"}, "sku": "MUG-B", "stock": 5, "purchasing_disabled": True}]))
    world.wait(lambda: world.snapshot(801) and world.snapshot(802), "products at the hub")
    _bind(world, 801, [(8011, "TEE-801-M"), (8012, "TEE-801-L")])
    _bind(world, 802, [(8021, "MUG-B")])

    _hand_off(world, "576000000000000901", 802, 8021)                      # purchasing disabled
    _hand_off(world, "576000000000000902", 801, 8011, quantity=3)          # BigCommerce has 1
    _hand_off(world, "576000000000000903", 801, 8011, address={**ADDRESS, "postal_code": ""})
    _hand_off(world, "576000000000000904", 801, 8011, address={**ADDRESS, "country_code": "JP"})
    _hand_off(world, "576000000000000905", 999, 9991)                      # no such product any more
    expected = {"576000000000000901": "PRODUCT_DISABLED", "576000000000000902": "OUT_OF_STOCK",
                "576000000000000903": "INVALID_ADDRESS", "576000000000000904": "ADDRESS_REFUSED",
                "576000000000000905": "PRODUCT_DELETED"}
    for tid, code in expected.items():
        if code == "OUT_OF_STOCK":  # retryable: it stays Pending, says why, and is tried again
            order = world.wait(lambda: (o := _hub_order(world, tid))["reason_code"] == code and o, f"order {tid}")
            assert order["status"] == "Pending" and "does not have enough stock" in order["reason"]
            continue
        order = _failed(world, tid)
        assert order["reason_code"] == code, (tid, order)
        assert order["reason"] and order["fix"] == FIXES[code]
    assert not world.fake.stores[STORE].orders  # nothing half-made


def test_cancelled_on_tiktok_cancels_the_bigcommerce_order_and_its_stock_returns(world: World) -> None:
    from hub.sync.orders.cancellations import send_cancel

    world.installed(from_hub=True)
    world.fake.save_product(STORE, tee(811, stock=(10, 4)))
    world.wait(lambda: world.snapshot(811), "product at the hub")
    _bind(world, 811, [(8111, "TEE-811-M")])
    _hand_off(world, "576000000000000911", 811, 8111, quantity=2)
    world.wait(lambda: _hub_order(world, "576000000000000911")["status"] == "Created", "order created")
    [made] = world.fake.stores[STORE].orders.values()
    assert world.fake.stores[STORE].products[811]["variants"][0]["inventory_level"] == 8
    with world.runtime.db.session_scope() as session:
        order = session.scalar(select(Order).where(Order.tiktok_order_id == "576000000000000911"))
        assert order is not None
        order.cancel_origin = "tiktok"
        send_cancel(session, order)  # what order sync does when TikTok cancels a created order
    world.wait(lambda: _hub_order(world, "576000000000000911")["status"] == "Cancelled", "order cancelled")
    assert made["status_id"] == 5
    assert world.fake.stores[STORE].products[811]["variants"][0]["inventory_level"] == 10
    world.wait(lambda: world.snapshot(811)["variants"][0]["quantity"] == 10, "stock back at the hub")


def test_a_merchant_cancelling_in_bigcommerce_tells_the_hub_and_other_orders_are_ignored(world: World) -> None:
    world.installed(from_hub=True)
    world.fake.save_product(STORE, tee(821))
    world.wait(lambda: world.snapshot(821), "product at the hub")
    _bind(world, 821, [(8211, "TEE-821-M")])
    _hand_off(world, "576000000000000921", 821, 8211)
    world.wait(lambda: _hub_order(world, "576000000000000921")["status"] == "Created", "order created")
    [made] = world.fake.stores[STORE].orders.values()
    world.fake.cancel_order(STORE, made["id"])

    def origin() -> str | None:
        with world.runtime.db.session_scope() as session:
            return session.scalar(select(Order.cancel_origin).where(Order.tiktok_order_id == "576000000000000921"))

    world.wait(lambda: origin() == "store", "the store's cancellation reached the hub")
    # A shipment without a tracking number gives TikTok nothing: no event until one is added.
    world.fake.ship(STORE, made["id"], "")
    world.fake.flush()
    world.work()
    assert _hub_order(world, "576000000000000921")["fulfilment"] is None
