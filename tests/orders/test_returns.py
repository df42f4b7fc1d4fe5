"""Returns and refunds against the sandbox: TikTok's refund reaches the store once, with the right lines,
amount and restock; the merchant's decision reaches TikTok; a refund waits for an order the store lacks."""

from __future__ import annotations

from decimal import Decimal

from plugins.hub_client.client import new_event
from tests.support.orders import FakeStore, World, wait_until


def refund_capable(world: World) -> None:
    world.client.send_events([new_event("store.update", store={"capabilities": ["order.refund"]})])


def returns_of(world: World, tid: str) -> list[dict]:
    return (world.order(tid) or {}).get("returns") or []


def imported(world: World, tid: str) -> dict:
    """The return once the hub has applied TikTok's view of it (its status is known)."""
    return wait_until(lambda: (r := returns_of(world, tid)) and r[0]["tiktok_status"] and r[0], what="imported")


def run_import_twice(world: World, return_id: str) -> None:
    """The return's import job run twice more, as a redelivered webhook or a retry would."""
    from hub.queues import ORDERS, queue
    from hub.sync.orders.returns import job_id

    shop_id = world.sandbox.state()["shops"][0]["id"] if "shops" in world.sandbox.state() else None
    with world.runtime.db.session_scope() as session:
        from sqlalchemy import select

        from hub.models import TikTokReturn

        shop_id = session.scalar(select(TikTokReturn.tiktok_shop_id).where(TikTokReturn.return_id == return_id))
    for attempt in range(2):
        job = queue(ORDERS, world.runtime.redis).enqueue("hub.jobs.orders.import_return", shop_id, return_id,
                                                          job_id=f"{job_id(shop_id, return_id)}-again-{attempt}")
        wait_until(lambda: job.get_status(refresh=True) in ("finished", "failed"), 30, what="import job")
        assert job.get_status() == "finished", job.exc_info


def test_partial_refund_of_a_two_line_order_reaches_the_store_once(world: World, store: FakeStore) -> None:
    refund_capable(world)
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 2}, {"seller_sku": "SOCK-L", "quantity": 1}],
                                    shipping_fee="3.50")
    world.wait_status(tid, "Created")
    world.sandbox.move(tid, "DELIVERED")
    # The buyer sends one pair of M back and asks for a refund of it.
    ret = world.sandbox.request_return(tid, "RETURN_AND_REFUND", skus=[{"seller_sku": "SOCK-M", "quantity": 1}],
                                       reason="ecom_order_delivered_refund_and_return_reason_wrong_size")
    rid = ret["return_id"]
    shown = imported(world, tid)
    assert shown["state"] == "Requested"
    assert shown["buyer_reason"] == "Wrong size" and shown["awaiting_decision"] and shown["amount"] == "9.99"
    # The merchant approves it on the settings page; the buyer ships it back; the merchant accepts the parcel.
    from hub.sync.orders.returns import decide

    decide(world.runtime, world.store["merchant_id"], shown["id"], approve=True)
    assert world.sandbox.return_(rid)["return_status"] == "AWAITING_BUYER_SHIP"
    world.sandbox.return_step(rid, "ship")
    wait_until(lambda: returns_of(world, tid)[0]["state"] == "Item received", what="item received")
    decide(world.runtime, world.store["merchant_id"], shown["id"], approve=True)
    refund = wait_until(lambda: (r := returns_of(world, tid)[0])["refund"] and
                        r["refund"]["status"] == "Refunded in the store" and r, what="refunded in the store")
    assert refund["state"] == "Refunded"
    world.settle()
    run_import_twice(world, rid)
    world.poll_now()
    world.settle()
    commands = world.commands("order.refund")
    assert len(commands) == 1 and commands[0]["status"] == "done"
    made = store.orders[tid].refunds
    assert len(made) == 1
    assert made[0]["amount"] == "9.99" and Decimal(made[0]["shipping"]) == 0
    assert [(line["variant_id"], line["quantity"], line["amount"], line["restock"]) for line in made[0]["lines"]] \
        == [("91", 1, "9.99", True)]
    assert store.stock[("88", "91")] == 500 - 2 + 1  # the returned pair is back on the shelf
    assert refund["refund"]["store_refund_id"] == made[0]["id"]


def test_refund_only_is_not_restocked(world: World, store: FakeStore) -> None:
    refund_capable(world)
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}, {"seller_sku": "SOCK-L", "quantity": 1}])
    world.wait_status(tid, "Created")
    world.sandbox.move(tid, "DELIVERED")
    ret = world.sandbox.request_return(tid, "REFUND", skus=[{"seller_sku": "SOCK-L", "quantity": 1}],
                                       refund_total="5.00")
    row = imported(world, tid)
    decide_ok = __import__("hub.sync.orders.returns", fromlist=["decide"]).decide
    decide_ok(world.runtime, world.store["merchant_id"], row["id"], approve=True)
    wait_until(lambda: store.orders[tid].refunds, what="store refund")
    made = store.orders[tid].refunds[0]
    assert made["tiktok_return_id"] == ret["return_id"] and made["amount"] == "5"
    assert [(line["variant_id"], line["quantity"], line["restock"]) for line in made["lines"]] == [("92", 1, False)]
    assert store.stock[("88", "92")] == 499


def test_a_return_rejected_by_the_merchant_is_rejected_at_tiktok(world: World, store: FakeStore) -> None:
    refund_capable(world)
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Created")
    world.sandbox.move(tid, "DELIVERED")
    rid = world.sandbox.request_return(tid, "RETURN_AND_REFUND")["return_id"]
    row = imported(world, tid)
    from hub.sync.orders.returns import decide

    decide(world.runtime, world.store["merchant_id"], row["id"], approve=False, comment="Worn socks")
    at_tiktok = world.sandbox.return_(rid)
    assert at_tiktok["return_status"] == "REFUND_OR_RETURN_REQUEST_REJECT" and at_tiktok["reject_reason"]
    assert at_tiktok["records"][-1]["note"] == "Worn socks"
    wait_until(lambda: returns_of(world, tid)[0]["state"] == "Rejected", what="rejected in the hub")
    world.settle()
    assert world.commands("order.refund") == [] and store.orders[tid].refunds == []


def test_a_refund_of_an_order_the_store_never_created_is_shown_then_sent(world: World, store: FakeStore) -> None:
    refund_capable(world)
    store.fail_with = {"status": "failed", "reason": "OUT_OF_STOCK", "message": "No socks", "retryable": False}
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Failed")
    world.sandbox.request_return(tid, "REFUND")  # refund before shipment: the buyer gives up waiting
    row = imported(world, tid)
    from hub.sync.orders.returns import decide

    decide(world.runtime, world.store["merchant_id"], row["id"], approve=True)
    waiting = wait_until(lambda: (r := returns_of(world, tid)[0])["refund"] and r["refund"]["code"] == "ORDER_NOT_IN_STORE"
                         and r, what="waiting")
    assert waiting["refund"]["status"] == "Waiting for the store order" and world.commands("order.refund") == []
    store.fail_with = None
    from hub.sync.orders.handoff import retry_order

    with world.runtime.db.session_scope() as session:
        retry_order(session, world.store["store_id"], tid)
    world.wait_status(tid, "Created")
    wait_until(lambda: store.orders[tid].refunds, what="refund sent once the order exists")
    assert len(world.commands("order.refund")) == 1


def test_an_old_extension_is_never_sent_a_refund(world: World, store: FakeStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Created")
    world.sandbox.move(tid, "DELIVERED")
    world.sandbox.request_return(tid, "REFUND")
    row = imported(world, tid)
    from hub.sync.orders.returns import decide

    decide(world.runtime, world.store["merchant_id"], row["id"], approve=True)
    shown = wait_until(lambda: (r := returns_of(world, tid)[0])["refund"] and r, what="refund shown")
    assert shown["refund"]["code"] == "REFUND_NOT_SUPPORTED" and world.commands("order.refund") == []


def test_a_store_refund_is_reported_to_tiktok_only_where_allowed(world: World, store: FakeStore) -> None:
    refund_capable(world)
    shipped = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 2}])
    waiting = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}])
    world.wait_status(shipped, "Created")
    world.wait_status(waiting, "Created")
    world.sandbox.move(shipped, "DELIVERED")
    store.send("order.refunded", tiktok_order_id=shipped, platform_order_id=store.orders[shipped].number,
               platform_refund_id="R-77", amount="9.99", currency="GBP", reason="Goodwill",
               lines=[{"product_id": "88", "variant_id": "91", "quantity": 1, "amount": "9.99"}])
    row = wait_until(lambda: (r := returns_of(world, shipped)) and r[0]["state"] == "Refunded" and r[0], what="reported")
    assert row["origin"] == "store" and row["refund"]["store_refund_id"] == "R-77"
    at_tiktok = world.sandbox.return_(row["return_id"])
    assert at_tiktok["role"] == "SELLER" and at_tiktok["refund_amount"]["refund_total"] == "9.99"
    assert at_tiktok["return_status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    store.send("order.refunded", tiktok_order_id=waiting, platform_order_id=store.orders[waiting].number,
               platform_refund_id="R-78", amount="9.99", currency="GBP",
               lines=[{"product_id": "88", "variant_id": "92", "quantity": 1}])
    order = wait_until(lambda: (o := world.order(waiting))["reason_code"] == "TIKTOK_REFUND_NEEDS_ACTION" and o)
    assert "Seller Center" in order["fix"]
    world.settle()
    assert world.commands("order.refund") == []  # neither refund echoed back to the store
