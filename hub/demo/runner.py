"""Runs the demo: the hub's web process and a worker on the embedded default, with a demo login."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click
from sqlalchemy import select

from hub.demo.processes import ProcessGroup, wait_for_http

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


def _ensure_login(env: dict[str, str]) -> None:
    from hub.config import load_settings
    from hub.merchants import create_user, find_or_create_merchant
    from hub.migrations import upgrade
    from hub.models import User
    from hub.runtime import Runtime

    settings = load_settings(environ=env)
    upgrade(settings.database_url)
    runtime = Runtime.build(settings)
    with runtime.db.session_scope() as session:
        if session.scalar(select(User).where(User.email == DEMO_EMAIL)) is None:
            create_user(session, find_or_create_merchant(session, None, "Demo shop"), DEMO_EMAIL, DEMO_PASSWORD)
    runtime.close()


def run_demo(port: int, data_dir: Path, duration: float | None) -> None:
    env = {**os.environ, "HUB_DATA_DIR": str(data_dir.resolve()), "HUB_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    _ensure_login(env)
    group = ProcessGroup(env, data_dir / "logs")
    try:
        click.echo("Starting the hub and a worker on the embedded default (SQLite, private Redis) ...")
        group.start("hub", ["-m", "hub.cli", "serve", "--port", str(port)])
        wait_for_http(f"http://127.0.0.1:{port}/api/v1/openapi.json", group)
        group.start("worker", ["-m", "hub.cli", "worker"])
        click.echo(json.dumps({"status": "demo ready", "url": f"http://127.0.0.1:{port}/",
                               "login": DEMO_EMAIL, "password": DEMO_PASSWORD}))
        click.echo("Press Ctrl-C to stop.")
        started = time.monotonic()
        while duration is None or time.monotonic() - started < duration:
            group.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("\nStopping ...")
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        group.stop()
        sys.exit(1)
    group.stop()
    click.echo("Stopped.")
