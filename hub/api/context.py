"""Per-request database session and authenticated store for Extension API views."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint
from sqlalchemy.orm import Session
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

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


class _ParsedBodyParser(FlaskParser):
    """webargs reads the JSON body that `protect` already decoded instead of decoding it a second time."""

    def _raw_load_json(self, req: Any) -> Any:
        if "json_body" not in g:
            return super()._raw_load_json(req)
        return g.json_body if is_json_request(req) else core.missing


_BODY_PARSER = _ParsedBodyParser()


def protect(blueprint: Blueprint) -> None:
    """Every endpoint of `blueprint` requires a signed request; bodies must be UTF-8 JSON.

    Call it before declaring the endpoints: their `arguments` use the parser set here.
    """
    blueprint.ARGUMENTS_PARSER = _BODY_PARSER

    @blueprint.before_request
    def _authenticate() -> None:
        session = db_session()
        authenticate(session)
        session.commit()  # keeps last_contact_at even when the request itself fails validation
        if request.method in ("POST", "PUT", "PATCH"):
            g.json_body = parse_json_body()

    blueprint.teardown_request(close_session)
