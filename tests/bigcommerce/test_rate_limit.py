"""A store whose request quota is nearly used by the merchant's other apps: the connector slows down
(each answer in the last fifth of the quota holds the store's calls for `reset / left`), meets at most
one 429 per window (after it, every worker holds until the reset), and loses nothing: every product
changed meanwhile reaches the hub.

The fake's window is 3 s with a quota of 30 here (BigCommerce's is 30 s, 150 on the docs' example), so
the test sees several windows quickly; the rule is the same per window."""

from __future__ import annotations

import threading
import time

from tests.bigcommerce.conftest import STORE, World, tee

PRODUCTS = range(901, 926)


def test_a_nearly_used_quota_slows_the_connector_with_at_most_one_429_a_window_and_loses_nothing(world: World) -> None:
    world.installed()
    world.work()
    fake = world.fake
    fake.quota, fake.window_ms = 30, 3000
    fake.stores[STORE].window_start = 0.0  # the next call opens a window of the new size
    stop = threading.Event()

    def other_apps() -> None:
        """The merchant's other apps use each window down to its last 4 requests, however slowly the
        connector runs on a busy machine: every window it calls in, it calls in the slow zone."""
        while not stop.wait(0.05):
            fake.use_all_but(STORE, 4)

    neighbour = threading.Thread(target=other_apps, daemon=True)
    fake.use_all_but(STORE, 4)
    neighbour.start()
    started = time.monotonic()
    try:
        for product_id in PRODUCTS:
            fake.save_product(STORE, tee(product_id))
        fake.flush()
        world.wait(lambda: all(world.snapshot(p) for p in PRODUCTS), "every product at the hub", timeout=120,
                   detail=lambda: [p for p in PRODUCTS if not world.snapshot(p)])
    finally:
        stop.set()
        neighbour.join()
    ours = [entry for entry in fake.budget_log if entry[1] == STORE and entry[0] >= started]
    refused = [entry for entry in ours if entry[4] == 429]
    windows = [entry[5] for entry in refused]
    assert len(windows) == len(set(windows)), f"more than one 429 in a window: {windows}"
    # It slowed down: after an answer in the last fifth of the quota, its next call waited reset/left.
    slow = 0
    for (at, _h, left, reset_ms, status, _w), following in zip(ours, ours[1:]):
        if status != 429 and 1 < left < fake.quota * 0.2:
            slow += 1
            assert following[0] - at >= 0.9 * (reset_ms / 1000.0) / left, (left, reset_ms, following[0] - at)
    assert slow > 0, "the quota never reached the slow zone: the test did not test anything"
    assert all(d.status == 200 for d in fake.deliveries)  # and BigCommerce's deliveries were all answered
