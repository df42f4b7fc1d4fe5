"""Every gateway check answers with TikTok's code, message and HTTP status."""

import time

import pytest

from tests.sandbox.helpers import APP_SECRET, Client, do_http, sign


def test_happy_path_shops(client):
    r = client.call("GET", "/authorization/202309/shops", shop=False)
    assert r.status == 200 and r.code == 0 and r.message == "Success"
    shop = r.data["shops"][0]
    assert shop["region"] == "GB" and shop["cipher"].startswith("ROW_") and len(shop["id"]) == 19
    assert set(r.json) == {"code", "message", "request_id", "data"}


def test_bad_app_key(client):
    r = client.call("GET", "/authorization/202309/shops", shop=False, tamper=lambda p: p.update(app_key="nope"))
    assert (r.status, r.code) == (400, 36009004)
    assert r.message == "Invalid credentials. Invalid `app_key` query parameter."


def test_missing_sign(client):
    r = client.call("GET", "/authorization/202309/shops", shop=False, tamper=lambda p: p.pop("sign"))
    assert (r.status, r.code) == (401, 36009004)
    assert r.message.startswith("Missing credentials.")


@pytest.mark.parametrize("tamper", [
    lambda p: p.update(sign="0" * 64),
    lambda p: p.update(sign=p["sign"].upper()),
    lambda p: p.update(extra="added-after-signing"),
])
def test_bad_sign(client, tamper):
    r = client.call("GET", "/authorization/202309/shops", shop=False, tamper=tamper)
    assert (r.status, r.code) == (401, 106001)
    assert r.message == "Invalid credentials. The `sign` query parameter is invalid."


def test_body_must_be_the_signed_bytes(client):
    body = b'{"page_size": 10}'
    r = client.call("POST", "/order/202309/orders/search", {"page_size": 10}, raw_body=body)
    assert r.code == 0
    # sign one serialisation, send another
    p = {"app_key": client.app_key, "timestamp": str(int(time.time())), "shop_cipher": client.cipher,
         "page_size": "10"}
    p["sign"] = sign(APP_SECRET, "/order/202309/orders/search", p, b'{"a":1}')
    qs = "&".join(f"{k}={v}" for k, v in p.items())
    r = do_http(client.base, "POST", f"/order/202309/orders/search?{qs}", b'{"a": 1}',
                {"x-tts-access-token": client.token, "Content-Type": "application/json"})
    assert r.json["code"] == 106001


@pytest.mark.parametrize("offset,fragment", [(-301, "earlier than 5 minutes"), (31 + 5, "exceed the current time"),
                                             (None, "lesser than 0")])
def test_timestamp_window(client, offset, fragment):
    ts = -5 if offset is None else int(time.time()) + offset
    r = client.call("GET", "/authorization/202309/shops", shop=False, timestamp=ts)
    assert (r.status, r.code) == (400, 36009004)
    assert fragment in r.message


def test_timestamp_inside_window(client):
    r = client.call("GET", "/authorization/202309/shops", shop=False, timestamp=int(time.time()) - 290)
    assert r.code == 0


def test_unknown_token(client):
    r = client.call("GET", "/authorization/202309/shops", shop=False, token="ROW_not-a-token")
    assert (r.status, r.code) == (401, 36009004)
    assert r.message == "Invalid credentials. The `x-tts-access-token` header is invalid."


def test_expired_token_then_refresh(client):
    assert client.ctl("POST", "/tokens/expire", {}).status == 200
    r = client.call("GET", "/authorization/202309/shops", shop=False)
    assert (r.status, r.code) == (401, 105002)
    q = f"app_key={client.app_key}&app_secret={APP_SECRET}&refresh_token={client.refresh_token}&grant_type=refresh_token"
    ref = do_http(client.base, "GET", "/api/v2/token/refresh?" + q)
    assert ref.code == 0
    assert ref.data["access_token"] != client.token
    assert ref.data["access_token_expire_in"] > time.time() + 6 * 86400
    client.token = ref.data["access_token"]
    assert client.call("GET", "/authorization/202309/shops", shop=False).code == 0


def test_token_ttl_and_rotation(client):
    client.ctl("PUT", "/tokens", {"access_token_ttl": 1, "refresh_rotates": True})
    q = f"app_key={client.app_key}&app_secret={APP_SECRET}&refresh_token={client.refresh_token}&grant_type=refresh_token"
    ref = do_http(client.base, "GET", "/api/v2/token/refresh?" + q)
    assert ref.code == 0 and ref.data["refresh_token"] != client.refresh_token
    assert ref.data["access_token_expire_in"] <= time.time() + 2
    again = do_http(client.base, "GET", "/api/v2/token/refresh?" + q)   # the old refresh token is gone
    assert again.json["code"] == 36004004


def test_auth_code_single_use(base_url):
    c = Client(base_url)
    code = c.ctl("POST", "/oauth/code", {}).json["code"]
    q = f"app_key={c.app_key}&app_secret={APP_SECRET}&auth_code={code}&grant_type=authorized_code"
    assert do_http(base_url, "GET", "/api/v2/token/get?" + q).json["code"] == 0
    second = do_http(base_url, "GET", "/api/v2/token/get?" + q)
    assert second.json["code"] == 36004004 and second.json["message"] == "Invalid auth code."
    wrong_grant = do_http(base_url, "GET", "/api/v2/token/get?" + q.replace("authorized_code", "authorization_code"))
    assert wrong_grant.json["code"] == 36009004


def test_shop_cipher_required(client):
    r = client.call("GET", "/logistics/202309/warehouses", shop=False)
    assert (r.status, r.code) == (400, 106013)


@pytest.mark.parametrize("path", ["/authorization/202309/shops", "/seller/202309/shops"])
def test_shop_cipher_forbidden(client, path):
    r = client.call("GET", path)
    assert (r.status, r.code) == (400, 36009004)
    assert r.message.startswith("Unexpected identifier. The `shop_cipher`")


def test_shop_cipher_not_of_this_token(client):
    r = client.call("GET", "/logistics/202309/warehouses", tamper=None, shop=False,
                    query={"shop_cipher": "ROW_someone-elses-shop"})
    assert (r.status, r.code) == (401, 101000)


def test_routing_errors(client):
    r = client.call("GET", "/product/202309/nothing-here")
    assert (r.status, r.code) == (404, 36009009)
    r = client.call("PATCH", "/product/202309/products", body={})
    assert (r.status, r.code) == (405, 36009010)
    r = client.call("GET", "/product/202399/categories")
    assert (r.status, r.code) == (404, 36009014)


def test_request_format(client):
    r = client.call("POST", "/order/202309/orders/search", {"page_size": 5}, raw_body=b"not json")
    assert (r.status, r.code) == (400, 36009022)
    r = client.call("POST", "/order/202309/orders/search", {"page_size": 5}, body={},
                    headers=[("Content-Type", "application/json")])
    assert r.code == 0
    # two Content-Type header lines
    r = client.call("POST", "/order/202309/orders/search", {"page_size": 5}, body={"a": 1}, content_type=None,
                    headers=[("content-type", "application/json"), ("Content-Type", "application/json")])
    assert (r.status, r.code) == (400, 36009022)
    # upload without multipart
    r = client.call("POST", "/product/202309/images/upload", shop=False, body={"data": "x"})
    assert (r.status, r.code) == (400, 36009023)


def test_missing_scope(client):
    client.ctl("PUT", "/tokens", {"granted_scopes": ["seller.authorization.info"]})
    r = client.call("GET", "/logistics/202309/warehouses")
    assert (r.status, r.code) == (403, 105005)
    assert client.call("GET", "/authorization/202309/shops", shop=False).code == 0


def test_page_token_with_plus_slash_equals_must_be_encoded(client):
    from urllib.parse import quote
    r = client.call("POST", "/order/202309/orders/search", {"page_size": 1}, body={})
    assert r.code == 0  # empty shop
    # a page token is signed decoded and sent percent-encoded; sending '+' raw breaks the signature
    token = "ab+cd/ef=="
    p = {"app_key": client.app_key, "timestamp": str(int(time.time())), "shop_cipher": client.cipher,
         "page_size": "1", "page_token": token}
    p["sign"] = sign(APP_SECRET, "/order/202309/orders/search", p, b"{}")
    raw_qs = "&".join(f"{k}={v}" for k, v in p.items())     # '+' not encoded -> decoded as space
    r = do_http(client.base, "POST", f"/order/202309/orders/search?{raw_qs}", b"{}",
                {"x-tts-access-token": client.token, "Content-Type": "application/json"})
    assert r.json["code"] == 106001
    enc_qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in p.items())
    r = do_http(client.base, "POST", f"/order/202309/orders/search?{enc_qs}", b"{}",
                {"x-tts-access-token": client.token, "Content-Type": "application/json"})
    assert r.json["code"] == 98001004  # signature fine; the token itself is unknown
