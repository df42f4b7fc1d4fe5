"""The alert digest job (thin: the runtime, then hub/sync/alert_mail.py); one chain however many workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.jobs.periodic import schedule_next_slot
from hub.runtime import current
from hub.sync.alert_mail import send_digests

if TYPE_CHECKING:
    from hub.runtime import Runtime

JOB = "hub.jobs.alerts.digest"


def digest(interval: float | None = None) -> dict[str, int]:
    runtime = current()
    try:
        return send_digests(runtime)
    finally:
        schedule_next_slot(runtime, "alert-digest", JOB, interval or runtime.settings.alert_interval_seconds)


def ensure_periodic(runtime: "Runtime") -> None:
    schedule_next_slot(runtime, "alert-digest", JOB, runtime.settings.alert_interval_seconds)
