"""Operator commands for products: `hub category map`, `hub category suggest`, `hub products --json`
and `hub sync`. They do what the settings page does.

`--json` output is one JSON document on stdout; errors go to stderr with a non-zero exit.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import defer

from hub.cli.support import build_runtime, fail, print_json
from hub.errors import HubError


def products_report(session: Any, store_id: str) -> list[dict[str, Any]]:
    """Every product of the store with its status, reason, fix and TikTok ids."""
    from hub.models import Listing, ListingPlan, ProductSnapshot, SkuBinding
    from hub.sync.products.schedule import RETRY
    from hub.sync.products.status import statuses

    LISTING_ATTEMPTS = RETRY.max + 1  # noqa: N806 - the first run and every retry

    listings = {l.product_id: l for l in session.scalars(select(Listing).where(Listing.store_id == store_id))}
    plans = {p.product_id: p for p in session.scalars(select(ListingPlan).where(ListingPlan.store_id == store_id))}
    skus: dict[str, list[dict[str, Any]]] = {}
    for binding in session.scalars(select(SkuBinding).where(SkuBinding.store_id == store_id)):
        skus.setdefault(binding.product_id, []).append({"variant_id": binding.variant_id,
                                                        "tiktok_sku_id": binding.tiktok_sku_id,
                                                        "seller_sku": binding.seller_sku})
    shown = statuses(session, store_id)
    out = []
    for snapshot in session.scalars(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                                  ProductSnapshot.deleted.is_(False))
                                    .options(defer(ProductSnapshot.data))  # the report never reads it
                                    .order_by(ProductSnapshot.product_id)):
        listing, plan = listings.get(snapshot.product_id), plans.get(snapshot.product_id)
        status = shown[snapshot.product_id]
        row = {"product_id": snapshot.product_id, "title": snapshot.title,
               "status": status.status, "reason": status.reason, "fix": status.fix, "reason_code": status.reason_code,
               "issues": (listing.issues or []) if listing else [],
               "tiktok_product_id": listing.tiktok_product_id if listing else None,
               "tiktok_skus": sorted(skus.get(snapshot.product_id, []), key=lambda s: s["variant_id"]),
               "details_changed": bool(plan and plan.details_changed),
               "planned_for": plan.planned_for.isoformat() if plan and plan.planned_for else None,
               "priority": plan.priority if plan else 0,
               # Waiting for an automatic retry: the attempt that failed, of how many, and the next one's time.
               "retry": {"attempt": listing.retry_attempt, "attempts": LISTING_ATTEMPTS,
                         "next_attempt_at": listing.retry_at.isoformat() if listing.retry_at else None}
               if listing is not None and listing.retry_attempt else None,
               "updated_at": listing.updated_at.isoformat() if listing else snapshot.updated_at.isoformat()}
        out.append(row)
    return out


@click.group()
def category() -> None:
    """Category mapping (store category → TikTok leaf category)."""


@category.command("map")
@click.option("--store", "store_id", required=True)
@click.option("--category", "path", required=True, help='Store category path, e.g. "Clothing > Socks".')
@click.option("--tiktok-category", "tiktok_category_id", required=True, help="TikTok leaf category id.")
@click.option("--no-sync", is_flag=True, help="Only map; do not send the category's products yet.")
def category_map(store_id: str, path: str, tiktok_category_id: str, no_sync: bool) -> None:
    """Map a store category to a TikTok leaf category; its products become "Not synced" and are sent."""
    from hub.models import Store
    from hub.sync.products.categories import find_leaf, map_category
    from hub.sync.policy import shop_for_store
    from hub.sync.products.schedule import enqueue_listings
    from hub.tiktok.connection import client_for_shop

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            store = session.get(Store, store_id)
            if store is None:
                fail(f"There is no store {store_id}.")
            shop = shop_for_store(session, store)
            if shop is None:
                fail("No TikTok shop is connected: connect one first (hub tiktok connect).")
            with client_for_shop(runtime, shop) as client:
                version, name = find_leaf(client, tiktok_category_id)
            mapping, affected = map_category(session, store_id, path, tiktok_category_id, version=version, name=name)
            out = {"store_id": store_id, "category": mapping.category_path,
                   "tiktok_category_id": mapping.tiktok_category_id, "tiktok_category": name,
                   "category_version": version, "products": len(affected)}
        out["enqueued"] = 0 if no_sync else enqueue_listings(runtime, store_id, affected)
        print_json(out)
    except HubError as error:
        fix = getattr(error, "fix", None)
        fail(error.message + (f" {fix}" if fix else ""))
    finally:
        runtime.close()


@category.command("suggest")
@click.option("--store", "store_id", required=True)
@click.option("--product", "product_id", required=True)
def category_suggest(store_id: str, product_id: str) -> None:
    """TikTok's recommended category for a product (recommend endpoint)."""
    from hub.models import ProductSnapshot, Store
    from hub.sync.products.categories import suggest
    from hub.sync.policy import shop_for_store
    from hub.tiktok.connection import client_for_shop

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            store = session.get(Store, store_id)
            snapshot = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                                    ProductSnapshot.product_id == product_id))
            if store is None or snapshot is None:
                fail(f"Store {store_id} has no product {product_id}.")
            shop = shop_for_store(session, store)
            if shop is None:
                fail("No TikTok shop is connected.")
            with client_for_shop(runtime, shop) as client:
                print_json({"product_id": product_id, "suggestions": suggest(client, snapshot.data)})
    except HubError as error:
        fail(error.message)
    finally:
        runtime.close()


@click.group("products", invoke_without_command=True)
@click.option("--store", "store_id", default=None, help="The store (required without a subcommand).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
def products(ctx: click.Context, store_id: str | None, as_json: bool) -> None:
    """Every product of a store with its TikTok status, reason, fix and TikTok ids
    (`hub products --store S`); `hub products link` links products already on TikTok."""
    from hub.models import Store
    from hub.sync import rejections

    if ctx.invoked_subcommand is not None:
        return
    if store_id is None:
        fail("Give the store: hub products --store STORE_ID.", code=2)
    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            if session.get(Store, store_id) is None:
                fail(f"There is no store {store_id}.")
            rows = products_report(session, store_id)
            refused = rejections.recent(session, [store_id], limit=rejections.KEEP)
    finally:
        runtime.close()
    if as_json:
        print_json({"store_id": store_id, "products": rows,
                    "rejected_events": [{k: v for k, v in r.items() if k != "summary"} for r in refused]})
        return
    if not rows:
        click.echo(f"Store {store_id} has sent no products yet. Products appear here once its extension or app "
                   "sends them (a new store sends its catalogue when it connects).")
        return
    for row in rows:
        click.echo(f"{row['product_id']:>10}  {row['status']:<15} {row['title'][:40]:<40} {row['reason'] or ''}")
    if refused:
        click.echo(f"\nRefused events (newest first, the last {rejections.KEEP} are kept):")
        for r in refused:
            about = f"product {r['product_id']}" if r["product_id"] else "-"
            click.echo(f"  {r['received_at'][:19]}  {r['type'] or '?':<16} {about:<16} {r['event_id'] or '(no id)'}"
                       f"  {r['summary']}")


@click.command("sync")
@click.option("--store", "store_id", default=None, help="The store id (`hub store list`); optional with --order.")
@click.option("--product", "product_id", default=None, help="Only this product (default: every product).")
@click.option("--details", is_flag=True, help="Also resend changed details of listed products (Resync details).")
@click.option("--wait", is_flag=True, help="With --product: run it now in this process and print the outcome.")
@click.option("--order", "order_id", default=None, help="Retry this failed TikTok order instead (after fixing its cause).")
@click.pass_context
def sync(ctx: click.Context, store_id: str | None, product_id: str | None, details: bool, wait: bool,
         order_id: str | None) -> None:
    """The Sync button: re-validate and (re)send products that are not on TikTok, resubmit failed reviews;
    with --order, retry a failed order."""
    from hub.models import Store
    from hub.sync.products import schedule

    if order_id is not None:
        if product_id is not None:
            fail("Give either --product or --order, not both.")
        from hub.cli.orders import order_sync_command, store_of_order

        ctx.invoke(order_sync_command, store_id=store_id or store_of_order(order_id), order_id=order_id)
        return
    if store_id is None:
        fail("Missing option '--store' (the store ids are listed by `hub store list`).", code=2)

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            if session.get(Store, store_id) is None:
                fail(f"There is no store {store_id}.")
        if wait and product_id:
            out = _sync_now(runtime, store_id, product_id, details)
        else:
            try:
                out = {"store_id": store_id, "product_id": product_id,
                       "enqueued": schedule.sync(runtime, store_id, product_id, details=details)}
            except LookupError as error:
                fail(str(error))
        print_json(out)
    finally:
        runtime.close()


def _sync_now(runtime: Any, store_id: str, product_id: str, details: bool) -> dict[str, Any]:
    from hub.jobs import products as jobs
    from hub.models import Listing
    from hub.models.listings import FAILED_REVIEW, SYNCED

    with runtime.db.session_scope() as session:
        listing = session.scalar(select(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id))
        status, reason_code, listed = (listing.status, listing.reason_code, bool(listing.tiktok_product_id)) \
            if listing else (None, None, False)
    result: str | None
    if not listed:
        result = jobs.list_product(store_id, product_id)
    elif status == FAILED_REVIEW or details:
        result = jobs.resync_details(store_id, product_id)
    elif status == SYNCED and reason_code in ("deleted_in_store", "restored_in_store"):
        result = jobs.reactivate_product(store_id, product_id)
    else:
        result = status
    with runtime.db.session_scope() as session:
        listing = session.scalar(select(Listing).where(Listing.store_id == store_id, Listing.product_id == product_id))
        return {"store_id": store_id, "product_id": product_id, "outcome": result,
                "status": listing.status if listing else None, "reason": listing.reason if listing else None,
                "fix": listing.fix if listing else None,
                "tiktok_product_id": listing.tiktok_product_id if listing else None}


@products.command("link")
@click.option("--store", "store_id", required=True)
@click.option("--confirm", is_flag=True, help="Link the matched products (and the --pick choices).")
@click.option("--pick", "picks", multiple=True, metavar="TIKTOK_ID=PRODUCT_ID",
              help="For an ambiguous TikTok product, the store product it is (PRODUCT_ID empty: leave it unlinked).")
@click.option("--skip", "skips", multiple=True, metavar="TIKTOK_ID",
              help="Do not link this matched TikTok product (its store product is listed as a new product).")
@click.option("--rescan", is_flag=True, help="Read the shop's products again even if a proposal exists.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def products_link(store_id: str, confirm: bool, picks: tuple[str, ...], skips: tuple[str, ...], rescan: bool,
                  as_json: bool) -> None:
    """Products the TikTok shop already has: read them, match them to store products by seller SKU,
    then by barcode, and show the proposal; with --confirm, link them (no product is created twice;
    price and stock then follow the store)."""
    from hub.models import LinkReview, Store
    from hub.models.links import READY
    from hub.sync.products import linking

    chosen: dict[str, str | None] = {}
    for pick in picks:
        tiktok_id, sep, product_id = pick.partition("=")
        if not sep or not tiktok_id.strip():
            fail(f"--pick wants TIKTOK_ID=PRODUCT_ID, not {pick!r}.", code=2)
        chosen[tiktok_id.strip()] = product_id.strip() or None
    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            store = session.get(Store, store_id)
            if store is None:
                fail(f"There is no store {store_id}.")
            review = session.get(LinkReview, store_id)
            ready = review is not None and review.status == READY
        scanned = None
        if rescan or not ready:
            linking.start(runtime, store_id, enqueue=False)
            scanned = linking.scan(runtime, store_id)
        done = linking.confirm(runtime, store_id, picks=chosen, skip=skips) if confirm else None
        with runtime.db.session_scope() as session:
            out = linking.proposal(session, store_id)
    except HubError as error:
        fix = getattr(error, "fix", None)
        fail(error.message + (f" {fix}" if fix else ""))
    finally:
        runtime.close()
    out["confirmed"] = done
    if scanned is not None and scanned.get("status") != READY:
        out["status"] = scanned.get("status")
    if as_json:
        print_json(out)
        return
    _print_proposal(out)


def _print_proposal(out: dict[str, Any]) -> None:
    counts = out["counts"]
    if out["status"] != "ready":
        click.echo(f"Reading the TikTok shop's products: {out['status']}. {out.get('message') or ''}".rstrip())
    click.echo(f"TikTok products read: {out['tiktok_products']}. Matched: {counts['matched']} "
               f"({counts['by_sku']} by seller SKU, {counts['by_barcode']} by barcode); ambiguous: "
               f"{counts['ambiguous']}; only on TikTok (left alone): {counts['unmatched']}; store products with "
               f"no match (listed as new): {counts['unmatched_store']}; linked: {counts['linked']}.")
    if out.get("confirmed"):
        done = out["confirmed"]
        click.echo(f"Linked {done['linked']} products; declined {done['declined']}; still waiting for a choice: "
                   f"{done['waiting']}. Price and stock are being sent from the store.")
    for row in out["matched"]:
        click.echo(f"  match    {row['tiktok_product_id']}  {row['tiktok_title'][:40]:<40} -> store {row['product_id']} "
                   f"{(row['title'] or '')[:30]} (by {'barcode' if row['method'] == 'barcode' else 'seller SKU'})")
    for row in out["ambiguous"]:
        choices = ", ".join(f"{c['product_id']} {(c['title'] or '')[:20]}" for c in row["choices"])
        click.echo(f"  choose   {row['tiktok_product_id']}  {row['tiktok_title'][:40]:<40} -> one of: {choices} "
                   f"(--pick {row['tiktok_product_id']}=PRODUCT_ID)")
    for row in out["unmatched_tiktok"]:
        click.echo(f"  tiktok   {row['tiktok_product_id']}  {row['tiktok_title'][:40]:<40} (no store product; left alone)")
    if out["matched"] or out["ambiguous"]:
        click.echo("Confirm with: hub products link --store " + out["store_id"] + " --confirm")
