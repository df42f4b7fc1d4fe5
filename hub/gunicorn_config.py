"""gunicorn settings for `hub serve --gunicorn`: a stopping worker ends its waiting long-polls at once.

gunicorn's threaded worker waits for every running request when it stops, quick (SIGINT, SIGQUIT) or
graceful (SIGTERM) alike; a long-poll may wait 25 s for a command, so without this a Ctrl-C or a
deploy's restart was held up by the stores' polls. The polls answer with no commands and the
extensions poll again, reaching whichever process is up.
"""

from __future__ import annotations

import signal
from typing import Any


def _stop_waiting() -> None:
    from hub.commands.leases import stop_waiting

    stop_waiting()


def post_worker_init(worker: Any) -> None:
    """SIGTERM has no worker hook in gunicorn: chain ours in front of the worker's own handler. The
    app is loaded by now: its heap is frozen (hub/heap.py)."""
    from hub.heap import freeze_startup_heap

    graceful = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: Any) -> None:
        _stop_waiting()
        if callable(graceful):
            graceful(signum, frame)

    signal.signal(signal.SIGTERM, on_term)
    freeze_startup_heap()


def worker_int(worker: Any) -> None:
    """SIGINT or SIGQUIT: gunicorn's quick shutdown."""
    _stop_waiting()
