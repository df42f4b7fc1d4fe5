"""The hub as the tests run it: a runtime on a private data folder, stores, the web app on loopback,
and real `hub worker` processes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from hub.config import load_settings
from hub.merchants import create_store, find_or_create_merchant
from hub.runtime import Runtime, install

ROOT = Path(__file__).resolve().parents[2]

# What a `hub worker` process imports before it takes jobs: the test run keeps one process that has
# imported them (a multiprocessing fork server) and forks each worker from it, so a worker is ready in
# milliseconds instead of paying a second or more of imports (dozens of workers start in one run).
WORKER_PRELOAD = ["hub.cli", "hub.jobs.worker", "hub.jobs.products", "hub.jobs.stock", "hub.jobs.orders",
                  "hub.jobs.tiktok_notifications", "hub.sync.orders.importer", "hub.sync.orders.handoff",
                  "hub.sync.orders.events", "hub.sync.orders.fulfilment", "hub.sync.orders.cancellations",
                  "hub.sync.orders.polling", "hub.tiktok.connection", "hub.tiktok.orders", "hub.merchant_settings",
                  "hub.sync.dispatch"]
_fork_server: Any = None


def _worker_context() -> Any:
    global _fork_server
    if _fork_server is None:
        import multiprocessing

        _fork_server = multiprocessing.get_context("forkserver")
        _fork_server.set_forkserver_preload(WORKER_PRELOAD)
    return _fork_server


def run_hub_worker(environ: Mapping[str, str], log_path: str) -> None:
    """The body of a worker process: `hub worker` with `environ` as its whole environment, output to
    `log_path`, in a process group of its own (RQ's scheduler is its child; both end together)."""
    os.setsid()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(ROOT)
    from hub.cli import main

    main(["worker"])


def make_runtime(tmp_path: Path, redis_url: str, database_url: str | None = None, **overrides: Any) -> Runtime:
    """A migrated hub runtime whose data folder is `tmp_path` (SQLite there unless `database_url`)."""
    from hub.migrations import upgrade

    settings = load_settings({"data_dir": tmp_path, "redis_url": redis_url, "testing": True,
                              "allow_private_image_hosts": True, **overrides}, environ={})
    if database_url:
        settings = settings.with_overrides(database_url=database_url)
    if not migrated_copy(settings.database_url):
        upgrade(settings.database_url)
    runtime = Runtime.build(settings)
    install(runtime)
    return runtime


# Migrating an empty database to the newest revision costs a tenth of a second on SQLite and half a
# second on PostgreSQL, and hundreds of tests start from one: each test process migrates one database
# per kind once and gives every new, still empty database of the same kind a copy of it.
_templates: dict[str, Any] = {}


def migrated_copy(database_url: str) -> bool:
    """Make the database at `database_url` a copy of one migrated to the newest revision, if it is a
    SQLite file that does not exist yet or an empty PostgreSQL database; True when it did."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        import shutil

        shutil.copyfile(_sqlite_template(), url.database)
        return True
    if url.get_backend_name() == "postgresql" and url.database:
        return _postgres_copy(url)
    return False


def _sqlite_template() -> str:
    if "sqlite" not in _templates:
        import tempfile

        from hub.migrations import upgrade

        path = Path(tempfile.mkdtemp(prefix="hub-template-")) / "hub.sqlite3"
        upgrade(f"sqlite:///{path}")
        _templates["sqlite"] = str(path)
    return _templates["sqlite"]


def _postgres_copy(url: Any) -> bool:
    import psycopg

    def connect(database: str) -> Any:
        return psycopg.connect(url.set(drivername="postgresql", database=database)
                               .render_as_string(hide_password=False), autocommit=True)

    with connect(url.database) as conn:
        if conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]:
            return False
    server = url.set(database="postgres").render_as_string(hide_password=False)
    template = _templates.get(server)
    with connect("postgres") as admin:
        if template is None:
            import atexit

            from hub.migrations import upgrade

            template = f"hubtemplate_{os.getpid()}"
            admin.execute(f'DROP DATABASE IF EXISTS "{template}"')
            admin.execute(f'CREATE DATABASE "{template}"')
            upgrade(url.set(database=template).render_as_string(hide_password=False))
            _templates[server] = template
            atexit.register(_drop_database, connect, template)
        admin.execute(f'DROP DATABASE "{url.database}"')
        admin.execute(f'CREATE DATABASE "{url.database}" TEMPLATE "{template}"')
    return True


def _drop_database(connect: Any, name: str) -> None:
    try:
        with connect("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:  # noqa: BLE001 - the server may be gone already (a private cluster stops first)
        pass


def close_runtime(runtime: Runtime) -> None:
    install(None)
    runtime.close()


def add_store(runtime: Runtime, platform: str = "woocommerce", name: str = "Test store",
              merchant: str | None = None) -> dict[str, str]:
    """A store (and its merchant, found or made by name) with Extension API credentials."""
    with runtime.db.session_scope() as session:
        owner = find_or_create_merchant(session, merchant)
        store, secret = create_store(session, runtime.secrets, owner, platform, name)
        return {"store_id": store.id, "key_id": store.key_id, "secret": secret, "merchant_id": owner.id}


def hub_environ(runtime: Runtime, **extra: str) -> dict[str, str]:
    """The environment a `hub` process needs to share `runtime`'s data folder, database, Redis and TikTok."""
    s = runtime.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update({"HUB_DATA_DIR": str(s.data_dir), "HUB_DATABASE_URL": s.database_url,
                "HUB_REDIS_URL": runtime.redis_url, "HUB_SECRET_KEY": s.secret_key,
                "HUB_ALLOW_PRIVATE_IMAGE_HOSTS": "1" if s.allow_private_image_hosts else "",
                "HUB_COMMAND_VISIBILITY_TIMEOUT": str(s.command_visibility_timeout), "HUB_PUBLIC_URL": s.public_url,
                # Test stores listen on loopback; production refuses private addresses by default.
                "HUB_ALLOW_PRIVATE_STORE_HOSTS": "1"})
    for name, key in (("api_base", "HUB_TIKTOK_API_BASE"), ("auth_base", "HUB_TIKTOK_AUTH_BASE"),
                      ("authorize_url", "HUB_TIKTOK_AUTHORIZE_URL"), ("app_key", "HUB_TIKTOK_APP_KEY"),
                      ("app_secret", "HUB_TIKTOK_APP_SECRET")):
        value = getattr(s, f"tiktok_{name}", None)
        if value:
            env[key] = str(value)
    env.update(extra)
    return env


class Workers:
    """Real `hub worker` processes on one runtime's Redis and database.

    `spawn` returns at once, so a harness can start them before the rest of its set-up, and `ready`
    waits until they take jobs.
    """

    def __init__(self, runtime: Runtime, environ: Mapping[str, str] | None = None):
        self.runtime = runtime
        self.environ = dict(environ or hub_environ(runtime))
        self.processes: list[Any] = []

    def spawn(self, count: int = 1) -> "Workers":
        context = _worker_context()
        for _ in range(count):
            log = self.runtime.settings.data_dir / f"worker-{len(self.processes)}.log"
            process = context.Process(target=run_hub_worker, args=(self.environ, str(log)), daemon=False)
            process.start()
            self.processes.append(process)
        return self

    def ready(self, timeout: float = 60) -> "Workers":
        """Wait until every spawned worker has registered with RQ (it is then taking jobs)."""
        from rq import Worker

        from tests.support.waiting import wait_until

        def registered() -> bool:
            assert all(p.exitcode is None for p in self.processes), "a worker exited: see worker-*.log"
            return len(Worker.all(connection=self.runtime.redis)) >= len(self.processes)

        wait_until(registered, timeout, interval=0.02, what="workers registered")
        return self

    def start(self, count: int = 1, timeout: float = 60) -> "Workers":
        return self.spawn(count).ready(timeout)

    def close(self) -> None:
        """Stop the workers and their schedulers at once: whatever a test left running is not needed."""
        import signal

        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for process in self.processes:
            process.join(10)
        self.processes = []


def wait_for_long_poll(connection: Any, store_id: str, timeout: float = 20.0) -> None:
    """Wait until a long-poll of `store_id`'s commands is listening (subscribed to its Redis channel),
    so that what the test does next is what wakes it."""
    from hub.commands.outbox import channel

    from tests.support.waiting import wait_until

    def listening() -> bool:
        return any(count > 0 for _name, count in connection.pubsub_numsub(channel(store_id)))

    wait_until(listening, timeout, interval=0.02, what="a long-poll listening")
