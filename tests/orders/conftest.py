"""Order sync against the real sandbox, a live hub, real `hub worker` processes and a fake store."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.support.orders import SANDBOX_OPTIONS, World, build_world
from tests.support.sandbox import SandboxPool
from tests.support.store import FakeStore


@pytest.fixture()
def world(tmp_path: Path, redis_url: str, database_url: str, sandboxes: SandboxPool) -> Iterator[World]:
    """Every order test runs on SQLite (the embedded default) and on PostgreSQL (production)."""
    built = build_world(tmp_path, redis_url, visibility_timeout=3, database_url=database_url,
                        sandbox=sandboxes.fresh(**SANDBOX_OPTIONS))
    yield built
    built.close()


@pytest.fixture()
def store(world: World) -> Iterator[FakeStore]:
    fake = FakeStore(world.client, {("88", "91"): 500, ("88", "92"): 500}).start()
    yield fake
    fake.close(wake=world.wake_store)
