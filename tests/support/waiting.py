"""Waiting for an observable end state instead of sleeping a fixed time.

A test that sleeps "long enough" either flakes on a loaded machine or passes while things are slow;
a test that waits for the state it needs does neither. These are the only places in the test code
that call `time.sleep` (tests/test_no_sleeps.py keeps it so).
"""

from __future__ import annotations

import time
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def wait_until(fn: Callable[[], T], timeout: float = 20.0, interval: float = 0.05,
               what: str = "condition") -> T:
    """Call `fn` until it returns something truthy and return that; fail after `timeout` seconds.

    The timeout is a bound for a broken system, not the expected time: it is generous because the
    machine running the tests may be busy.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s (last value {value!r})")
        time.sleep(interval)


def stays(fn: Callable[[], Any], until: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05,
          what: str = "condition") -> None:
    """Assert that `fn()` holds at every look until `until()` does (the work that could break it is over).

    For "nothing happened" checks: instead of sleeping and looking once, look while the jobs that could
    make it happen run, and stop when they are observably done.
    """
    deadline = time.monotonic() + timeout
    while True:
        done = until()
        assert fn(), f"{what} no longer holds"
        if done:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the end state for checking {what} was not reached within {timeout} s")
        time.sleep(interval)

