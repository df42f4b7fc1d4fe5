"""Several sellers' shops in one sandbox: each has its own cipher, its own data and its own request budget,
as TikTok counts requests per app + shop + API."""

from sandbox.app import create_app, get_runtime
from tests.sandbox.helpers import APP_KEY, APP_SECRET, Client
from tests.support.waiting import wait_until

WAREHOUSES = "/logistics/202309/warehouses"


def _shops(base_url, **body):
    r = Client(base_url).ctl("POST", "/shops", body)
    assert r.status == 201, r.json
    return r.json["shops"]


def _throttled(results):
    return [r for r in results if r.status == 429]


def test_added_shops_are_authorized_separately_with_their_own_cipher(base_url, client):
    a, b = _shops(base_url, count=2)
    assert len({a["cipher"], b["cipher"], client.cipher}) == 3
    assert len({a["id"], b["id"], client.shop_id}) == 3
    seller_a = Client(base_url).connect(a["id"])
    assert (seller_a.shop_id, seller_a.cipher) == (a["id"], a["cipher"])
    # A's token does not open the default shop: TikTok answers "shop not authorized"
    seller_a.cipher = client.cipher
    assert seller_a.call("GET", WAREHOUSES).code == 101000


def test_each_shop_is_limited_on_its_own_budget(base_url, client):
    slow, fast = _shops(base_url, shops=[{"name": "Slow", "rate_limit": 2}, {"name": "Fast", "rate_limit": 20}])
    seller_slow, seller_fast = Client(base_url).connect(slow["id"]), Client(base_url).connect(fast["id"])
    slow_results = [seller_slow.call("GET", WAREHOUSES) for _ in range(6)]
    assert slow_results[0].code == 0
    limited = _throttled(slow_results)
    assert limited and limited[0].code == 36009002 and int(limited[0].headers["Retry-After"]) >= 1
    # the same endpoint right now: another shop with a bigger budget, and the default shop (50/s), go through
    assert not _throttled([seller_fast.call("GET", WAREHOUSES) for _ in range(6)])
    assert not _throttled([client.call("GET", WAREHOUSES) for _ in range(6)])
    traffic = client.ctl("GET", "/traffic").json["shops"]
    assert traffic[slow["id"]]["rate_limit"] == 2
    assert traffic[slow["id"]]["throttled"] == {f"GET {WAREHOUSES}": len(limited)}
    assert traffic[slow["id"]]["calls"] == {f"GET {WAREHOUSES}": 6 - len(limited)}
    assert traffic[fast["id"]]["calls"] == {f"GET {WAREHOUSES}": 6} and traffic[fast["id"]]["throttled"] == {}
    assert traffic[client.shop_id]["rate_limit"] == 50
    assert sum(traffic[fast["id"]]["per_second"][f"GET {WAREHOUSES}"].values()) == 6
    wait_until(lambda: seller_slow.call("GET", WAREHOUSES).code == 0, 2, interval=0.1,
               what="the slow shop's budget letting calls through again")


def test_a_shops_budget_can_be_changed(base_url):
    (shop,) = _shops(base_url, count=1)
    seller = Client(base_url).connect(shop["id"])
    assert not _throttled([seller.call("GET", WAREHOUSES) for _ in range(5)])
    r = seller.ctl("PUT", "/shop", {"shop_id": shop["id"], "rate_limit": 1})
    assert r.status == 200, r.json
    assert _throttled([seller.call("GET", WAREHOUSES) for _ in range(3)])
    assert seller.ctl("GET", "/state").json["rate_limits"]["per_shop"] == {shop["id"]: 1.0}
    assert seller.ctl("PUT", "/shop", {"shop_id": shop["id"], "rate_limit": "fast"}).status == 400


def test_a_product_of_one_shop_is_invisible_with_another_shops_cipher(base_url, client):
    a, b = _shops(base_url, count=2)
    seller_a, seller_b = Client(base_url).connect(a["id"]), Client(base_url).connect(b["id"])
    made = client.ctl("POST", "/products/seed", {"shop_id": a["id"], "products": [
        {"title": "Shop A socks", "skus": [{"seller_sku": "A-1", "price": "5.00", "quantity": 3}]}]})
    assert made.status == 201, made.json
    pid = made.json["products"][0]["id"]
    sku = made.json["products"][0]["skus"][0]["id"]
    assert seller_a.call("GET", f"/product/202309/products/{pid}").code == 0
    assert seller_b.call("GET", f"/product/202309/products/{pid}").code != 0
    found_b = seller_b.call("POST", "/product/202502/products/search", {"page_size": 50}, {})
    assert found_b.code == 0 and not found_b.data.get("products")
    found_a = seller_a.call("POST", "/product/202502/products/search", {"page_size": 50}, {})
    assert [p["id"] for p in found_a.data["products"]] == [pid]
    # B cannot change A's stock either, and A's value stays
    wh = seller_b.call("GET", WAREHOUSES).data["warehouses"][0]["id"]
    changed = seller_b.call("POST", f"/product/202309/products/{pid}/inventory/update",
                            body={"skus": [{"id": sku, "inventory": [{"warehouse_id": wh, "quantity": 9}]}]})
    assert changed.code != 0
    values = client.ctl("POST", "/products/values", {"ids": [pid]}).json["products"]
    assert values[pid]["shop_id"] == a["id"] and values[pid]["skus"][0]["stock"] == 3


def test_bad_shop_requests_are_refused(base_url):
    ctl = Client(base_url)
    assert ctl.ctl("POST", "/shops", {"count": 0}).status == 400
    assert ctl.ctl("POST", "/shops", {"shops": [{"rate_limit": -1}]}).status == 400
    assert ctl.ctl("POST", "/shops", {"shops": [{"rate_limit": float("nan")}]}).status == 400
    assert ctl.ctl("POST", "/shops", {"count": 2, "rate_limit": float("inf")}).status == 400
    assert ctl.ctl("POST", "/oauth/code", {"shop_id": "nope"}).status == 404


def test_the_shops_option_makes_several_shops_and_keeps_the_fixture_shop_first():
    app = create_app(APP_KEY, APP_SECRET, None, shops=3, shop_rate_limit=5)
    runtime = get_runtime(app)
    try:
        state = runtime.state
        assert len(state.shops) == 3
        first, *added = state.shops.values()
        assert first["id"] == state.default_shop_id and first["settings"]["rate_limit"] is None
        assert [s["settings"]["rate_limit"] for s in added] == [5.0, 5.0]
    finally:
        runtime.close()


def test_waiting_for_a_stock_value_answers_when_it_is_held(base_url, client):
    made = client.ctl("POST", "/products/seed", {"products": [
        {"title": "Socks", "skus": [{"seller_sku": "S-1", "price": "5.00", "quantity": 3}]}]}).json["products"][0]
    assert client.ctl("POST", f"/products/{made['id']}/wait", {"stock": 3}).json == {"held": True, "stock": 3}
    missed = client.ctl("POST", f"/products/{made['id']}/wait", {"stock": 4, "timeout": 0.05}).json
    assert missed == {"held": False, "stock": 3}
    wh = client.call("GET", WAREHOUSES).data["warehouses"][0]["id"]
    changed = client.call("POST", f"/product/202309/products/{made['id']}/inventory/update", body={
        "skus": [{"id": made["skus"][0]["id"], "inventory": [{"warehouse_id": wh, "quantity": 4}]}]})
    assert changed.code == 0, changed
    assert client.ctl("POST", f"/products/{made['id']}/wait", {"stock": 4}).json == {"held": True, "stock": 4}
    assert client.ctl("POST", "/products/nope/wait", {"stock": 4}).status == 404
