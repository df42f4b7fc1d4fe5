"""`hub status`: the health figures an operator of a hub for many merchants watches.

Queue depths per queue, failed jobs, waits for TikTok's request budget (and 429s), the oldest price or
stock change per store that TikTok has not confirmed yet, and each store's last contact: the figures
`docs/operations.md` says to monitor, as readable text or (`--json`) one JSON document for a monitor.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import click

from hub.cli.support import build_runtime, print_json

FAILED_SAMPLE = 1000  # failed jobs read per queue to date them (the count itself is exact)


def queue_figures(connection: Any) -> list[dict[str, Any]]:
    """Per queue: waiting, running, scheduled (retries and delayed follow-ups) and failed jobs.

    One row per priority position: `stock-bulk` adds up its lanes and lists each lane's waiting jobs
    under `lanes` (storming stores each have one, hub/sync/stock/lanes.py)."""
    from hub.queues import PRIORITY, all_queues

    now = datetime.now(timezone.utc)
    rows = []
    for position in PRIORITY:
        row: dict[str, Any] = {"queue": position, "waiting": 0, "running": 0, "scheduled": 0, "failed": 0,
                               "failed_last_hour": 0}
        lanes = {}
        for q in all_queues(connection, [position]):
            failed = q.failed_job_registry
            for job in q.job_class.fetch_many(failed.get_job_ids(0, FAILED_SAMPLE - 1), connection=connection):
                ended = job.ended_at if job is not None else None
                if ended is not None and now - ended.replace(tzinfo=timezone.utc) <= timedelta(hours=1):
                    row["failed_last_hour"] += 1
            lanes[q.name] = q.count
            row["waiting"] += q.count
            row["running"] += q.started_job_registry.count
            row["scheduled"] += q.scheduled_job_registry.count + q.deferred_job_registry.count
            row["failed"] += failed.count
        if len(lanes) > 1:
            row["lanes"] = lanes
        rows.append(row)
    return rows


def worker_figures(connection: Any) -> dict[str, Any]:
    """Live workers and their jobs since they started: the failure rate of the work actually run."""
    from rq import Worker

    workers = Worker.all(connection=connection)
    done = sum(w.successful_job_count or 0 for w in workers)
    failed = sum(w.failed_job_count or 0 for w in workers)
    return {"workers": len(workers), "jobs_done": done, "jobs_failed": failed,
            "failure_rate": round(failed / (done + failed), 4) if done + failed else 0.0}


def budget_figures(connection: Any, hours: int = 1) -> list[dict[str, Any]]:
    """Per TikTok shop over the last `hours` (this hour and the ones before): waits for the request
    budget, seconds waited, and 429s TikTok answered."""
    from hub.tiktok.ratelimit import waits_key

    shops: dict[str, dict[str, Any]] = {}
    for back in range(hours + 1):
        for field, value in (connection.hgetall(waits_key(time.time() - back * 3600)) or {}).items():
            name = field.decode() if isinstance(field, bytes) else str(field)
            shop, _, kind = name.rpartition(":")
            row = shops.setdefault(shop, {"shop": shop, "waits": 0, "waited_seconds": 0.0, "429s": 0})
            if kind == "waited":
                row["waited_seconds"] = round(row["waited_seconds"] + float(value), 3)
            elif kind in ("waits", "429s"):
                row[kind] += int(value)
    return sorted(shops.values(), key=lambda r: r["shop"])


def store_figures(session: Any) -> list[dict[str, Any]]:
    """Per store: last contact, and the price/stock changes TikTok has not confirmed (the Overview's
    "on its way to TikTok"): how many variants, and since when the oldest waits."""
    from sqlalchemy import and_, func, select

    from hub.models import Listing, SkuBinding, Store, VariantStock
    from hub.models import listings as st

    lagging = dict(((store_id, (n, oldest)) for store_id, n, oldest in session.execute(
        select(SkuBinding.store_id, func.count(), func.min(VariantStock.updated_at))
        .join(VariantStock, and_(VariantStock.store_id == SkuBinding.store_id,
                                 VariantStock.product_id == SkuBinding.product_id,
                                 VariantStock.variant_id == SkuBinding.variant_id))
        .join(Listing, and_(Listing.store_id == SkuBinding.store_id, Listing.product_id == SkuBinding.product_id))
        .where(Listing.status == st.ACTIVE, VariantStock.version > func.coalesce(SkuBinding.pushed_version, 0))
        .group_by(SkuBinding.store_id))))
    now = datetime.now(timezone.utc)
    rows = []
    for store in session.scalars(select(Store).where(Store.revoked_at.is_(None)).order_by(Store.name, Store.id)):
        n, oldest = lagging.get(store.id, (0, None))
        rows.append({"store_id": store.id, "name": store.name, "sync_enabled": store.sync_enabled,
                     "last_contact_at": store.last_contact_at.isoformat() if store.last_contact_at else None,
                     "unsent_changes": n, "oldest_unsent_at": oldest.isoformat() if oldest else None,
                     "oldest_unsent_seconds": round((now - oldest).total_seconds(), 1) if oldest else None})
    return rows


def health_report(runtime: Any) -> dict[str, Any]:
    with runtime.db.session_scope() as session:
        stores = store_figures(session)
    return {"at": datetime.now(timezone.utc).isoformat(), "queues": queue_figures(runtime.redis),
            "jobs": worker_figures(runtime.redis), "tiktok_budget": budget_figures(runtime.redis),
            "stores": stores}


def _ago(iso: str | None, now: datetime) -> str:
    if iso is None:
        return "never"
    seconds = int((now - datetime.fromisoformat(iso)).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def render(report: dict[str, Any]) -> str:
    now = datetime.fromisoformat(report["at"])
    lines = ["Queues (waiting / running / scheduled / failed, failed in the last hour)"]
    for q in report["queues"]:
        lines.append(f"  {q['queue']:<12} {q['waiting']:>7} {q['running']:>7} {q['scheduled']:>7} "
                     f"{q['failed']:>7}  {q['failed_last_hour']} in the last hour")
        busy = {name: n for name, n in q.get("lanes", {}).items() if n}
        if busy:
            lines.append("    waiting per lane: " + ", ".join(f"{name} {n}" for name, n in busy.items()))
    jobs = report["jobs"]
    lines.append(f"Workers: {jobs['workers']} running; {jobs['jobs_done']} jobs done, {jobs['jobs_failed']} failed "
                 f"since they started ({jobs['failure_rate']:.1%} failure rate)")
    lines.append("TikTok request budget (this hour and the last)")
    if not report["tiktok_budget"]:
        lines.append("  no waits and no 429s")
    for shop in report["tiktok_budget"]:
        lines.append(f"  shop {shop['shop']}: {shop['waits']} waits, {shop['waited_seconds']:.1f} s waited, "
                     f"{shop['429s']} 429s")
    lines.append("Stores (last contact; price/stock changes TikTok has not confirmed)")
    if not report["stores"]:
        lines.append("  no stores")
    for store in report["stores"]:
        unsent = (f"{store['unsent_changes']} unsent, oldest {_ago(store['oldest_unsent_at'], now)}"
                  if store["unsent_changes"] else "all sent")
        off = "" if store["sync_enabled"] else " (sync turned off)"
        lines.append(f"  {store['name']} [{store['store_id']}]{off}: last contact "
                     f"{_ago(store['last_contact_at'], now)}; {unsent}")
    return "\n".join(lines)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def status(as_json: bool) -> None:
    """Health figures: queue depths, failed jobs, TikTok budget waits, unsent changes, stores' last contact."""
    runtime = build_runtime()
    try:
        report = health_report(runtime)
    finally:
        runtime.close()
    if as_json:
        print_json(report)
    else:
        click.echo(render(report))
