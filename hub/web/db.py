"""One database session per settings-page request, closed when the request ends."""

from __future__ import annotations

from flask import g
from sqlalchemy.orm import Session

from hub.runtime import current


def db() -> Session:
    if "web_db" not in g:
        g.web_db = current().db.sessionmaker()
    return g.web_db


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("web_db", None)
    if session is not None:
        session.close()
