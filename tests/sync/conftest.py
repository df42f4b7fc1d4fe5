"""A real HTTP server on loopback that serves pictures, web pages, redirects and slow or huge answers."""

from __future__ import annotations

from typing import Iterator

import pytest
from werkzeug.wrappers import Response

from tests.support.images import RouteServer, jpeg, serve_routes, slow



def jpeg_bytes(size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    return jpeg(size, color, quality=90)


@pytest.fixture
def image_server() -> Iterator[RouteServer]:
    """Serves on 127.0.0.1 with a few standard routes; tests add their own."""
    for live in serve_routes("127.0.0.1"):
        picture = jpeg_bytes()
        live.route("/photo.jpg", lambda r: Response(picture, mimetype="image/jpeg"))
        live.route(
            "/page.jpg",
            lambda r: Response("<!DOCTYPE html><html><body>Log in</body></html>", mimetype="image/jpeg"),
        )
        live.route("/gone.jpg", lambda r: Response("gone", status=404))
        live.route("/broken.jpg", lambda r: Response("oops", status=500))
        live.route("/slow.jpg", slow(3, lambda: Response(picture, mimetype="image/jpeg")))
        yield live


@pytest.fixture
def second_server() -> Iterator[RouteServer]:
    """Another loopback address (127.0.0.2) standing in for an internal service."""
    for live in serve_routes("127.0.0.2"):
        live.route("/secret", lambda r: Response("internal", mimetype="text/plain"))
        live.route("/x.png", lambda r: Response(jpeg_bytes((50, 50), (255, 0, 0)), mimetype="image/png"))
        yield live
