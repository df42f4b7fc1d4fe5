"""Alerts: the overview and one e-mail digest per check (a real SMTP server on loopback), each alert once."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.message import Message
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller

from hub.models import Order, Store, TikTokShop
from hub.sync.alert_mail import send_digests
from hub.sync.alerts import current_alerts
from tests.support.orders import FakeStore, World
from tests.support.servers import free_port


class Inbox:
    """aiosmtpd's handler: keeps every message the hub sends."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture()
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def body(message: Message) -> str:
    return message.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_failed_orders_a_silent_store_and_an_ending_authorisation_reach_the_merchant_once(
        world: World, store: FakeStore, inbox: tuple[Inbox, int]) -> None:
    mailbox, port = inbox
    runtime = world.runtime
    runtime.settings = runtime.settings.with_overrides(smtp_host="127.0.0.1", smtp_port=port,
                                                       smtp_from="hub@example.com")
    with runtime.db.session_scope() as session:
        from hub.merchant_settings import merged
        from hub.models import Merchant

        merchant = session.get(Merchant, world.store["merchant_id"])
        merchant.settings = merged(merchant.settings, {"alerts": {"email": "owner@shop.example"}})
        merchant_id = merchant.id

    # Nothing to say: nothing is mailed.
    assert send_digests(runtime) == {} and mailbox.messages == []

    failed = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}],
                                       address={"postal_code": "NOT A CODE"})
    world.wait_status(failed, "Failed")
    with runtime.db.session_scope() as session:
        shop = session.query(TikTokShop).filter_by(merchant_id=merchant_id).one()
        shop.refresh_token_expires_at = datetime.now(timezone.utc) + timedelta(days=3)

    assert send_digests(runtime) == {merchant_id: 2}
    [digest] = mailbox.messages
    assert digest["To"] == "owner@shop.example" and digest["From"] == "hub@example.com"
    assert digest["Subject"].startswith("TikTok Shop Sync: 2 new alerts for ")
    text = body(digest)
    assert f"TikTok order {failed} could not be created in" in text and "postcode" in text.lower()
    assert "What to do:" in text and "click Sync on the order" in text
    assert "The TikTok authorisation for" in text and "Reconnect TikTok Shop" in text

    # The next check has nothing new: no second mail for the same alerts.
    assert send_digests(runtime) == {} and len(mailbox.messages) == 1

    # A store silent for over 30 minutes while it has products on TikTok is new, and comes alone.
    with runtime.db.session_scope() as session:
        session.get(Store, world.store["store_id"]).last_contact_at = datetime.now(timezone.utc) - timedelta(hours=1)
    assert send_digests(runtime) == {merchant_id: 1}
    latest = body(mailbox.messages[-1])
    assert "has not contacted the hub since" in latest and "2 earlier alerts are still open" in latest
    assert f"TikTok order {failed}" not in latest


def test_an_order_close_to_its_ship_by_time_is_shown_on_the_overview_and_a_mail_server_down_loses_nothing(
        world: World, store: FakeStore) -> None:
    runtime = world.runtime
    soon = int(time.time()) + 3 * 3600
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}], rts_sla_time=soon)
    world.wait_status(tid, "Created")
    with runtime.db.session_scope() as session:
        order = session.query(Order).filter_by(tiktok_order_id=tid).one()
        assert order.summary["ship_by"] == soon
        [alert] = [a for a in current_alerts(session, order.merchant_id) if a.kind == "ship_by_near"]
    assert alert.title.startswith(f"TikTok order {tid} must ship by ") and "overdue" not in alert.title

    runtime.settings = runtime.settings.with_overrides(smtp_host="127.0.0.1", smtp_port=free_port())  # nobody there
    assert send_digests(runtime) == {}  # not sent, so not recorded: the next check sends it
    from hub.models import AlertSent

    with runtime.db.session_scope() as session:
        assert session.query(AlertSent).count() == 0
