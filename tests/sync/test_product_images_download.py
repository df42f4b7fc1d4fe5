"""Downloads from a real HTTP server on loopback: errors, limits and address checks on every hop."""

from __future__ import annotations

import os

import pytest
import requests
from werkzeug.wrappers import Response

from hub.sync.products.errors import ImageError
from hub.sync.products.images import ImagePipeline, fetch_image

LOOPBACK_ONLY = ["127.0.0.1/32"]


def test_downloads_a_picture(image_server):
    data = fetch_image(image_server.url("/photo.jpg"), allow_private=True)
    assert data[:3] == b"\xff\xd8\xff"
    assert image_server.requests == ["/photo.jpg"]


def test_pipeline_downloads_and_prepares_with_one_session(image_server):
    with ImagePipeline(allow_private=True) as pipeline:
        first = pipeline.prepare(image_server.url("/photo.jpg"))
        second = pipeline.prepare(image_server.url("/photo.jpg"))
    assert (first.width, first.height) == (800, 600)
    assert first.sha256 == second.sha256
    assert first.converted_from is None


def test_missing_picture_is_reported_as_not_found(image_server):
    url = image_server.url("/gone.jpg")
    with pytest.raises(ImageError) as caught:
        fetch_image(url, allow_private=True)
    assert caught.value.code == "image_not_found"
    assert url in caught.value.message and "404" in caught.value.message
    assert not caught.value.transient  # retrying will not bring it back: the product fails at once


def test_server_error_is_reported(image_server):
    with pytest.raises(ImageError) as caught:
        fetch_image(image_server.url("/broken.jpg"), allow_private=True)
    assert caught.value.code == "image_download_failed"
    assert "500" in caught.value.message
    assert caught.value.transient  # the listing job retries it with backoff


def test_web_page_served_as_jpeg_is_not_an_image(image_server):
    url = image_server.url("/page.jpg")
    with pytest.raises(ImageError) as caught:
        ImagePipeline(allow_private=True).prepare(url)
    assert caught.value.code == "image_not_an_image"
    assert url in caught.value.message and "HTML" in caught.value.message


def test_redirects_are_followed(image_server):
    image_server.route("/moved.jpg", lambda r: Response(status=302, headers={"Location": "/photo.jpg"}))
    data = fetch_image(image_server.url("/moved.jpg"), allow_private=True)
    assert data[:3] == b"\xff\xd8\xff"
    assert image_server.requests == ["/moved.jpg", "/photo.jpg"]


def test_redirect_loop_is_stopped(image_server):
    image_server.route("/loop.jpg", lambda r: Response(status=301, headers={"Location": "/loop.jpg"}))
    with pytest.raises(ImageError) as caught:
        fetch_image(image_server.url("/loop.jpg"), allow_private=True)
    assert caught.value.code == "image_too_many_redirects"
    assert len(image_server.requests) == 6


def test_redirect_to_an_internal_address_is_refused_without_contacting_it(image_server, second_server):
    secret = second_server.url("/secret")
    image_server.route("/trap.jpg", lambda r: Response(status=302, headers={"Location": secret}))
    with pytest.raises(ImageError) as caught:
        fetch_image(image_server.url("/trap.jpg"), allow_networks=LOOPBACK_ONLY)
    assert caught.value.code == "image_address_blocked"
    assert secret in caught.value.message
    assert image_server.requests == ["/trap.jpg"]
    assert second_server.requests == []


def test_redirect_to_cloud_metadata_address_is_refused(image_server):
    image_server.route(
        "/meta.jpg", lambda r: Response(status=307, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )
    with pytest.raises(ImageError) as caught:
        fetch_image(image_server.url("/meta.jpg"), allow_networks=LOOPBACK_ONLY)
    assert caught.value.code == "image_address_blocked"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_unless_allowed(image_server, host):
    url = f"http://{host}:{image_server.port}/photo.jpg"
    with pytest.raises(ImageError) as caught:
        fetch_image(url)
    assert caught.value.code == "image_address_blocked"
    assert url in caught.value.message
    assert image_server.requests == []


@pytest.mark.parametrize(
    "url",
    ["http://10.1.2.3/a.jpg", "http://192.168.0.10/a.jpg", "http://[::1]/a.jpg", "http://0.0.0.0/a.jpg",
     "http://[::ffff:127.0.0.1]/a.jpg", "http://100.64.0.1/a.jpg"],
)
def test_private_and_reserved_addresses_are_refused(url):
    with pytest.raises(ImageError) as caught:
        fetch_image(url)
    assert caught.value.code == "image_address_blocked"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://x/", "//no-scheme/a.jpg", ""])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(ImageError) as caught:
        fetch_image(url, allow_private=True)
    assert caught.value.code == "image_url_invalid"


@pytest.mark.parametrize("allow_private", [False, True])
def test_unknown_host_is_reported_as_temporary_whether_private_hosts_are_allowed_or_not(allow_private):
    """A DNS failure may be the resolver's hiccup: the listing retries it, and fails only if it persists."""
    with pytest.raises(ImageError) as caught:
        fetch_image("http://no-such-host.invalid/a.jpg", allow_private=allow_private)
    assert caught.value.code == "image_host_not_found" and caught.value.transient
    assert "no-such-host.invalid" in caught.value.message


def test_declared_size_over_the_limit_is_refused(image_server):
    image_server.route("/big.jpg", lambda r: Response(os.urandom(300_000), mimetype="image/jpeg"))
    with pytest.raises(ImageError) as caught:
        fetch_image(image_server.url("/big.jpg"), allow_private=True, max_bytes=100_000)
    assert caught.value.code == "image_too_large"


def test_streamed_body_over_the_limit_is_cut_off(image_server):
    sent = []

    def endless(request):
        def chunks():
            for _ in range(2_000):
                sent.append(1)
                yield os.urandom(16_384)

        return Response(chunks(), mimetype="image/jpeg")  # no Content-Length

    image_server.route("/stream.jpg", endless)
    with pytest.raises(ImageError) as caught:
        fetch_image(image_server.url("/stream.jpg"), allow_private=True, max_bytes=200_000)
    assert caught.value.code == "image_too_large"
    assert len(sent) < 2_000


def test_slow_server_times_out(image_server):
    with pytest.raises(ImageError) as caught:
        fetch_image(image_server.url("/slow.jpg"), allow_private=True, timeout=(2.0, 0.5))
    assert caught.value.code == "image_timeout"
    assert "took too long" in caught.value.message
    assert caught.value.transient


def test_a_given_session_is_used_and_left_open(image_server):
    session = requests.Session()
    session.headers["X-Shop"] = "demo"
    seen = []
    image_server.route("/who.jpg", lambda r: (seen.append(r.headers.get("X-Shop")), Response(b"x"))[1])
    fetch_image(image_server.url("/who.jpg"), session=session, allow_private=True)
    fetch_image(image_server.url("/who.jpg"), session=session, allow_private=True)
    assert seen == ["demo", "demo"]
    session.close()


def test_pipeline_refuses_loopback_by_default(image_server):
    with ImagePipeline() as pipeline, pytest.raises(ImageError) as caught:
        pipeline.prepare(image_server.url("/photo.jpg"))
    assert caught.value.code == "image_address_blocked"
    assert image_server.requests == []


@pytest.mark.parametrize("url", [None, 123, "http://[broken/x.jpg"])
def test_nonsense_addresses_are_coded_errors(url):
    with pytest.raises(ImageError) as caught:
        fetch_image(url)  # type: ignore[arg-type]
    assert caught.value.code == "image_url_invalid"
