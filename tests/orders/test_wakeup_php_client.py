"""The hub's wake-up call against the shared PHP client (plugins/extension-client-php) over real HTTP.

The store here is PHP's built-in web server running `tests/Contract/wake_store.php` of the shared client:
the client's `Wake\\WakeVerifier` checks each call exactly as received, and an accepted call makes the
store poll the hub with the client's `CommandPoller`, the way the WooCommerce plugin and the Magento 2
module both do. Nothing in the store is Python: if the hub's signing and the PHP check ever drift
apart, these tests fail.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from hub.commands.wakeup import send_wake
from plugins.hub_client.client import new_event
from tests.support.orders import World, wait_until
from tests.support.servers import free_port

WAKE_STORE = Path(__file__).resolve().parents[2] / "plugins/extension-client-php/tests/Contract/wake_store.php"


class PhpStore:
    """`php -S` on loopback serving the shared client's wake-up check; its log says what it did."""

    def __init__(self, tmp_path: Path, hub_url: str, key_id: str, secret: str) -> None:
        php = shutil.which("php")
        assert php, "PHP's command-line interpreter is needed (plugins/extension-client-php/tests/run.sh)"
        self.log = tmp_path / "store.jsonl"
        self.log.touch()
        port = free_port()
        env = dict(os.environ, TTS_STORE_KEY_ID=key_id, TTS_STORE_SECRET=secret, TTS_HUB_URL=hub_url,
                   TTS_STORE_LOG=str(self.log))
        self.process = subprocess.Popen([php, "-S", f"127.0.0.1:{port}", str(WAKE_STORE)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: self._accepts(port), timeout=15, what="php -S listening")
        self.base_url = f"http://127.0.0.1:{port}/shop/"

    @staticmethod
    def _accepts(port: int) -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return False
        return True

    def entries(self, event: str | None = None) -> list[dict[str, Any]]:
        rows = [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]
        return [row for row in rows if event is None or row["event"] == event]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _register(world: World, base_url: str) -> None:
    world.client.send_events([new_event("store.update", store={
        "currency": "GBP", "weight_unit": "kg", "dimension_unit": "cm", "platform_version": "9.4.3",
        "extension_version": "0.2.0", "base_url": base_url})])


@pytest.fixture()
def php_store(world: World, tmp_path: Path) -> Iterator[PhpStore]:
    store = PhpStore(tmp_path, world.hub_url, world.store["key_id"], world.store["secret"])
    _register(world, store.base_url)
    yield store
    store.close()


def test_the_hubs_wake_up_passes_the_php_clients_check_and_the_store_gets_the_order(world: World,
                                                                                    php_store: PhpStore) -> None:
    tid = world.sandbox.place_order([{"seller_sku": "SOCK-M", "quantity": 1}])

    accepted = wait_until(lambda: php_store.entries("accepted"), timeout=15, what="the PHP store accepted a wake-up")
    assert accepted[0]["method"] == "POST"
    assert accepted[0]["uri"] == "/shop/?rest_route=/tiktok-shop-sync/v1/wake"
    assert accepted[0]["body_bytes"] == 0
    assert php_store.entries("refused") == []

    # Woken, the PHP store (which has no cron: the wake-up is its only way to poll) polled with the shared
    # client and answered the command; the hub has its order number.
    def answered() -> list[dict[str, Any]]:
        return [c for c in world.commands("order.create")
                if c["payload"]["order"]["tiktok_order_id"] == tid and c["status"] == "done"]

    done = wait_until(answered, timeout=20, what="the order.create command answered by the PHP store")
    assert done[0]["result"]["platform_order_id"] == f"PHP-{tid}"
    # The store logs its poll after the hub has its result: wait for the log too.
    wait_until(lambda: any(p["summary"]["done"] >= 1 for p in php_store.entries("polled")), timeout=10,
               what="the PHP store's poll summary")
    assert all(p["summary"]["error"] == "" for p in php_store.entries("polled"))


@pytest.mark.parametrize(("key_id", "secret", "code"), [
    (None, "not-the-stores-secret", "bad_signature"),
    ("another-key", None, "unknown_key"),
])
def test_a_wake_up_the_php_client_cannot_verify_is_refused_with_the_failed_check(
        world: World, tmp_path: Path, key_id: str | None, secret: str | None, code: str) -> None:
    store = PhpStore(tmp_path, world.hub_url, key_id or world.store["key_id"], secret or world.store["secret"])
    try:
        _register(world, store.base_url)
        store_id = world.store["store_id"]
        world.runtime.redis.delete(f"hub:wake:sent:{store_id}")
        # As the workers run it here: the test store listens on loopback.
        runtime = dataclasses.replace(world.runtime, settings=world.runtime.settings.with_overrides(
            allow_private_store_hosts=True))
        assert send_wake(runtime, store_id) == "sent:401"
        refused = store.entries("refused")
        assert [r["code"] for r in refused] == [code]
        assert store.entries("accepted") == [] and store.entries("polled") == []
    finally:
        store.close()
