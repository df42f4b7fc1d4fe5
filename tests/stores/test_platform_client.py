"""The platform HTTP client: the platform's own budget headers shared by every worker through Redis,
short holds waited out, long ones handed back to the job instead of sleeping a worker, and every
answer turned into the hub's error kinds."""

from __future__ import annotations

import time
from typing import Iterator

import pytest
import redis

from hub.errors import AuthError, DataError, RateLimitedError, RetryableError
from hub.stores.http import PlatformClient, PlatformLimiter, header_budget
from tests.stores.fakeplatform.server import FakePlatform

BUDGET = header_budget("X-Budget-Left", reset_ms="X-Budget-Reset-Ms")


class Tokens:
    """A token source: the first token has been revoked by the platform, a refresh yields a good one."""

    def __init__(self, first: str, fresh: str | None):
        self.token, self.fresh, self.refreshed = first, fresh, 0

    def access_token(self) -> str:
        return self.token

    def after_auth_failure(self, error: AuthError, used_token: str) -> str | None:
        self.refreshed += 1
        if self.fresh is None:
            return None
        self.token = self.fresh
        return self.fresh


@pytest.fixture()
def connection(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def _client(platform: FakePlatform, connection: redis.Redis, token: str, **limits: float) -> PlatformClient:
    limiter = PlatformLimiter(connection, namespace="fakeshop", per_second=100, **limits)  # type: ignore[arg-type]
    return PlatformClient(name="Fakeshop", base_url=f"{platform.url}/shops/acme/api", key="acme", limiter=limiter,
                          tokens=Tokens(token, None), auth_headers=lambda t: {"X-Fake-Token": t}, budget=BUDGET)


def test_a_spent_budget_holds_every_worker_until_the_platform_refills_it(connection: redis.Redis) -> None:
    with FakePlatform("app", "secret", budget=3, window_ms=400) as platform:
        platform.add_shop("acme", "Acme")
        token = platform._grant("acme")["access_token"]
        workers = [_client(platform, connection, token, low_water=0), _client(platform, connection, token, low_water=0)]
        started = time.monotonic()
        for n in range(7):  # two workers alternating: each sees the budget the other spent
            workers[n % 2].request("GET", "/store")
        assert time.monotonic() - started >= 0.8  # three windows of 400 ms for seven calls
        assert platform.refused == 0 and platform.calls.count("GET /shops/acme/api/store") == 7


def test_a_long_hold_is_handed_back_to_the_job_at_once(connection: redis.Redis) -> None:
    with FakePlatform("app", "secret", budget=1, window_ms=60_000) as platform:
        platform.add_shop("acme", "Acme")
        token = platform._grant("acme")["access_token"]
        _client(platform, connection, token).request("GET", "/store")
        started = time.monotonic()
        with pytest.raises(RateLimitedError) as info:
            _client(platform, connection, token).request("GET", "/store")
        assert time.monotonic() - started < 1.0  # no worker sleeps through a one-minute window
        assert 50 <= info.value.retry_after <= 60
        assert platform.refused == 0 and platform.calls.count("GET /shops/acme/api/store") == 1


def test_answers_become_the_hubs_error_kinds(connection: redis.Redis) -> None:
    with FakePlatform("app", "secret") as platform:
        platform.add_shop("acme", "Acme")
        good = platform._grant("acme")["access_token"]
        client = _client(platform, connection, "revoked-token")
        client.tokens = Tokens("revoked-token", good)
        assert client.request("GET", "/store")["currency"] == "GBP"  # refreshed once after the 401
        assert client.tokens.refreshed == 1
        refused = _client(platform, connection, "revoked-token")
        with pytest.raises(AuthError):
            refused.request("GET", "/store")
        with pytest.raises(DataError) as missing:
            _client(platform, connection, good).request("GET", "/products/4040")
        assert missing.value.code == "store_not_found" and "no such product" in missing.value.message
        platform.shops["acme"].products[1] = {"id": 1, "variants": [{"id": 11, "inventory_quantity": 5}]}
        platform.cut_next_order_answer = True
        with pytest.raises(RetryableError) as cut:
            _client(platform, connection, good).request("POST", "/orders", json_body={
                "external_id": "x", "line_items": [{"variant_id": 11, "quantity": 1}]})
        assert cut.value.code == "store_bad_answer"
        unreachable = PlatformClient(name="Fakeshop", base_url="http://127.0.0.1:9", timeout=(0.5, 0.5))
        with pytest.raises(RetryableError):
            unreachable.request("GET", "/store")
