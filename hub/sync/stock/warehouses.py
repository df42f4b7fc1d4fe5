"""Which TikTok warehouse a SKU's stock is written to.

TikTok lets an inventory update leave out `warehouse_id` only when there is a single warehouse, and
otherwise wants the warehouses assigned to the SKU (official SDK model
`Product202309UpdateInventoryRequestBodySkusInventory`; docs/tiktok-client.md). The hub creates each SKU
in one warehouse and records it on the binding; every update names that warehouse, so the quantity goes
there and the shop's other warehouses are left as they are. Bindings made before the warehouse was
recorded get it here, from TikTok's product detail, the first time their stock is pushed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from hub.errors import DataError

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

log = logging.getLogger("hub.sync.stock")

# Refusals that mean "the warehouse named is not (or no longer) the SKU's": the next push reads it again.
WRONG_WAREHOUSE = {"tiktok_12052097", "tiktok_12052533", "tiktok_12052530"}
# Refusals that mean "name every warehouse of this SKU": it was given stock in more than one.
SEVERAL_WAREHOUSES = {"tiktok_12019028", "tiktok_12052037"}


class NeedsWarehouse(Protocol):
    tiktok_sku_id: str
    warehouse_id: str | None
    warehouse_filled: bool


def fill_from_detail(client: "ShopClient", tiktok_product_id: str, skus: Iterable[NeedsWarehouse]) -> None:
    """Give every SKU without a recorded warehouse the one TikTok's product detail shows for it.

    A SKU stocked in several warehouses (set up in Seller Center) gets the shop's default sales
    warehouse when it is one of them, because that is the one the hub creates SKUs in.
    """
    missing = [s for s in skus if not s.warehouse_id]
    if not missing:
        return
    try:
        product = client.products.get(tiktok_product_id)
    except DataError as error:
        log.warning("Could not read the warehouses of TikTok product %s: %s", tiktok_product_id, error.message)
        return
    found = {str(s.get("id")): [str(i["warehouse_id"]) for i in s.get("inventory") or [] if i.get("warehouse_id")]
             for s in product.get("skus") or []}
    default: str | None = None
    for sku in missing:
        warehouses = found.get(sku.tiktok_sku_id) or []
        if not warehouses:
            continue
        chosen = warehouses[0]
        if len(warehouses) > 1:
            default = default or _default_sales_warehouse(client)
            chosen = default if default in warehouses else chosen
        sku.warehouse_id, sku.warehouse_filled = chosen, True


def _default_sales_warehouse(client: "ShopClient") -> str | None:
    try:
        warehouses = client.logistics.warehouses()["warehouses"]
    except DataError:
        return None
    sales = [w for w in warehouses if w.get("type") == "SALES_WAREHOUSE" and w.get("effect_status") == "ENABLED"]
    chosen = next((w for w in sales if w.get("is_default")), sales[0] if sales else None)
    return str(chosen["id"]) if chosen else None


def inventory_entry(warehouse_id: str | None, quantity: int) -> dict[str, Any]:
    """One inventory entry of an update: the SKU's warehouse and the quantity for it."""
    return {"warehouse_id": warehouse_id, "quantity": quantity} if warehouse_id else {"quantity": quantity}
