"""Settings from `HUB_*` environment variables (README.md, docs/operations.md), read once per app or process.

Everything has an embedded default so that `hub demo` and the tests run on a fresh machine with
nothing configured; production overrides the defaults through the environment or a `.env` file.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

TIKTOK_API_BASE = "https://open-api.tiktokglobalshop.com"
TIKTOK_AUTH_BASE = "https://auth.tiktok-shops.com"
TIKTOK_AUTHORIZE_URL = "https://services.tiktokshop.com/open/authorize"


class ConfigError(Exception):
    """A setting is present but unusable; raised at start-up so the operator sees it at once."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    encryption_keys: tuple[str, ...] = ()
    public_url: str = "http://127.0.0.1:5000"
    tiktok_api_base: str = TIKTOK_API_BASE
    tiktok_auth_base: str = TIKTOK_AUTH_BASE
    tiktok_authorize_url: str = TIKTOK_AUTHORIZE_URL
    tiktok_app_key: str | None = None
    tiktok_app_secret: str | None = None
    tiktok_service_id: str | None = None
    # Loopback/private image hosts are refused in production (SSRF); the demo and tests serve images
    # from loopback, so they switch this on explicitly.
    allow_private_image_hosts: bool = False
    # Store wake-up calls go to addresses stores registered; like pictures, private/loopback ones are
    # refused unless switched on (tests, the demo, a hub and its stores on one private network).
    allow_private_store_hosts: bool = False
    tiktok_rate_limit_per_second: float = 50.0
    command_visibility_timeout: int = 120
    max_events_per_request: int = 500
    max_request_bytes: int = 10 * 1024 * 1024
    # A store with live listings and no contact for this long is "away": its TikTok stock goes to 0 or
    # its listings off sale (the merchant's choice) until it is back (hub/sync/stock/away.py).
    store_silence_seconds: float = 30 * 60
    # Buyer data (addresses, names, phone numbers) of a completed order is erased this long after the
    # order's last change; processed notifications and events older than it are deleted
    # (hub/sync/retention.py).
    buyer_data_retention_days: float = 90
    # Waiting long-polls per store (across every web process) and per web process; a poll over either
    # limit is answered at once with no commands and a retry hint (hub/commands/pollslots.py).
    long_polls_per_store: int = 2
    long_polls_per_process: int = 16
    # Alert digests by e-mail (hub/sync/alert_mail.py): off while smtp_host is unset.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "TikTok Shop Sync <tiktok-shop-sync@localhost>"
    smtp_starttls: bool = False
    alert_interval_seconds: int = 300
    # The status counts of a store with at least `product_counts_cache_from` products are read from a
    # copy at most this many seconds old (0: always counted afresh); the rows on the page are always
    # live (hub/web/catalog.py). Counting 100,000 products costs a scan of all of them per page view.
    product_counts_max_age: float = 10.0
    product_counts_cache_from: int = 10_000
    testing: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_overrides(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def private_dir(path: Path) -> None:
    """Create the data folder for its owner only (0700), or make an existing one of ours so: it holds
    the secret key, the embedded database with buyer addresses and the embedded Redis data."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        path.chmod(0o700)


def _secret_key(data_dir: Path) -> str:
    """Generate the secret once and keep it, so sessions and derived keys survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    private_dir(data_dir)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (and `.env` in the working directory), then overrides."""
    if environ is None:
        from dotenv import dotenv_values

        env = {**{k: v for k, v in dotenv_values(".env").items() if v is not None}, **os.environ}
    else:
        env = dict(environ)
    overrides = dict(overrides or {})
    data_dir = Path(overrides.pop("data_dir", None) or env.get("HUB_DATA_DIR") or "./var").resolve()
    database_url = env.get("HUB_DATABASE_URL") or f"sqlite:///{data_dir / 'hub.sqlite3'}"
    keys = tuple(k.strip() for k in (env.get("HUB_ENCRYPTION_KEYS") or "").split(",") if k.strip())
    try:
        rate = float(env.get("HUB_TIKTOK_RATE_LIMIT", "50"))
        visibility = int(env.get("HUB_COMMAND_VISIBILITY_TIMEOUT", "120"))
        silence = float(env.get("HUB_STORE_SILENCE_MINUTES", "30")) * 60
        retention = float(env.get("HUB_BUYER_DATA_RETENTION_DAYS", "90"))
        polls_per_store = int(env.get("HUB_LONG_POLLS_PER_STORE", "2"))
        polls_per_process = int(env.get("HUB_LONG_POLLS_PER_PROCESS", "16"))
        smtp_port = int(env.get("HUB_SMTP_PORT", "25"))
        alert_interval = int(env.get("HUB_ALERT_INTERVAL", "300"))
        counts_max_age = float(env.get("HUB_PRODUCT_COUNTS_MAX_AGE", "10"))
    except ValueError as exc:
        raise ConfigError(f"A numeric HUB_* setting is not a number: {exc}") from exc
    values: dict[str, Any] = dict(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env.get("HUB_REDIS_URL") or None,
        secret_key=env.get("HUB_SECRET_KEY") or "",
        encryption_keys=keys,
        public_url=(env.get("HUB_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        tiktok_api_base=(env.get("HUB_TIKTOK_API_BASE") or TIKTOK_API_BASE).rstrip("/"),
        tiktok_auth_base=(env.get("HUB_TIKTOK_AUTH_BASE") or TIKTOK_AUTH_BASE).rstrip("/"),
        tiktok_authorize_url=env.get("HUB_TIKTOK_AUTHORIZE_URL") or TIKTOK_AUTHORIZE_URL,
        tiktok_app_key=env.get("HUB_TIKTOK_APP_KEY") or None,
        tiktok_app_secret=env.get("HUB_TIKTOK_APP_SECRET") or None,
        tiktok_service_id=env.get("HUB_TIKTOK_SERVICE_ID") or None,
        allow_private_image_hosts=_truthy(env.get("HUB_ALLOW_PRIVATE_IMAGE_HOSTS")),
        allow_private_store_hosts=_truthy(env.get("HUB_ALLOW_PRIVATE_STORE_HOSTS")),
        tiktok_rate_limit_per_second=rate,
        command_visibility_timeout=visibility,
        store_silence_seconds=silence,
        buyer_data_retention_days=retention,
        long_polls_per_store=polls_per_store,
        long_polls_per_process=polls_per_process,
        smtp_host=env.get("HUB_SMTP_HOST") or None,
        smtp_port=smtp_port,
        smtp_user=env.get("HUB_SMTP_USER") or None,
        smtp_password=env.get("HUB_SMTP_PASSWORD") or None,
        smtp_from=env.get("HUB_SMTP_FROM") or "TikTok Shop Sync <tiktok-shop-sync@localhost>",
        smtp_starttls=_truthy(env.get("HUB_SMTP_STARTTLS")),
        alert_interval_seconds=alert_interval,
        product_counts_max_age=counts_max_age,
    )
    known = {f.name for f in fields(Settings)}
    unknown = set(overrides) - known
    if unknown:
        raise ConfigError(f"Unknown settings: {', '.join(sorted(unknown))}")
    values.update(overrides)
    if isinstance(values["data_dir"], str):
        values["data_dir"] = Path(values["data_dir"]).resolve()
    if values["store_silence_seconds"] <= 0 or values["buyer_data_retention_days"] <= 0:
        raise ConfigError("HUB_STORE_SILENCE_MINUTES and HUB_BUYER_DATA_RETENTION_DAYS must be above 0.")
    if values["long_polls_per_store"] < 0 or values["long_polls_per_process"] < 0:
        raise ConfigError("HUB_LONG_POLLS_PER_STORE and HUB_LONG_POLLS_PER_PROCESS cannot be negative.")
    if values["product_counts_max_age"] < 0:
        raise ConfigError("HUB_PRODUCT_COUNTS_MAX_AGE cannot be negative.")
    if not values["secret_key"]:
        values["secret_key"] = _secret_key(values["data_dir"])
    return Settings(**values)
