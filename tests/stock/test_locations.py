"""Stock per store location: TikTok is offered the stock of the locations the merchant chose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from plugins.hub_client.client import new_event
from tests.stock.conftest import Shop, drain

ROOT = Path(__file__).resolve().parents[2]


def _locations(shop_: Shop, version: int, **quantities: int) -> None:
    shop_.send(new_event("inventory.update", items=[{
        "product_id": "70", "variant_id": "70-BOOT", "quantity": sum(quantities.values()), "price": "40.00",
        "version": version, "locations": [{"id": k, "quantity": v} for k, v in quantities.items()]}]))


def _cli(shop: Shop, *args: str) -> subprocess.CompletedProcess[str]:
    settings = shop.runtime.settings
    env = {**os.environ, "HUB_DATA_DIR": str(settings.data_dir), "HUB_DATABASE_URL": settings.database_url,
           "HUB_REDIS_URL": shop.runtime.redis_url}
    return subprocess.run([sys.executable, "-m", "hub.cli", "store", "locations", "--store", shop.store_id, *args],
                          env=env, capture_output=True, text=True, cwd=str(ROOT), timeout=60)


def test_tiktok_gets_the_sum_of_the_chosen_locations(shop: Shop) -> None:
    tiktok_id = shop.list_product("70", [("BOOT", "40.00", 5)])
    shop.send(new_event("store.update", store={"locations": [{"id": "leeds", "name": "Leeds warehouse"},
                                                             {"id": "shop", "name": "High Street shop"}]}))
    _locations(shop, 2, leeds=7, shop=3)
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["BOOT"]["stock"] == 10  # none chosen: every location sells

    shown = _cli(shop)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["locations"] == [
        {"id": "leeds", "name": "Leeds warehouse", "selling": True}, {"id": "shop", "name": "High Street shop",
                                                                      "selling": True}]
    chosen = _cli(shop, "--sell", "leeds")
    assert chosen.returncode == 0, chosen.stderr
    assert json.loads(chosen.stdout)["changed_products"] == 1
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["BOOT"]["stock"] == 7  # the shop's units stay for walk-in customers

    _locations(shop, 3, leeds=-2, shop=30)  # a back-ordered location counts as none, not minus two
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["BOOT"]["stock"] == 0

    unknown = _cli(shop, "--sell", "paris")
    assert unknown.returncode != 0 and "no location paris" in unknown.stderr and unknown.stdout == ""
    assert _cli(shop, "--all").returncode == 0
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["BOOT"]["stock"] == 30


def test_a_variant_without_locations_keeps_its_quantity_whatever_is_chosen(shop: Shop) -> None:
    tiktok_id = shop.list_product("71", [("CAP", "12.00", 4)])
    _locations(shop, 2, leeds=1)  # product 70 (not on TikTok) reports the location
    assert _cli(shop, "--sell", "leeds").returncode == 0
    shop.stock("71", "71-CAP", 9, "12.00", version=3)
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["CAP"]["stock"] == 9


def test_a_new_location_seen_in_stock_data_can_be_chosen(shop: Shop) -> None:
    _locations(shop, 2, depot=4)
    shown = json.loads(_cli(shop).stdout)["locations"]
    assert shown == [{"id": "depot", "name": "depot", "selling": True}]


def test_a_repeated_version_with_the_same_locations_changes_nothing_and_a_corrected_one_is_pushed(
        shop: Shop) -> None:
    tiktok_id = shop.list_product("72", [("HAT", "15.00", 2)])
    send = lambda version, locations: shop.send(new_event("inventory.update", items=[{  # noqa: E731
        "product_id": "72", "variant_id": "72-HAT", "quantity": 0, "price": "15.00", "version": version,
        "locations": locations}]))
    send(2, [{"id": "leeds", "quantity": 6}, {"id": "york", "quantity": 1}])
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["HAT"]["stock"] == 7
    pushed = shop.calls("inventory/update")
    assert pushed >= 1
    send(2, [{"id": "leeds", "quantity": 6}, {"id": "york", "quantity": 1}])  # the extension's resend
    drain(shop.runtime)
    assert shop.calls("inventory/update") == pushed  # nothing new to push
    send(2, [{"id": "leeds", "quantity": 5}, {"id": "york", "quantity": 2}])  # same version and total, corrected
    assert _cli(shop, "--sell", "leeds").returncode == 0
    drain(shop.runtime)
    assert shop.skus(tiktok_id)["HAT"]["stock"] == 5  # the corrected split was kept
