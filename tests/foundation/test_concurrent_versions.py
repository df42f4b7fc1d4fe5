"""Two stores' calls racing for the same variants: the newest version is what the hub keeps, always.

Each round sends two `POST /api/v1/events` at the same moment over real HTTP, one carrying version v
and one v+1 of the same variants (or products); whichever commits last, the hub must end up holding
v+1. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from hub.app import create_app
from hub.models import ProductSnapshot, VariantStock
from hub.runtime import install
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event
from tests.conftest import LiveServer, add_store, make_runtime

ROUNDS = 20
PRODUCTS = 40
VARIANTS = 5


@pytest.fixture()
def hub(tmp_path: Path, redis_url: str, database_url: str) -> Iterator[tuple[Any, HubClient, HubClient]]:
    runtime = make_runtime(tmp_path, redis_url, database_url)
    store = add_store(runtime)
    with LiveServer(create_app(runtime=runtime)) as server:
        clients = [HubClient(server.url, store["key_id"], store["secret"], timeout=60, max_retries=0)
                   for _ in range(2)]
        yield runtime, store, clients
    install(None)
    runtime.close()


def _product(pid: str, version: int) -> dict[str, Any]:
    return {"id": pid, "version": version, "title": f"Tee {pid} v{version}",
            "variants": [{"id": f"{pid}-{v}", "sku": f"T-{pid}-{v}", "price": f"{version % 1000}.00",
                          "quantity": version % 100_000} for v in range(VARIANTS)]}


def _race(clients: list[HubClient], bodies: list[list[dict[str, Any]]]) -> None:
    barrier = threading.Barrier(len(bodies))
    failures: list[BaseException] = []

    def send(client: HubClient, events: list[dict[str, Any]]) -> None:
        try:
            barrier.wait()
            results = client.send_events(events)
            assert all(r["status"] == "accepted" for r in results), results[:3]
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            failures.append(exc)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def test_the_newest_inventory_version_wins_every_race(hub) -> None:  # noqa: ANN001
    runtime, store, clients = hub
    products = [f"p{i}" for i in range(PRODUCTS)]
    clients[0].upsert_products(_product(pid, 1) for pid in products)
    lost_rounds = 0
    for round_ in range(ROUNDS):
        older, newer = 10 + 2 * round_, 11 + 2 * round_

        def update(version: int) -> list[dict[str, Any]]:
            return [new_event("inventory.update", items=[
                {"product_id": pid, "variant_id": f"{pid}-{v}", "quantity": version, "price": f"{version}.00",
                 "version": version} for v in range(VARIANTS)]) for pid in products]

        # The older call is sent by the first thread: on a fair race it commits first as often as not.
        _race(clients, [update(older), update(newer)])
        with runtime.db.session_scope() as session:
            rows = session.execute(select(VariantStock.version, VariantStock.quantity, VariantStock.price)
                                   .where(VariantStock.store_id == store["store_id"])).all()
        assert len(rows) == PRODUCTS * VARIANTS
        if any(row != (newer, newer, f"{newer}.00") for row in rows):
            lost_rounds += 1
    assert lost_rounds == 0, f"an older version was kept in {lost_rounds} of {ROUNDS} rounds"


def test_the_newest_product_version_wins_every_race(hub) -> None:  # noqa: ANN001
    runtime, store, clients = hub
    products = [f"p{i}" for i in range(PRODUCTS)]
    lost_rounds = 0
    for round_ in range(ROUNDS):
        older, newer = 10 + 2 * round_, 11 + 2 * round_
        # Round 0 also races the first insert of every row.
        _race(clients, [[new_event("product.upsert", product=_product(pid, older)) for pid in products],
                        [new_event("product.upsert", product=_product(pid, newer)) for pid in products]])
        with runtime.db.session_scope() as session:
            snapshots = session.execute(select(ProductSnapshot.version, ProductSnapshot.title)
                                        .where(ProductSnapshot.store_id == store["store_id"])).all()
            stock = session.execute(select(VariantStock.version, VariantStock.quantity)
                                    .where(VariantStock.store_id == store["store_id"])).all()
        assert len(snapshots) == PRODUCTS and len(stock) == PRODUCTS * VARIANTS
        if any(s.version != newer or not s.title.endswith(f"v{newer}") for s in snapshots) or \
                any(row != (newer, newer) for row in stock):
            lost_rounds += 1
    assert lost_rounds == 0, f"an older version was kept in {lost_rounds} of {ROUNDS} rounds"


def test_stock_with_locations_is_kept_as_sent_and_a_resend_changes_nothing(
        hub: tuple[Any, dict[str, Any], list[HubClient]]) -> None:
    """Per-location stock through the batch UPDATE (one statement over arrays on PostgreSQL, an
    executemany on SQLite): the newest split is stored, mixed with variants that have none, and the
    store's resend of the same version is a no-op."""
    runtime, _store, (client, _other) = hub
    item = lambda n, version, locations: {"product_id": "p1", "variant_id": f"v{n}", "quantity": 9,  # noqa: E731
                                          "price": "5.00", "version": version, "locations": locations}

    def stored() -> dict[str, Any]:
        with runtime.db.session_scope() as session:
            return {r.variant_id: (r.quantity, r.locations, r.version) for r in session.scalars(select(VariantStock))}

    client.send_events([new_event("inventory.update", items=[
        item(1, 1, [{"id": "leeds", "quantity": 4}]), item(2, 1, None)])])
    client.send_events([new_event("inventory.update", items=[
        item(1, 2, [{"id": "leeds", "quantity": 3}, {"id": "york", "quantity": 5}]), item(2, 2, None),
        item(3, 2, [{"id": "york", "quantity": 1}])])])
    after = stored()
    assert after == {"v1": (8, [{"id": "leeds", "name": None, "quantity": 3}, {"id": "york", "name": None, "quantity": 5}],
                            2), "v2": (9, None, 2), "v3": (1, [{"id": "york", "name": None, "quantity": 1}], 2)}
    with runtime.db.session_scope() as session:
        before = {r.variant_id: r.updated_at for r in session.scalars(select(VariantStock))}
    client.send_events([new_event("inventory.update", items=[
        item(1, 2, [{"id": "leeds", "quantity": 3}, {"id": "york", "quantity": 5}]), item(2, 2, None)])])
    with runtime.db.session_scope() as session:
        assert {r.variant_id: r.updated_at for r in session.scalars(select(VariantStock))} == before
    assert stored() == after
