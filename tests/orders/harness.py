"""Kept so that `from tests.orders.harness import ...` goes on working: the order-sync world now lives
in `tests/support/orders.py` (with the fake store in `tests/support/store.py`)."""

from tests.support.orders import APP_KEY, APP_SECRET, FakeStore, StoreOrder, World, build_world, wait_until
from tests.support.sandbox import png

__all__ = ["APP_KEY", "APP_SECRET", "FakeStore", "StoreOrder", "World", "build_world", "png", "wait_until"]
