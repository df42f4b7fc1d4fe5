"""The `hub` command: one module per area (`products`, `orders`, `tiktok`), the rest here.

`--json` output is one JSON document on stdout; errors go to stderr with a non-zero exit. The commands
are front ends, like the settings page: they call the sync engine and the TikTok client, never the
other way round. Usage is in `README.md` and `docs/operations.md`.
"""

from __future__ import annotations

import json
import secrets
import sys

import click

from hub.cli.support import accept_json_everywhere, build_runtime, fail, print_json
from hub.config import ConfigError, load_settings
from hub.queues import PRIORITY


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so cleanup (the embedded Redis server) runs."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))




@click.group()
def main() -> None:
    """TikTok Shop Sync hub."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--gunicorn", "use_gunicorn", is_flag=True, help="Serve with gunicorn (production).")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--threads", default=32, show_default=True,
              help="Threads per process; long-polls may hold at most half of them (HUB_LONG_POLLS_PER_PROCESS).")
def serve(host: str, port: int, use_gunicorn: bool, workers: int, threads: int) -> None:
    """Run the web process: Extension API, TikTok webhooks and the settings page."""
    from hub.demo.lifecycle import CannotStart, check_port
    from hub.migrations import upgrade

    try:
        check_port(port, "hub serve", host)
    except CannotStart as exc:
        fail(str(exc))

    settings = load_settings()
    upgrade(settings.database_url)
    if use_gunicorn:
        import os

        # At most half the threads hold long-polls, so TikTok webhooks, other stores and the settings page
        # always find a free thread (hub/commands/pollslots.py).
        os.environ.setdefault("HUB_LONG_POLLS_PER_PROCESS", str(max(1, threads // 2)))
        os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
                                   "--workers", str(workers), "--threads", str(threads), "--bind",
                                   f"{host}:{port}", "--timeout", "60", "--config", "python:hub.gunicorn_config",
                                   "hub.wsgi:app"])
    from hub.app import create_app
    from hub.heap import freeze_startup_heap

    runtime = build_runtime()
    runtime.redis.ping()  # start the embedded server now, not on the first request
    app = create_app(runtime=runtime)
    _exit_on_sigterm()
    freeze_startup_heap()
    click.echo(f"Hub listening on http://{host}:{port}")
    from werkzeug.serving import run_simple

    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        runtime.close()


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the periodic jobs in this worker.")
@click.option("--queue", "queues", multiple=True, type=click.Choice(PRIORITY),
              help="Work only this queue (repeatable; default: every queue; stock-bulk: all its lanes). "
                   "For worker hosts per queue.")
def worker(burst: bool, no_scheduler: bool, queues: tuple[str, ...]) -> None:
    """Run an RQ worker on the hub's queues (all, or those of --queue), in priority order, with the scheduler."""
    from hub.jobs.worker import run_worker

    runtime = build_runtime()
    try:
        run_worker(runtime, burst=burst, with_scheduler=not no_scheduler, queues=queues)
    finally:
        runtime.close()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations."""
    from hub.migrations import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision)
    click.echo(f"Database at revision {revision}.", err=True)


@main.group()
def store() -> None:
    """Store connections (one per installed extension)."""


@store.command("add")
@click.option("--platform", required=True, help="An extension platform: woocommerce, magento2, demo, or "
                                                  "one an installed connector package adds.")
@click.option("--name", required=True)
@click.option("--merchant", "merchant_ref", default=None, help="Merchant id or name (default: the first).")
def store_add(platform: str, name: str, merchant_ref: str | None) -> None:
    """Create a store connection; prints store_id, key_id and the secret (shown only this once)."""
    from hub.merchants import create_store, find_or_create_merchant
    from hub.migrations import upgrade
    from hub.stores.connector import EXTENSION
    from hub.stores.registry import UnknownPlatform, load

    registry = load()
    try:
        connector = registry.get(platform)
    except UnknownPlatform:
        known = ", ".join(sorted(c.platform for c in registry.all()))
        fail(f"Unknown platform {platform!r}; known platforms: {known}.", code=2)
    if connector.kind != EXTENSION:
        fail(f"{connector.label} stores are connected by installing the app from the Stores page or from "
             f"{connector.label} itself, not with extension credentials.", code=2)

    runtime = build_runtime()
    upgrade(runtime.settings.database_url)
    with runtime.db.session_scope() as session:
        merchant = find_or_create_merchant(session, merchant_ref)
        created, secret = create_store(session, runtime.secrets, merchant, platform, name)
        out = {"store_id": created.id, "key_id": created.key_id, "secret": secret, "merchant_id": merchant.id}
    from hub.sync.products import linking

    linking.start_if_connected(runtime, created.id)  # its products may already be on TikTok
    runtime.close()
    print_json(out)


def _set_sync(store_id: str, enabled: bool) -> None:
    from hub.models import Store

    runtime = build_runtime()
    with runtime.db.session_scope() as session:
        found = session.get(Store, store_id)
        if found is not None:
            found.sync_enabled = enabled
    runtime.close()
    if found is None:
        fail(f"There is no store {store_id}.")
    print_json({"store_id": store_id, "sync_enabled": enabled})


@store.command("enable")
@click.option("--store", "store_id", required=True)
def store_enable(store_id: str) -> None:
    """Resume synchronisation for a store."""
    _set_sync(store_id, True)


@store.command("disable")
@click.option("--store", "store_id", required=True)
def store_disable(store_id: str) -> None:
    """Stop all product and order traffic for a store (its changes are still stored)."""
    _set_sync(store_id, False)


@store.command("locations")
@click.option("--store", "store_id", required=True)
@click.option("--sell", "sell", multiple=True, metavar="LOCATION_ID",
              help="A location whose stock sells on TikTok (repeat for several).")
@click.option("--all", "all_locations", is_flag=True, help="Every location sells on TikTok (the default).")
def store_locations(store_id: str, sell: tuple[str, ...], all_locations: bool) -> None:
    """Show the store's stock locations, or choose those whose stock sells on TikTok (TikTok gets their sum)."""
    from hub.errors import DataError
    from hub.models import Store
    from hub.sync.stock.locations import described, set_selling_locations

    if sell and all_locations:
        fail("Give either --sell or --all, not both.")
    runtime = build_runtime()
    try:
        if sell or all_locations:
            out = set_selling_locations(runtime, store_id, list(sell))
        else:
            with runtime.db.session_scope() as session:
                found = session.get(Store, store_id)
                if found is None:
                    fail(f"There is no store {store_id}.")
                out = {"store_id": store_id, "locations": described(found)}
    except DataError as error:
        fail(error.message + (f" {error.fix}" if error.fix else ""))
    finally:
        runtime.close()
    print_json(out)


@main.group()
def user() -> None:
    """Settings-page users."""


@user.command("add")
@click.argument("email")
@click.option("--password", default=None, help="Default: a generated password, printed once.")
@click.option("--merchant", "merchant_ref", default=None)
def user_add(email: str, password: str | None, merchant_ref: str | None) -> None:
    """Create a login for the settings page."""
    from hub.merchants import MerchantError, create_user, find_or_create_merchant
    from hub.migrations import upgrade

    runtime = build_runtime()
    upgrade(runtime.settings.database_url)
    password = password or secrets.token_urlsafe(12)
    try:
        with runtime.db.session_scope() as session:
            merchant = find_or_create_merchant(session, merchant_ref)
            created = create_user(session, merchant, email, password)
            out = {"user_id": created.id, "email": created.email, "merchant_id": merchant.id, "password": password}
    except MerchantError as exc:
        runtime.close()
        fail(str(exc))
    runtime.close()
    print_json(out)


@main.command()
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--data-dir", default="./var/demo", show_default=True, type=click.Path())
@click.option("--duration", default=None, type=float, help="Stop after this many seconds (default: until Ctrl-C).")
def demo(port: int, data_dir: str, duration: float | None) -> None:
    """Run the whole product locally with nothing configured."""
    from pathlib import Path

    from hub.demo.runner import run_demo

    run_demo(port, Path(data_dir), duration)


@main.group()
def commands() -> None:
    """Commands waiting for stores (support tools)."""


@commands.command("create")
@click.option("--store", "store_id", required=True)
@click.option("--type", "type_", required=True, type=click.Choice(["order.create", "order.cancel", "order.refund", "catalog.resend"]))
@click.option("--payload", required=True, help="The command's payload as a JSON object.")
@click.option("--dedupe-key", default=None, help="Default: derived from the payload (one command per order).")
def commands_create(store_id: str, type_: str, payload: str, dedupe_key: str | None) -> None:
    """Queue a command for a store by hand, e.g. to resend the catalog or replay an order."""
    from hub.commands.outbox import create_command, notify
    from hub.models import Store

    try:
        data = json.loads(payload)
    except json.JSONDecodeError as exc:
        fail(f"--payload is not JSON: {exc}")
    if not isinstance(data, dict):
        fail("--payload must be a JSON object")
    runtime = build_runtime()
    with runtime.db.session_scope() as session:
        if session.get(Store, store_id) is None:
            runtime.close()
            fail(f"There is no store {store_id}.")
        if dedupe_key is None:
            order_id = (data.get("order") or {}).get("tiktok_order_id") or data.get("tiktok_order_id")
            dedupe_key = f"{type_}:{order_id}" if order_id else f"{type_}:{secrets.token_hex(8)}"
        command, created = create_command(session, store_id, type_, data, dedupe_key)
        out = {"command_id": command.id, "created": created, "dedupe_key": dedupe_key}
    notify(runtime.redis, store_id)
    runtime.close()
    print_json(out)


def _register_area_commands() -> None:
    """Commands that live with the area they operate (TikTok connection, products, orders)."""
    from hub.cli.orders import orders_command
    from hub.cli.products import category, products, sync
    from hub.cli.tiktok import tiktok

    from hub.cli.size_charts import product_group, register, size_charts_command

    register(category, product_group)
    for command in (tiktok, category, products, sync, orders_command, product_group, size_charts_command):
        main.add_command(command)
    from hub.cli.stores import store_list
    from hub.cli.status import status

    main.add_command(status)

    store.add_command(store_list)
    accept_json_everywhere(main)


_register_area_commands()


def run() -> None:
    try:
        main()
    except ConfigError as exc:
        fail(str(exc))

