"""Periodic jobs on RQ's scheduler, one chain per job however many workers start.

Each run is scheduled for the next time slot (`<name>-<slot number>`): every worker may ask for the
next run at start-up and every run schedules its successor, yet the fixed id per slot means exactly
one job per slot exists.
"""

from __future__ import annotations

from hub.queues import schedule_next_slot

__all__ = ["schedule_next_slot"]  # kept in hub.queues so the sync engine's chains (order search) use it too
