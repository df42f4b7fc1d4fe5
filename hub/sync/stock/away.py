"""A store that went away must not leave its TikTok listings selling stock nobody can confirm.

A store is *away* when it has products on TikTok and either has not been in contact for the configured
silence (`HUB_STORE_SILENCE_MINUTES`, 30 by default: no signed Extension API call or long-poll, or for
a hosted store no successful platform call or webhook), or its hosted app was uninstalled or refused by
its platform (at once, not after the silence). Its TikTok listings then stop selling, the way the
merchant chose in the settings (`stock.when_store_away`):

- ``zero`` (the default): every SKU is offered 0 (the price and stock push reads `offered_quantity`);
  the listings stay live, so nothing has to pass TikTok's review again afterwards;
- ``deactivate``: the products are taken off sale on TikTok; the ones the hub took off are remembered.

The settings page shows a banner and the activity log, the log a warning line. When the store is back
(any contact again), the store's own stock is sent again and the products the hub took off sale go
back on sale. The action taken is kept on the store row, so changing the setting while a store is away
does not undo it halfway. The periodic check (`check_all`) runs under a time-slot job id; marking and
returning are conditional updates, so a check and a contact racing do it once. docs/decisions.md,
"A store that goes away".
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from hub.db import rows_changed
from hub.errors import AuthError, DataError, RetryableError
from hub.merchant_settings import load_settings
from hub.models import ActivityEntry, Listing, SkuBinding, Store
from hub.models.store_connections import CONNECTED, StoreCredential
from hub.sync import policy
from hub.sync.stock import soldout
from hub.sync.stock.schedule import bound_products, enqueue_pushes

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.sync.stock.rules import Desired

log = logging.getLogger("hub.sync.stock.away")

ZERO, DEACTIVATE = "zero", "deactivate"
CHECK_INTERVAL = 60.0
CHECK_JOB = "hub.jobs.stock.away_check_tick"
AWAY_JOB = "hub.jobs.stock.store_away_job"
BACK_JOB = "hub.jobs.stock.store_back_job"
CONTACT_NOTE_MS = 30_000   # a contact is written at most this often per store
BATCH = 20                 # TikTok's activate/deactivate take lists of product ids


def _now() -> datetime:
    return datetime.now(timezone.utc)


def zeroed(store: Store) -> bool:
    """Every SKU of the store is offered 0 now: it is away under the ``zero`` policy."""
    return store.away_since is not None and store.away_action == ZERO


def offered(store: Store, want: "Desired") -> "Desired":
    """What TikTok is offered for a SKU whose store values and rules give `want` (the pusher and the
    reconciliation both ask here, so the reconciliation never "repairs" an away store's 0)."""
    if not zeroed(store) or want.quantity == 0:
        return want
    return replace(want, quantity=0, stock_steps=[*want.stock_steps, "store away: 0"])


# -- after commit ---------------------------------------------------------------------------------------

def _after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction commits (never if it rolls back): a job must not
    start before the row it reads is visible."""
    callbacks: list[Callable[[], None]] = session.info.setdefault("hub_after_commit", [])
    if not callbacks:
        def run(_session: Session) -> None:
            pending = list(session.info.pop("hub_after_commit", []))
            for fn in pending:
                try:
                    fn()
                except Exception:  # noqa: BLE001 - the periodic check catches up
                    log.exception("Could not queue the work of a store that left or came back")

        def drop(_session: Session) -> None:
            session.info.pop("hub_after_commit", None)

        event.listen(session, "after_commit", run, once=True)
        event.listen(session, "after_soft_rollback", drop, once=True)
    callbacks.append(callback)


def _enqueue(runtime: "Runtime", job: str, store_id: str) -> None:
    from hub.queues import STOCK, enqueue_coalesced

    enqueue_coalesced(STOCK, job, f"{job.rsplit('.', 1)[1]}-{store_id}", store_id, connection=runtime.redis,
                      retry=policy.retry(policy.STOCK), result_ttl=0, failure_ttl=7 * 24 * 3600, job_timeout=600)


# -- going away -----------------------------------------------------------------------------------------

def _has_listings(session: Session, store_id: str) -> bool:
    return session.scalar(select(Listing.id).where(Listing.store_id == store_id,
                                                   Listing.tiktok_product_id.is_not(None)).limit(1)) is not None


def went_away(session: Session, store: Store, reason: str) -> bool:
    """Mark `store` away (once) for `reason`; its listings stop selling after the commit. True if marked.

    A store with nothing on TikTok is left alone: there is nothing to protect.
    """
    if store.away_since is not None or not _has_listings(session, store.id):
        return False
    action = load_settings(store.merchant.settings)["stock"]["when_store_away"]
    now = _now()
    if not rows_changed(session, update(Store).where(Store.id == store.id, Store.away_since.is_(None))
                        .values(away_since=now, away_reason=reason, away_action=action)):
        return False
    session.refresh(store)
    what = ("its TikTok stock is set to 0 until it is back" if action == ZERO else
            "its TikTok listings are taken off sale until it is back")
    session.add(ActivityEntry(
        merchant_id=store.merchant_id, store_id=store.id, kind="store.away", level="error", subject_type="store",
        subject_id=store.id, message=f"{store.name} is away: {reason} To stop overselling, {what}.",
        data={"action": action, "reason": reason}))
    log.warning("Store %s (%s) is away: %s; TikTok listings: %s", store.id, store.name, reason, action)
    from hub.runtime import current

    runtime = current()
    store_id = store.id
    _after_commit(session, lambda: _enqueue(runtime, AWAY_JOB, store_id))
    return True


def check_all(runtime: "Runtime") -> list[str]:
    """The periodic check: mark every silent or disconnected store with products on TikTok away."""
    limit = _now() - timedelta(seconds=runtime.settings.store_silence_seconds)
    gone: list[str] = []
    with runtime.db.session_scope() as session:
        listed = select(Listing.store_id).where(Listing.tiktok_product_id.is_not(None)).distinct()
        candidates = list(session.scalars(select(Store).where(Store.away_since.is_(None), Store.id.in_(listed))))
        credentials = {c.store_id: c for c in session.scalars(select(StoreCredential).where(
            StoreCredential.store_id.in_([s.id for s in candidates])))} if candidates else {}
        for store in candidates:
            credential = credentials.get(store.id)
            last = store.last_contact_at or store.created_at
            if credential is not None and credential.status != CONNECTED:
                reason = credential.status_reason or f"its {store.platform} connection is {credential.status}."
            elif last < limit:
                minutes = int((_now() - last).total_seconds() // 60)
                reason = (f"the hub has heard nothing from it for {minutes} minutes (since "
                          f"{last.astimezone(timezone.utc):%d %b %Y %H:%M} UTC).")
            else:
                continue
            if went_away(session, store, reason):
                gone.append(store.id)
    return gone


def take_off_sale(runtime: "Runtime", store_id: str) -> dict[str, Any]:
    """The job after a store went away: zero its stock (pushes) or deactivate its TikTok products."""
    from hub.tiktok.connection import client_for_merchant

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None or store.away_since is None:
            return {"status": "present"}
        if store.away_action == ZERO:
            action = ZERO
        else:
            action = DEACTIVATE
            already = set(store.away_deactivated or [])
            sold_out = set(session.scalars(select(SkuBinding.tiktok_product_id).where(
                SkuBinding.store_id == store_id, SkuBinding.sold_out_deactivated_at.is_not(None))))
            listed = {p for p in session.scalars(select(Listing.tiktok_product_id).where(
                Listing.store_id == store_id, Listing.tiktok_product_id.is_not(None))) if p}
            products = sorted(listed - already - sold_out)
            merchant_id = store.merchant_id
            try:
                client = client_for_merchant(session, merchant_id, runtime) if products else None
            except AuthError as error:
                policy.park(runtime, merchant_id, error, "taking an away store's listings off sale")
                return {"status": policy.PARKED}
    if action == ZERO:
        bound = bound_products(runtime, store_id)
        enqueue_pushes(runtime, store_id, bound)
        return {"status": "zeroing", "products": len(bound)}
    done = _batch_call(runtime, store_id, client, "deactivate", products)
    return {"status": "deactivated", "products": done}


def _batch_call(runtime: "Runtime", store_id: str, client: Any, what: str, products: list[str]) -> list[str]:
    """(De)activate `products` in batches, recording each batch TikTok took (so a retry resumes)."""
    done: list[str] = []
    if client is None:
        return done
    with client:
        for start in range(0, len(products), BATCH):
            batch = products[start:start + BATCH]
            try:
                answer = getattr(client.products, what)(batch)
            except DataError as error:
                log.warning("TikTok refused to %s products of away store %s: %s", what, store_id, error.message)
                continue
            except AuthError as error:
                with runtime.db.session_scope() as session:
                    merchant_id = session.get_one(Store, store_id).merchant_id
                policy.park(runtime, merchant_id, error, f"to {what} the products of a store that left or came back")
                break
            except RetryableError:
                _record(runtime, store_id, what, done)
                raise
            ok = [p for p in batch if soldout.batch_error(answer, p) is None]
            done.extend(ok)
    _record(runtime, store_id, what, done)
    return done


def _record(runtime: "Runtime", store_id: str, what: str, products: list[str]) -> None:
    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None:
            return
        current = set(store.away_deactivated or [])
        current = current | set(products) if what == "deactivate" else current - set(products)
        store.away_deactivated = sorted(current) or None


# -- coming back ----------------------------------------------------------------------------------------

def came_back(session: Session, store: Store) -> bool:
    """`store` was in contact: if it was away, it is back (its listings sell again after the commit)."""
    if store.away_since is None:
        return False
    credential = session.scalar(select(StoreCredential).where(StoreCredential.store_id == store.id))
    if credential is not None and credential.status != CONNECTED:
        return False  # an uninstalled or refused hosted app is back only once it is connected again
    if not rows_changed(session, update(Store).where(Store.id == store.id, Store.away_since.is_not(None))
                        .values(away_since=None, away_reason=None, away_action=None)):
        return False
    session.refresh(store)
    session.add(ActivityEntry(
        merchant_id=store.merchant_id, store_id=store.id, kind="store.back", level="info", subject_type="store",
        subject_id=store.id, message=f"{store.name} is back: its stock is sent to TikTok again and listings taken "
                                     "off sale while it was away are put back on sale."))
    log.warning("Store %s (%s) is back; restoring its TikTok listings", store.id, store.name)
    from hub.runtime import current

    runtime = current()
    store_id = store.id
    _after_commit(session, lambda: _enqueue(runtime, BACK_JOB, store_id))
    return True


def note_contact(runtime: "Runtime", store_id: str) -> None:
    """A hosted store answered (a successful platform call, a verified webhook): record the contact, at
    most every 30 s per store, and bring the store back if it was away."""
    try:
        if not runtime.redis.set(f"hub:store:contact:{store_id}", b"1", nx=True, px=CONTACT_NOTE_MS):
            return
    except Exception:  # noqa: BLE001 - without Redis every contact is written; that is only slower
        pass
    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None:
            return
        store.last_contact_at = _now()
        came_back(session, store)


def restore(runtime: "Runtime", store_id: str) -> dict[str, Any]:
    """The job after a store came back: send its stock again, put back on sale what the hub took off."""
    from hub.tiktok.connection import client_for_merchant

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None or store.away_since is not None:
            return {"status": "away"}
        products = list(store.away_deactivated or [])
        client = None
        if products:
            try:
                client = client_for_merchant(session, store.merchant_id, runtime)
            except AuthError as error:
                policy.park(runtime, store.merchant_id, error, "putting a returned store's listings back on sale")
                return {"status": policy.PARKED}
    pushed = bound_products(runtime, store_id)
    enqueue_pushes(runtime, store_id, pushed)
    activated = _batch_call(runtime, store_id, client, "activate", products)
    return {"status": "restored", "pushed": len(pushed), "activated": activated}


def away_stores(session: Session, store_ids: Any) -> list[Store]:
    """The stores among `store_ids` (a select of ids) that are away now, for the settings page's banner."""
    return list(session.scalars(select(Store).where(Store.id.in_(store_ids), Store.away_since.is_not(None))
                                .order_by(Store.away_since)))
