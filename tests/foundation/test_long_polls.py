"""Long-polls never starve the web: a hundred polls from one store, others waiting too, and another
store's call, a TikTok webhook and the login page still answer at once (hub/commands/pollslots.py).

The hub runs as in production: `hub serve --gunicorn` (the threaded worker class), here with one process
of 8 threads, so at most 4 polls may wait in it.
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from hub.commands import pollslots
from hub.commands.outbox import create_command, notify
from hub.runtime import Runtime
from hub.security.signing import signature
from hub.tiktok.signing import webhook_signature
from tests.support.hub import add_store, close_runtime, hub_environ, make_runtime
from tests.support.servers import free_port
from tests.support.waiting import wait_until

APP_KEY, APP_SECRET = "6a8polls", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
THREADS = 8


@pytest.fixture()
def runtime(tmp_path: Path, redis_url: str) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path, redis_url, tiktok_app_key=APP_KEY, tiktok_app_secret=APP_SECRET)
    yield rt
    close_runtime(rt)


@pytest.fixture()
def served(runtime: Runtime) -> Iterator[str]:
    port = free_port()
    log = open(runtime.settings.data_dir / "serve.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--gunicorn", "--workers", "1", "--threads",
                               str(THREADS), "--port", str(port)], env=hub_environ(runtime), stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base + "/login"), 60, what="gunicorn answering")
        yield base
    finally:
        stopping = time.monotonic()
        server.send_signal(signal.SIGINT)   # gunicorn's quick shutdown: the waiting polls end at once
        server.wait(60)
        stopped = time.monotonic() - stopping
        log.close()
        # Waiting long-polls (25 s each here) do not hold the shutdown up: an operator's Ctrl-C or a
        # deploy's restart is not kept waiting by the stores' polls.
        assert stopped < 10, f"gunicorn took {stopped:.1f} s to stop"


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _signed(base: str, store: dict[str, str], path: str, timeout: float = 10) -> requests.Response:
    ts = str(int(time.time()))
    headers = {"X-Hub-Key": store["key_id"], "X-Hub-Timestamp": ts,
               "X-Hub-Signature": signature(store["secret"], ts, "GET", path, b"")}
    return requests.get(base + path, headers=headers, timeout=timeout)


class Polls:
    """Long-polls in threads; each answer kept with how long it took."""

    def __init__(self) -> None:
        self.answers: list[tuple[float, requests.Response | Exception]] = []
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()

    def start(self, base: str, store: dict[str, str], count: int, wait: int = 25) -> None:
        def one() -> None:
            started = time.monotonic()
            try:
                answer: requests.Response | Exception = _signed(base, store, f"/api/v1/commands?wait={wait}", 45)
            except requests.RequestException as error:
                answer = error
            with self.lock:
                self.answers.append((time.monotonic() - started, answer))

        for _ in range(count):
            thread = threading.Thread(target=one, daemon=True)
            thread.start()
            self.threads.append(thread)

    def done(self) -> list[tuple[float, requests.Response | Exception]]:
        with self.lock:
            return list(self.answers)


def _timed(fn: Any) -> tuple[float, requests.Response]:
    started = time.monotonic()
    response = fn()
    return time.monotonic() - started, response


def test_a_hundred_long_polls_from_one_store_starve_nothing(runtime: Runtime, served: str) -> None:
    a = add_store(runtime, name="Busy store")
    b = add_store(runtime, name="Other store")
    others = [add_store(runtime, name=f"Store {n}") for n in range(4)]
    assert _signed(served, b, "/api/v1/ping").status_code == 200   # warm

    polls = Polls()
    polls.start(served, a, 100)
    wait_until(lambda: len(polls.done()) >= 98, 30, what="98 of the 100 polls answered at once")
    refused = polls.done()
    assert len(refused) == 98 and pollslots.waiting(runtime, a["store_id"]) == 2
    for _elapsed, answer in refused:
        assert isinstance(answer, requests.Response) and answer.status_code == 200
        assert answer.json() == {"commands": [], "retry_after": 5} and answer.headers["Retry-After"] == "5"

    # Four more stores poll: the process lets 4 polls wait in all (half its 8 threads); the rest are told
    # to come back, whichever store they are from.
    extra = Polls()
    for store in others:
        extra.start(served, store, 1)
    wait_until(lambda: len(extra.done()) >= 2, 30, what="polls beyond the process's share answered")
    assert sum(pollslots.waiting(runtime, s["store_id"]) for s in others) == 2
    assert all(isinstance(r, requests.Response) and r.json()["retry_after"] == 5 for _, r in extra.done())

    # Meanwhile everything else answers at once.
    timings: dict[str, list[float]] = {"ping": [], "webhook": [], "login": []}
    for n in range(5):
        took, response = _timed(lambda: _signed(served, b, "/api/v1/ping"))
        assert response.status_code == 200
        timings["ping"].append(took)
        body = json.dumps({"type": 1, "tts_notification_id": str(uuid.uuid4().int)[:19], "shop_id": "7000000000",
                           "timestamp": int(time.time()),
                           "data": {"order_id": f"57646141303878{n:04d}", "order_status": "UNPAID",
                                    "update_time": int(time.time())}}).encode()
        took, response = _timed(lambda: requests.post(
            f"{served}/tiktok/webhooks", data=body, timeout=10,
            headers={"Content-Type": "application/json", "Authorization": webhook_signature(APP_KEY, APP_SECRET, body)}))
        assert response.status_code == 200, response.text
        timings["webhook"].append(took)
        took, response = _timed(lambda: requests.get(f"{served}/login", timeout=10))
        assert response.status_code == 200
        timings["login"].append(took)
    print({k: round(max(v), 3) for k, v in timings.items()})
    for what, took in timings.items():
        assert max(took) < 1.0, f"{what} took {took}"
        assert statistics.median(took) < 0.5, f"{what} took {took}"

    # The two polls still waiting deliver a new command at once.
    with runtime.db.session_scope() as session:
        command, _ = create_command(session, a["store_id"], "catalog.resync", {}, "resync-1")
        command_id = command.id
    notify(runtime.redis, a["store_id"])
    wait_until(lambda: any(isinstance(r, requests.Response) and r.json()["commands"]
                           for _, r in polls.done()[98:]), 10, what="a waiting poll got the command")
    delivered = [c["id"] for _, r in polls.done()[98:] if isinstance(r, requests.Response) for c in r.json()["commands"]]
    assert delivered == [command_id]
