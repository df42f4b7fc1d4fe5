"""Control API, authorize page, CLI."""

import os
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

from sandbox.app import create_app
from tests.sandbox.helpers import APP_KEY, APP_SECRET, Client, do_http


def test_control_api_rejects_non_loopback():
    app = create_app(APP_KEY, APP_SECRET)
    try:
        tc = app.test_client()
        r = tc.get("/sandbox/state", environ_base={"REMOTE_ADDR": "203.0.113.7"})
        assert r.status_code == 403
        assert tc.post("/sandbox/reset", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
        assert tc.get("/sandbox/state", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
        assert tc.get("/sandbox/state", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    finally:
        app.extensions["tiktok_sandbox"].close()


def test_state_shape_and_reset(client, tee_body):
    client.call("POST", "/product/202309/products", body=tee_body())
    st = client.ctl("GET", "/state").json
    assert set(st) >= {"shops", "products", "orders", "calls", "throttled", "webhooks_sent"}
    shop = st["shops"][0]
    assert shop["region"] == "GB" and shop["currency"] == "GBP"
    assert sorted(w["type"] for w in shop["warehouses"]) == ["RETURN_WAREHOUSE", "SALES_WAREHOUSE"]
    p = st["products"][0]
    assert p["skus"][0]["price"] == "12.50" and p["skus"][0]["stock"] == 10 and p["status"] == "PENDING"
    assert client.ctl("GET", f"/products/{p['id']}").json["id"] == p["id"]
    assert st["calls"]["POST /product/202309/products"] == 1
    client.ctl("POST", "/reset")
    st = client.ctl("GET", "/state").json
    assert st["products"] == [] and st["calls"] == {}
    # tokens are gone after a reset
    assert client.call("GET", "/authorization/202309/shops", shop=False).code == 36009004


def test_shop_configuration(client):
    r = client.ctl("PUT", "/shop", {"region": "GB", "currency": "GBP", "daily_listing_cap": 5,
                                     "warehouses": [{"type": "SALES_WAREHOUSE", "name": "Leeds", "is_default": True},
                                                    {"type": "RETURN_WAREHOUSE", "name": "Leeds returns"},
                                                    {"type": "SALES_WAREHOUSE", "name": "Old",
                                                     "effect_status": "DISABLED"}]})
    assert r.status == 200 and r.json["settings"]["daily_listing_cap"] == 5
    whs = client.call("GET", "/logistics/202309/warehouses").data["warehouses"]
    assert [w["name"] for w in whs] == ["Leeds", "Leeds returns", "Old"]
    assert whs[2]["effect_status"] == "DISABLED" and whs[0]["address"]["region_code"] == "GB"
    assert client.ctl("PUT", "/shop", {"failing_prerequisites": ["NOPE"]}).status == 400


def test_authorize_page_flow(base_url):
    page = do_http(base_url, "GET", "/open/authorize?service_id=7123456789&state=xyz123"
                                    "&redirect_uri=https%3A%2F%2Fhub.example%2Foauth%2Fcallback")
    assert page.status == 200
    html = page.raw.decode()
    assert 'id="authorize"' in html and "xyz123" in html and "Sync Sandbox UK" in html
    form = ("state=xyz123&redirect_uri=https%3A%2F%2Fhub.example%2Foauth%2Fcallback&service_id=7123456789"
            "&shop_id=7494105515082810525&action=authorize")
    r = do_http(base_url, "POST", "/open/authorize", form.encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 302
    loc = urlsplit(r.headers["Location"])
    assert (loc.scheme, loc.netloc, loc.path) == ("https", "hub.example", "/oauth/callback")
    q = parse_qs(loc.query)
    assert q["state"] == ["xyz123"]
    tok = do_http(base_url, "GET", f"/api/v2/token/get?app_key={APP_KEY}&app_secret={APP_SECRET}"
                                   f"&auth_code={q['code'][0]}&grant_type=authorized_code").json
    assert tok["code"] == 0 and tok["data"]["seller_base_region"] == "GB" and tok["data"]["user_type"] == 0
    deny = do_http(base_url, "POST", "/oauth/authorize", ("app_key=" + APP_KEY + "&state=s&action=deny").encode(),
                   {"Content-Type": "application/x-www-form-urlencoded"})
    dq = parse_qs(urlsplit(deny.headers["Location"]).query)   # falls back to the configured --redirect-url
    assert dq["error"] == ["auth_denied"] and dq["state"] == ["s"]
    assert do_http(base_url, "GET", "/open/authorize").status == 400
    # the current link takes service_id on /open/authorize; the legacy app-key link is /oauth/authorize
    assert do_http(base_url, "GET", f"/open/authorize?app_key={APP_KEY}&state=s").status == 400
    assert do_http(base_url, "GET", "/oauth/authorize?service_id=7123456789&state=s").status == 400
    assert do_http(base_url, "GET", f"/oauth/authorize?app_key={APP_KEY}&state=s").status == 200


def test_cli_refuses_a_webhook_sender_count_it_cannot_run():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for value in ("0", "-3", "1000", "many"):
        done = subprocess.run([sys.executable, "-m", "sandbox", "--port", "0", "--app-key", APP_KEY,
                               "--app-secret", APP_SECRET, "--webhook-senders", value],
                              cwd=root, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "--webhook-senders" in done.stderr and "Traceback" not in done.stderr, value


def test_cli_starts_and_serves(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", "0",
                             "--app-key", APP_KEY, "--app-secret", APP_SECRET, "--review-delay", "0.5", "--quiet"],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert m, line
        url = f"http://127.0.0.1:{m.group(1)}"
        c = Client(url).connect()
        assert c.call("GET", "/logistics/202309/warehouses").code == 0
        assert c.ctl("GET", "/state").json["review_policy"]["delay_seconds"] == 0.5
    finally:
        proc.terminate()
        proc.wait(timeout=5)
