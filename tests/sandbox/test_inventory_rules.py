"""Update inventory and price read-back as TikTok documents them (update-inventory-202309 and the
official SDK models): warehouses, the quantity range, promotion stock, price fields per seller kind."""

from tests.sandbox.conftest import RETURN_WH, SALES_WH
from tests.sandbox.test_products import create, get

SECOND_WH = "7068517275539719963"
INVENTORY = "/product/202309/products/{}/inventory/update"


def _live(client, tee_body):
    data = create(client, tee_body())
    client.ctl("POST", f"/products/{data['product_id']}/review", {"decision": "approve"})
    return data["product_id"], [s["id"] for s in data["skus"]]


def _update(client, pid, sku, **entry):
    r = client.call("POST", INVENTORY.format(pid), body={"skus": [{"id": sku, "inventory": [entry]}]})
    assert r.code == 0, r.json
    return [e["detail"]["extra_errors"][0]["code"] for e in r.data.get("errors", [])]


def _stock(client, pid, sku):
    return next(s for s in get(client, pid)["skus"] if s["id"] == sku)["inventory"]


def test_warehouse_id_may_be_left_out_only_while_the_shop_has_one_sales_warehouse(client, tee_body):
    pid, (sku, _) = _live(client, tee_body)
    assert _update(client, pid, sku, quantity=7) == []
    client.ctl("PUT", "/shop", {"warehouses": [
        {"id": SALES_WH, "type": "SALES_WAREHOUSE", "is_default": True},
        {"id": SECOND_WH, "type": "SALES_WAREHOUSE"}, {"id": RETURN_WH, "type": "RETURN_WAREHOUSE"}]})
    assert _update(client, pid, sku, quantity=8) == [12019028]
    assert _update(client, pid, sku, warehouse_id=SALES_WH, quantity=9) == []
    assert _stock(client, pid, sku) == [{"warehouse_id": SALES_WH, "quantity": 9}]
    # a warehouse the SKU is not in is not added: TikTok keeps the SKU's original warehouses
    assert _update(client, pid, sku, warehouse_id=SECOND_WH, quantity=4) == [12052533]
    assert _stock(client, pid, sku) == [{"warehouse_id": SALES_WH, "quantity": 9}]


def test_zero_is_accepted_by_default_and_refused_when_switched(client, tee_body):
    pid, (sku, _) = _live(client, tee_body)
    assert _update(client, pid, sku, warehouse_id=SALES_WH, quantity=0) == []
    shop = client.ctl("PUT", "/shop", {"allow_zero_stock_on_update": False}).json
    assert shop["settings"]["allow_zero_stock_on_update"] is False
    assert _update(client, pid, sku, warehouse_id=SALES_WH, quantity=2) == []
    assert _update(client, pid, sku, warehouse_id=SALES_WH, quantity=0) == [12052055]
    assert _stock(client, pid, sku)[0]["quantity"] == 2


def test_stock_below_a_promotions_open_stock_is_refused(client, tee_body):
    pid, (sku, other) = _live(client, tee_body)
    r = client.ctl("PUT", f"/products/{pid}/promotion", {"sku_id": sku, "open_stock": 5})
    assert r.status == 200 and r.json["promotions"] == {sku: 5}
    assert _update(client, pid, sku, warehouse_id=SALES_WH, quantity=4) == [12019024]
    assert _update(client, pid, sku, warehouse_id=SALES_WH, quantity=5) == []
    assert _update(client, pid, other, warehouse_id=SALES_WH, quantity=1) == []
    client.ctl("PUT", f"/products/{pid}/promotion", {"sku_id": sku, "open_stock": 0})
    assert _update(client, pid, sku, warehouse_id=SALES_WH, quantity=1) == []
    assert client.ctl("PUT", f"/products/{pid}/promotion", {"sku_id": "1", "open_stock": 2}).status == 400


def test_a_local_shops_display_price_is_tax_exclusive_price_in_search_and_sale_price_in_detail(client, tee_body):
    pid, (sku, _) = _live(client, tee_body)
    found = client.call("POST", "/product/202502/products/search", {"page_size": 10},
                        body={"status": "ACTIVATE"}).data["products"]
    searched = next(p for p in found if p["id"] == pid)["skus"][0]["price"]
    assert searched == {"currency": "GBP", "tax_exclusive_price": "12.50"}
    assert get(client, pid)["skus"][0]["price"] == {"currency": "GBP", "sale_price": "12.50"}
