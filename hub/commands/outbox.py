"""Creating commands for a store, once each, and waking its waiting long-poll at once."""

from __future__ import annotations

import logging
from typing import Any

import redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.models import Command

log = logging.getLogger("hub.commands")


def channel(store_id: str) -> str:
    return f"hub:commands:{store_id}"


def create_command(session: Session, store_id: str, type_: str, payload: dict[str, Any], dedupe_key: str) -> tuple[Command, bool]:
    """Insert a command unless one with the same `dedupe_key` exists; returns (command, created).

    The unique constraint, not a prior read, is what guarantees one command per key when two
    workers import the same TikTok order at the same moment.
    """
    existing = session.scalar(select(Command).where(Command.store_id == store_id, Command.dedupe_key == dedupe_key))
    if existing is not None:
        return existing, False
    command = Command(store_id=store_id, type=type_, payload=payload, dedupe_key=dedupe_key)
    try:
        with session.begin_nested():
            session.add(command)
    except IntegrityError:
        existing = session.scalar(select(Command).where(Command.store_id == store_id, Command.dedupe_key == dedupe_key))
        assert existing is not None
        return existing, False
    return command, True


def notify(connection: redis.Redis, store_id: str) -> None:
    """Wake the store's long-polls; call after the transaction that created commands has committed."""
    try:
        connection.publish(channel(store_id), b"1")
    except redis.RedisError:
        pass  # a missed wake-up only delays delivery until the poll's next check
    run_if_hosted(connection, store_id)
    wake_store_without_long_poll(connection, store_id)


# ---- stores that poll from cron ---------------------------------------------------------------------
def wake_store_without_long_poll(connection: redis.Redis, store_id: str) -> None:
    """A store that polls from cron (no long-poll waiting) is sent a signed wake-up call by a worker."""
    from hub.commands.wakeup import request_wake

    request_wake(connection, store_id)


# ---- hosted stores ------------------------------------------------------------------------------
HOSTED_JOB = "hub.jobs.stores.run_commands"


def run_if_hosted(connection: redis.Redis, store_id: str) -> None:
    """A hosted store (hub/stores/) has no poller: its commands are carried out by a job instead.

    The store is hosted when it has platform credentials; the job id is the store's, so a burst of
    commands is one job. A failure here only delays the commands until the next sweep.
    """
    from hub.queues import ORDERS, enqueue_coalesced
    from hub.models.store_connections import StoreCredential
    from hub.runtime import current

    try:
        with current().db.session_scope() as session:
            hosted = session.scalar(select(StoreCredential.id).where(StoreCredential.store_id == store_id))
        if hosted is not None:
            enqueue_coalesced(ORDERS, HOSTED_JOB, f"store-commands-{store_id}", store_id, connection=connection)
    except Exception:  # noqa: BLE001 - the sweep picks the commands up
        log.exception("Could not queue the commands of hosted store %s", store_id)
