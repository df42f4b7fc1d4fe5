"""A product whose picture breaks a conversion budget fails to sync with a reason naming the picture,
and its other products list: the listing job is not held, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from hub.models.listings import FAILED_TO_SYNC, UNDER_REVIEW
from hub.sync.products import image_process
from tests.sync.test_image_budgets import BLUR


@pytest.fixture()
def svg_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, lambda environ, start: Response(BLUR, mimetype="image/svg+xml")(
        environ, start), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/blur.svg"
    server.shutdown()


def test_a_picture_over_its_cpu_budget_fails_its_product_with_the_reason(shop, svg_url, monkeypatch) -> None:  # noqa: ANN001
    converter = image_process.ImageConverter(cpu_seconds=2)  # 10 s in production
    monkeypatch.setattr(image_process, "_shared", converter)
    shop.push(shop.product("101", images=[shop.images.url(), svg_url]), shop.product("102"))
    shop.map()
    failed, listed = shop.listing("101"), shop.listing("102")
    assert failed.status == FAILED_TO_SYNC
    assert svg_url in failed.reason and "2 s of processing" in failed.reason
    assert listed.status == UNDER_REVIEW
    converter.close()
