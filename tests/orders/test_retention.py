"""Retention: the buyer data of orders finished longer ago than the limit is erased, handled records
older than it are deleted, everything newer is kept, and repeated deliveries are still recognised
(hub/sync/retention.py).

Orders go the real way (sandbox order → webhook → import → store order); the "old" rows are then dated
100 days back in the database, as if stored then, and the real retention job runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import requests
from sqlalchemy import select, update

from hub.models import Order, ProcessedEvent, TikTokNotification
from hub.sync import retention
from plugins.hub_client.client import new_event
from tests.support.orders import FakeStore, World
from tests.support.waiting import stays

LONG_AGO = datetime.now(timezone.utc) - timedelta(days=100)


def _create_payload(world: World, tid: str) -> dict[str, Any]:
    [command] = [c for c in world.commands("order.create") if c["dedupe_key"].startswith(f"order.create:{tid}")]
    return command["payload"]["order"]


def _notification_ids(world: World, tid: str) -> set[str]:
    with world.runtime.db.session_scope() as session:
        return {n.notification_id for n in session.scalars(select(TikTokNotification))
                if str((n.payload.get("data") or {}).get("order_id")) == tid}


def _event_ids(world: World) -> set[str]:
    with world.runtime.db.session_scope() as session:
        return set(session.scalars(select(ProcessedEvent.event_id).where(
            ProcessedEvent.store_id == world.store["store_id"])))


def test_buyer_data_is_erased_after_the_limit_and_dedup_still_works(world: World, store: FakeStore) -> None:
    old = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}], buyer={"name": "Harriet Jones"})
    new = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}], buyer={"name": "Sam Patel"})
    world.wait_status(old, "Created")
    world.wait_status(new, "Created")
    stale_event = new_event("inventory.update", items=[{"product_id": "88", "variant_id": "91", "quantity": 40,
                                                        "price": "9.99", "version": 5}])
    fresh_event = new_event("inventory.update", items=[{"product_id": "88", "variant_id": "92", "quantity": 41,
                                                        "price": "9.99", "version": 5}])
    world.client.send_events([stale_event, fresh_event])
    world.settle()
    assert _create_payload(world, old)["buyer"]["name"] == "Harriet Jones"
    old_notes, new_notes = _notification_ids(world, old), _notification_ids(world, new)
    assert old_notes and new_notes

    # The old order finished 100 days ago; its notifications and one event were stored then.
    with world.runtime.db.session_scope() as session:
        session.execute(update(Order).where(Order.tiktok_order_id == old).values(updated_at=LONG_AGO))
        session.execute(update(TikTokNotification).where(TikTokNotification.notification_id.in_(old_notes))
                        .values(received_at=LONG_AGO))
        session.execute(update(ProcessedEvent).where(ProcessedEvent.event_id == stale_event["id"].replace("-", ""))
                        .values(received_at=LONG_AGO))
        session.execute(update(ProcessedEvent).where(ProcessedEvent.event_id == stale_event["id"])
                        .values(received_at=LONG_AGO))

    events_before = _event_ids(world)
    done = retention.run(world.runtime)
    assert done["orders_erased"] == 1 and done["tiktok_notifications"] == len(old_notes) and done["events"] == 1

    erased = _create_payload(world, old)
    assert erased["buyer"] is None and erased["shipping_address"] is None and erased["buyer_data_erased"] is True
    assert erased["tiktok_order_id"] == old and erased["lines"]        # what the order was stays
    assert "Harriet" not in str(world.commands()) and "Harriet" not in str(_all_notifications(world))
    kept = _create_payload(world, new)
    assert kept["buyer"]["name"] == "Sam Patel" and kept["shipping_address"]["postal_code"]
    assert _notification_ids(world, old) == set() and _notification_ids(world, new) == new_notes
    with world.runtime.db.session_scope() as session:
        rows = {o.tiktok_order_id: o for o in session.scalars(select(Order))}
        assert rows[old].buyer_data_erased_at is not None and rows[new].buyer_data_erased_at is None
        assert rows[old].status == "created" and rows[old].platform_order_id   # the order itself stays
    assert events_before - _event_ids(world) == {stale_event["id"]} and fresh_event["id"] in _event_ids(world)
    assert retention.run(world.runtime) == {"orders_erased": 0, "tiktok_notifications": 0,
                                            "store_notifications": 0, "events": 0}

    # Repeats of what was kept are still recognised: the new order's webhooks, the fresh event.
    for hook in world.sandbox.webhooks(new):
        r = requests.post(f"{world.hub_url}/tiktok/webhooks", data=hook["body"].encode(), timeout=10,
                          headers={"Authorization": hook["signature"], "Content-Type": "application/json"})
        assert r.status_code == 200
    assert [r["status"] for r in world.client.send_events([fresh_event])] == ["duplicate"]
    stays(lambda: _notification_ids(world, new) == new_notes and len(world.commands("order.create")) == 2,
          until=world.settled, what="no second notification row or command")
    assert len(store.orders) == 2


def _all_notifications(world: World) -> list[Any]:
    with world.runtime.db.session_scope() as session:
        return [n.payload for n in session.scalars(select(TikTokNotification))]


def test_the_retention_job_is_one_periodic_chain(world: World) -> None:
    from rq.registry import ScheduledJobRegistry

    from hub.jobs.orders import ensure_retention
    from hub.queues import MAINTENANCE, queue

    first, second = ensure_retention(world.runtime), ensure_retention(world.runtime)
    assert first == second and first.startswith("retention-")
    assert first in ScheduledJobRegistry(queue=queue(MAINTENANCE, world.runtime.redis)).get_job_ids()
