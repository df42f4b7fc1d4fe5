"""What makes the demo stop as a whole: the signals that end it, the port it needs, its data folder's lock.

A demo is a dozen processes (sandbox, hub, workers, the private Redis-compatible server, fake stores).
Whatever ends it — Ctrl-C, `kill`, `timeout`, a closed SSH session, or a failed start — must stop all of
them, or the next run talks to the old hub. Two demos on one data folder would share its database and
its Redis server, so the second one is told which process holds the folder instead.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import socket
from pathlib import Path
from typing import IO, Any


class DemoStopped(Exception):
    """A signal asked the demo to end (SIGTERM, SIGHUP): unwinds like Ctrl-C so everything is stopped."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class CannotStart(Exception):
    """A reason the demo cannot start that the person running it can fix; the message says how."""


def raise_on_signals() -> None:
    """SIGTERM and SIGHUP end the demo the way Ctrl-C does."""

    def handler(signum: int, _frame: Any) -> None:
        raise DemoStopped(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)


def ignore_signals() -> None:
    """While the demo stops its processes, a second signal must not cut the clean-up short."""
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def check_port(port: int, command: str, host: str = "127.0.0.1") -> None:
    """Port 5000 is taken by default on some desktops (AirPlay): say so before anything starts."""
    if port_in_use(port, host):
        other = 5050 if port != 5050 else 5051
        raise CannotStart(f"Port {port} is in use by another program; run `{command} --port {other}`.")


class DataFolderLock:
    """An exclusive lock on `<data folder>/demo.lock`, held for the demo's life, with the holder's pid."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "demo.lock"
        self.handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise CannotStart(
                f"Another demo is running on the data folder {self.path.parent} (process {holder}). Stop it "
                f"with Ctrl-C in its terminal or `kill {holder}`, or use another folder with --data-dir.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
