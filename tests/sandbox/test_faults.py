"""Rate limits (HTTP 429 + 36009002) and injected faults: 5xx, 429, timeout, lost_response."""

import http.client
import time

import pytest

from tests.support.waiting import wait_until



def test_rate_limit_per_endpoint(client):
    r = client.ctl("PUT", "/rate-limits", {"default_per_second": 50,
                                           "per_endpoint": {"GET /logistics/202309/warehouses": 2}})
    assert r.status == 200
    results = [client.call("GET", "/logistics/202309/warehouses") for _ in range(6)]
    limited = [x for x in results if x.status == 429]
    assert limited and results[0].code == 0
    assert limited[0].code == 36009002
    assert limited[0].message == "Too many requests. You've made too many requests in a short period of time."
    assert int(limited[0].headers["Retry-After"]) >= 1
    # another endpoint of the same app+shop is not affected
    assert client.call("GET", "/product/202309/categories").code == 0
    st = client.ctl("GET", "/state").json
    assert st["throttled"]["GET /logistics/202309/warehouses"] == len(limited)
    assert st["calls"]["GET /logistics/202309/warehouses"] == 6
    # the bucket refills at 2 per second: within a second a call goes through again
    wait_until(lambda: client.call("GET", "/logistics/202309/warehouses").code == 0, 2, interval=0.1,
               what="the rate limit letting calls through again")


def test_default_rate_limit_is_50_per_second(client):
    st = client.ctl("GET", "/state").json
    assert st["rate_limits"]["default_per_second"] == 50


def _fault(client, **f):
    r = client.ctl("POST", "/faults", f)
    assert r.status == 201, r.json


def test_5xx_fault_is_not_applied(client, tee_body):
    _fault(client, endpoint="POST /product/202309/products", kind="5xx", count=1)
    r = client.call("POST", "/product/202309/products", body=tee_body())
    assert (r.status, r.code) == (500, 36009003)
    assert client.ctl("GET", "/state").json["products"] == []
    assert client.call("POST", "/product/202309/products", body=tee_body()).code == 0


def test_429_fault(client):
    _fault(client, endpoint="/authorization/202309/shops", kind="429", count=2)
    codes = [client.call("GET", "/authorization/202309/shops", shop=False).status for _ in range(3)]
    assert codes == [429, 429, 200]


def test_timeout_fault(client):
    _fault(client, endpoint="GET /logistics/202309/warehouses", kind="timeout", count=1, seconds=0.3)
    t0 = time.time()
    r = client.call("GET", "/logistics/202309/warehouses")
    assert time.time() - t0 >= 0.3
    assert (r.status, r.code) == (504, 36009007)
    # a client with a shorter timeout gives up
    _fault(client, endpoint="GET /logistics/202309/warehouses", kind="timeout", count=1, seconds=1.0)
    with pytest.raises(TimeoutError):
        client.call("GET", "/logistics/202309/warehouses", timeout=0.2)


def test_lost_response_commits_then_drops_connection(client, tee_body):
    _fault(client, endpoint="POST /product/202309/products", kind="lost_response", count=1)
    body = tee_body(idempotency_key="retry-me")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        client.call("POST", "/product/202309/products", body=body)
    products = client.ctl("GET", "/state").json["products"]
    assert len(products) == 1          # the create was committed
    again = client.call("POST", "/product/202309/products", body=body)
    assert again.code == 0 and again.data["product_id"] == products[0]["id"]


def test_lost_response_on_token_refresh(client):
    from tests.sandbox.helpers import APP_SECRET, do_http
    _fault(client, endpoint="GET /api/v2/token/refresh", kind="lost_response", count=1)
    q = f"app_key={client.app_key}&app_secret={APP_SECRET}&refresh_token={client.refresh_token}&grant_type=refresh_token"
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        do_http(client.base, "GET", "/api/v2/token/refresh?" + q)
    assert do_http(client.base, "GET", "/api/v2/token/refresh?" + q).json["code"] == 0


def test_clear_faults_and_wildcard(client):
    _fault(client, endpoint="*", kind="5xx", count=5, status=503)
    r = client.call("GET", "/logistics/202309/warehouses")
    assert (r.status, r.code) == (503, 36009003)
    assert client.ctl("DELETE", "/faults").status == 200
    assert client.call("GET", "/logistics/202309/warehouses").code == 0
    assert client.ctl("POST", "/faults", {"endpoint": "x", "kind": "boom"}).status == 400
