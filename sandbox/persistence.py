"""Keeping the sandbox's state across restarts (`--state-file`), so a resumed demo finds its products.

The state is pickled: it is the sandbox's own in-memory object, written and read only by the sandbox on
the same machine. Reviews still in progress when it stopped are scheduled again on load.
"""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path


def load(runtime, path: Path) -> bool:  # noqa: ANN001
    if not path.exists():
        return False
    with open(path, "rb") as handle:
        state = pickle.load(handle)
    from .api_products import schedule_review

    with runtime.lock:
        state.options.update({k: v for k, v in runtime.options.items() if k == "webhook_url"})
        runtime.state = state
        for product in state.products.values():
            if product.get("audit_status") == "AUDITING":
                schedule_review(runtime, state, product)
    return True


def save(runtime, path: Path) -> None:  # noqa: ANN001
    with runtime.lock:
        data = pickle.dumps(runtime.state)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


class Saver(threading.Thread):
    """Saves every few seconds, and once more when stopped."""

    def __init__(self, runtime, path: Path, interval: float = 3.0):  # noqa: ANN001
        super().__init__(daemon=True, name="sandbox-state-saver")
        self.runtime, self.path, self.interval = runtime, path, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            save(self.runtime, self.path)

    def stop(self) -> None:
        self.stopped.set()
        save(self.runtime, self.path)
