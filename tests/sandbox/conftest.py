import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox.app import create_app  # noqa: E402
from sandbox.server import ServerThread  # noqa: E402
from tests.sandbox.helpers import APP_KEY, APP_SECRET, Client, png_bytes  # noqa: E402
from tests.support.waiting import wait_until  # noqa: E402

__all__ = ["wait_until"]


class Receiver:
    """A real HTTP webhook receiver on loopback that records deliveries and checks signatures."""

    def __init__(self):
        self.events = []
        self.cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                expected = hmac.new(APP_SECRET.encode(), APP_KEY.encode() + raw, hashlib.sha256).hexdigest()
                with outer.cond:
                    outer.events.append({"raw": raw, "json": json.loads(raw),
                                         "authorization": self.headers.get("Authorization"),
                                         "valid": hmac.compare_digest(expected, self.headers.get("Authorization") or "")})
                    outer.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/tiktok"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, pred, timeout=5.0):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                found = [e for e in self.events if pred(e["json"])]
                if found:
                    return [e["json"] for e in found]
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"no matching webhook; got {[e['json'] for e in self.events]}")
                self.cond.wait(left)

    def clear(self):
        with self.cond:
            self.events.clear()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="session")
def sandbox_app(receiver):
    app = create_app(APP_KEY, APP_SECRET, receiver.url, review_delay=0.2, redirect_url="http://127.0.0.1:9/cb",
                     webhook_retry_delays=[0.2])
    yield app
    app.extensions["tiktok_sandbox"].close()


@pytest.fixture(scope="session")
def server(sandbox_app):
    with ServerThread(sandbox_app) as srv:
        yield srv


@pytest.fixture()
def base_url(server, receiver):
    r = Client(server.url).ctl("POST", "/reset")
    assert r.status == 200
    receiver.clear()
    return server.url


@pytest.fixture()
def client(base_url):
    return Client(base_url).connect()


@pytest.fixture()
def images(client):
    def up(w=800, h=800, use_case="MAIN_IMAGE"):
        r = client.upload("/product/202309/images/upload", png_bytes(w, h), {"use_case": use_case})
        assert r.code == 0, r
        return r.data["uri"]
    return up


SALES_WH = "7068517275539719942"
RETURN_WH = "7068517275539719951"


@pytest.fixture()
def tee_body(images):
    """A valid UK listing in Men's T-shirts (size chart required)."""
    def make(**over):
        body = {
            "title": "Men's Organic Cotton Crew Neck T-shirt",
            "description": "<p>Soft organic cotton.</p><ul><li>Regular fit</li></ul>",
            "category_id": "601226", "category_version": "v1",
            "main_images": [{"uri": images()}],
            "package_weight": {"value": "0.25", "unit": "KILOGRAM"},
            "product_attributes": [{"id": "100157", "values": [{"id": "1000200"}]}],
            "size_chart": {"image": {"uri": images(1200, 1600, "SIZE_CHART_IMAGE")}},
            "external_product_id": "shopify-1001",
            "skus": [
                {"seller_sku": "TEE-BLK-M", "external_sku_id": "v-1",
                 "sales_attributes": [{"id": "100000", "value_id": "1000110"}, {"name": "Size", "value_name": "M"}],
                 "price": {"amount": "12.50", "currency": "GBP"},
                 "inventory": [{"warehouse_id": SALES_WH, "quantity": 10}]},
                {"seller_sku": "TEE-BLK-L", "external_sku_id": "v-2",
                 "sales_attributes": [{"id": "100000", "value_id": "1000110"}, {"name": "Size", "value_name": "L"}],
                 "price": {"amount": "12.50", "currency": "GBP"},
                 "inventory": [{"warehouse_id": SALES_WH, "quantity": 3}]},
            ],
        }
        body.update(over)
        return body
    return make

