"""Turning one stored platform notification into canonical events, in a job.

The connector does the platform's part (`events_for`: read the product, map it); the hub does the
rest the same way for every platform: the events go through the Extension API's intake, a notification
for a store whose connection is broken waits (`received`, replayed on reconnect), one for an
uninstalled or unknown shop is ignored, and an app-uninstalled notification stops the store's work.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub.errors import AuthError, DataError, RetryableError
from hub.sync.policy import last_attempt
from hub.models.store_connections import (BROKEN, FAILED, IGNORED, PROCESSED, RECEIVED, UNINSTALLED, StoreCredential,
                                          StoreNotification)
from hub.stores import context as contexts
from hub.stores.connector import Notification
from hub.stores.credentials import connection_lost
from hub.stores.install import uninstall
from hub.stores.intake import apply
from hub.stores.privacy import carry_out
from hub.stores.registry import UnknownPlatform, registry
from hub.sync.stock import away

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.stores")


def _finish(runtime: "Runtime", row_id: str, status: str, detail: str | None) -> str:
    with runtime.db.session_scope() as session:
        row = session.get(StoreNotification, row_id)
        if row is not None:
            row.status, row.detail = status, detail
            if status in (PROCESSED, IGNORED):
                row.processed_at = datetime.now(timezone.utc)
    return status


def process(runtime: "Runtime", row_id: str) -> str:
    """Process one notification; returns its status. Retryable failures re-raise for RQ's backoff."""
    with runtime.db.session_scope() as session:
        row = session.get(StoreNotification, row_id)
        if row is None:
            return "missing"
        if row.status in (PROCESSED, IGNORED):
            return row.status
        row.attempts += 1
        note = Notification(shop_id=row.shop_id, topic=row.topic, dedupe_key=row.dedupe_key,
                            payload=dict(row.payload or {}))
        platform = row.platform
        try:
            connector = registry().hosted(platform)
        except UnknownPlatform:
            row.status, row.detail = RECEIVED, f"no connector for {platform} is installed; kept for replay"
            return "parked"
        privacy_request = connector.privacy_request(note)
    if privacy_request is not None:  # carried out whatever the connection's state (a shop's erasure follows uninstall)
        return _finish(runtime, row_id, PROCESSED, carry_out(runtime, platform, note.shop_id, privacy_request,
                                                             keep_notification=row_id))
    with runtime.db.session_scope() as session:
        row = session.get(StoreNotification, row_id)
        assert row is not None
        credential = session.scalar(select(StoreCredential).where(StoreCredential.platform == platform,
                                                                  StoreCredential.shop_id == note.shop_id))
        if credential is None or credential.status == UNINSTALLED:
            row.status, row.detail = IGNORED, "no installed store for this shop"
            row.processed_at = datetime.now(timezone.utc)
            return IGNORED
        if credential.status == BROKEN:
            row.status, row.detail = RECEIVED, "parked: the store's connection is broken"
            return "parked"
        store_id = credential.store_id
        ctx = contexts.for_store(runtime, session, connector, store_id)
    away.note_contact(runtime, store_id)  # a verified webhook of a connected store: the store is there
    try:
        events: list[dict[str, Any]] = list(connector.events_for(ctx, note))
    except AuthError as error:
        with runtime.db.session_scope() as session:
            credential = contexts.credential_for(session, store_id)
            if credential is not None and credential.status != UNINSTALLED:
                connection_lost(session, credential, BROKEN, f"{connector.label} refused the app's access "
                                f"({error.message}). Open the app from your {connector.label} admin, or install it again.")
        return _finish(runtime, row_id, RECEIVED, f"parked: {error.message}")
    except RetryableError as error:
        if last_attempt():
            return _finish(runtime, row_id, FAILED, f"gave up after retries: {error.message}")
        _finish(runtime, row_id, RECEIVED, f"retrying: {error.message}")
        raise
    except DataError as error:
        return _finish(runtime, row_id, FAILED, error.message)
    if ctx.uninstall_reason is not None:
        uninstall(runtime, platform, note.shop_id, ctx.uninstall_reason)
    counts = apply(runtime, store_id, events, source=f"{platform}:{note.dedupe_key}")
    detail = ", ".join(f"{n} {status}" for status, n in counts.items() if n) or None
    return _finish(runtime, row_id, PROCESSED, detail)
