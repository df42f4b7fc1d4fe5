"""The hub's application factory. Nothing happens at import; everything starts in `create_app`."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from hub.config import load_settings
from hub.runtime import Runtime

SETTING_KEYS = {"data_dir", "database_url", "redis_url", "secret_key", "encryption_keys", "public_url",
                "tiktok_api_base", "tiktok_auth_base", "tiktok_authorize_url", "tiktok_app_key",
                "tiktok_app_secret", "tiktok_service_id", "allow_private_image_hosts",
                "tiktok_rate_limit_per_second", "command_visibility_timeout", "max_events_per_request",
                "max_request_bytes", "testing"}


def create_app(config: dict[str, Any] | None = None, *, runtime: Runtime | None = None) -> Flask:
    """Build the web app. `config` takes setting names (see hub.config.Settings) and Flask keys."""
    config = dict(config or {})
    overrides = {k: config.pop(k) for k in list(config) if k in SETTING_KEYS}
    if runtime is None:
        runtime = Runtime.build(load_settings(overrides))
    settings = runtime.settings

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        TESTING=settings.testing,
    )
    app.config.update(config)
    app.extensions["hub"] = runtime
    if not app.debug:
        logging.getLogger("hub").setLevel(logging.INFO)

    from hub import api, stores, web
    from hub.tiktok import webhooks

    api.init_app(app)  # the Extension API
    stores.init_app(app)  # before the settings page: it installs the session interface the pages use
    webhooks.init_app(app)  # TikTok's notifications
    web.init_app(app)  # the settings page
    _answer_redis_outages(app, runtime)
    return app


def _answer_redis_outages(app: Flask, runtime: Runtime) -> None:
    """A request that cannot do without Redis (a login's rate limit, starting a TikTok connection) gets a
    503 that says why and when to retry, never a bare 500; the storing paths do not need Redis at all."""
    import redis
    from flask import Response, request

    from hub.api import error_response

    @app.errorhandler(redis.RedisError)
    def _redis_down(error: redis.RedisError) -> Response:
        runtime.outage.failed(error)
        message = "The hub cannot reach its job queue (Redis) right now; nothing was lost. Try again shortly."
        if request.path.startswith("/api/"):
            return error_response(503, "queue_unavailable", message, headers={"Retry-After": "10"})
        return Response(f"<!doctype html><title>Try again shortly</title><p>{message}</p>", status=503,
                        headers={"Retry-After": "10"}, mimetype="text/html")
