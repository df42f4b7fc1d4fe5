"""Review tracking: TikTok's audit and product status → the statuses merchants see (docs/statuses.md).

Webhooks 5 (PRODUCT_STATUS_CHANGE) and 37 (PRODUCT_AUDIT_STATUS_CHANGE) say *that* something changed;
the hub then reads the product (Get Product) and maps its current state, so deliveries that arrive
twice, late or out of order still end in the right status. When the read fails for a reason other
than "gone", the webhook's own data is used. A periodic poll (`poll`) covers webhooks that never come.

    PENDING                      → Under review
    ACTIVATE                     → Active (also while an edit is being re-reviewed)
    FAILED / audit FAILED        → Failed review, TikTok's reasons kept, with a Seller Center link
    SELLER_/PLATFORM_DEACTIVATED, FREEZE, DRAFT, DELETED → Synced (on TikTok but not for sale)
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import DataError
from hub.models import Listing, ListingPlan, Store, TikTokShop
from hub.models.listings import ACTIVE, FAILED_REVIEW, SYNCED, UNDER_REVIEW
from hub.sync.products.exporter import SELLER_CENTER_URL, kept_warnings, set_status
from hub.sync.products.categories import ensure_plan

if TYPE_CHECKING:
    from hub.models.tiktok_notifications import TikTokNotification
    from hub.runtime import Runtime
    from hub.tiktok.client import ShopClient

log = logging.getLogger("hub.sync.products")

GONE_CODES = {"tiktok_12019150", "tiktok_12052032", "tiktok_12052260"}
SYNCED_REASONS = {
    "SELLER_DEACTIVATED": "Deactivated on TikTok, so buyers cannot see it.",
    "PLATFORM_DEACTIVATED": "Deactivated by TikTok, so buyers cannot see it.",
    "FREEZE": "Frozen by TikTok, so buyers cannot see it.",
    "DRAFT": "Saved as a draft on TikTok, not listed.",
    "DELETED": "Deleted on TikTok.",
}


def seller_center_link(tiktok_product_id: str) -> str:
    return f"{SELLER_CENTER_URL}?product_id={tiktok_product_id}"


def _review_reason(product: Mapping[str, Any], fallback: str | None) -> str:
    parts = []
    for item in product.get("audit_failed_reasons") or []:
        reasons = "; ".join(str(r) for r in item.get("reasons") or [])
        suggestions = " ".join(str(s) for s in item.get("suggestions") or [])
        text = " ".join(p for p in (reasons and reasons.rstrip(".") + ".", suggestions) if p)
        if text:
            parts.append(text)
    return " ".join(parts) or fallback or "TikTok rejected the product in review (no reason given)."


def apply_state(listing: Listing, plan: ListingPlan | None, product: Mapping[str, Any],
                suspended_reason: str | None = None) -> str:
    """Map TikTok's product state onto the listing; returns the new status."""
    status = str(product.get("status") or "")
    audit = str((product.get("audit") or {}).get("status") or "")
    tiktok_id = str(listing.tiktok_product_id)
    if plan is not None:
        plan.tiktok_status = status or plan.tiktok_status
        plan.checked_at = datetime.now(timezone.utc)
    # Deactivated by the hub itself (deleted in the store, or sold out where TikTok refuses 0 stock): its
    # own reason says why and what happens next, which "deactivated on TikTok" would hide.
    keep_reason = listing.reason_code in ("deleted_in_store", "sold_out_deactivated")
    if status in SYNCED_REASONS:
        if not keep_reason:
            reason = SYNCED_REASONS[status]
            if status == "PLATFORM_DEACTIVATED" and suspended_reason:
                reason += f" TikTok's reason: {suspended_reason}"
            set_status(listing, SYNCED, reason, f"Check it in TikTok Seller Center: {seller_center_link(tiktok_id)}",
                       f"tiktok_{status.lower()}", kept_warnings(listing))
        return listing.status
    if status == "FAILED" or (audit == "FAILED" and status != "ACTIVATE"):
        reason = _review_reason(product, suspended_reason)
        if plan is not None:
            plan.review_reason = reason
        set_status(listing, FAILED_REVIEW, reason,
                   f"Fix it in your store, then click Sync to resubmit; details in TikTok Seller Center: "
                   f"{seller_center_link(tiktok_id)}", "tiktok_review_failed", kept_warnings(listing))
        return FAILED_REVIEW
    if status == "ACTIVATE":
        if listing.status != ACTIVE or listing.reason_code:
            note = None
            if audit == "FAILED":
                note = ("Live on TikTok; TikTok rejected the latest changes: "
                        f"{_review_reason(product, suspended_reason)}")
            set_status(listing, ACTIVE, note or "Live on TikTok: buyers can purchase it.",
                       f"See TikTok Seller Center: {seller_center_link(tiktok_id)}" if note else None,
                       "tiktok_edit_rejected" if note else None, kept_warnings(listing))
        return ACTIVE
    if status in ("PENDING", "SCHEDULED") or audit in ("AUDITING", "PRE_APPROVED"):
        if listing.status != UNDER_REVIEW:
            reason = "Waiting for TikTok's review."
            if audit == "PRE_APPROVED":
                reason = "Pre-approved by TikTok; final approval is pending."
            set_status(listing, UNDER_REVIEW, reason, issues=kept_warnings(listing))
        return UNDER_REVIEW
    return listing.status


def refresh(session: Session, client: "ShopClient", listing: Listing, *,
            webhook: Mapping[str, Any] | None = None) -> str:
    """Read the product from TikTok and apply its state to the listing."""
    plan = session.scalar(select(ListingPlan).where(ListingPlan.store_id == listing.store_id,
                                                   ListingPlan.product_id == listing.product_id))
    suspended = (webhook or {}).get("suspended_reason") or None
    try:
        product = client.products.get(str(listing.tiktok_product_id))
    except DataError as error:
        if error.code in GONE_CODES:
            return apply_state(listing, plan, {"status": "DELETED"})
        if webhook is None:
            raise
        seen = _from_webhook(webhook)
        if seen is None:
            raise
        product = seen
    return apply_state(listing, plan, product, suspended)


def _from_webhook(data: Mapping[str, Any]) -> dict[str, Any] | None:
    status = data.get("status")
    audit = (data.get("audit") or {}).get("status") if isinstance(data.get("audit"), Mapping) else None
    if status == "PRODUCT_FIRST_PASS_REVIEW" or audit == "APPROVED":
        return {"status": "ACTIVATE", "audit": {"status": "APPROVED"}}
    if status == "PRODUCT_AUDIT_FAILURE" or audit == "FAILED":
        reason = data.get("suspended_reason") or None
        return {"status": "FAILED", "audit": {"status": "FAILED"},
                "audit_failed_reasons": [{"reasons": [reason]}] if reason else []}
    if audit in ("AUDITING", "PRE_APPROVED"):
        return {"status": "PENDING", "audit": {"status": audit}}
    return None


def _listings_for(session: Session, shop: TikTokShop, tiktok_product_id: str) -> list[Listing]:
    return list(session.scalars(select(Listing).join(Store, Store.id == Listing.store_id).where(
        Store.merchant_id == shop.merchant_id, Listing.tiktok_product_id == tiktok_product_id)))


def on_notification(session: Session, shop: TikTokShop, notification: "TikTokNotification") -> None:
    """Webhook handler for product notifications (types 5, 15, 16, 37), called by the notification job."""
    from hub.runtime import current
    from hub.tiktok.connection import client_for_shop

    data = (notification.payload or {}).get("data") or {}
    product_id = str(data.get("product_id") or "")
    if notification.type not in (5, 37) or not product_id:
        return  # 15 (information changed) and 16 (created) need nothing: the hub made those changes
    _noted(current(), shop.shop_id, product_id)  # before looking: a create recorded meanwhile sees it
    listings = _listings_for(session, shop, product_id)
    if not listings:
        return  # not (yet) recorded as ours: `after_created` reads it if it becomes ours
    went_live: list[Listing] = []
    with client_for_shop(current(), shop) as client:
        for listing in listings:
            before = listing.status
            if refresh(session, client, listing, webhook=data) == ACTIVE and before != ACTIVE:
                went_live.append(listing)
    if went_live:
        # TikTok refuses price updates until a product is live: changes the store made during the review
        # are pushed now rather than at the next reconciliation.
        from hub.sync.stock.schedule import after_stock_changes

        for listing in went_live:
            after_stock_changes(current(), listing.store_id, [listing.product_id])


# A status notification about a product the hub had not recorded yet: TikTok created it but the create's
# answer was lost, and the review ended before the retry recorded it. Kept long enough for the listing
# job's retries (its backoff reaches minutes), then the periodic poll is the fallback.
NOTED_SECONDS = 1800


def _noted_key(shop_id: str, tiktok_product_id: str) -> str:
    return f"hub:tiktok:status-noted:{shop_id}:{tiktok_product_id}"


def _noted(runtime: "Runtime", shop_id: str, tiktok_product_id: str) -> None:
    runtime.redis.set(_noted_key(shop_id, tiktok_product_id), 1, ex=NOTED_SECONDS)


def after_created(runtime: "Runtime", client: "ShopClient", shop_id: str, store_id: str, product_id: str,
                  tiktok_product_id: str) -> None:
    """Once a create is recorded: if TikTok already reported a status change of that product, read it now
    (its notification found no listing then), so it does not stay "Under review" until the next poll."""
    if not runtime.redis.delete(_noted_key(shop_id, tiktok_product_id)):
        return
    try:
        with runtime.db.session_scope() as session:
            listing = session.scalar(select(Listing).where(Listing.store_id == store_id,
                                                           Listing.product_id == product_id))
            if listing is None or listing.tiktok_product_id != tiktok_product_id:
                return
            went_live = listing.status != ACTIVE and refresh(session, client, listing) == ACTIVE
    except Exception:  # noqa: BLE001 - the product is recorded; the periodic poll reads it instead
        log.warning("Could not read the status of new TikTok product %s; the review poll will", tiktok_product_id,
                    exc_info=True)
        return
    if went_live:
        from hub.sync.stock.schedule import after_stock_changes

        after_stock_changes(runtime, store_id, [product_id])  # held back during the review


def poll(runtime: "Runtime", *, older_than: timedelta = timedelta(minutes=5), limit: int = 200) -> int:
    """Fallback for lost webhooks: re-read products still under review (and live ones now and then)."""
    from hub.tiktok.connection import client_for_shop

    cutoff = datetime.now(timezone.utc) - older_than
    checked = 0
    with runtime.db.session_scope() as session:
        rows = session.execute(
            select(Listing, Store.merchant_id).join(Store, Store.id == Listing.store_id)
            .join(ListingPlan, (ListingPlan.store_id == Listing.store_id) & (ListingPlan.product_id == Listing.product_id),
                  isouter=True)
            .where(Listing.tiktok_product_id.is_not(None), Listing.status == UNDER_REVIEW,
                   (ListingPlan.checked_at.is_(None)) | (ListingPlan.checked_at < cutoff))
            .limit(limit)).all()
        by_merchant: dict[str, list[Listing]] = {}
        for listing, merchant_id in rows:
            by_merchant.setdefault(merchant_id, []).append(listing)
        for merchant_id, listings in by_merchant.items():
            shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
            if shop is None:
                continue
            try:
                client = client_for_shop(runtime, shop)
            except Exception:  # noqa: BLE001 - a broken connection is shown elsewhere; try the others
                continue
            with client:
                for listing in listings:
                    ensure_plan(session, listing.store_id, listing.product_id)
                    try:
                        with session.begin_nested():
                            refresh(session, client, listing)
                        checked += 1
                    except DataError as error:
                        log.warning("Polling TikTok product %s failed: %s", listing.tiktok_product_id, error.message)
    return checked
