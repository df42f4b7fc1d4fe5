"""Carrying out a hosted store's commands through its connector, in a job, instead of leasing them.

The commands are the Extension API's own rows (same types, same dedupe keys, created by order sync
exactly as for WooCommerce), and their results go through the same `record_result`, so order sync
cannot tell a hosted store from an extension. What replaces the long-poll:

- the job leases one command at a time with the Extension API's lease (a conditional update), so two
  runs of the job never both carry out the same command;
- a transport failure (timeout, 5xx) keeps the command leased for a backoff delay (5 s, 30 s, 2 min,
  10 min, 30 min) and schedules the job for when it ends, while the store's other commands go on; the
  connector looks for an order it made before (`create_order` contract), so a run after a lost answer
  reports that order instead of creating a second; after the last delay a retryable failure is
  recorded, and order sync's own redelivery schedule takes over;
- a refused authorisation parks the command (back to pending) and marks the connection broken;
- a command whose lease ran out (a worker died) is picked up by the next job or sweep.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError
from sqlalchemy import update

from hub.canonical.commands import CommandResultSchema
from hub.commands.leases import lease
from hub.commands.results import record_result
from hub.errors import ApiError, AuthError, DataError, RetryableError
from hub.queues import ORDERS, queue
from hub.models import Command
from hub.models.commands import LEASED, PENDING
from hub.models.store_connections import BROKEN, UNINSTALLED
from hub.stores import context as contexts
from hub.stores.context import ConnectorContext, NotConnected
from hub.stores.credentials import connection_lost
from hub.stores.intake import apply
from hub.stores.registry import UnknownPlatform, registry
from hub.sync import policy

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger("hub.stores")

_RESULT = CommandResultSchema()
RETRY_DELAYS = policy.STORE_REDELIVERY_DELAYS


def _release(runtime: "Runtime", command_id: str) -> None:
    """Give a leased command back (the connector did not finish it), so the next run takes it again."""
    with runtime.db.session_scope() as session:
        session.execute(update(Command).where(Command.id == command_id, Command.status == LEASED)
                        .values(status=PENDING, leased_until=None))


def _back_off(runtime: "Runtime", store_id: str, command_id: str, attempts: int) -> bool:
    """Keep the command leased for the next delay and schedule the job for then; False when none is left."""
    if attempts > len(RETRY_DELAYS):
        return False
    delay = RETRY_DELAYS[attempts - 1]
    with runtime.db.session_scope() as session:
        session.execute(update(Command).where(Command.id == command_id, Command.status == LEASED)
                        .values(leased_until=datetime.now(timezone.utc) + timedelta(seconds=delay)))
    # RQ's schedule counts whole seconds: one more keeps the job from waking before the lease ends.
    queue(ORDERS, runtime.redis).enqueue_in(timedelta(seconds=delay + 1), "hub.jobs.stores.run_commands", store_id,
                                           job_id=f"store-commands-{store_id}-{command_id}-{attempts}")
    return True


def _record(runtime: "Runtime", store_id: str, command_id: str, result: dict[str, Any]) -> str:
    with runtime.db.session_scope() as session:
        try:
            return record_result(session, store_id, command_id, result)
        except ApiError as error:  # e.g. a superseded command already has a different result
            log.warning("Store %s command %s: result not recorded (%s)", store_id, command_id, error.message)
            return error.code


def _checked(connector_label: str, raw: Any) -> dict[str, Any]:
    """The connector's result, validated as the Extension API validates a store's; a malformed one is a
    platform error the merchant sees, never a half-recorded result."""
    try:
        return dict(_RESULT.load(raw if isinstance(raw, dict) else {}))
    except ValidationError as error:
        return {"status": "failed", "reason": "PLATFORM_ERROR", "retryable": False,
                "message": f"The {connector_label} connector gave an unusable result: {error.normalized_messages()}"}


def _execute(ctx: ConnectorContext, command: dict[str, Any]) -> dict[str, Any]:
    connector = ctx.connector
    payload = command["payload"] or {}
    if command["type"] == "order.create":
        return _checked(connector.label, connector.create_order(ctx, payload.get("order") or {}))
    if command["type"] == "order.cancel":
        return _checked(connector.label, connector.cancel_order(ctx, payload))
    if command["type"] == "order.refund":
        return _checked(connector.label, connector.refund_order(ctx, payload))
    if command["type"] == "catalog.resend":
        ids = payload.get("product_ids")
        events = connector.fetch_products(ctx, [str(i) for i in ids]) if ids else connector.changed_since(ctx, None)
        apply(ctx.runtime, ctx.store_id, events, source=f"{connector.platform}:{command['id']}:resend")
        return {"status": "done"}
    return {"status": "failed", "reason": "PLATFORM_ERROR", "retryable": False,
            "message": f"The {connector.label} connector does not carry out {command['type']} commands."}


def run(runtime: "Runtime", store_id: str, limit: int = 100) -> dict[str, int]:
    """Carry out the store's available commands, one at a time; returns counts of what happened."""
    counts = {"done": 0, "failed": 0, "parked": 0}
    visibility = runtime.settings.command_visibility_timeout
    for _ in range(limit):
        with runtime.db.session_scope() as session:
            from hub.models import Store

            store = session.get(Store, store_id)
            if store is None:
                return counts
            try:
                connector = registry().hosted(store.platform)
                ctx = contexts.for_store(runtime, session, connector, store_id)
            except (UnknownPlatform, NotConnected):
                counts["parked"] += 1
                return counts  # nothing is leased: the commands wait for the connection
            leased = lease(session, store_id, 1, visibility)
            if not leased:
                return counts
            command: dict[str, Any] = {"id": leased[0].id, "type": leased[0].type, "payload": leased[0].payload,
                       "attempts": leased[0].attempts}
        try:
            result = _execute(ctx, command)
        except AuthError as error:
            _release(runtime, command["id"])
            with runtime.db.session_scope() as session:
                credential = contexts.credential_for(session, store_id)
                if credential is not None and credential.status != UNINSTALLED:
                    connection_lost(session, credential, BROKEN,
                                    f"{connector.label} refused the app's access ({error.message}). Open the app "
                                    f"from your {connector.label} admin, or install it again.")
            counts["parked"] += 1
            return counts
        except RetryableError as error:
            if _back_off(runtime, store_id, command["id"], command["attempts"]):
                log.info("Store %s: %s %s will be tried again: %s", store_id, command["type"], command["id"],
                         error.message)
                continue
            result = {"status": "failed", "reason": "PLATFORM_ERROR", "retryable": True,
                      "message": f"{connector.label} could not be reached: {error.message}"}
        except DataError as error:
            result = {"status": "failed", "reason": "PLATFORM_ERROR", "retryable": False,
                      "message": f"{connector.label} refused it: {error.message}"}
        outcome = _record(runtime, store_id, command["id"], result)
        counts["done" if result["status"] == "done" else "failed"] += 1
        log.info("Store %s: %s %s -> %s (%s)", store_id, command["type"], command["id"], result["status"], outcome)
    return counts


def stale_leases(runtime: "Runtime", store_id: str) -> bool:
    """True when a command of the store is available (pending, or its lease ran out)."""
    from sqlalchemy import and_, or_, select

    now = datetime.now(timezone.utc)
    with runtime.db.session_scope() as session:
        return session.scalar(select(Command.id).where(
            Command.store_id == store_id,
            or_(Command.status == PENDING, and_(Command.status == LEASED, Command.leased_until < now))).limit(1)) is not None
