"""Buyer-data requests a platform makes on a merchant's buyer's behalf (Shopify's compliance webhooks).

A hosted store's platform can ask the app for what it holds about a buyer, to erase it, or to erase
everything about a shop after the app was uninstalled. The connector turns such a notification into
a `PrivacyRequest` (`HostedConnector.privacy_request`); the hub carries it out here, whatever state the
store's connection is in (a shop's erasure arrives after the uninstall).

What the hub holds about a buyer of a hosted store: the `order.create` command's ORDER (the buyer's
name, phone, the merchant's placeholder email, TikTok's relay email, the shipping address and the
buyer's message in the note), for each TikTok order handed to the store. Order rows keep ids, statuses,
lines and tracking numbers, no personal data; platform notifications are stored with the fields the
connector needs only (hosted connectors drop buyer fields before storing). So:

- a buyer erasure blanks those ORDER fields in the commands of the named store orders;
- a shop erasure blanks them in every command of the store, deletes the store's stored notifications
  and the connector's stored details; the catalogue copy and order statuses stay with the merchant's
  hub account (TikTok listings depend on them);
- a data request is written to the store's activity log, naming the store orders and the fields the
  hub holds for them, for the merchant to answer the buyer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from hub.models import ActivityEntry, Command, Order, Store
from hub.models.store_connections import StoreCredential, StoreNotification

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from hub.runtime import Runtime

log = logging.getLogger("hub.stores")

BUYER_DATA_REQUEST, BUYER_REDACT, SHOP_REDACT = "buyer_data_request", "buyer_redact", "shop_redact"
REDACTED = "[erased]"
BUYER_FIELDS = ("buyer", "shipping_address", "billing_address", "tiktok_buyer_email", "note")


@dataclass(frozen=True)
class PrivacyRequest:
    kind: str  # BUYER_DATA_REQUEST, BUYER_REDACT or SHOP_REDACT
    platform_order_ids: tuple[str, ...] = ()  # the store orders the request is about (buyer requests)
    reference: str = ""  # the platform's id of the request, for the merchant's records


def _erase_order(order: dict[str, Any]) -> dict[str, Any]:
    erased = dict(order)
    for key in BUYER_FIELDS:
        if key not in erased:
            continue
        value = erased[key]
        erased[key] = {k: REDACTED if v else v for k, v in value.items()} if isinstance(value, dict) else \
            (REDACTED if value else value)
    return erased


def _commands_for(session: "Session", store_id: str, tiktok_order_ids: set[str] | None) -> list[Command]:
    rows = list(session.scalars(select(Command).where(Command.store_id == store_id, Command.type == "order.create")))
    if tiktok_order_ids is None:
        return rows
    return [c for c in rows if str(((c.payload or {}).get("order") or {}).get("tiktok_order_id")) in tiktok_order_ids]


def carry_out(runtime: "Runtime", platform: str, shop_id: str, request: PrivacyRequest, *,
              keep_notification: str | None = None) -> str:
    """Carry out `request` for the shop's store; returns what was done (stored on the notification)."""
    with runtime.db.session_scope() as session:
        credential = session.scalar(select(StoreCredential).where(StoreCredential.platform == platform,
                                                                  StoreCredential.shop_id == shop_id))
        if credential is None:
            return "the hub holds nothing for this shop"
        store = session.get(Store, credential.store_id)
        assert store is not None
        wanted = set(request.platform_order_ids)
        orders = list(session.scalars(select(Order).where(Order.store_id == store.id,
                                                          Order.platform_order_id.in_(wanted)))) if wanted else []
        tids = {o.tiktok_order_id for o in orders}
        if request.kind == BUYER_DATA_REQUEST:
            held = ", ".join(sorted(o.platform_order_id or "" for o in orders)) or "none"
            message = (f"{store.name}: the platform asked for the data held about a buyer (request "
                       f"{request.reference or 'without id'}). Store orders the hub holds data for: {held}. For each, "
                       "the hub holds the buyer's name, phone, shipping address and TikTok's relay email in the "
                       "order it handed to the store; order numbers, lines and tracking numbers in its order list.")
            session.add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind="privacy.data_request",
                                      level="warning", subject_type="store", subject_id=store.id, message=message))
            return f"data request recorded for the merchant ({len(orders)} orders)"
        if request.kind == BUYER_REDACT:
            commands = _commands_for(session, store.id, tids)
            for command in commands:
                command.payload = {**command.payload, "order": _erase_order(command.payload.get("order") or {})}
            session.add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind="privacy.buyer_erased",
                                      subject_type="store", subject_id=store.id,
                                      message=f"{store.name}: a buyer's data was erased from {len(orders)} order(s) "
                                              f"at the platform's request ({request.reference or 'no id'})."))
            return f"buyer data erased from {len(commands)} orders"
        if request.kind == SHOP_REDACT:
            commands = _commands_for(session, store.id, None)
            for command in commands:
                command.payload = {**command.payload, "order": _erase_order(command.payload.get("order") or {})}
            session.execute(delete(StoreNotification).where(StoreNotification.platform == platform,
                                                            StoreNotification.shop_id == shop_id,
                                                            StoreNotification.id != (keep_notification or "")))
            credential.details = {}
            session.add(ActivityEntry(merchant_id=store.merchant_id, store_id=store.id, kind="privacy.shop_erased",
                                      subject_type="store", subject_id=store.id,
                                      message=f"{store.name}: the platform asked for the shop's data to be erased; "
                                              f"buyer data of {len(commands)} order(s) and the stored platform "
                                              "notifications were erased."))
            return f"shop data erased ({len(commands)} orders)"
    log.warning("Unknown privacy request %r for %s %s", request.kind, platform, shop_id)
    return f"unknown request {request.kind}"
