"""What happens after store events are stored: the sync jobs they call for.

Kept apart from the API so the Extension API only stores and acknowledges; everything that talks to
TikTok runs in workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.sync.orders.events import after_order_events
from hub.sync.products.schedule import after_product_changes
from hub.sync.stock.schedule import after_stock_changes

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.sync.intake import Changes


def after_events(runtime: "Runtime", store_id: str, changes: "Changes") -> None:
    """Enqueue the sync work `changes` call for (product sync and order sync plug in here).

    Which changed products are on TikTok was read with their stock rows (`Changes.on_tiktok`): their
    price and stock are pushed, and only the others can be listings waiting for stock.
    """
    on_tiktok = sorted(changes.stock & changes.on_tiktok)
    after_product_changes(runtime, store_id, changes, on_tiktok=on_tiktok)
    after_stock_changes(runtime, store_id, changes.stock, on_tiktok=on_tiktok)
    after_order_events(runtime, store_id, changes.order_events)
    return None
