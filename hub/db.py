"""Database engine and sessions.

One `Database` per app or worker process. Web requests get a session bound to the request (closed at
teardown); jobs and CLI commands use `session_scope()`. SQLite is tuned for several processes (WAL,
busy timeout) because the embedded default runs the web process and a worker side by side.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, cast

from sqlalchemy import CursorResult, Executable, create_engine, event, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed: the conditional updates that claim a
    command or a lease rely on it. (SQLAlchemy returns a CursorResult here but types it as Result.)"""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def dialect_insert(session: Session, table: Any) -> Any:
    """An INSERT of the session's dialect, which offers `on_conflict_do_nothing` (both dialects do; the
    generic construct does not): a repeat of a unique key is then a no-op instead of a failed statement."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def hold_row(session: Session, model: Any, row_id: Any) -> None:
    """Make this transaction the only one holding `model` row `row_id` until it ends.

    For decisions that read one thing and write another (a category mapping read, a listing status
    written): two such transactions that each hold the row run one after the other, so neither writes
    on a read the other has just made stale. PostgreSQL locks the row (`FOR UPDATE`); SQLite has one
    writer, so a write that changes nothing starts the transaction's write lock now, before the reads.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(model.id).where(model.id == row_id).with_for_update())
        return
    session.execute(update(model).where(model.id == row_id).values(id=model.id)
                    .execution_options(synchronize_session=False))


def private_sqlite_file(url: str) -> None:
    """Create the SQLite file readable by its owner only (0600), or make an existing one so.

    It holds buyer names and addresses; created by SQLite itself it would get the umask's 0644. SQLite
    gives its -wal and -shm files the database file's permissions.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # an empty file is an empty database
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_uid == os.getuid() and candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except FileNotFoundError:
            continue


def is_contention(error: Exception) -> bool:
    """A write that lost to a concurrent one and is safe to retry from the start: a PostgreSQL deadlock
    or serialization failure, or SQLite's write lock (including the immediate `database is locked` of a
    read transaction that tries to write after another connection committed)."""
    orig = getattr(error, "orig", error)
    return getattr(orig, "sqlstate", None) in ("40P01", "40001") or "database is locked" in str(orig)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error, always closed."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def create_all(self) -> None:
        from hub.models import Base

        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
