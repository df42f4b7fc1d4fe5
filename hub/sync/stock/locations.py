"""Stock per store location: which locations sell on TikTok, and the quantity TikTok is offered.

A store with several stock locations (warehouses, shops) may report each variant's stock per location
(`locations` in the canonical variant and in `inventory.update` items). The merchant chooses, per
store, the locations whose stock sells on TikTok; TikTok is offered the sum of those, or of every
location when none is chosen. A variant without per-location stock is offered its `quantity`.

A location below zero (back-ordered) counts as zero: its shortfall is not taken from another
location's shelf. The choice applies at intake and, when it changes, to every stored variant, whose
new quantities are then pushed like any other stock change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import DataError
from hub.models import Store, VariantStock

if TYPE_CHECKING:
    from hub.runtime import Runtime


def tiktok_quantity(quantity: int, locations: list[dict[str, Any]] | None, selling: Iterable[str] | None) -> int:
    """The quantity TikTok is offered for a variant; `selling` empty or None means every location."""
    if not locations:
        return quantity
    chosen = set(selling or ())
    return sum(max(0, int(location["quantity"])) for location in locations
               if not chosen or str(location["id"]) in chosen)


def remember(store: Store, locations: list[dict[str, Any]] | None) -> None:
    """Add locations seen in stock data to the store's list, so the merchant can choose them."""
    if not locations:
        return
    known = list(store.locations or [])
    ids = {str(location["id"]) for location in known}
    new = [{"id": str(location["id"]), "name": location.get("name") or str(location["id"])}
           for location in locations if str(location["id"]) not in ids]
    if new:
        store.locations = known + new  # a new list: JSON columns track assignment, not mutation


def described(store: Store) -> list[dict[str, Any]]:
    """The store's locations with whether each sells on TikTok (what the settings page and CLI show)."""
    chosen = set(store.selling_locations or ())
    return [{"id": str(location["id"]), "name": location.get("name") or str(location["id"]),
             "selling": not chosen or str(location["id"]) in chosen} for location in store.locations or []]


def choose(session: Session, store: Store, location_ids: Iterable[str] | None) -> list[str]:
    """Set the locations that sell on TikTok (None or empty: all) and re-derive every stored quantity.

    Raises DataError for an id the store never reported. Returns the products whose quantity changed.
    """
    ids = sorted({str(i).strip() for i in location_ids or () if str(i).strip()})
    known = {str(location["id"]) for location in store.locations or []}
    unknown = [i for i in ids if i not in known]
    if unknown:
        offered = ", ".join(sorted(known)) or "none reported yet"
        raise DataError(f"The store has no location {', '.join(unknown)}.", code="unknown_location",
                        field="locations", fix=f"Choose among the locations the store reported: {offered}.")
    store.selling_locations = ids or None
    changed: set[str] = set()
    for row in session.scalars(select(VariantStock).where(VariantStock.store_id == store.id)):
        if not row.locations:
            continue
        quantity = tiktok_quantity(row.quantity, row.locations, ids)
        if quantity != row.quantity:
            row.quantity = quantity
            changed.add(row.product_id)
    return sorted(changed)


def set_selling_locations(runtime: "Runtime", store_id: str, location_ids: Iterable[str] | None) -> dict[str, Any]:
    """`choose` for one store, committed, then the changed products pushed (CLI and settings page)."""
    from hub.sync.stock.schedule import bound_products, enqueue_pushes

    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None:
            raise DataError(f"There is no store {store_id}.", code="unknown_store")
        changed = choose(session, store, location_ids)
        out = {"store_id": store_id, "locations": described(store), "changed_products": len(changed)}
    enqueue_pushes(runtime, store_id, bound_products(runtime, store_id, changed))
    return out
