"""Real HTTP servers on loopback, each on a port the kernel picks (so parallel runs never collide)."""

from __future__ import annotations

import socket
import threading
from typing import Any

from werkzeug.serving import make_server


class LiveServer:
    """A WSGI app served by a threaded werkzeug server on 127.0.0.1 (port 0: the kernel picks one).

    `with LiveServer(app) as server: server.url`
    """

    def __init__(self, app: Any, host: str = "127.0.0.1"):
        self.server = make_server(host, 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago, for a program that must be told its port on the command line.

    Prefer port 0 wherever the server itself can report the port it got.
    """
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
