"""A category mapped while the store's products are still being sorted out.

The merchant maps "Clothing > T-shirts" in the very moment the worker decides what the store's new
T-shirts need. The worker read the mappings a moment before the new one was saved: it must not then
mark the products "Needs category" over the fresh mapping, because nothing ever looks at a product
waiting for a category again until its category changes (the catch-up sweep after a Redis restart
leaves such products alone too). The interleaving is forced at the database: the mapping is saved
by another connection just before the worker's first read of the listings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from hub.jobs.products import list_product
from hub.models import Listing
from hub.models.listings import NEEDS_CATEGORY, NOT_SYNCED
from hub.sync.catchup import sweep
from hub.sync.products.schedule import handle_changes
from tests.products.conftest import Shop
from tests.support.jobs import drain


def _map_after(shop: Shop, *, seen: str) -> dict[str, Any]:
    """Arm a one-shot hook: right after the first statement containing `seen`, before the next statement
    of any kind, the merchant's mapping happens (another connection, committed, listing jobs queued)."""
    state: dict[str, Any] = {"seen": False, "armed": True, "affected": None}
    engine = shop.runtime.db.engine

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not state["armed"]:
            return
        if not state["seen"]:
            state["seen"] = seen in statement
            return
        state["armed"] = False
        from hub.models import CategoryDefaults
        from hub.sync.products.categories import map_category
        from hub.sync.products.schedule import enqueue_listings

        with shop.runtime.db.session_scope() as session:
            session.add(CategoryDefaults(store_id=shop.store_id, tiktok_category_id="601226", attributes={},
                                         size_chart={"image_url": shop.images.url(1200, 1600, (250, 250, 250))}))
            _mapping, state["affected"] = map_category(session, shop.store_id, "Clothing > T-shirts", "601226",
                                                       version="v1", name="Womenswear > Tops > T-shirts")
        enqueue_listings(shop.runtime, shop.store_id, state["affected"])

    event.listen(engine, "before_cursor_execute", before)
    state["remove"] = lambda: event.remove(engine, "before_cursor_execute", before)
    return state


def _after_a_redis_restart_on_tiktok(shop: Shop, *pids: str) -> None:
    shop.runtime.redis.flushdb()  # Redis restarts empty: the queued listing jobs are gone
    sweep(shop.runtime)  # what a worker does when it reconnects
    drain(shop.runtime)
    on_tiktok = {p["skus"][0]["seller_sku"] for p in shop.sandbox.state()["products"]}
    assert {f"TEE-{pid}-M" for pid in pids} <= on_tiktok, on_tiktok


def test_products_sorted_while_their_category_is_mapped_reach_tiktok_even_after_a_redis_restart(shop: Shop) -> None:
    shop.push(shop.product("701"), shop.product("702"), run=False)
    hook = _map_after(shop, seen="FROM category_mappings")  # the worker's first read of the mappings
    try:
        handle_changes(shop.runtime, shop.store_id, ["701", "702"], [], [], False)
    finally:
        hook["remove"]()
    assert hook["affected"] == ["701", "702"], "the mapping was made in the middle of the decision"
    assert all(shop.listing(pid).status != NEEDS_CATEGORY for pid in ("701", "702")), \
        [(pid, shop.listing(pid).status, shop.listing(pid).reason) for pid in ("701", "702")]
    _after_a_redis_restart_on_tiktok(shop, "701", "702")


def test_a_listing_job_that_read_no_mapping_does_not_undo_one_saved_meanwhile(shop: Shop) -> None:
    shop.push(shop.product("703"))  # unmapped
    with shop.runtime.db.session_scope() as session:  # its listing job queued, as after a Sync click
        session.add(Listing(store_id=shop.store_id, product_id="703", status=NOT_SYNCED,
                            reason="Waiting to be sent to TikTok."))
    hook = _map_after(shop, seen="FROM category_mappings")  # the job's read of the mappings
    try:
        list_product(shop.store_id, "703")
    finally:
        hook["remove"]()
    assert hook["affected"] == ["703"], "the mapping was made in the middle of the job"
    assert shop.listing("703").status != NEEDS_CATEGORY, (shop.listing("703").status, shop.listing("703").reason)
    _after_a_redis_restart_on_tiktok(shop, "703")
