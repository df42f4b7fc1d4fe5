"""Creating commands for a store, once each, and waking its waiting long-poll at once."""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.models import Command


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
