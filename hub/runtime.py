"""The per-process services every part of the hub needs: settings, database, Redis and the secret box.

The web app keeps its runtime in `app.extensions["hub"]`; a worker process installs one before it
starts working. Job functions call `current()` and so run the same way in either place.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Any

import redis

from hub.config import Settings, private_dir
from hub.db import Database
from hub.outage import RedisOutage
from hub.security import log_redaction
from hub.security.crypto import SecretBox

_process_runtime: "Runtime | None" = None


@dataclass
class Runtime:
    settings: Settings
    db: Database
    secrets: SecretBox
    embedded_redis: Any = None
    cache: dict[str, Any] = field(default_factory=dict)
    outage: RedisOutage = field(default_factory=RedisOutage)
    _redis: redis.Redis | None = None
    _redis_url: str | None = None

    @classmethod
    def build(cls, settings: Settings) -> "Runtime":
        log_redaction.install([settings.tiktok_app_secret, settings.secret_key, *settings.encryption_keys])
        private_dir(settings.data_dir)
        return cls(settings=settings, db=Database(settings.database_url), secrets=SecretBox.from_settings(settings))

    @property
    def redis_url(self) -> str:
        """Redis is connected on first use, so commands that only touch the database never start it."""
        if self._redis_url is None:
            url = self.settings.redis_url
            if not url:
                from hub.embedded import EmbeddedRedis

                self.embedded_redis = EmbeddedRedis(self.settings.data_dir)
                url = self.embedded_redis.acquire()
            self._redis_url = url
        return self._redis_url

    @property
    def redis(self) -> redis.Redis:
        if self._redis is None:
            # A connect timeout so a Redis host that stops answering fails a call in seconds instead of
            # hanging it; no read timeout, which would cut RQ's blocking dequeue short.
            self._redis = redis.Redis.from_url(self.redis_url, health_check_interval=30, socket_connect_timeout=3)
        return self._redis

    def redis_reachable(self, *, restart: bool = False) -> bool:
        """Ping Redis and record the outcome in `outage`; with `restart`, start the embedded server
        again (on its fixed address) when it is the one configured and it is not answering."""
        try:
            if restart and self.embedded_redis is not None:
                self.embedded_redis.ensure_running()
            self.redis.ping()
        except (redis.RedisError, OSError, RuntimeError, subprocess.SubprocessError) as error:
            self.outage.failed(error)
            return False
        self.outage.recovered()
        return True

    def cached(self, key: str) -> bytes | None:
        """A cache read that counts Redis being away as a miss (pages then ask the source again)."""
        try:
            value = self.redis.get(key)
        except redis.RedisError as error:
            self.outage.failed(error)
            return None
        return value if isinstance(value, bytes) or value is None else str(value).encode()

    def cache_put(self, key: str, value: str, seconds: int) -> None:
        try:
            self.redis.set(key, value, ex=seconds)
        except redis.RedisError as error:
            self.outage.failed(error)

    def close(self) -> None:
        self.db.dispose()
        if self._redis is not None:
            self._redis.close()
        if self.embedded_redis is not None:
            self.embedded_redis.release()
            self.embedded_redis = None


def install(runtime: Runtime | None) -> None:
    global _process_runtime
    _process_runtime = runtime


def current() -> Runtime:
    """The runtime of the current Flask app if inside one, else the one this process installed."""
    from flask import current_app, has_app_context

    if has_app_context() and "hub" in current_app.extensions:
        return current_app.extensions["hub"]
    if _process_runtime is None:
        raise RuntimeError("No hub runtime: call hub.runtime.install() or run inside the app")
    return _process_runtime
