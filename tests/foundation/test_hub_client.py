"""The Python Extension API client against a loopback server that breaks connections mid-answer."""

from __future__ import annotations

import socket
import threading
from typing import Iterator

import pytest

from plugins.hub_client import HubClient, HubClientError

GOOD = b'{"ok": true}'


class BreakingServer:
    """Answers the first `broken` requests with headers promising a body, then hangs up; then answers well."""

    def __init__(self, broken: int):
        self.broken, self.requests = broken, 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.requests += 1
                if self.requests <= self.broken:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 111\r\n\r\n")
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(GOOD), GOOD))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def server(request: pytest.FixtureRequest) -> Iterator[BreakingServer]:
    s = BreakingServer(request.param)
    yield s
    s.close()


@pytest.mark.parametrize("server", [1], indirect=True)
def test_an_answer_cut_off_midway_is_retried(server: BreakingServer) -> None:
    client = HubClient(server.url, "k", "s", max_retries=2, backoff=0.01, timeout=5)
    assert client.ping() == {"ok": True}
    assert server.requests == 2


@pytest.mark.parametrize("server", [10], indirect=True)
def test_answers_cut_off_every_time_end_in_the_clients_own_error(server: BreakingServer) -> None:
    client = HubClient(server.url, "k", "s", max_retries=2, backoff=0.01, timeout=5)
    with pytest.raises(HubClientError) as caught:
        client.ping()
    assert caught.value.code == "unreachable" and server.requests == 3
