"""Hosted store jobs (thin: the runtime, then the role in hub/stores/). Ids: hub/stores/schedule.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.jobs.periodic import schedule_next_slot
from hub.runtime import current
from hub.stores import commands, notifications, sweep

if TYPE_CHECKING:
    from hub.runtime import Runtime


def process_notification(row_id: str) -> str:
    return notifications.process(current(), row_id)


def run_commands(store_id: str) -> dict[str, int]:
    return commands.run(current(), store_id)


def sweep_store(store_id: str) -> dict[str, Any]:
    return sweep.sweep_store(current(), store_id)


def sweep_all(interval: float = sweep.INTERVAL_SECONDS) -> int:
    runtime = current()
    try:
        return sweep.sweep_all(runtime)
    finally:
        schedule_next_slot(runtime, "store-sweep-all", "hub.jobs.stores.sweep_all", interval)


def ensure_periodic(runtime: "Runtime") -> None:
    """Called when a worker starts; one chain of sweeps runs however many workers call it."""
    schedule_next_slot(runtime, "store-sweep-all", "hub.jobs.stores.sweep_all", sweep.INTERVAL_SECONDS)
