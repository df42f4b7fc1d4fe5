"""`hub tiktok ...`: operator commands for the TikTok connection (README.md, docs/operations.md).

`connect` does what the settings page's OAuth redirect does, for scripts and support; `status` shows
each connection without ever printing a token. `--json` output is one JSON document on stdout;
errors go to stderr with a non-zero exit.
"""

from __future__ import annotations

import json
from typing import Any

import click

from hub.cli.support import build_runtime, fail
from hub.errors import HubError


def _shop_summary(shop: Any) -> dict[str, Any]:
    return {
        "merchant_id": shop.merchant_id, "shop_id": shop.shop_id, "shop_name": shop.shop_name,
        "region": shop.region, "currency": shop.currency, "seller_name": shop.seller_name,
        "status": shop.status, "status_reason": shop.status_reason,
        "access_token_expires_at": shop.access_token_expires_at.isoformat() if shop.access_token_expires_at else None,
        "refresh_token_expires_at": shop.refresh_token_expires_at.isoformat() if shop.refresh_token_expires_at else None,
        "authorization_expires_at": shop.authorization_expires_at.isoformat() if shop.authorization_expires_at else None,
        "granted_scopes": shop.granted_scopes or [], "connected_at": shop.connected_at.isoformat(),
    }


@click.group("tiktok")
def tiktok() -> None:
    """The TikTok Shop connection."""


@tiktok.command("connect")
@click.option("--code", required=True, help="Authorization code from TikTok's redirect (single use, 30 minutes).")
@click.option("--merchant", "merchant_ref", default=None, help="Merchant id or name (default: the first merchant).")
@click.option("--json", "as_json", is_flag=True, help="Print the connection as JSON.")
def connect_command(code: str, merchant_ref: str | None, as_json: bool) -> None:
    """Exchange an authorization code, discover the shop, and store the encrypted tokens."""
    from hub.merchants import find_or_create_merchant
    from hub.sync.policy import resume_parked
    from hub.sync.products import linking
    from hub.tiktok.connection import connect

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            merchant = find_or_create_merchant(session, merchant_ref)
            shop = connect(runtime, session, code, merchant.id)
            summary = _shop_summary(shop)
        resume_parked(runtime, summary["merchant_id"])  # what waited for a reconnect goes now
        linking.start_for_merchant(runtime, summary["merchant_id"])  # products already on TikTok: link, not copy
    except HubError as error:
        fail(error.message)
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(f"Connected TikTok shop {summary['shop_name'] or summary['shop_id']} "
                   f"({summary['region']}) to merchant {summary['merchant_id']}.")


@tiktok.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def status_command(as_json: bool) -> None:
    """Every TikTok connection with its status and token expiry (never the tokens)."""
    from sqlalchemy import select

    from hub.models import TikTokShop

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            shops = [_shop_summary(s) for s in session.scalars(select(TikTokShop).order_by(TikTokShop.connected_at))]
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps({"connections": shops}, indent=2))
        return
    if not shops:
        click.echo("No TikTok shop is connected.")
    for shop in shops:
        line = f"{shop['shop_name'] or shop['shop_id']} ({shop['region']}): {shop['status']}"
        if shop["status_reason"]:
            line += f" - {shop['status_reason']}"
        click.echo(line + f"; access token until {shop['access_token_expires_at']}")
