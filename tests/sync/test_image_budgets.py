"""Hostile pictures against their budgets: time per download, CPU per conversion, memory per listing.

Each case is a picture (or a server) built to hold a worker — a server dripping one byte at a time, an
SVG whose blur costs minutes of CPU, PNGs that decode to gigabytes, a decompression bomb — and asserts
both that the product fails with a reason naming the picture and that the budget held.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Iterator

import pytest

from hub.sync.products.errors import ImageError
from hub.sync.products.image_download import DEFAULT_DEADLINE, fetch_image
from hub.sync.products.images import ImagePipeline


class DripServer:
    """A raw TCP server on loopback that answers every request by dripping bytes, one per `interval`."""

    def __init__(self, head: bytes, body_length: int, interval: float, drip_head: bool = False):
        self.head, self.body_length, self.interval, self.drip_head = head, body_length, interval, drip_head
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/drip.jpg") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                continue
            self.connections.append(connection)
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        try:
            connection.recv(65536)
            if not self.drip_head:
                connection.sendall(self.head)
            for byte in (self.head if self.drip_head else b"") + b"\xff" * self.body_length:
                if self.stop.wait(self.interval):
                    return
                connection.sendall(bytes([byte]))
        except OSError:
            return  # the client hung up: what the deadline is for

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def drip() -> Iterator[type[DripServer]]:
    servers: list[DripServer] = []

    def make(*args, **kwargs) -> DripServer:  # noqa: ANN002, ANN003
        server = DripServer(*args, **kwargs)
        servers.append(server)
        return server

    yield make  # type: ignore[misc]
    for server in servers:
        server.close()


def _timed_fetch(url: str, deadline: float) -> tuple[float, BaseException | None]:
    """Fetch in a thread so that a broken deadline fails the test instead of hanging it."""
    outcome: list[BaseException | None] = []
    started = time.monotonic()

    def run() -> None:
        try:
            fetch_image(url, allow_private=True, deadline=deadline)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - inspected by the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=deadline + 15)
    assert not thread.is_alive(), f"the download was still running {deadline + 15:.0f} s into a {deadline} s deadline"
    return time.monotonic() - started, outcome[0]


def test_the_download_deadline_is_sixty_seconds() -> None:
    assert DEFAULT_DEADLINE == 60.0


def test_a_body_dripping_one_byte_at_a_time_is_cut_at_the_deadline(drip) -> None:  # noqa: ANN001
    """1 byte every 0.2 s under a Content-Length of 100 kB: each read is quick, the whole would take 5 hours."""
    server = drip(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n", 100_000, 0.2)
    elapsed, error = _timed_fetch(server.url(), deadline=3.0)
    assert isinstance(error, ImageError) and error.code == "image_timeout", error
    assert server.url() in error.message
    assert elapsed < 3.0 + 1.5


def test_headers_dripping_one_byte_at_a_time_are_cut_at_the_deadline(drip) -> None:  # noqa: ANN001
    head = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nX-Padding: " + b"a" * 5000 + b"\r\nContent-Length: 1\r\n\r\n"
    server = drip(head, 1, 0.2, drip_head=True)
    elapsed, error = _timed_fetch(server.url(), deadline=3.0)
    assert isinstance(error, ImageError) and error.code == "image_timeout", error
    assert elapsed < 3.0 + 1.5


def test_a_chunked_body_dripping_is_cut_at_the_deadline(drip) -> None:  # noqa: ANN001
    server = drip(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"100000\r\n", 100_000, 0.2)
    elapsed, error = _timed_fetch(server.url(), deadline=3.0)
    assert isinstance(error, ImageError) and error.code == "image_timeout", error
    assert elapsed < 3.0 + 1.5


def test_the_pipeline_holds_its_deadline_for_every_picture(drip) -> None:  # noqa: ANN001
    server = drip(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", 100_000, 0.2)
    with ImagePipeline(allow_private=True, deadline=2.0) as pipeline:
        started = time.monotonic()
        with pytest.raises(ImageError) as caught:
            pipeline.fetch(server.url())
        assert caught.value.code == "image_timeout" and time.monotonic() - started < 2.0 + 1.5
    assert ImagePipeline().deadline == DEFAULT_DEADLINE
