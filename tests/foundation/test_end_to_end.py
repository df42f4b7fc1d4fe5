"""A new user's path on the embedded default: real `hub` processes, real HTTP, the Python client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
import requests

from plugins.hub_client import HubClient, HubClientError
from plugins.hub_client.client import new_event
from tests.support.hub import wait_for_long_poll
from tests.support.servers import free_port
from tests.support.waiting import wait_until

HUB = [sys.executable, "-m", "hub.cli"]


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


def _hub(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([*HUB, *args], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture()
def hub_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env["HUB_DATA_DIR"] = str(tmp_path / "var")
    return env


def test_store_add_serve_ping_events_and_a_command_round_trip(hub_env: dict[str, str], tmp_path: Path) -> None:
    creds = _hub(hub_env, "store", "add", "--platform", "woocommerce", "--name", "Socks & Co")
    assert set(creds) >= {"store_id", "key_id", "secret"}
    port = free_port()
    server = subprocess.Popen([*HUB, "serve", "--port", str(port)], env=hub_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(base + "/api/v1/openapi.json"), 30, what="hub serve answering")
        client = HubClient(base, creds["key_id"], creds["secret"], max_retries=2, backoff=0.1)
        assert client.ping()["store_name"] == "Socks & Co"

        results = client.send_events([new_event("product.upsert", product={
            "id": "88", "version": 1, "title": "Socks", "variants": [{"id": "91", "price": "9.99", "quantity": 3}]})])
        assert results[0]["status"] == "accepted"
        assert client.product_status(["88"])[0]["status"] == "Needs category"

        received: list = []
        poller = threading.Thread(target=lambda: received.extend(client.poll_commands(wait=20)))
        poller.start()
        embedded = redis.Redis.from_url(f"redis://127.0.0.1:{(tmp_path / 'var' / 'redis' / 'port').read_text()}/0")
        wait_for_long_poll(embedded, creds["store_id"])
        order = {"order": {"tiktok_order_id": "576461413038785752", "lines": []}}
        made = _hub(hub_env, "commands", "create", "--store", creds["store_id"], "--type", "order.create",
                    "--payload", json.dumps(order))
        again = _hub(hub_env, "commands", "create", "--store", creds["store_id"], "--type", "order.create",
                     "--payload", json.dumps(order))
        assert made["created"] and not again["created"] and made["command_id"] == again["command_id"]
        poller.join(timeout=15)
        assert [c["id"] for c in received] == [made["command_id"]]
        assert client.report_result(made["command_id"], {"status": "done", "platform_order_id": "1001"})["status"] == "accepted"
        assert client.poll_commands(wait=0) == []

        other = HubClient(base, creds["key_id"], "not-the-secret", max_retries=0)
        with pytest.raises(HubClientError) as info:
            other.ping()
        assert info.value.code == "bad_signature"
    finally:
        server.terminate()
        server.wait(timeout=15)
    # the embedded Redis server stops with the last process that used it
    port_file = tmp_path / "var" / "redis" / "port"
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(f"redis://127.0.0.1:{port_file.read_text()}/0", socket_timeout=1).ping()


def test_cli_errors_go_to_stderr_with_non_zero_exit(hub_env: dict[str, str]) -> None:
    out = subprocess.run([*HUB, "user", "add", "not-an-email"], env=hub_env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "not an email" in out.stderr and out.stdout == ""
    out = subprocess.run([*HUB, "commands", "create", "--store", "st_missing", "--type", "catalog.resend",
                          "--payload", "{}"], env=hub_env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "no store" in out.stderr
    out = subprocess.run([*HUB, "sync", "--store", "st_missing", "--order", "576461413038785752"], env=hub_env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and out.stderr.startswith("error:") and out.stdout == ""
    out = subprocess.run([*HUB, "sync", "--store", "st_missing", "--order", "1", "--product", "2"], env=hub_env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "not both" in out.stderr
    ok = _hub(hub_env, "user", "add", "owner@example.com", "--password", "correct horse")
    assert ok["email"] == "owner@example.com"
