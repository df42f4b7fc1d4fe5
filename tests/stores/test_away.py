"""A hosted store's app uninstalled: its TikTok stock goes to 0 at once, not after the silence, and comes
back when the app is installed again (hub/sync/stock/away.py)."""

from __future__ import annotations

from sqlalchemy import select

from hub.models import ActivityEntry, Store
from tests.stores.conftest import World, tee
from tests.stores.test_proof import _connect_tiktok, _listing, _map_category, _sku_stock, _snapshot


def test_an_uninstalled_app_zeroes_the_tiktok_stock_at_once_and_a_reinstall_restores_it(world: World) -> None:
    _connect_tiktok(world)
    world.install()
    world.platform.save_product("acme", tee(601, stock=(10, 4), image=f"{world.platform.url}/img/tee.jpg"))
    world.wait(lambda: _snapshot(world, "601"), "product at the hub")
    _map_category(world)
    listing = world.wait(lambda: (row := _listing(world, "601")) is not None and row.status == "Active" and row,
                         "listing active on TikTok", timeout=60)
    tiktok_id = listing.tiktok_product_id
    world.wait(lambda: _sku_stock(world, tiktok_id, "TEE-601-M") == 10, "stock on TikTok")

    world.platform.uninstall("acme")   # the default silence is 30 minutes: this must not wait for it
    world.wait(lambda: (_sku_stock(world, tiktok_id, "TEE-601-M"), _sku_stock(world, tiktok_id, "TEE-601-L")) == (0, 0),
               "stock 0 on TikTok")
    with world.runtime.db.session_scope() as session:
        store = session.get_one(Store, world.store_id())
        assert store.away_since is not None and "uninstalled" in (store.away_reason or "")
        assert session.scalar(select(ActivityEntry.message).where(ActivityEntry.kind == "store.away"))
    assert "is away" in world.browser().get("/settings/").text

    world.install()
    world.wait(lambda: (_sku_stock(world, tiktok_id, "TEE-601-M"), _sku_stock(world, tiktok_id, "TEE-601-L")) == (10, 4),
               "stock restored on TikTok")
    with world.runtime.db.session_scope() as session:
        assert session.get_one(Store, world.store_id()).away_since is None
