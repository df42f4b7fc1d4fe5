"""A real HTTP server on loopback that serves pictures, web pages, redirects and slow or huge answers."""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import pytest
from PIL import Image
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def jpeg_bytes(size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@dataclass
class LiveServer:
    host: str
    port: int
    routes: dict[str, Callable[[Request], Response]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, handler: Callable[[Request], Response]) -> None:
        self.routes[path] = handler

    def __call__(self, environ, start_response):  # WSGI entry point
        request = Request(environ)
        self.requests.append(request.path)
        handler = self.routes.get(request.path)
        response = handler(request) if handler else Response("not here", status=404, mimetype="text/plain")
        return response(environ, start_response)


def _serve(host: str) -> Iterator[LiveServer]:
    live = LiveServer(host, 0)
    server = make_server(host, 0, live, threaded=True)
    live.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def image_server() -> Iterator[LiveServer]:
    """Serves on 127.0.0.1 with a few standard routes; tests add their own."""
    for live in _serve("127.0.0.1"):
        picture = jpeg_bytes()
        live.route("/photo.jpg", lambda r: Response(picture, mimetype="image/jpeg"))
        live.route(
            "/page.jpg",
            lambda r: Response("<!DOCTYPE html><html><body>Log in</body></html>", mimetype="image/jpeg"),
        )
        live.route("/gone.jpg", lambda r: Response("gone", status=404))
        live.route("/broken.jpg", lambda r: Response("oops", status=500))

        def slow(request: Request) -> Response:
            time.sleep(3)
            return Response(picture, mimetype="image/jpeg")

        live.route("/slow.jpg", slow)
        yield live


@pytest.fixture
def second_server() -> Iterator[LiveServer]:
    """Another loopback address (127.0.0.2) standing in for an internal service."""
    for live in _serve("127.0.0.2"):
        live.route("/secret", lambda r: Response("internal", mimetype="text/plain"))
        live.route("/x.png", lambda r: Response(jpeg_bytes((50, 50), (255, 0, 0)), mimetype="image/png"))
        yield live
