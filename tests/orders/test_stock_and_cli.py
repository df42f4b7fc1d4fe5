"""Stock after an order is not decremented twice; `hub orders --json` shows what the merchant sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.orders import FakeStore, World, wait_until


def _tiktok_stock(world: World, seller_sku: str) -> int:
    product = world.sandbox.control("GET", f"/products/{world.product['id']}")
    return next(s["stock"] for s in product["skus"] if s["seller_sku"] == seller_sku)


def test_store_stock_flows_back_as_an_absolute_value(world: World, store: FakeStore) -> None:
    assert _tiktok_stock(world, "SOCK-M") == 500
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 2}])
    assert _tiktok_stock(world, "SOCK-M") == 498  # TikTok reserved the units when the buyer ordered
    world.wait_status(tid, "Created")
    assert store.stock[("88", "91")] == 498
    # the store's new quantity (498) reaches TikTok through the normal stock path: it is set, not subtracted.
    # While the order holds its 2 units the push may briefly send 496 (a stock report that arrives before
    # the order's result); the end state, once the hold is gone, is the store's 498.
    from hub.sync.stock.holds import held_units

    def settled() -> bool:
        with world.runtime.db.session_scope() as session:
            if held_units(session, world.store["store_id"]):
                return False
        return _pushed(world, "91") == 498 and _tiktok_stock(world, "SOCK-M") == 498

    wait_until(settled, 30, what="the store's quantity on TikTok once the order's hold is released")


def _pushed(world: World, variant_id: str) -> int | None:
    from hub.models import SkuBinding

    with world.runtime.db.session_scope() as session:
        return session.query(SkuBinding).filter_by(variant_id=variant_id).one().pushed_quantity


def test_orders_command_lists_statuses_as_json(world: World, store: FakeStore) -> None:
    created = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    held = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}], status="ON_HOLD")
    world.wait_status(created, "Created")
    world.wait_status(held, "Pending")
    settings = world.runtime.settings
    env = {**os.environ, "HUB_DATA_DIR": str(settings.data_dir), "HUB_DATABASE_URL": settings.database_url,
           "HUB_REDIS_URL": world.runtime.redis_url}
    code = ("from click import Group; from hub.cli.orders import orders_command; "
            "import sys; g = Group(commands=[orders_command]); g(sys.argv[1:])")
    out = subprocess.run([sys.executable, "-c", code, "orders", "--store", world.store["store_id"], "--json"],
                         env=env, capture_output=True, text=True, cwd=str(Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr
    listed = {o["tiktok_order_id"]: o for o in json.loads(out.stdout)["orders"]}
    assert listed[created]["status"] == "Created" and listed[created]["store_order_number"]
    assert listed[held]["status"] == "Pending" and "hold" in listed[held]["reason"]
    bad = subprocess.run([sys.executable, "-c", code, "orders", "--store", "st_nope", "--json"], env=env,
                         capture_output=True, text=True, cwd=str(Path(__file__).resolve().parents[2]))
    assert bad.returncode != 0 and "st_nope" in bad.stderr and bad.stdout == ""


def _hub(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    settings = world.runtime.settings
    env = {**os.environ, "HUB_DATA_DIR": str(settings.data_dir), "HUB_DATABASE_URL": settings.database_url,
           "HUB_REDIS_URL": world.runtime.redis_url}
    return subprocess.run([sys.executable, "-m", "hub.cli", *args], env=env, capture_output=True, text=True,
                          cwd=str(Path(__file__).resolve().parents[2]), timeout=120)


def test_store_ids_are_easy_to_find_and_the_orders_page_hint_works_as_written(world: World, store: FakeStore) -> None:
    """`hub store list` gives the ids other commands ask for; `hub sync --order ID` needs no --store."""
    added = _hub(world, "store", "add", "--platform", "woocommerce", "--name", "Second shop", "--json")
    assert added.returncode == 0, added.stderr
    second = json.loads(added.stdout)  # `hub store add` prints JSON, with or without --json: a contract
    assert {"store_id", "key_id", "secret"} <= set(second)

    listed = _hub(world, "store", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:2] == ["store", "id"]
    row = next(line for line in lines if second["store_id"] in line)
    assert "Second shop" in row and "WooCommerce" in row and second["key_id"] in row
    assert "waiting for the store's first contact" in row
    as_json = json.loads(_hub(world, "store", "list", "--json").stdout)["stores"]
    mine = next(s for s in as_json if s["store_id"] == world.store["store_id"])
    assert mine["state"] == "syncing" and mine["currency"] == "GBP"

    empty = _hub(world, "products", "--store", second["store_id"])
    assert empty.returncode == 0 and f"Store {second['store_id']} has sent no products yet" in empty.stdout

    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    world.wait_status(tid, "Created")
    retried = _hub(world, "sync", "--order", tid)  # as the Orders page's hint writes it
    assert retried.returncode == 0, retried.stderr
    assert json.loads(retried.stdout)["status"] == "Created"  # a created order is left alone, never made twice
    unknown = _hub(world, "sync", "--order", "576000000000000000")
    assert unknown.returncode == 1 and "There is no TikTok order 576000000000000000" in unknown.stderr
