"""Per-request database session and authenticated store for Extension API views."""

from __future__ import annotations

from flask import Blueprint, g, request
from sqlalchemy.orm import Session

from hub.api import parse_json_body
from hub.api.auth import authenticate
from hub.runtime import current


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = current().db.sessionmaker()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def protect(blueprint: Blueprint) -> None:
    """Every endpoint of `blueprint` requires a signed request; bodies must be UTF-8 JSON."""

    @blueprint.before_request
    def _authenticate() -> None:
        session = db_session()
        authenticate(session)
        session.commit()  # keeps last_contact_at even when the request itself fails validation
        if request.method in ("POST", "PUT", "PATCH"):
            g.json_body = parse_json_body()

    blueprint.teardown_request(close_session)
