"""The Shopify app's configuration: environment variables, `shopify.app.toml`, the pinned API version.

The scopes and webhook subscriptions live in `shopify.app.toml`, the file Shopify's CLI deploys
(`shopify app deploy`); the hub reads the scopes from the same file so the authorize URL of a
non-embedded install asks for exactly what Shopify-managed installation grants.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

# Every Admin API call and every webhook subscription uses this version (shopify.app.toml's
# `[webhooks] api_version` must say the same; a test checks it). Shopify supports a version for a year.
API_VERSION = "2026-07"
APP_TOML = Path(__file__).with_name("shopify.app.toml")


@dataclass(frozen=True)
class ShopifyConfig:
    client_id: str
    client_secret: str
    # After a secret rotation Shopify may sign with the old secret for up to an hour.
    previous_client_secret: str | None
    # Where a shop's Admin API and OAuth endpoints are: "https://{shop}" in production; a fake's
    # address in tests and the demo ("http://127.0.0.1:8000/{shop}").
    admin_url: str
    scopes: tuple[str, ...]
    embedded: bool

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.client_secret, self.previous_client_secret) if s)

    def shop_url(self, shop: str) -> str:
        return self.admin_url.replace("{shop}", shop).rstrip("/")

    def graphql_path(self) -> str:
        return f"/admin/api/{API_VERSION}/graphql.json"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "ShopifyConfig":
        env = os.environ if env is None else env
        toml_path = Path(env.get("HUB_SHOPIFY_APP_TOML") or APP_TOML)
        app = read_app_toml(toml_path)
        return cls(client_id=env.get("HUB_SHOPIFY_CLIENT_ID") or str(app.get("client_id") or ""),
                   client_secret=env.get("HUB_SHOPIFY_CLIENT_SECRET", ""),
                   previous_client_secret=env.get("HUB_SHOPIFY_PREVIOUS_CLIENT_SECRET") or None,
                   admin_url=env.get("HUB_SHOPIFY_ADMIN_URL") or "https://{shop}",
                   scopes=scopes_of(app), embedded=bool(app.get("embedded", True)))


def read_app_toml(path: Path = APP_TOML) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def scopes_of(app: dict) -> tuple[str, ...]:
    raw = str((app.get("access_scopes") or {}).get("scopes") or "")
    return tuple(s.strip() for s in raw.split(",") if s.strip())
