"""`hub store list`: the store ids every other command asks for, with what state each store is in."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select

from hub.cli.support import build_runtime, print_json

HOME_CURRENCY = "GBP"  # TikTok Shop UK sells in pounds; a store in another currency is stopped (design §7)


def store_state(store: Any) -> str:
    """One phrase for the store's state, in the words of the Stores page."""
    if store.revoked_at is not None:
        return "disconnected"
    if not store.sync_enabled:
        return "sync turned off"
    if store.currency and store.currency != HOME_CURRENCY:
        return f"stopped: sells in {store.currency}, TikTok Shop UK in {HOME_CURRENCY}"
    if store.last_contact_at is None:
        return "waiting for the store's first contact"
    return "syncing"


def stores_report(session: Any) -> list[dict[str, Any]]:
    from hub.models import Merchant, Store
    from hub.stores.registry import UnknownPlatform, load

    registry = load()
    rows = []
    for store, merchant in session.execute(select(Store, Merchant).join(Merchant, Merchant.id == Store.merchant_id)
                                           .order_by(Merchant.name, Store.name)):
        try:
            platform = registry.get(store.platform).label
        except UnknownPlatform:
            platform = store.platform
        rows.append({"store_id": store.id, "name": store.name, "platform": platform, "key_id": store.key_id,
                     "currency": store.currency, "state": store_state(store), "merchant": merchant.name,
                     "last_contact_at": store.last_contact_at.isoformat() if store.last_contact_at else None})
    return rows


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def store_list(as_json: bool) -> None:
    """Every store connection: name, platform, store id (for --store), key id, currency and state."""
    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            rows = stores_report(session)
    finally:
        runtime.close()
    if as_json:
        print_json({"stores": rows})
        return
    if not rows:
        click.echo("No stores yet. Connect one: `hub store add --platform woocommerce --name \"My shop\"`, "
                   "or install the Shopify or BigCommerce app from the Stores page.")
        return
    header = ("store id", "name", "platform", "key id", "currency", "state")
    table = [header] + [(r["store_id"], r["name"], r["platform"], r["key_id"], r["currency"] or "—", r["state"])
                        for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header) - 1)]
    for row in table:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
