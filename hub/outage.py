"""Riding out a Redis outage: what each process knows about its connection to Redis.

The database is the record of everything the hub was told; Redis only holds the queue of work still
to do. So when Redis goes away nothing stops: the Extension API and the TikTok webhook keep storing
what they receive, long-polls answer at once with a retry hint, and workers wait for Redis and start
again (hub/jobs/worker.py), then sweep the database for work the outage left without a job
(hub/sync/catchup.py). Each process keeps one `RedisOutage`: it logs the start and the end of an
outage once each (not once per failed call), and the settings page shows it while it lasts.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("hub.outage")


class RedisOutage:
    """Since when this process cannot reach Redis (None while it can)."""

    def __init__(self) -> None:
        self.since: float | None = None
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException | str) -> None:
        with self._lock:
            if self.since is not None:
                return
            self.since = time.time()
        log.error("Redis is unreachable (%s): store changes and TikTok notifications are still stored; "
                  "queued work waits until Redis is back", error)

    def recovered(self) -> float | None:
        """Note that Redis answers again; returns how long the outage lasted, if there was one."""
        with self._lock:
            since, self.since = self.since, None
        if since is None:
            return None
        lasted = time.time() - since
        log.warning("Redis is reachable again after %.1f s", lasted)
        return lasted
