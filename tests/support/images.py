"""Pictures on real loopback HTTP servers, as a store's media host serves them."""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from PIL import Image
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def jpeg(size: tuple[int, int] = (800, 800), color: tuple[int, int, int] = (200, 30, 30), quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


class ImageServer:
    """Pictures of any size and colour: /img/<w>x<h>/<r>-<g>-<b>.jpg, plus a web page posing as a
    picture (/page.jpg) and 404 for the rest. `busy[path] = n` answers the next n requests for it 503."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.busy: dict[str, int] = {}
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204
        request = Request(environ)
        self.hits.append(request.path)
        parts = request.path.strip("/").split("/")
        if self.busy.get(request.path, 0) > 0:
            self.busy[request.path] -= 1
            response = Response("busy", status=503, mimetype="text/plain")
        elif len(parts) == 3 and parts[0] == "img":
            w, h = (int(x) for x in parts[1].split("x"))
            color = tuple(int(c) for c in parts[2].split(".")[0].split("-"))
            response = Response(jpeg((w, h), color), mimetype="image/jpeg")  # type: ignore[arg-type]
        elif request.path == "/page.jpg":
            response = Response("<!DOCTYPE html><html><body>Please log in</body></html>", mimetype="image/jpeg")
        else:
            response = Response("not here", status=404, mimetype="text/plain")
        return response(environ, start_response)

    def url(self, w: int = 800, h: int = 800, color: tuple[int, int, int] = (200, 30, 30)) -> str:
        return f"{self.base}/img/{w}x{h}/{color[0]}-{color[1]}-{color[2]}.jpg"

    def reset(self) -> None:
        self.hits.clear()
        self.busy.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class RouteServer:
    """A loopback server whose routes the test sets (`route(path, handler)`); it records every path asked."""

    host: str
    port: int
    routes: dict[str, Callable[[Request], Response]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, handler: Callable[[Request], Response]) -> None:
        self.routes[path] = handler

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204 - WSGI entry point
        request = Request(environ)
        self.requests.append(request.path)
        handler = self.routes.get(request.path)
        response = handler(request) if handler else Response("not here", status=404, mimetype="text/plain")
        return response(environ, start_response)


def serve_routes(host: str = "127.0.0.1") -> Iterator[RouteServer]:
    """Yields a running RouteServer on `host` (any loopback address), stopped afterwards."""
    live = RouteServer(host, 0)
    server = make_server(host, 0, live, threaded=True)
    live.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=5)


def slow(seconds: float, response: Callable[[], Response]) -> Callable[[Request], Response]:
    """A handler that answers only after `seconds`: a media host too slow for the hub's time-out."""
    def handler(_request: Request) -> Response:
        time.sleep(seconds)
        return response()
    return handler
