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
from hub.errors import ApiError
from hub.runtime import current
from hub.security import untrusted_json


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


def protect(blueprint: Blueprint, *, values_checked_per_item: bool = False) -> None:
    """Every endpoint of `blueprint` requires a signed request; bodies must be UTF-8 JSON.

    Path, query and body values no database can keep (NUL, lone surrogates, non-finite or 64-bit
    overflowing numbers, deep nesting) are refused with a 400/422 before any endpoint sees them — except
    in bodies whose endpoint rejects such values item by item (`values_checked_per_item`: the events
    call, where one bad event must not cost its neighbours). Call it before declaring the endpoints:
    their `arguments` use the parser set here.
    """
    blueprint.ARGUMENTS_PARSER = _BODY_PARSER

    @blueprint.before_request
    def _authenticate() -> None:
        session = db_session()
        authenticate(session)
        session.commit()  # keeps last_contact_at even when the request itself fails validation
        where = {"path": request.path, **{f"query.{name}": value for name, value in request.args.items(multi=True)}}
        found = untrusted_json.problems(where)
        if found:
            raise ApiError(400, "invalid_characters", "The address holds characters that cannot be stored.", found)
        if request.method in ("POST", "PUT", "PATCH"):
            g.json_body = parse_json_body()
            found = {} if values_checked_per_item else untrusted_json.problems(g.json_body)
            if found:
                raise ApiError(422, "validation_failed", "Some values cannot be stored.", found)

    blueprint.teardown_request(close_session)
