"""The hub wakes a store that polls from cron when a command waits for it (signed, content-free)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from plugins.hub_client.client import new_event
from tests.support.orders import World, wait_until


class StoreSite:
    """A store's web server on loopback: records each wake-up call and, like the plugin, polls after it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.calls: list[dict[str, Any]] = []
        self.fetched: list[dict[str, Any]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                site.calls.append({"path": self.path, "headers": dict(self.headers), "body": body, "at": time.monotonic()})
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                site.fetched += site.world.client.poll_commands(wait=0)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/shop/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def site(world: World) -> Iterator[StoreSite]:
    served = StoreSite(world)
    world.client.send_events([new_event("store.update", store={
        "currency": "GBP", "weight_unit": "kg", "dimension_unit": "cm", "platform_version": "9.4.3",
        "extension_version": "0.2.0", "base_url": served.base_url})])
    yield served
    served.close()


def _expected_signature(secret: str, timestamp: str, path: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}\nPOST\n{path}\n".encode(), hashlib.sha256).hexdigest()


def test_a_store_polling_from_cron_is_woken_and_gets_the_order_in_seconds(world: World, site: StoreSite) -> None:
    placed = time.monotonic()
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])
    wait_until(lambda: site.fetched, timeout=15, what="the woken store fetched the order")
    assert site.fetched[0]["type"] == "order.create" and site.fetched[0]["payload"]["order"]["tiktok_order_id"] == tid
    call = site.calls[0]
    assert call["at"] - placed < 10  # seconds, not the next cron poll
    # Content-free, signed with the store's own key over the address the store registered.
    assert call["body"] == b"" and call["path"] == "/shop/?rest_route=/tiktok-shop-sync/v1/wake"
    headers = {k.lower(): v for k, v in call["headers"].items()}
    assert headers["x-hub-key"] == world.store["key_id"]
    assert abs(int(headers["x-hub-timestamp"]) - time.time()) < 60
    assert headers["x-hub-signature"] == _expected_signature(world.store["secret"], headers["x-hub-timestamp"], call["path"])

    # Two more commands in quick succession: at most one call per second, and none is left to cron.
    first = world.sandbox.place_order([{"seller_sku": "SOCK-L", "quantity": 1}])
    second = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 2}])
    wait_until(lambda: {first, second} <= {c["payload"]["order"]["tiktok_order_id"] for c in site.fetched},
               timeout=40, what="both later orders fetched after wake-ups")  # the store has no cron here
    times = [c["at"] for c in site.calls]
    assert all(b - a >= 0.9 for a, b in zip(times, times[1:])), times


def test_no_call_while_a_long_poll_waits_nor_to_old_extensions_or_private_addresses(world: World,
                                                                                      site: StoreSite) -> None:
    from hub.commands.outbox import channel
    from hub.commands.wakeup import request_wake, send_wake
    from hub.models import Store

    store_id = world.store["store_id"]
    waiting = threading.Thread(target=lambda: world.client.poll_commands(wait=5), daemon=True)
    waiting.start()
    wait_until(lambda: world.runtime.redis.pubsub_numsub(channel(store_id))[0][1] > 0, what="long-poll subscribed")
    request_wake(world.runtime.redis, store_id)
    assert world.runtime.redis.get(f"hub:wake:queued:{store_id}") is None  # the Redis notification suffices
    waiting.join(10)

    # The same address is refused when private addresses are not allowed (the production default).
    strict = dataclasses.replace(world.runtime, settings=world.runtime.settings.with_overrides(
        allow_private_store_hosts=False))
    world.runtime.redis.delete(f"hub:wake:sent:{store_id}")
    assert send_wake(strict, store_id) == "refused:private_address"
    assert site.calls == []

    # An extension version without the wake-up route is never called.
    with world.runtime.db.session_scope() as session:
        session.get(Store, store_id).extension_version = "0.1.0"
    world.runtime.redis.delete(f"hub:wake:sent:{store_id}")
    assert send_wake(world.runtime, store_id) == "no_wake_url"
    assert site.calls == []


def test_wake_up_addresses_come_from_the_registered_base_url_and_the_extensions_route() -> None:
    from hub.commands.wakeup import wake_url
    from hub.models import Store

    def store(platform: str, base_url: str | None, version: str | None) -> Store:
        return Store(platform=platform, base_url=base_url, extension_version=version, sync_enabled=True)

    assert wake_url(store("woocommerce", "https://shop.example/", "0.2.0")) == \
        "https://shop.example/?rest_route=/tiktok-shop-sync/v1/wake"
    assert wake_url(store("woocommerce", "https://shop.example/blog", "0.3.1")) == \
        "https://shop.example/blog/?rest_route=/tiktok-shop-sync/v1/wake"
    assert wake_url(store("magento2", "https://m.example/", "1.0.0")) == "https://m.example/tiktokshop/wake/index"
    # Versions without the route, platforms without one, stores that sent no base_url: never called.
    assert wake_url(store("woocommerce", "https://shop.example/", "0.1.0")) is None
    assert wake_url(store("shopify", "https://x.myshopify.com/", "9.9")) is None
    assert wake_url(store("woocommerce", None, "0.2.0")) is None
