"""Flask application factory for the TikTok Shop sandbox."""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from urllib.parse import parse_qsl

from flask import Flask, Response, request

from . import ids
from .errors import (MSG_BAD_APP_KEY, MSG_BAD_TOKEN, MSG_MISSING_SIGN, MSG_TS_EARLY, MSG_TS_LATE,
                     MSG_TS_NEGATIVE, MSG_UNEXPECTED_CIPHER, ApiError)
from .fixture import catalog
from .router import Router
from .runtime import Scheduler, WebhookDispatcher
from .signing import verify_sign
from .state import SandboxState

log = logging.getLogger("sandbox")

EXTENSION_KEY = "tiktok_sandbox"


class Ctx:
    """Per-request context handed to API handlers (always called with the runtime lock held)."""

    def __init__(self, runtime, route, path_params, query, body, raw_body, shop, token):
        self.runtime = runtime
        self.state: SandboxState = runtime.state
        self.catalog = catalog()
        self.route = route
        self.path_params = path_params
        self.query = query
        self.body = body
        self.raw_body = raw_body
        self.shop = shop
        self.token = token
        self.warnings: list = []

    @property
    def now(self) -> int:
        return int(time.time())

    def emit(self, shop_id, event_type, data):
        return self.runtime.dispatcher.emit(self.state, shop_id, event_type, data)


class SandboxRuntime:
    """Owns the lock, the state and the background threads of one sandbox app."""

    def __init__(self, app_key: str, app_secret: str, webhook_url: str | None, options: dict):
        self.app_key = app_key
        self.app_secret = app_secret
        self.options = dict(options)
        self.options["webhook_url"] = webhook_url
        self.lock = threading.RLock()
        self.epoch = 0
        self.webhook_retry_delays = list(self.options.get("webhook_retry_delays", [2.0, 10.0]))
        self.state = SandboxState(self.options)
        self.scheduler = Scheduler()
        self.dispatcher = WebhookDispatcher(self, senders=int(self.options.get("webhook_senders", 1)))
        self.router = Router()
        from . import api_catalog, api_orders, api_products, api_returns, api_shop
        for module in (api_shop, api_catalog, api_products, api_orders, api_returns):
            module.register(self.router)

    def reset(self):
        with self.lock:
            self.epoch += 1
            self.state = SandboxState(self.options)

    def close(self):
        with self.lock:
            self.epoch += 1
        self.dispatcher.stop()
        self.scheduler.stop()


def envelope(code: int, message: str, data=None, status: int = 200, headers=None) -> Response:
    body = {"code": code, "data": data, "message": message, "request_id": ids.request_id()}
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def error_response(err: ApiError) -> Response:
    return envelope(err.code, err.message, err.data, err.http_status, err.headers)


def is_loopback(addr: str | None) -> bool:
    if not addr:
        return False
    try:
        return ipaddress.ip_address(addr.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class _DropConnection(ConnectionAbortedError):
    pass


class LostResponseMiddleware:
    """Runs the app; when a handler asked for the response to be lost, the (already
    committed) result is discarded and the client connection is shut down unanswered."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        captured = {}

        def fake_start(status, headers, exc_info=None):
            captured["args"] = (status, headers, exc_info)
            return lambda data: None

        result = self.wsgi_app(environ, fake_start)
        if environ.get("sandbox.drop_connection"):
            try:
                for _ in result:
                    pass
            finally:
                if hasattr(result, "close"):
                    result.close()
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                import socket
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            raise _DropConnection("sandbox fault: response lost")
        status, headers, exc_info = captured["args"]
        start_response(status, headers, exc_info)
        return result


def parse_query(environ) -> tuple[dict, list]:
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return dict(pairs), pairs


def create_app(app_key: str, app_secret: str, webhook_url: str | None = None, **options) -> Flask:
    """Create the sandbox Flask app.

    Options (all optional): ``review_delay`` (seconds, default 2), ``review_mode`` (auto|manual),
    ``redirect_url`` (authorize-page fallback), ``service_id``, ``rate_limit`` (req/s, default 50),
    ``daily_listing_cap`` (default 1000), ``shops`` (how many shops, default 1: the fixture's),
    ``shop_rate_limit`` (req/s of each added shop; default: ``rate_limit``), ``access_token_ttl``, ``refresh_token_ttl``,
    ``webhook_retry_delays`` (list of seconds), ``webhook_senders`` (parallel deliveries, default 1: in
    emission order), ``timestamp_check`` (default True).
    """
    app = Flask("sandbox")
    app.config["JSON_SORT_KEYS"] = False
    app.config["MAX_CONTENT_LENGTH"] = 120 * 1024 * 1024
    runtime = SandboxRuntime(app_key, app_secret, webhook_url, options)
    app.extensions[EXTENSION_KEY] = runtime
    app.wsgi_app = LostResponseMiddleware(app.wsgi_app)  # type: ignore[method-assign]  # Flask's way to wrap it

    from .auth import register_auth
    from .control import control_bp
    app.register_blueprint(control_bp)
    register_auth(app, runtime)

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def api(path):
        return dispatch(runtime)

    @app.errorhandler(413)
    def too_large(_e):
        return error_response(ApiError(36009021))

    return app


def get_runtime(app: Flask) -> SandboxRuntime:
    return app.extensions[EXTENSION_KEY]


# ------------------------------------------------------------------------------------------------
def apply_fault_before(runtime, method, template, path, count_throttled_key=None):
    """Consume an injected fault for this endpoint. Returns (response_or_None, lost_flag)."""
    with runtime.lock:
        fault = runtime.state.take_fault(method, template, path)
        if fault is None:
            return None, False
        kind = fault["kind"]
        if kind == "429":
            runtime.state.throttled[count_throttled_key or f"{method} {template}"] += 1
    if kind == "5xx":
        status = int(fault.get("status") or 500)
        err = ApiError(36009003, http_status=status)
        return error_response(err), False
    if kind == "429":
        err = ApiError(36009002)
        err.headers["Retry-After"] = str(int(fault.get("retry_after") or 1))
        return error_response(err), False
    if kind == "timeout":
        time.sleep(float(fault.get("seconds") if fault.get("seconds") is not None else 10.0))
        return error_response(ApiError(36009007)), False
    if kind == "lost_response":
        return None, True
    return None, False


def dispatch(runtime: SandboxRuntime) -> Response:
    environ = request.environ
    method = request.method
    path = request.path
    try:
        route, path_params = runtime.router.match(method, path)
    except ApiError as err:
        with runtime.lock:
            runtime.state.calls[f"{method} (unmatched)"] += 1
        return error_response(err)
    with runtime.lock:
        runtime.state.calls[route.key] += 1
    query, _pairs = parse_query(environ)
    content_type = request.headers.get("Content-Type", "")
    is_multipart = content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"
    raw_body = b"" if is_multipart else request.get_data(cache=True)
    try:
        # --- credentials ---------------------------------------------------------------------
        app_key = query.get("app_key")
        if not app_key or app_key != runtime.app_key:
            raise ApiError(36009004, MSG_BAD_APP_KEY, http_status=400)
        if not query.get("sign"):
            raise ApiError(36009004, MSG_MISSING_SIGN, http_status=401)
        if runtime.options.get("timestamp_check", True):
            ts_raw = query.get("timestamp", "")
            try:
                ts = int(ts_raw)
            except ValueError:
                raise ApiError(36009004, MSG_TS_NEGATIVE, http_status=400)
            now = time.time()
            if ts < 0:
                raise ApiError(36009004, MSG_TS_NEGATIVE, http_status=400)
            if ts < now - 300:
                raise ApiError(36009004, MSG_TS_EARLY, http_status=400)
            if ts > now + 30:
                raise ApiError(36009004, MSG_TS_LATE, http_status=400)
        if not verify_sign(runtime.app_secret, path, query, raw_body, content_type, query["sign"]):
            raise ApiError(106001)
        # --- request format ------------------------------------------------------------------
        if environ.get("sandbox.content_type_count", 0) > 1:
            raise ApiError(36009022)
        if route.multipart and not is_multipart:
            raise ApiError(36009023)
        body = None
        if not route.multipart:
            if raw_body.strip():
                if content_type and "json" not in content_type.lower():
                    raise ApiError(36009022)
                try:
                    body = json.loads(raw_body)
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(36009022)
                if not isinstance(body, dict):
                    raise ApiError(36009022)
            else:
                body = {}
        # --- token ---------------------------------------------------------------------------
        token_value = request.headers.get("x-tts-access-token", "")
        with runtime.lock:
            state = runtime.state
            token = state.access_tokens.get(token_value) if token_value else None
            if token is None:
                raise ApiError(36009004, MSG_BAD_TOKEN, http_status=401)
            if token["expires_at"] <= time.time():
                raise ApiError(105002)
            # --- shop_cipher -------------------------------------------------------------------
            cipher = query.get("shop_cipher")
            shop = None
            if route.shop_cipher == "forbidden" and cipher is not None:
                raise ApiError(36009004, MSG_UNEXPECTED_CIPHER, http_status=400)
            if route.shop_cipher == "required" and not cipher:
                raise ApiError(106013)
            if cipher:
                shop = state.shop_by_cipher(cipher)
                if shop is None or shop["id"] not in token["shop_ids"]:
                    raise ApiError(101000)
            elif route.shop_cipher == "optional":
                shop = state.shops.get(token["shop_ids"][0]) if token["shop_ids"] else None
            if route.scope and route.scope not in token["scopes"]:
                raise ApiError(105005)
            # --- rate limit ----------------------------------------------------------------------
            wait = state.take_rate(app_key, cipher or "-", method, route.template, shop)
            if shop is not None:
                state.count_shop_call(shop["id"], route.key, throttled=wait > 0)
            if wait > 0:
                state.throttled[route.key] += 1
                limited = ApiError(36009002)
                limited.headers["Retry-After"] = str(max(1, int(wait + 0.999)))
                raise limited
    except ApiError as err:
        return error_response(err)

    fault_resp, lost = apply_fault_before(runtime, method, route.template, path)
    if fault_resp is not None:
        return fault_resp

    files = None
    if route.multipart:
        files = {"form": request.form, "files": request.files}
    try:
        with runtime.lock:
            if runtime.state is not state:  # reset happened meanwhile
                raise ApiError(36009003)
            ctx = Ctx(runtime, route, path_params, query, body if files is None else files, raw_body, shop, token)
            data = route.handler(ctx)
    except ApiError as err:
        resp = error_response(err)
    else:
        resp = envelope(0, "Success", data if data is not None else {})
    if lost:
        environ["sandbox.drop_connection"] = True
    return resp
