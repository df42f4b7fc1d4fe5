"""Products a merchant already sells on TikTok: find them, propose links, and bind what is confirmed.

A merchant who sold on TikTok before connecting would otherwise get every product twice. So on
connecting (a TikTok shop, or a store to a merchant whose shop is connected), and whenever the merchant
asks, the hub reads the shop's products (product search, 100 a page; the product detail only for
products whose SKUs did not all match by seller SKU, because search results carry no barcodes) and
matches each TikTok product to a store product:

1. by seller SKU (TikTok's `seller_sku` = the store variant's `sku`, compared without case or spaces
   around it);
2. for SKUs without a SKU match, by barcode (TikTok's `identifier_code` = the variant's barcode or the
   identifier code set on the product page, compared as GTIN-14: an EAN-13 and the same GTIN match).

A TikTok product whose SKUs all point into one store product (each SKU at a different variant) is
*matched*; one whose SKUs point into several store products, or that shares its store product with
another TikTok product, is *ambiguous* (the merchant picks); one with no match is *unmatched* and left
alone on TikTok. Store products already on TikTok through the hub, and TikTok products already bound,
are not proposed.

Nothing is created while the reading runs, and a store product in a matched or ambiguous proposal is
not created until the merchant decides (`hold`): that is what keeps duplicates out. Confirming turns
each link into the same SKU bindings the exporter writes, with the SKU's TikTok warehouse, and a
listing in TikTok's current state; price and stock are then pushed from the store, while title,
description, pictures and attributes stay as they are on TikTok until the merchant clicks Resync
details (the listing is marked "details changed" so the product page offers it).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping, cast

from sqlalchemy import Table, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from hub.errors import AuthError, DataError, HubError
from hub.models import Listing, ListingPlan, ProductOverride, ProductSnapshot, SkuBinding, Store
from hub.models.links import (AMBIGUOUS, DECLINED, FAILED, LINKED, MATCHED, PENDING_STATES, READY, SCANNING,
                              UNMATCHED, LinkCandidate, LinkReview)
from hub.models.listings import ACTIVE, NOT_SYNCED
from hub.queues import DETAILS, enqueue_coalesced
from hub.sync import policy
from hub.sync.products import reasons

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.tiktok.client import ShopClient

log = logging.getLogger("hub.sync.products.linking")

SCAN_JOB = "hub.jobs.products.link_scan"
PUSH_JOB = "hub.jobs.products.link_push"
PAGE_SIZE = 100
# A reading that has not finished after this long died with its worker: it no longer holds listings.
SCAN_STALE = timedelta(hours=1)
BULK = 500


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ---- starting a reading --------------------------------------------------------------------------------

def scan_job_id(store_id: str) -> str:
    from hub.queues import id_part

    return f"link-{id_part(store_id)}"


def start(runtime: "Runtime", store_id: str, *, enqueue: bool = True) -> None:
    """Mark the store as being read (new listings wait) and enqueue the reading (or let the caller run it)."""
    with runtime.db.session_scope() as session:
        review = session.get(LinkReview, store_id)
        if review is None:
            review = LinkReview(store_id=store_id)
            session.add(review)
        review.status, review.message, review.started_at, review.finished_at = SCANNING, None, _now(), None
    if not enqueue:
        return
    enqueue_coalesced(DETAILS, SCAN_JOB, scan_job_id(store_id), store_id, connection=runtime.redis,
                      retry=policy.retry(policy.RECONCILE), result_ttl=600, failure_ttl=7 * 24 * 3600,
                      job_timeout=1800)


def start_for_merchant(runtime: "Runtime", merchant_id: str) -> list[str]:
    """After a TikTok shop is connected: read its products for every store of the merchant."""
    with runtime.db.session_scope() as session:
        store_ids = list(session.scalars(select(Store.id).where(Store.merchant_id == merchant_id,
                                                                Store.revoked_at.is_(None))))
    for store_id in store_ids:
        start(runtime, store_id)
    return store_ids


def start_if_connected(runtime: "Runtime", store_id: str) -> bool:
    """After a store is connected: read the shop's products if the merchant has a shop."""
    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        connected = store is not None and policy.shop_for_store(session, store) is not None
    if connected:
        start(runtime, store_id)
    return connected


# ---- what holds a listing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hold:
    code: str
    reason: str
    fix: str


def hold(session: Session, store_id: str, product_id: str) -> Hold | None:
    """Why this store product must not be created on TikTok now, or None."""
    review = session.get(LinkReview, store_id)
    if review is None:
        return None
    everything = _review_hold(review)
    if everything is not None:
        return everything
    row = session.scalar(select(LinkCandidate).where(
        LinkCandidate.store_id == store_id, LinkCandidate.product_id == product_id,
        LinkCandidate.state.in_(PENDING_STATES)).order_by(LinkCandidate.id).limit(1))
    if row is None:
        row = _late_match(session, store_id, product_id)
    return _pending_hold(row) if row is not None else None


def _review_hold(review: LinkReview) -> Hold | None:
    """The hold every product of the store is under while its reading runs or after it failed."""
    if review.status == SCANNING and review.started_at > _now() - SCAN_STALE:
        return Hold(reasons.LINK_SCAN, reasons.REASONS[reasons.LINK_SCAN].message,
                    reasons.REASONS[reasons.LINK_SCAN].fix)
    if review.status in (FAILED, SCANNING):
        message = review.message or "the reading did not finish."
        return Hold(reasons.LINK_SCAN_FAILED, f"The hub could not read the products your TikTok shop already has "
                    f"({message.rstrip('.')}), so it lists nothing new rather than risk duplicates.",
                    reasons.REASONS[reasons.LINK_SCAN_FAILED].fix)
    return None


def _pending_hold(row: Any) -> Hold:
    how = "barcode" if row.method == "barcode" else "seller SKU"
    text = (f"Already on TikTok as “{row.tiktok_title}” (TikTok product {row.tiktok_product_id}, same {how}): "
            "it is not listed again.")
    if row.state == AMBIGUOUS:
        text = (f"Could be the TikTok product “{row.tiktok_title}” ({row.tiktok_product_id}, same {how}), which "
                "matches more than one store product: it is not listed until you choose.")
    return Hold(reasons.LINK_PENDING, text, reasons.REASONS[reasons.LINK_PENDING].fix)


def without_held(session: Session, store_id: str, product_ids: list[str]) -> list[str]:
    """`product_ids` less those that must wait, whose listings say why (in bulk, no job per product).

    Enqueueing calls this so that a reading or a proposal of hundreds of products does not cost a
    listing job each; the exporter's own `hold` check stays the guarantee for anything enqueued.
    """
    review = session.get(LinkReview, store_id)
    if review is None or not product_ids:
        return product_ids
    held: dict[str, Hold] = {}
    everything = _review_hold(review)
    if everything is not None:
        held = {p: everything for p in product_ids}
    else:
        for start_at in range(0, len(product_ids), BULK):
            for row in session.execute(select(
                    LinkCandidate.product_id, LinkCandidate.tiktok_title, LinkCandidate.tiktok_product_id,
                    LinkCandidate.method, LinkCandidate.state).where(
                    LinkCandidate.store_id == store_id, LinkCandidate.product_id.in_(product_ids[start_at:start_at + BULK]),
                    LinkCandidate.state.in_(PENDING_STATES)).order_by(LinkCandidate.id)).all():
                held.setdefault(str(row.product_id), _pending_hold(row))
    if not held:
        return product_ids
    ids = list(held)
    existing: set[str] = set()
    for start_at in range(0, len(ids), BULK):
        existing.update(session.scalars(select(Listing.product_id).where(
            Listing.store_id == store_id, Listing.product_id.in_(ids[start_at:start_at + BULK]))))
    now = _now()
    table = cast(Table, Listing.__table__)
    changes = [{"s": store_id, "p": p, "status": NOT_SYNCED, "reason": h.reason, "fix": h.fix, "code": h.code, "at": now}
               for p, h in held.items() if p in existing]
    if changes:
        session.execute(update(table).where(table.c.store_id == bindparam("s"), table.c.product_id == bindparam("p"),
                                            table.c.tiktok_product_id.is_(None))
                        .values(status=bindparam("status"), reason=bindparam("reason"), fix=bindparam("fix"),
                                reason_code=bindparam("code"), updated_at=bindparam("at")), changes)
    fresh = [{"store_id": store_id, "product_id": p, "status": NOT_SYNCED, "reason": h.reason, "fix": h.fix,
              "reason_code": h.code, "updated_at": now} for p, h in held.items() if p not in existing]
    if fresh:
        session.execute(insert(Listing), fresh)
    return [p for p in product_ids if p not in held]


def _late_match(session: Session, store_id: str, product_id: str) -> LinkCandidate | None:
    """A store product that arrived after the reading (a store connected before its catalogue came in)
    and matches a TikTok product nothing matched then: it becomes that product's proposal now."""
    if session.scalar(select(LinkCandidate.id).where(LinkCandidate.store_id == store_id,
                                                     LinkCandidate.state == UNMATCHED).limit(1)) is None:
        return None
    snapshot = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                            ProductSnapshot.product_id == product_id))
    if snapshot is None:
        return None
    index = StoreIndex({}, {}, {product_id: snapshot.title})
    codes = {o.variant_id: o.identifier_code for o in session.scalars(select(ProductOverride).where(
        ProductOverride.store_id == store_id, ProductOverride.product_id == product_id,
        ProductOverride.identifier_code.is_not(None)))}
    for variant in (snapshot.data or {}).get("variants") or []:
        key = (product_id, str(variant.get("id")))
        if norm_sku(variant.get("sku")):
            index.by_sku.setdefault(norm_sku(variant.get("sku")), []).append(key)
        barcode = norm_barcode(codes.get(key[1]) or variant.get("barcode"))
        if barcode:
            index.by_barcode.setdefault(barcode, []).append(key)
    keys = [f"|sku:{k}|" for k in index.by_sku] + [f"|bc:{k}|" for k in index.by_barcode]
    if not keys:
        return None
    unmatched = session.scalars(select(LinkCandidate).where(
        LinkCandidate.store_id == store_id, LinkCandidate.state == UNMATCHED,
        or_(*[LinkCandidate.match_keys.contains(k, autoescape=True) for k in keys])).order_by(LinkCandidate.id))
    for row in unmatched:
        skus = [dict(s) for s in row.skus or []]
        candidate = Proposal(row.tiktok_product_id, row.tiktok_title, row.tiktok_status, None, skus,
                             [[] for _ in skus], [None for _ in skus])
        _candidates(candidate, index, barcodes=True)
        made = _rows(store_id, [candidate], index.titles)
        if made and made[0]["state"] == MATCHED:
            found = made[0]
            row.state, row.method, row.product_id = MATCHED, found["method"], product_id
            row.title, row.note, row.skus = found["title"], found["note"], found["skus"]
            session.flush()
            return row
    return None


# ---- reading and matching ----------------------------------------------------------------------------------

def norm_sku(value: Any) -> str:
    return str(value or "").strip().casefold()


def norm_barcode(value: Any) -> str:
    """A barcode as GTIN-14 digits, so the same article matches whether typed as EAN-13, UPC or GTIN."""
    text = re.sub(r"[\s-]+", "", str(value or "")).upper()
    if re.fullmatch(r"\d{9}[\dX]", text):  # ISBN-10 → the ISBN-13 (an EAN-13) it also is
        try:
            from stdnum import isbn

            text = isbn.to_isbn13(text)
        except Exception:  # not a valid ISBN: compare as typed
            return text
    if not text.isdigit() or not 8 <= len(text) <= 14:
        return text
    return text.zfill(14)


def match_keys(skus: Iterable[Mapping[str, Any]]) -> str:
    keys = [f"sku:{norm_sku(s.get('seller_sku'))}" for s in skus if norm_sku(s.get("seller_sku"))]
    keys += [f"bc:{norm_barcode(s.get('barcode'))}" for s in skus if norm_barcode(s.get("barcode"))]
    return "|" + "|".join(keys) + "|" if keys else ""


@dataclass
class StoreIndex:
    by_sku: dict[str, list[tuple[str, str]]]
    by_barcode: dict[str, list[tuple[str, str]]]
    titles: dict[str, str]


def _store_index(session: Session, store_id: str) -> StoreIndex:
    """Seller SKUs and barcodes of every store product not yet on TikTok."""
    listed = set(session.scalars(select(Listing.product_id).where(Listing.store_id == store_id,
                                                                  Listing.tiktok_product_id.is_not(None))))
    listed |= set(session.scalars(select(SkuBinding.product_id).where(SkuBinding.store_id == store_id).distinct()))
    codes = {(o.product_id, o.variant_id): o.identifier_code for o in session.scalars(select(ProductOverride).where(
        ProductOverride.store_id == store_id, ProductOverride.identifier_code.is_not(None)))}
    index = StoreIndex({}, {}, {})
    for snapshot in session.scalars(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                                  ProductSnapshot.deleted.is_(False))):
        if snapshot.product_id in listed:
            continue
        index.titles[snapshot.product_id] = snapshot.title
        for variant in (snapshot.data or {}).get("variants") or []:
            variant_id = str(variant.get("id"))
            key = (snapshot.product_id, variant_id)
            sku = norm_sku(variant.get("sku"))
            if sku:
                index.by_sku.setdefault(sku, []).append(key)
            barcode = norm_barcode(codes.get(key) or variant.get("barcode"))
            if barcode:
                index.by_barcode.setdefault(barcode, []).append(key)
    return index


def _read_shop(client: "ShopClient") -> list[dict[str, Any]]:
    products: list[dict[str, Any]] = []
    token = None
    while True:
        page = client.products.search(page_size=PAGE_SIZE, page_token=token)
        products.extend(page.get("products") or [])
        token = page.get("next_page_token")
        if not token:
            return products


def _warehouse(sku: Mapping[str, Any]) -> str | None:
    """The SKU's warehouse when it has one; with several, the stock push reads it from TikTok."""
    found = [str(i["warehouse_id"]) for i in sku.get("inventory") or [] if i.get("warehouse_id")]
    return found[0] if len(found) == 1 else None


@dataclass
class Proposal:
    tiktok_product_id: str
    title: str
    status: str | None
    audit: str | None
    skus: list[dict[str, Any]]
    # per SKU index: the store (product, variant) pairs it could be, and how they were found
    candidates: list[list[tuple[str, str]]]
    methods: list[str | None]


def _candidates(proposal: Proposal, index: StoreIndex, *, barcodes: bool) -> None:
    for n, sku in enumerate(proposal.skus):
        found = index.by_sku.get(norm_sku(sku["seller_sku"]), []) if sku["seller_sku"] else []
        method: str | None = "sku" if found else None
        if not found and barcodes and sku.get("barcode"):
            found = index.by_barcode.get(norm_barcode(sku["barcode"]), [])
            method = "barcode" if found else None
        proposal.candidates[n], proposal.methods[n] = list(dict.fromkeys(found)), method


def _rows(store_id: str, proposals: list[Proposal], titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """Candidate rows: matched, ambiguous (one row per possible store product) or unmatched."""
    matched: dict[str, list[Proposal]] = {}
    verdicts: dict[str, tuple[str, set[str]]] = {}
    for p in proposals:
        products = {pid for cands in p.candidates for pid, _ in cands}
        if not products:
            verdicts[p.tiktok_product_id] = (UNMATCHED, set())
            continue
        variants = [c[0] for c in p.candidates if len(c) == 1]
        single = (len(products) == 1 and all(len(c) <= 1 for c in p.candidates)
                  and len(set(variants)) == len(variants))
        verdicts[p.tiktok_product_id] = (MATCHED if single else AMBIGUOUS, products)
        if single:
            matched.setdefault(next(iter(products)), []).append(p)
    for same in matched.values():  # one store product, several TikTok products: the merchant picks
        if len(same) > 1:
            for p in same:
                verdicts[p.tiktok_product_id] = (AMBIGUOUS, verdicts[p.tiktok_product_id][1])
    out = []
    for p in proposals:
        state, products = verdicts[p.tiktok_product_id]
        method = "barcode" if "barcode" in p.methods else ("sku" if "sku" in p.methods else None)
        base = {"store_id": store_id, "tiktok_product_id": p.tiktok_product_id, "state": state, "method": method,
                "tiktok_title": p.title[:500], "tiktok_status": p.status, "match_keys": match_keys(p.skus)}
        if state == UNMATCHED:
            out.append(dict(base, product_id=None, title=None, note=None,
                            skus=[dict(s, variant_id=None) for s in p.skus]))
            continue
        for product_id in sorted(products):
            skus = [dict(s, variant_id=next((v for pid, v in cands if pid == product_id), None))
                    for s, cands in zip(p.skus, p.candidates)]
            note = None
            unbound = sum(1 for s in skus if s["variant_id"] is None)
            if state == AMBIGUOUS:
                note = ("Matches more than one store product." if len(products) > 1 else
                        "Several TikTok products (or SKUs) match this store product.")
            elif unbound:
                note = f"{unbound} of {len(skus)} TikTok SKUs have no store variant; they are left as they are."
            out.append(dict(base, product_id=product_id, title=(titles.get(product_id) or "")[:500], note=note,
                            skus=skus))
    return out


def scan(runtime: "Runtime", store_id: str) -> dict[str, Any]:
    """Read the shop's products, match them and store the proposal; then release the waiting listings."""
    from hub.tiktok.connection import client_for_shop

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None:
            return {"status": "missing"}
        shop = policy.shop_for_store(session, store)
        if shop is None:
            _finish(runtime, store_id, FAILED, "no TikTok shop is connected")
            return {"status": FAILED}
        merchant_id = store.merchant_id
        stores = list(session.scalars(select(Store.id).where(Store.merchant_id == merchant_id)))
        bound = set(session.scalars(select(SkuBinding.tiktok_product_id).where(
            SkuBinding.store_id.in_(stores)).distinct()))
        bound |= set(session.scalars(select(Listing.tiktok_product_id).where(
            Listing.store_id.in_(stores), Listing.tiktok_product_id.is_not(None))))
        index = _store_index(session, store_id)
        client = client_for_shop(runtime, shop)
    try:
        with client:
            found = [p for p in _read_shop(client) if str(p.get("id")) not in bound]
            proposals = [Proposal(str(p["id"]), str(p.get("title") or ""), p.get("status"),
                                  (p.get("audit") or {}).get("status"),
                                  [{"tiktok_sku_id": str(s.get("id")), "seller_sku": str(s.get("seller_sku") or ""),
                                    "barcode": None, "warehouse_id": _warehouse(s)} for s in p.get("skus") or []],
                                  [[] for _ in p.get("skus") or []], [None for _ in p.get("skus") or []])
                         for p in found]
            details = 0
            for proposal in proposals:
                _candidates(proposal, index, barcodes=False)
                if any(not c for c in proposal.candidates):
                    # Search results carry no barcodes: read the product for its identifier codes (also
                    # when no store product matches yet: one that arrives later is matched by them).
                    detail = client.products.get(proposal.tiktok_product_id)
                    details += 1
                    codes = {str(s.get("id")): (s.get("identifier_code") or {}).get("code")
                             for s in detail.get("skus") or []}
                    for sku in proposal.skus:
                        sku["barcode"] = codes.get(sku["tiktok_sku_id"])
                    _candidates(proposal, index, barcodes=True)
    except AuthError as error:
        policy.park(runtime, merchant_id, error, "reading the products your TikTok shop already has")
        _finish(runtime, store_id, FAILED, f"TikTok refused the hub's access: {error.message}; reconnect TikTok Shop")
        return {"status": FAILED}
    except DataError as error:
        _finish(runtime, store_id, FAILED, f"TikTok refused the product search: {error.message}")
        return {"status": FAILED}
    except HubError as error:
        if policy.last_attempt():
            _finish(runtime, store_id, FAILED, f"TikTok could not be reached: {error.message}")
        raise
    rows = _rows(store_id, proposals, index.titles)
    with runtime.db.session_scope() as session:
        session.execute(delete(LinkCandidate).where(LinkCandidate.store_id == store_id, LinkCandidate.state != LINKED))
        for start_at in range(0, len(rows), BULK):
            session.execute(insert(LinkCandidate), rows[start_at:start_at + BULK])
    counts = _finish(runtime, store_id, READY, None, tiktok_products=len(proposals))
    released = _release(runtime, store_id, [reasons.LINK_SCAN, reasons.LINK_SCAN_FAILED])
    log.info("Read %d TikTok products for store %s (%d details): %s", len(proposals), store_id, details, counts)
    return {"status": READY, "tiktok_products": len(proposals), "details_read": details, "released": released,
            **counts}


def _finish(runtime: "Runtime", store_id: str, status: str, message: str | None,
            tiktok_products: int | None = None) -> dict[str, int]:
    with runtime.db.session_scope() as session:
        review = session.get(LinkReview, store_id)
        if review is None:
            review = LinkReview(store_id=store_id)
            session.add(review)
        review.status, review.message, review.finished_at = status, message, _now()
        if tiktok_products is not None:
            review.tiktok_products = tiktok_products
        session.flush()
        return counts(session, store_id)


def _release(runtime: "Runtime", store_id: str, codes: list[str]) -> int:
    """Send the listings that waited for the reading (or for a decision); the exporter holds any that
    must still wait, with the reason why."""
    from hub.sync.products.schedule import enqueue_listings

    with runtime.db.session_scope() as session:
        waiting = list(session.scalars(select(Listing.product_id).where(
            Listing.store_id == store_id, Listing.reason_code.in_(codes), Listing.tiktok_product_id.is_(None))))
    return enqueue_listings(runtime, store_id, waiting)


# ---- showing the proposal -------------------------------------------------------------------------------------

def counts(session: Session, store_id: str) -> dict[str, int]:
    out = {MATCHED: 0, AMBIGUOUS: 0, UNMATCHED: 0, LINKED: 0, DECLINED: 0, "by_sku": 0, "by_barcode": 0}
    rows = session.execute(select(LinkCandidate.state, LinkCandidate.method, LinkCandidate.tiktok_product_id).where(
        LinkCandidate.store_id == store_id)).all()
    seen: set[tuple[str, str]] = set()
    for state, method, tiktok_id in rows:
        if (state, tiktok_id) in seen:
            continue  # an ambiguous TikTok product is one product, however many store products it could be
        seen.add((state, tiktok_id))
        out[state] += 1
        if state == MATCHED:
            out["by_sku" if method == "sku" else "by_barcode"] += 1
    return out


def proposal(session: Session, store_id: str, *, limit: int | None = None) -> dict[str, Any]:
    """The proposal as the settings page and `hub products link` show it."""
    review = session.get(LinkReview, store_id)
    rows = list(session.scalars(select(LinkCandidate).where(LinkCandidate.store_id == store_id)
                                .order_by(LinkCandidate.tiktok_title, LinkCandidate.tiktok_product_id,
                                          LinkCandidate.product_id)))
    groups: dict[str, list[dict[str, Any]]] = {MATCHED: [], AMBIGUOUS: [], UNMATCHED: [], LINKED: [], DECLINED: []}
    ambiguous: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = {"tiktok_product_id": row.tiktok_product_id, "tiktok_title": row.tiktok_title,
                "tiktok_status": row.tiktok_status, "product_id": row.product_id, "title": row.title,
                "method": row.method, "note": row.note,
                "skus": [{k: s.get(k) for k in ("tiktok_sku_id", "seller_sku", "barcode", "variant_id",
                                                 "warehouse_id")} for s in row.skus or []]}
        if row.state == AMBIGUOUS:
            entry = ambiguous.get(row.tiktok_product_id)
            if entry is None:
                entry = ambiguous[row.tiktok_product_id] = {k: item[k] for k in (
                    "tiktok_product_id", "tiktok_title", "tiktok_status", "method", "note")}
                entry["choices"] = []
                groups[AMBIGUOUS].append(entry)
            entry["choices"].append({"product_id": row.product_id, "title": row.title, "skus": item["skus"]})
        else:
            groups[row.state].append(item)
    pending = {r.product_id for r in rows if r.product_id}
    unmatched_store = [{"product_id": pid, "title": title} for pid, title in session.execute(
        select(ProductSnapshot.product_id, ProductSnapshot.title).outerjoin(
            Listing, (Listing.store_id == ProductSnapshot.store_id) & (Listing.product_id == ProductSnapshot.product_id)
        ).where(ProductSnapshot.store_id == store_id, ProductSnapshot.deleted.is_(False),
                Listing.tiktok_product_id.is_(None)).order_by(ProductSnapshot.product_id)).all()
        if pid not in pending]
    total_store = len(unmatched_store)
    if limit is not None:
        groups = {k: v[:limit] for k, v in groups.items()}
        unmatched_store = unmatched_store[:limit]
    return {"store_id": store_id,
            "status": review.status if review else None, "message": review.message if review else None,
            "started_at": review.started_at.isoformat() if review else None,
            "finished_at": review.finished_at.isoformat() if review and review.finished_at else None,
            "confirmed_at": review.confirmed_at.isoformat() if review and review.confirmed_at else None,
            "tiktok_products": review.tiktok_products if review else 0,
            "counts": dict(counts(session, store_id), unmatched_store=total_store),
            "matched": groups[MATCHED], "ambiguous": groups[AMBIGUOUS], "unmatched_tiktok": groups[UNMATCHED],
            "unmatched_store": unmatched_store, "linked": groups[LINKED], "declined": groups[DECLINED]}


# ---- confirming ----------------------------------------------------------------------------------------------

class LinkError(DataError):
    """A confirmation the hub cannot carry out as asked (unknown product, a pick that is not a choice)."""


def confirm(runtime: "Runtime", store_id: str, *, picks: Mapping[str, str | None] | None = None,
            skip: Iterable[str] = ()) -> dict[str, Any]:
    """Turn the proposal into bindings.

    Every matched TikTok product is linked unless it is in `skip` (declined: its store product is then
    listed as a new product); `picks` settles ambiguous ones (TikTok product id → the chosen store
    product, or None to decline). Ambiguous products without a pick keep waiting.
    """
    picks, skip = dict(picks or {}), set(skip)
    now = _now()
    with runtime.db.session_scope() as session:
        review = session.get(LinkReview, store_id)
        if review is None or review.status != READY:
            raise LinkError("There is no proposal to confirm: read the shop's products first (Check again, or "
                            "hub products link without --confirm).", code="link_not_ready")
        rows = list(session.scalars(select(LinkCandidate).where(LinkCandidate.store_id == store_id,
                                                                LinkCandidate.state.in_(PENDING_STATES))))
        by_tiktok: dict[str, list[LinkCandidate]] = {}
        for row in rows:
            by_tiktok.setdefault(row.tiktok_product_id, []).append(row)
        unknown = sorted(t for t in set(picks) | skip if t not in by_tiktok)
        if unknown:
            raise LinkError(f"No pending proposal for the TikTok product(s) {', '.join(unknown)}.",
                            code="link_unknown", field="tiktok_product_id")
        chosen: list[LinkCandidate] = []
        declined: list[LinkCandidate] = []
        for tiktok_id, group in by_tiktok.items():
            if tiktok_id in skip:
                declined += group
            elif tiktok_id in picks:
                pick = picks[tiktok_id]
                hit = [r for r in group if r.product_id == pick]
                if pick is not None and not hit:
                    raise LinkError(f"Store product {pick} is not one of the choices for TikTok product {tiktok_id}.",
                                    code="link_bad_pick", field="product_id")
                chosen += hit
                declined += [r for r in group if r not in hit]
            elif group[0].state == MATCHED:
                chosen += group
        taken: set[str] = set()
        links = []
        for row in chosen:
            if row.product_id in taken:
                raise LinkError(f"Store product {row.product_id} was chosen for two TikTok products.",
                                code="link_bad_pick", field="product_id")
            taken.add(str(row.product_id))
            links.append(row)
        linked = _bind(session, store_id, links, now)
        for row in links:
            row.state = LINKED
        for row in declined:
            row.state = DECLINED
        review.confirmed_at = now
        product_ids = [str(r.product_id) for r in links]
        freed = sorted({str(r.product_id) for r in declined if r.product_id} - set(product_ids))
    if product_ids:
        from hub.queues import queue
        from hub.sync.stock.lanes import bulk_lane

        # The store's bulk lane: many products at once, taking turns with other stores' storms.
        queue(bulk_lane(runtime, store_id), runtime.redis).enqueue(
            PUSH_JOB, store_id, product_ids, job_timeout=3600, result_ttl=600, failure_ttl=7 * 24 * 3600)
    released = _release_products(runtime, store_id, freed)
    with runtime.db.session_scope() as session:
        left = counts(session, store_id)
    return {"store_id": store_id, "linked": linked, "declined": len({r.tiktok_product_id for r in declined}),
            "released": released, "waiting": left[AMBIGUOUS] + left[MATCHED], "counts": left}


def push_linked(runtime: "Runtime", store_id: str, product_ids: list[str]) -> dict[str, Any]:
    """The first price and stock push of just-linked products, one after another in one job.

    Hundreds of products are linked at once; a job each would spend more on the queue than on TikTok.
    Each product goes through the ordinary push (its lock, latest values, recorded outcome); one that
    meets a temporary problem is handed to its own push job, which retries with the usual backoff.
    """
    from hub.errors import RetryableError
    from hub.sync.stock.pusher import push_product
    from hub.sync.stock.schedule import enqueue_pushes

    from hub.tiktok.connection import client_for_shop

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        shop = policy.shop_for_store(session, store) if store is not None else None
        if shop is None:
            return {"pushed": 0, "handed_on": 0}
        client = client_for_shop(runtime, shop)
    pushed, later = 0, []
    with client:
        for product_id in product_ids:
            try:
                outcome = push_product(runtime, store_id, product_id, client)
            except RetryableError:
                later.append(product_id)
                continue
            if outcome.status == policy.PARKED:
                break  # the connection broke: reconciliation after reconnecting pushes the rest
            pushed += 1
    if later:
        enqueue_pushes(runtime, store_id, later)
    return {"pushed": pushed, "handed_on": len(later)}


def _bind(session: Session, store_id: str, rows: list[LinkCandidate], now: datetime) -> int:
    """Bindings, listings and plans for the linked products, written in bulk."""
    if not rows:
        return 0
    from hub.sync.products.review import apply_state

    ids = [str(r.product_id) for r in rows]
    listings: dict[str, Listing] = {}
    plans: dict[str, ListingPlan] = {}
    for start_at in range(0, len(ids), BULK):
        chunk = ids[start_at:start_at + BULK]
        listings.update({l.product_id: l for l in session.scalars(select(Listing).where(
            Listing.store_id == store_id, Listing.product_id.in_(chunk)))})
        plans.update({p.product_id: p for p in session.scalars(select(ListingPlan).where(
            ListingPlan.store_id == store_id, ListingPlan.product_id.in_(chunk)))})
        session.execute(delete(SkuBinding).where(SkuBinding.store_id == store_id, SkuBinding.product_id.in_(chunk)))
    import uuid

    bindings = []
    for row in rows:
        product_id = str(row.product_id)
        listing = listings.get(product_id)
        if listing is None:
            listing = listings[product_id] = Listing(store_id=store_id, product_id=product_id, status=NOT_SYNCED)
            session.add(listing)
        plan = plans.get(product_id)
        if plan is None:
            plan = plans[product_id] = ListingPlan(store_id=store_id, product_id=product_id,
                                                   idempotency_key=str(uuid.uuid4()))
            session.add(plan)
        listing.tiktok_product_id = row.tiktok_product_id
        listing.status, listing.reason_code = NOT_SYNCED, None  # apply_state then writes TikTok's state
        apply_state(listing, plan, {"status": row.tiktok_status, "audit": {}})
        if listing.status == ACTIVE:
            listing.reason = "Linked to the product already on TikTok: live, with price and stock from your store."
        plan.planned_for = None
        plan.sent_hash = None
        plan.details_changed = True  # TikTok shows its own content until the merchant resyncs details
        for sku in row.skus or []:
            if sku.get("variant_id"):
                bindings.append({"store_id": store_id, "product_id": product_id, "variant_id": str(sku["variant_id"]),
                                 "tiktok_product_id": row.tiktok_product_id, "tiktok_sku_id": sku["tiktok_sku_id"],
                                 "seller_sku": (sku.get("seller_sku") or None), "pushed_version": 0,
                                 "tiktok_warehouse_id": sku.get("warehouse_id"), "created_at": now})
    session.flush()
    for start_at in range(0, len(bindings), BULK):
        session.execute(insert(SkuBinding), bindings[start_at:start_at + BULK])
    return len(rows)


def _release_products(runtime: "Runtime", store_id: str, product_ids: list[str]) -> int:
    """Declined links: their store products are listed as new products."""
    from hub.sync.products.schedule import enqueue_listings

    if not product_ids:
        return 0
    with runtime.db.session_scope() as session:
        still = set(session.scalars(select(LinkCandidate.product_id).where(
            LinkCandidate.store_id == store_id, LinkCandidate.product_id.in_(product_ids),
            LinkCandidate.state.in_(PENDING_STATES))))
        session.execute(update(Listing).where(Listing.store_id == store_id, Listing.product_id.in_(product_ids),
                                              Listing.reason_code == reasons.LINK_PENDING)
                        .values(reason="Waiting to be sent to TikTok.", fix=None, reason_code=None))
    return enqueue_listings(runtime, store_id, [p for p in product_ids if p not in still])


__all__ = ["start", "start_for_merchant", "start_if_connected", "hold", "scan", "proposal", "confirm", "counts",
           "LinkError", "Hold", "norm_barcode", "norm_sku"]
