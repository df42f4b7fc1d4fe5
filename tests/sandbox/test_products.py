"""Accepted shapes round-trip (create -> get), idempotency, edits, price/stock, search, batches, catalog."""

from tests.sandbox.conftest import SALES_WH
from tests.sandbox.helpers import ean13, jpeg_bytes, png_bytes
from tests.support.waiting import wait_until


def create(client, body):
    r = client.call("POST", "/product/202309/products", body=body)
    assert r.code == 0, r.json
    return r.data


def get(client, pid, **q):
    r = client.call("GET", f"/product/202309/products/{pid}", q)
    assert r.code == 0, r.json
    return r.data


def test_round_trip_variants(client, tee_body):
    body = tee_body(package_dimensions={"length": "30", "width": "20", "height": "3", "unit": "CENTIMETER"},
                    brand_id="7082427311584347905")
    body["skus"][0]["identifier_code"] = {"code": ean13("501234567890"), "type": "EAN"}
    data = create(client, body)
    assert len(data["product_id"]) == 19 and data["product_id"].isdigit()
    assert [s["seller_sku"] for s in data["skus"]] == ["TEE-BLK-M", "TEE-BLK-L"]
    assert data["skus"][0]["external_sku_id"] == "v-1"
    assert data["skus"][0]["sales_attributes"][0] == {"id": "100000", "value_id": "1000110"}
    p = get(client, data["product_id"])
    assert p["status"] == "PENDING" and p["audit"] == {"status": "AUDITING"}
    assert p["title"] == body["title"] and p["description"] == body["description"]
    assert [c["id"] for c in p["category_chains"]] == ["824328", "839944", "601226"]
    assert p["category_chains"][-1] == {"id": "601226", "parent_id": "839944", "local_name": "Men's T-shirts",
                                        "is_leaf": True}
    assert p["brand"] == {"id": "7082427311584347905", "name": "Northern Threads"}
    assert p["package_weight"] == {"value": "0.25", "unit": "KILOGRAM"}
    assert p["package_dimensions"] == body["package_dimensions"]
    assert p["product_attributes"] == [{"id": "100157", "name": "Material",
                                        "values": [{"id": "1000200", "name": "Cotton"}]}]
    assert p["main_images"][0]["uri"] == body["main_images"][0]["uri"]
    assert p["main_images"][0]["urls"][0].startswith("https://p16-oec-va.ibyteimg.com/")
    assert p["size_chart"]["image"]["uri"] == body["size_chart"]["image"]["uri"]
    assert p["external_product_id"] == "shopify-1001"
    sku = p["skus"][0]
    # A local seller's get-product price: sale_price is the display price (official SDK model
    # Product202309GetProductResponseDataSkusPrice); tax_exclusive_price is for global sellers only.
    assert sku["price"] == {"currency": "GBP", "sale_price": "12.50"}
    assert "amount" not in sku["price"]
    assert sku["inventory"] == [{"warehouse_id": SALES_WH, "quantity": 10}]
    assert sku["identifier_code"] == {"code": ean13("501234567890"), "type": "EAN"}
    assert sku["sales_attributes"] == [
        {"id": "100000", "name": "Colour", "value_id": "1000110", "value_name": "Black"},
        {"id": "100007", "name": "Size", "value_id": "1000122", "value_name": "M"}]
    assert sku["status_info"] == {"status": "NORMAL"}


def test_round_trip_single_sku_custom_attributes_and_draft(client, tee_body):
    body = tee_body(save_mode="AS_DRAFT", category_id="854152", title="Lavender Soy Wax Candle",
                    product_attributes=[{"id": "100392", "values": [{"id": "1001533"}, {"name": "Housewarming"}]}])
    body.pop("size_chart")
    body["skus"] = [{"seller_sku": "CANDLE-1", "price": {"amount": "8", "currency": "GBP"},
                     "inventory": [{"warehouse_id": SALES_WH, "quantity": 1}]}]
    data = create(client, body)
    p = get(client, data["product_id"])
    assert p["status"] == "DRAFT" and p["audit"]["status"] == "NONE"
    values = p["product_attributes"][0]["values"]
    assert values[0] == {"id": "1001533", "name": "Birthday"} and values[1]["name"] == "Housewarming"
    assert values[1]["id"].isdigit()
    assert p["skus"][0]["sales_attributes"] == []
    # a custom sales attribute gets generated ids, stable across products
    body2 = tee_body(external_product_id="x2")
    for s in body2["skus"]:
        s["sales_attributes"] = [{"name": "Fit", "value_name": s["seller_sku"]}]
    d2 = create(client, body2)
    assert d2["skus"][0]["sales_attributes"][0]["id"].isdigit()


def test_idempotent_create(client, tee_body):
    body = tee_body(idempotency_key="5f0e1c2a-8a3b-4c7e-9e3d-1b2c3d4e5f60")
    first = create(client, body)
    second = create(client, dict(body, title="A different title entirely"))
    assert first == second
    assert len(client.ctl("GET", "/state").json["products"]) == 1


def test_brand_warning_is_cleared(client, tee_body):
    data = create(client, tee_body(brand_id="123"))
    assert data["warnings"] == [{"message": "The [brand_id]:123 field is incorrect and has been automatically cleared "
                                            "by the system. Reason: [Brand does not exist]. You can edit it later."}]
    assert "brand" not in get(client, data["product_id"])


def approve(client, pid):
    r = client.ctl("POST", f"/products/{pid}/review", {"decision": "approve"})
    assert r.status == 200, r.json
    return r.json


def test_edit_partial_edit_price_inventory(client, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "manual"})
    data = create(client, tee_body())
    pid = data["product_id"]
    sku_m, sku_l = [s["id"] for s in data["skus"]]
    # price update needs a live product (ACTIVATE)
    price = {"skus": [{"id": sku_m, "price": {"amount": "11.00", "currency": "GBP"}}]}
    assert client.call("POST", f"/product/202309/products/{pid}/prices/update", body=price).code == 12019113
    approve(client, pid)
    r = client.call("POST", f"/product/202309/products/{pid}/prices/update", body=price)
    assert r.code == 0 and r.data == {}
    assert get(client, pid)["skus"][0]["price"]["sale_price"] == "11.00"
    bad = {"skus": [{"id": "1", "price": {"amount": "1.00", "currency": "GBP"}}]}
    assert client.call("POST", f"/product/202309/products/{pid}/prices/update", body=bad).code == 12052557
    # inventory: 0 is accepted on update; per-SKU failures come back in data.errors with code 0
    inv = {"skus": [{"id": sku_m, "inventory": [{"warehouse_id": SALES_WH, "quantity": 0}]},
                    {"id": sku_l, "inventory": [{"warehouse_id": "999", "quantity": 5}]}]}
    r = client.call("POST", f"/product/202309/products/{pid}/inventory/update", body=inv)
    assert r.code == 0
    assert r.data["errors"] == [{"code": 12052990, "message": "Check failed", "detail": {
        "sku_id": sku_l, "extra_errors": [{"warehouse_id": "999", "code": 12052097,
                                           "message": "The warehouse does not exist"}]}}]
    p = get(client, pid)
    assert [s["inventory"][0]["quantity"] for s in p["skus"]] == [0, 3]
    # partial edit of content on a live product: stays ACTIVATE, re-audit of the new version
    r = client.call("POST", f"/product/202309/products/{pid}/partial_edit", body={"title": "Men's Cotton Tee - Black"})
    assert r.code == 0 and r.data["audit"] == {"status": "AUDITING"}
    p = get(client, pid)
    assert p["status"] == "ACTIVATE" and p["audit"]["status"] == "AUDITING"
    assert p["title"] == "Men's Organic Cotton Crew Neck T-shirt"
    assert get(client, pid, return_under_review_version="true")["title"] == "Men's Cotton Tee - Black"
    approve(client, pid)
    assert get(client, pid)["title"] == "Men's Cotton Tee - Black"
    assert client.call("GET", f"/product/202309/products/{pid}", {"return_under_review_version": "true"}).code == 12052547
    # full edit: unlisted SKUs are deleted, SKUs without id are added, price/inventory may be omitted
    body = tee_body()
    body["skus"][0]["id"] = sku_m
    body["skus"][0].pop("price")
    body["skus"][1] = {"seller_sku": "TEE-BLK-XL", "sales_attributes": [{"id": "100000", "value_id": "1000110"},
                                                                       {"name": "Size", "value_name": "XL"}],
                       "price": {"amount": "13.00", "currency": "GBP"},
                       "inventory": [{"warehouse_id": SALES_WH, "quantity": 4}]}
    r = client.call("PUT", f"/product/202509/products/{pid}", body=body)
    assert r.code == 0
    approve(client, pid)
    p = get(client, pid)
    assert [s["seller_sku"] for s in p["skus"]] == ["TEE-BLK-M", "TEE-BLK-XL"]
    assert p["skus"][0]["id"] == sku_m and p["skus"][0]["price"]["sale_price"] == "11.00"
    # unknown SKU id in an edit
    body["skus"][0]["id"] = "123"
    assert client.call("PUT", f"/product/202309/products/{pid}", body=body).code == 12052557
    assert client.call("PUT", "/product/202309/products/42", body=body).code == 12052260


def test_identifier_code_locked_after_submission(client, tee_body):
    body = tee_body()
    body["skus"][0]["identifier_code"] = {"code": ean13("501234567890"), "type": "EAN"}
    data = create(client, body)
    body["skus"][0]["id"] = data["skus"][0]["id"]
    body["skus"][1]["id"] = data["skus"][1]["id"]
    body["skus"][0]["identifier_code"] = {"code": ean13("501234567891"), "type": "EAN"}
    r = client.call("PUT", f"/product/202309/products/{data['product_id']}", body=body)
    assert r.code == 12052593


def test_search_pagination_and_filters(client, tee_body):
    ids = [create(client, tee_body(external_product_id=f"p{i}", title=f"Men's Cotton T-shirt No {i}"))["product_id"]
           for i in range(5)]
    seen, token = [], None
    while True:
        q = {"page_size": 2}
        if token:
            q["page_token"] = token
        r = client.call("POST", "/product/202502/products/search", q, body={"status": "ALL"})
        assert r.code == 0 and r.data["total_count"] == 5
        seen += [p["id"] for p in r.data["products"]]
        token = r.data["next_page_token"]
        if not token:
            break
        assert "+" in token and "/" in token and token.endswith("=")
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    one = client.call("POST", "/product/202309/products/search", {"page_size": 10},
                      body={"seller_skus": ["TEE-BLK-M"]}).data
    assert one["total_count"] == 5
    assert client.call("POST", "/product/202502/products/search", {"page_size": 0}, body={}).code == 12019109
    assert client.call("POST", "/product/202502/products/search", {"page_size": 10},
                       body={"seller_skus": [str(i) for i in range(11)]}).code == 12019027
    item = client.call("POST", "/product/202502/products/search", {"page_size": 1}, body={}).data["products"][0]
    assert set(item) >= {"id", "title", "status", "skus", "sales_regions", "create_time", "update_time", "audit"}
    assert item["sales_regions"] == ["GB"]


def test_activate_deactivate_delete_recover(client, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "manual"})
    pid = create(client, tee_body())["product_id"]
    r = client.call("POST", "/product/202309/products/deactivate", body={"product_ids": [pid, "1729000000000000000"]})
    assert r.code == 0
    assert [e["code"] for e in r.data["errors"]] == [12052901, 12052032]
    approve(client, pid)
    assert client.call("POST", "/product/202309/products/deactivate", body={"product_ids": [pid]}).data == {}
    assert get(client, pid)["status"] == "SELLER_DEACTIVATED"
    assert client.call("POST", "/product/202309/products/activate", body={"product_ids": [pid]}).data == {}
    assert get(client, pid)["status"] == "PENDING"
    approve(client, pid)
    r = client.call("DELETE", "/product/202309/products", body={"product_ids": [pid]})
    assert r.code == 0 and r.data == {}
    assert client.call("GET", f"/product/202309/products/{pid}").code == 12019150
    assert client.call("POST", "/product/202309/products/recover", body={"product_ids": [pid]}).data == {}
    assert get(client, pid)["status"] == "SELLER_DEACTIVATED"
    r = client.call("POST", "/product/202309/products/activate", body={"product_ids": ["1"] * 21})
    assert r.code == 12019120
    act = client.call("POST", "/product/202309/products/activate", body={"product_ids": ["1729000000000000000"]})
    assert act.data["errors"][0]["code"] == 12052990
    assert act.data["errors"][0]["detail"]["extra_errors"][0]["code"] == 12052032


def test_a_product_deleted_while_under_review_stays_deleted(client, tee_body):
    """The automatic review decides 0.2 s after a submission (conftest); a product deleted before that
    must not come back live when the decision is due."""
    deleted = create(client, tee_body())["product_id"]
    r = client.call("DELETE", "/product/202309/products", body={"product_ids": [deleted]})
    assert r.code == 0 and r.data == {}
    later = create(client, tee_body(external_product_id="shopify-1002"))["product_id"]
    # Reviews are decided in the order they fall due: once the later product is live, the deleted
    # one's decision has been taken too.
    wait_until(lambda: client.ctl("GET", f"/products/{later}").json["status"] == "ACTIVATE")
    assert client.ctl("GET", f"/products/{deleted}").json["status"] == "DELETED"
    assert client.call("GET", f"/product/202309/products/{deleted}").code == 12019150


def test_inventory_search(client, tee_body):
    data = create(client, tee_body())
    r = client.call("POST", "/product/202309/inventory/search", body={"product_ids": [data["product_id"]]})
    inv = r.data["inventory"][0]
    assert inv["product_id"] == data["product_id"]
    assert inv["skus"][0]["total_available_quantity"] == 10
    assert inv["skus"][0]["warehouse_inventory"][0] == {"warehouse_id": SALES_WH, "available_quantity": 10,
                                                        "committed_quantity": 0}
    r = client.call("POST", "/product/202309/inventory/search", body={"sku_ids": [data["skus"][1]["id"]]})
    assert [s["id"] for s in r.data["inventory"][0]["skus"]] == [data["skus"][1]["id"]]


def test_categories_attributes_rules(client):
    cats = client.call("GET", "/product/202309/categories", {"locale": "en-GB"}).data["categories"]
    leaves = [c for c in cats if c["is_leaf"]]
    assert len(leaves) >= 30
    assert {"id": "600341", "parent_id": "852104", "local_name": "Photo Frames", "is_leaf": True,
            "permission_statuses": ["AVAILABLE"]} in cats
    v2 = client.call("GET", "/product/202309/categories", {"category_version": "v2"}).data["categories"]
    assert "601282" in {c["id"] for c in cats} and "601282" not in {c["id"] for c in v2}
    attrs = client.call("GET", "/product/202309/categories/910728/attributes").data["attributes"]
    battery = next(a for a in attrs if a["id"] == "101610")
    assert battery["is_requried"] is True and "is_required" not in battery
    assert {v["id"] for v in battery["values"]} == {"1024358", "1024359", "1000325", "1024360"}
    btype = next(a for a in attrs if a["id"] == "100216")
    assert btype["requirement_conditions"][0]["attribute_id"] == "101610"
    rules = client.call("GET", "/product/202309/categories/910728/rules").data
    assert rules["package_dimension"] == {"is_required": True}
    assert {c["id"] for c in rules["product_certifications"]} == {"602701", "602702"}
    assert client.call("GET", "/product/202309/categories/601226/rules").data["size_chart"]["is_required"] is True
    assert client.call("GET", "/product/202309/categories/839944/attributes").code == 12052024
    assert client.call("GET", "/product/202309/categories/1/rules").code == 12052023


def test_recommend(client):
    r = client.call("POST", "/product/202309/categories/recommend", body={"product_title": "Mens black leather chelsea boots"})
    assert r.code == 0 and r.data["leaf_category_id"] == "601376"
    assert r.data["categories"][-1] == {"id": "601376", "name": "Men's Boots", "level": 3, "is_leaf": True,
                                        "permission_statuses": ["AVAILABLE"]}
    r = client.call("POST", "/product/202309/categories/recommend", shop=False,
                    body={"product_title": "Scented soy candle lavender"})
    assert r.data["leaf_category_id"] == "854152"
    assert client.call("POST", "/product/202309/categories/recommend", body={"product_title": "zzqx"}).code == 12019064


def test_brands(client):
    r = client.call("GET", "/product/202309/brands", {"page_size": 2})
    assert r.code == 0 and r.data["total_count"] == 4 and len(r.data["brands"]) == 2
    nxt = client.call("GET", "/product/202309/brands", {"page_size": 2, "page_token": r.data["next_page_token"]})
    assert nxt.data["next_page_token"] == "" and len(nxt.data["brands"]) == 2
    statuses = {b["authorized_status"] for b in r.data["brands"] + nxt.data["brands"]}
    assert statuses == {"AUTHORIZED", "UNAUTHORIEZD"}
    assert client.call("GET", "/product/202309/brands", {}).code == 12019109
    made = client.call("POST", "/product/202309/brands", shop=False, body={"name": "Peak District Knits"})
    assert made.code == 0 and made.data["id"].isdigit()
    assert client.call("POST", "/product/202309/brands", body={"name": "x"}).code == 36009004  # cipher not allowed
    assert client.call("POST", "/product/202309/brands", shop=False, body={"name": "x"}).code == 12052189
    found = client.call("GET", "/product/202309/brands", {"page_size": 10, "brand_name": "peak"}).data
    assert [b["name"] for b in found["brands"]] == ["Peak District Knits"]


def test_image_upload_rules(client):
    def up(data, **f):
        return client.upload("/product/202309/images/upload", data, f)

    r = up(jpeg_bytes(1000, 500), use_case="MAIN_IMAGE")
    assert r.code == 0 and (r.data["width"], r.data["height"]) == (1000, 1000)   # padded to 1:1
    assert r.data["uri"].startswith("tos-maliva-i-o3syd03w52-us/")
    r = up(png_bytes(1000, 500), use_case="DESCRIPTION_IMAGE")
    assert (r.data["width"], r.data["height"], r.data["use_case"]) == (1000, 500, "DESCRIPTION_IMAGE")
    assert up(b"definitely not an image").code == 12038004
    r = up(png_bytes(200, 200), use_case="MAIN_IMAGE")
    assert r.code == 12038014 and "300 x 300 to 4000 x 4000" in r.message
    assert up(png_bytes(900, 900), use_case="SIZE_CHART_IMAGE").code == 12038014
    assert up(png_bytes(), use_case="BANNER").code == 11050001
    from PIL import Image
    import io
    gif = io.BytesIO()
    Image.new("RGB", (400, 400)).save(gif, "GIF")
    assert up(gif.getvalue()).code == 12038015
    assert up(b"\x89PNG" + b"0" * (10 * 1024 * 1024 + 1)).code == 12038005
    pdf = client.upload("/product/202309/files/upload", b"%PDF-1.4\n%test\n", {"name": "CERT.PDF"}, filename="CERT.PDF")
    assert pdf.code == 0 and pdf.data["format"] == "PDF" and pdf.data["name"] == "CERT.PDF"
    with_cipher = client.upload("/product/202309/images/upload", png_bytes(), {"use_case": "MAIN_IMAGE"}, shop=True)
    assert with_cipher.code == 36009004
