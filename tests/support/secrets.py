"""Where a plaintext secret could end up, read whole: every logger, every row, every Redis value and
every file of a data folder. Tests search these for the TikTok tokens, the app secret, store secrets
and the hub's secret key (docs/reliability.md, "Secrets")."""

from __future__ import annotations

import io
import logging
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

import redis as redis_lib
from sqlalchemy import select

from hub.models import Base, TikTokShop


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Everything any logger writes, at DEBUG, formatted with tracebacks as a log file would have it."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def redis_dump(connection: redis_lib.Redis) -> str:
    """Every key and value, with RQ's zlib-compressed job data decompressed."""
    parts: list[bytes] = []
    for key in connection.scan_iter():
        kind = connection.type(key).decode()
        values: list[Any] = {"string": lambda: [connection.get(key)], "hash": lambda: [
            v for pair in connection.hgetall(key).items() for v in pair], "list": lambda: connection.lrange(key, 0, -1),
            "set": lambda: list(connection.smembers(key)), "zset": lambda: connection.zrange(key, 0, -1),
            "stream": lambda: [str(connection.xrange(key)).encode()]}.get(kind, lambda: [])()
        parts.append(key)
        for value in values:
            if not isinstance(value, bytes):
                continue
            parts.append(value)
            try:
                parts.append(zlib.decompress(value))
            except zlib.error:
                pass
    return b"\n".join(parts).decode("utf-8", "replace")


def database_dump(runtime: Any) -> str:
    """Every row of every table, as Python prints it."""
    lines = []
    with runtime.db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            lines += [repr(tuple(row)) for row in connection.execute(table.select())]
    return "\n".join(lines)


def folder_dump(folder: Path, *, home: str = "secret_key") -> str:
    """Every file below `folder` (logs, the SQLite database and its journal), bytes as text, but the
    file `home` where the hub keeps its own secret key (0600, by design: hub/config.py)."""
    return "\n".join(path.read_bytes().decode("utf-8", "replace") for path in sorted(folder.rglob("*"))
                     if path.is_file() and path.name != home)


def tiktok_tokens(runtime: Any) -> set[str]:
    """The plaintext access and refresh tokens of every connected TikTok shop."""
    with runtime.db.session_scope() as session:
        return {runtime.secrets.decrypt(value) for row in session.scalars(select(TikTokShop))
                for value in (row.access_token_encrypted, row.refresh_token_encrypted) if value}


def plaintext_found(secrets: Mapping[str, str], places: Mapping[str, str]) -> list[str]:
    """"the <secret> is in plaintext in the <place>" for each secret found, none when all are clean."""
    return [f"the {name} is in plaintext in the {place}" for place, text in places.items()
            for name, value in secrets.items() if value and value in text]
