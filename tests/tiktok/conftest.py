"""The TikTok client against the real sandbox over loopback HTTP, with real Redis and a real database."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from hub.merchants import find_or_create_merchant
from hub.runtime import Runtime
from tests.support.hub import close_runtime, make_runtime
from tests.support.sandbox import APP_KEY, APP_SECRET, Sandbox, SandboxPool, leaf_without_size_chart

__all__ = ["APP_KEY", "APP_SECRET", "Sandbox", "leaf_without_size_chart", "tiktok_runtime"]

SANDBOX_OPTIONS = {"review_delay": 0.2}


@pytest.fixture()
def sandbox(sandboxes: SandboxPool) -> Sandbox:
    return sandboxes.fresh(**SANDBOX_OPTIONS)


def tiktok_runtime(tmp_path: Path, redis_url: str, sandbox_url: str, **overrides: Any) -> Runtime:
    return make_runtime(tmp_path, redis_url, tiktok_api_base=sandbox_url, tiktok_auth_base=sandbox_url,
                        tiktok_authorize_url=f"{sandbox_url}/open/authorize", tiktok_app_key=APP_KEY,
                        tiktok_app_secret=APP_SECRET, **overrides)


@pytest.fixture()
def runtime(tmp_path: Path, redis_url: str, sandbox: Sandbox) -> Iterator[Runtime]:
    rt = tiktok_runtime(tmp_path, redis_url, sandbox.url)
    yield rt
    close_runtime(rt)


@pytest.fixture()
def merchant_id(runtime: Runtime, sandbox: Sandbox) -> str:
    """A merchant whose TikTok shop is connected through the real code exchange."""
    from hub.tiktok.connection import connect

    with runtime.db.session_scope() as session:
        merchant = find_or_create_merchant(session, "Northern Threads Ltd")
        connect(runtime, session, sandbox.code(), merchant.id)
        return merchant.id


@pytest.fixture()
def shop_client(runtime: Runtime, merchant_id: str):  # noqa: ANN201
    from hub.tiktok.connection import client_for_merchant

    with runtime.db.session_scope() as session:
        client = client_for_merchant(session, merchant_id, runtime)
    yield client
    client.close()
