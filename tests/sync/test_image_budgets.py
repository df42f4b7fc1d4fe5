"""Hostile pictures against their budgets: time per download, CPU per conversion, memory per listing.

Each case is a picture (or a server) built to hold a worker — a server dripping one byte at a time, an
SVG whose blur costs minutes of CPU, PNGs that decode to gigabytes, a decompression bomb — and asserts
both that the product fails with a reason naming the picture and that the budget held.
"""

from __future__ import annotations

import resource
import socket
import threading
import time
from typing import Iterator

import pytest

from hub.sync.products.errors import ImageError
from hub.sync.products.image_download import DEFAULT_DEADLINE, fetch_image
from hub.sync.products.image_process import CPU_SECONDS, MEMORY_BYTES, ImageConverter
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


# ------------------------------------------------------------------------------------------ conversion

BLUR = (b'<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="4000"><filter id="f"><feGaussianBlur '
        b'stdDeviation="999999"/></filter><rect width="4000" height="4000" fill="red" filter="url(#f)"/></svg>')
FIFTY_BLURS = (b'<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="4000"><filter id="f"><feGaussianBlur '
               b'stdDeviation="99999"/></filter>' + b'<rect width="4000" height="4000" filter="url(#f)"/>' * 50
               + b"</svg>")


@pytest.fixture
def pictures(image_server):  # noqa: ANN001, ANN201
    """The loopback image server with the hostile pictures of this file."""
    from werkzeug.wrappers import Response

    from tests.sync.conftest import jpeg_bytes

    routes = {"/blur.svg": (BLUR, "image/svg+xml"), "/blurs.svg": (FIFTY_BLURS, "image/svg+xml"),
              "/fine.jpg": (jpeg_bytes((900, 700)), "image/jpeg")}
    for path, (body, kind) in routes.items():
        image_server.route(path, lambda r, body=body, kind=kind: Response(body, mimetype=kind))
    return image_server


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_conversion_budgets_are_ten_seconds_of_cpu_and_a_bounded_address_space() -> None:
    assert CPU_SECONDS == 10
    assert MEMORY_BYTES <= 512 * 1024 * 1024


@pytest.mark.parametrize("path", ["/blur.svg", "/blurs.svg"])
def test_an_svg_burning_minutes_of_cpu_is_stopped_at_its_budget(pictures, path) -> None:  # noqa: ANN001
    """The 199-byte blur costs minutes of CPU in the renderer; the budget here is 2 s (10 s in production)."""
    converter = ImageConverter(cpu_seconds=2)
    with ImagePipeline(allow_private=True, converter=converter) as pipeline:
        before, started = _children_cpu(), time.monotonic()
        with pytest.raises(ImageError) as caught:
            pipeline.prepare(pictures.url(path))
        spent, elapsed = _children_cpu() - before, time.monotonic() - started
        assert caught.value.code == "image_too_slow" and pictures.url(path) in caught.value.message
        assert not caught.value.transient  # the same picture would fail the same way: a reason, not a retry
        assert spent < 2 + 1.5, f"the converter used {spent:.1f} s of CPU"
        assert elapsed < converter.wall_seconds
        # The next picture gets a fresh converter and goes through.
        prepared = pipeline.prepare(pictures.url("/fine.jpg"))
        assert (prepared.width, prepared.height) == (900, 700) and prepared.data[:2] == b"\xff\xd8"
    assert converter.started == 2
    converter.close()


def test_the_listing_job_reports_the_picture_that_broke_the_budget(pictures, monkeypatch) -> None:  # noqa: ANN001
    """The uploader (what the listing job calls) returns the failure for that picture and keeps the others."""
    from hub.sync.products import image_process
    from hub.sync.products.uploads import ImageUploader

    monkeypatch.setattr(image_process, "_shared", ImageConverter(cpu_seconds=2))

    class Runtime:
        class settings:  # noqa: N801 - the shape of hub.config.Settings the uploader reads
            allow_private_image_hosts = True

    with ImageUploader(Runtime(), "shop", client=None) as uploader:  # type: ignore[arg-type]
        prepared = uploader.prepare_all([pictures.url("/fine.jpg"), pictures.url("/blur.svg")])
    assert prepared[pictures.url("/fine.jpg")].width == 900
    failure = prepared[pictures.url("/blur.svg")]
    assert isinstance(failure, ImageError) and failure.code == "image_too_slow"
    assert pictures.url("/blur.svg") in failure.message
    image_process._shared.close()


# ---------------------------------------------------------------------------------------------- memory


def _png(size: tuple[int, int], mode: str = "RGBA") -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 255)[:len(mode)]).save(buffer, "PNG")
    return buffer.getvalue()


def test_four_large_pngs_keep_the_listing_job_under_512_mb() -> None:
    """Measured in a fresh process by the benchmark (`python -m bench.image_memory`): four 5000 x 5000
    transparent PNGs of one product took the job to 1.2 GB when converted in its own process."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-m", "bench.image_memory", "--pictures", "4", "--side", "5000",
                          "--json"], capture_output=True, text=True, check=True, cwd=root)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["converted"] == 4, result["failures"]
    assert result["total_peak_mb"] < 512, result
    assert result["converter_peak_mb"] * 1024 * 1024 < MEMORY_BYTES


def test_a_picture_too_large_for_the_memory_budget_fails_before_decoding(image_server) -> None:  # noqa: ANN001
    from werkzeug.wrappers import Response

    from tests.sync.test_product_images_convert import _png_claiming

    big, bomb = _png((7000, 7000)), _png_claiming(40_000, 40_000)
    image_server.route("/big.png", lambda r: Response(big, mimetype="image/png"))
    image_server.route("/bomb.png", lambda r: Response(bomb, mimetype="image/png"))
    converter = ImageConverter()
    with ImagePipeline(allow_private=True, converter=converter) as pipeline:
        for path, shown in (("/big.png", "49 megapixels"), ("/bomb.png", "1,600 megapixels")):
            with pytest.raises(ImageError) as caught:
                pipeline.prepare(image_server.url(path))
            assert caught.value.code == "image_too_many_pixels" and image_server.url(path) in caught.value.message
            assert shown in caught.value.message
    assert converter.peak_child_rss < 100 * 1024 * 1024  # refused from the header: nothing was decoded
    converter.close()


def test_the_address_space_limit_holds_whatever_the_decoder_does(image_server) -> None:  # noqa: ANN001
    """The backstop below the pixel budget: a child given too little memory for a picture fails that
    picture with a reason, and the next one gets a fresh child."""
    from werkzeug.wrappers import Response

    from tests.sync.conftest import jpeg_bytes

    big, small = _png((4500, 4500)), jpeg_bytes((600, 600))
    image_server.route("/big.png", lambda r: Response(big, mimetype="image/png"))
    image_server.route("/small.jpg", lambda r: Response(small, mimetype="image/jpeg"))
    converter = ImageConverter(memory_bytes=160 * 1024 * 1024)
    with ImagePipeline(allow_private=True, converter=converter) as pipeline:
        with pytest.raises(ImageError) as caught:
            pipeline.prepare(image_server.url("/big.png"))
        assert caught.value.code == "image_too_large" and image_server.url("/big.png") in caught.value.message
        assert "160 MB" in caught.value.message
        assert pipeline.prepare(image_server.url("/small.jpg")).width == 600
    converter.close()
