"""Extension API v1 (docs/extension-api.md): the protocol every store extension speaks to the hub."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from hub.api.schemas import ErrorSchema
from hub.errors import ApiError
from hub.security import untrusted_json

API_PREFIX = "/api/v1"

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 422: "validation_failed", 429: "rate_limited"}


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class HubApi(Api):
    """flask-smorest's Api with the hub's error format on API paths (pages keep HTML errors), and that
    format as the documented schema of every error response."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):  # noqa: ANN201
        if not request.path.startswith("/api/"):
            return error
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        if messages is not None:  # webargs validation of query or body
            flat: dict[str, Any] = {}
            for location, fields in messages.items():
                flat.update(fields if isinstance(fields, dict) else {location: fields})
            return error_response(422, "validation_failed", "Some fields are missing or invalid.", flat)
        code = _HTTP_CODES.get(status, "error")
        if status == 413:
            message = "The request body is larger than 10 MB."
        elif status == 404:
            message = "There is no such endpoint in the Extension API v1."
        elif status == 405:
            message = f"{request.method} is not allowed on {request.path}."
        elif status >= 500:
            message = "The hub failed to handle this request; it has been logged."
        else:
            message = data.get("message") or error.description or error.name
        return error_response(status, code, message)


def init_app(app: Flask) -> HubApi:
    app.config.setdefault("API_TITLE", "TikTok Shop Sync — Extension API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Signed JSON API that store extensions use to send product, price and "
                                "stock changes and to receive orders. See docs/extension-api.md."},
        "components": {"securitySchemes": {
            "HubKey": {"type": "apiKey", "in": "header", "name": "X-Hub-Key"},
            "HubTimestamp": {"type": "apiKey", "in": "header", "name": "X-Hub-Timestamp"},
            "HubSignature": {"type": "apiKey", "in": "header", "name": "X-Hub-Signature"}}},
        "security": [{"HubKey": [], "HubTimestamp": [], "HubSignature": []}],
    })
    api = HubApi(app)

    from hub.api import commands, events, ping, status
    from hub.canonical.events import EVENT_SCHEMAS
    from hub.canonical.commands import OrderRefundSchema
    from hub.canonical.order import OrderSchema

    for module in (ping, events, commands, status):
        api.register_blueprint(module.blp)
    for name, schema in EVENT_SCHEMAS.items():
        api.spec.components.schema("".join(p.title() for p in name.split(".")) + "Event", schema=schema)
    api.spec.components.schema("Order", schema=OrderSchema)  # the `order` of an order.create command
    api.spec.components.schema("OrderRefund", schema=OrderRefundSchema)  # the payload of an order.refund command

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message, error.details, error.headers)

    return api


def parse_json_body() -> Any:
    """Decode the raw body strictly, so non-UTF-8 or malformed JSON gets a clear 400, not a guess."""
    raw = request.get_data(cache=True)
    if not raw:
        raise ApiError(400, "empty_body", "The request body is empty; send a JSON object.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_encoding", f"The request body is not valid UTF-8 (byte {exc.start}).") from exc
    try:
        return untrusted_json.loads(text)
    except untrusted_json.BodyTooDeep:
        raise ApiError(400, "nested_too_deeply", "The request body nests arrays or objects too deeply to read; "
                       f"no value may be nested more than {untrusted_json.MAX_DEPTH} levels.") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, "malformed_json", f"The request body is not valid JSON: {exc.msg} at line "
                                              f"{exc.lineno} column {exc.colno}.") from exc
