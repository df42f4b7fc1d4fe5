"""Leasing commands to a poller, and the long-poll that waits for new ones.

A leased command is invisible to other polls until its lease runs out; if no result arrives by then it
is handed out again, so a crashed extension loses nothing. Waiting uses Redis pub/sub (no polling of
the database per request): the poll subscribes *before* it looks, so a command created between the
look and the wait still wakes it.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import redis
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from hub.commands.outbox import channel
from hub.db import Database, rows_changed
from hub.models import Command
from hub.models.commands import LEASED, PENDING

# A wait also ends at this interval to pick up commands whose lease expired (no event announces that).
LEASE_RECHECK_SECONDS = 5.0
# A waiting poll looks at least this often whether its process is stopping.
STOP_CHECK_SECONDS = 0.5

# Set when the web process is stopping (hub/gunicorn_config.py): waiting polls answer at once with no
# commands instead of holding the shutdown for up to their whole wait. Nothing is leased after it is
# set, so no command goes out in an answer that is never sent.
_stopping = threading.Event()


def stop_waiting() -> None:
    _stopping.set()


def lease(session: Session, store_id: str, limit: int, visibility_seconds: int) -> list[Command]:
    now = datetime.now(timezone.utc)
    available = or_(Command.status == PENDING, and_(Command.status == LEASED, Command.leased_until < now))
    query = (select(Command).where(Command.store_id == store_id, available)
             .order_by(Command.created_at, Command.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    leased: list[Command] = []
    until = now + timedelta(seconds=visibility_seconds)
    for command in session.scalars(query):
        # Conditional update: on SQLite (no SKIP LOCKED) two polls may read the same row; only the
        # one whose update still finds it available gets it.
        claimed = rows_changed(session, update(Command).where(Command.id == command.id, available)
                               .values(status=LEASED, leased_until=until, attempts=Command.attempts + 1))
        if claimed:
            session.refresh(command)
            leased.append(command)
    return leased


def wait_for_commands(db: Database, connection: redis.Redis, store_id: str, *, wait: float, limit: int,
                      visibility_seconds: int) -> list[dict]:
    deadline = time.monotonic() + wait
    pubsub = connection.pubsub(ignore_subscribe_messages=True) if wait > 0 else None
    try:
        if pubsub is not None:
            try:
                pubsub.subscribe(channel(store_id))
            except redis.RedisError:
                pubsub = None
        next_look = 0.0
        while not _stopping.is_set():
            if time.monotonic() >= next_look:
                with db.session_scope() as session:
                    commands = lease(session, store_id, limit, visibility_seconds)
                    out = [_as_dict(c) for c in commands]
                # Without a working subscription nothing announces a command: look every second.
                next_look = time.monotonic() + (LEASE_RECHECK_SECONDS if pubsub is not None else 1.0)
                if out:
                    return out
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            timeout = min(remaining, next_look - time.monotonic(), STOP_CHECK_SECONDS)
            if pubsub is None:
                time.sleep(max(timeout, 0.0))
                continue
            try:
                if pubsub.get_message(timeout=max(timeout, 0.0)) is not None:
                    while pubsub.get_message(timeout=0):  # drain so one wake-up is not counted twice
                        pass
                    next_look = 0.0  # a command was announced: look now
            except redis.RedisError:
                broken, pubsub = pubsub, None
                next_look = min(next_look, time.monotonic() + 1.0)
                try:
                    broken.close()
                except redis.RedisError:
                    pass
        return []
    finally:
        if pubsub is not None:
            try:
                pubsub.close()
            except redis.RedisError:
                pass


def _as_dict(command: Command) -> dict:
    return {"id": command.id, "type": command.type, "payload": command.payload, "attempts": command.attempts,
            "lease_expires_at": command.leased_until, "created_at": command.created_at}
