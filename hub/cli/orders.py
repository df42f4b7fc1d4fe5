"""Operator commands for orders: `hub orders --store STORE_ID --json` and the order **Sync** action.

Register with the `hub` group: `main.add_command(orders_command)`; the product `sync` command can call
`sync_order(store_id, order_id)` for `hub sync --store STORE_ID --order ID`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from hub.cli.support import build_runtime, fail
from hub.errors import HubError
from hub.models.orders import STATUS_LABELS


@click.command("orders")
@click.option("--store", "store_id", required=True, help="The store connection id (st_…).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def orders_command(store_id: str, as_json: bool) -> None:
    """Every TikTok order of a store with its status (Pending, Created, Failed, Cancelled) and reason."""
    from hub.sync.orders.status import list_orders

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            orders = list_orders(session, store_id)
    except LookupError as exc:
        fail(str(exc))
        return
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps({"store_id": store_id, "orders": orders}, indent=2, default=str))
        return
    for order in orders:
        line = f"{order['tiktok_order_id']}  {order['status']:<9}"
        if order["store_order_number"]:
            line += f"  store #{order['store_order_number']}"
        if order["reason"]:
            line += f"  {order['reason']}"
        click.echo(line)
        for ret in order.get("returns") or []:
            items = ", ".join(f"{x['quantity']} x {x['seller_sku'] or x['product_name']}" for x in ret["lines"])
            text = (f"    {'refund' if ret['type'] == 'REFUND' else 'return'} {ret['return_id']}  {ret['state']:<13}"
                    f"  {ret['currency'] or ''} {ret['amount'] or '?'}  [{items}]")
            if ret["buyer_reason"]:
                text += f"  buyer: {ret['buyer_reason']}"
            if ret["refund"]:
                text += f"  store refund: {ret['refund']['status']}"
                if ret["refund"]["reason"]:
                    text += f" — {ret['refund']['reason']}"
            click.echo(text)


def store_of_order(order_id: str) -> str:
    """The store of a TikTok order, so `hub sync --order ID` needs no --store (the Orders page's hint)."""
    from sqlalchemy import select

    from hub.models import Order

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            stores = sorted(set(session.scalars(select(Order.store_id).where(Order.tiktok_order_id == order_id))))
    finally:
        runtime.close()
    if not stores:
        fail(f"There is no TikTok order {order_id}.")
    if len(stores) > 1:
        fail(f"TikTok order {order_id} was handed to several stores ({', '.join(stores)}): add --store.")
    return stores[0]


def sync_order(store_id: str, order_id: str) -> dict[str, Any]:
    """Retry a failed order (after the merchant fixed the cause); returns the order as `hub orders` shows it."""
    from hub.sync.orders.handoff import retry_order
    from hub.sync.orders.status import as_dict

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            order = retry_order(session, store_id, order_id)
            session.flush()
            return as_dict(order)
    finally:
        runtime.close()


@click.command("order-sync")
@click.option("--store", "store_id", required=True)
@click.option("--order", "order_id", required=True, help="The TikTok order id.")
def order_sync_command(store_id: str, order_id: str) -> None:
    """Retry one failed TikTok order (the Sync button)."""
    try:
        result = sync_order(store_id, order_id)
    except HubError as exc:
        fail(exc.message)
        return
    click.echo(json.dumps(result, indent=2, default=str))
    if result["status"] == STATUS_LABELS["failed"]:
        sys.exit(2)
