"""Each validation rule rejects create (first error) and shows up in listing check (all errors)."""

import copy

import pytest

from tests.sandbox.conftest import RETURN_WH, SALES_WH
from tests.sandbox.helpers import ean13


def _sku(body, i=0):
    return body["skus"][i]


def set_path(body, fn):
    b = copy.deepcopy(body)
    fn(b)
    return b


CASES = [
    ("empty title", lambda b: b.update(title=""), 12052261),
    ("title too long", lambda b: b.update(title="A" * 256), 12052051),
    ("chinese title", lambda b: b.update(title="Cotton T-shirt 棉"), 12052262),
    ("emoji title", lambda b: b.update(title="Cotton T-shirt 🔥"), 12052931),
    ("html escape in title", lambda b: b.update(title="Cotton&nbsp;T-shirt"), 12052931),
    ("repeated chars", lambda b: b.update(title="Cotton T-shirt aaaaaaaaaa"), 12052931),
    ("html escape in description", lambda b: b.update(description="<p>Soft&nbsp;cotton</p>"), 12052932),
    ("named escape in description", lambda b: b.update(description="<p>Soft &eacute;t&eacute; cotton</p>"),
     12052932),
    ("numeric escape in description", lambda b: b.update(description="<p>Soft &#8212; cotton</p>"), 12052932),
    ("emoji in description", lambda b: b.update(description="<p>Soft cotton \U0001f600</p>"), 12052932),
    ("sparkles in description", lambda b: b.update(description="<p>Soft cotton \u2728</p>"), 12052932),
    ("repeated chars in description", lambda b: b.update(description="<p>Soft ========== cotton</p>"), 12052932),
    ("repeated chars across tags", lambda b: b.update(description="<p>Soft <b>=====</b>===== cotton</p>"),
     12052932),
    ("control character in description", lambda b: b.update(description="<p>Soft\x07cotton</p>"), 12052932),
    ("no description", lambda b: b.pop("description"), 12052015),
    ("description too long", lambda b: b.update(description="<p>" + "x " * 5001 + "</p>"), 12052013),
    ("external description image", lambda b: b.update(
        description='<p>x</p><img src="https://example.com/a.jpg" width="800" height="800">'), 12052340),
    ("description image without size", lambda b: b.update(
        description='<p>x</p><img src="https://p16-oec-va.ibyteimg.com/a~tplv.jpeg">'), 12052348),
    ("too many description images", lambda b: b.update(description="<p>x</p>" + "".join(
        '<img src="https://p16-oec-va.ibyteimg.com/a.jpeg" width="800" height="800">' for _ in range(31))), 12052056),
    ("unknown category", lambda b: b.update(category_id="999999"), 12052023),
    ("non-leaf category", lambda b: b.update(category_id="839944"), 12052024),
    ("category version mismatch", lambda b: b.update(category_id="601282", category_version="v2"), 12052230),
    ("invite-only category", lambda b: b.update(category_id="602097"), 12052223),
    ("no main image", lambda b: b.update(main_images=[]), 12052028),
    ("too many main images", lambda b: b.update(main_images=b["main_images"] * 10), 12052306),
    ("unknown image uri", lambda b: b.update(main_images=[{"uri": "tos-maliva-i-o3syd03w52-us/deadbeef"}]), 12052722),
    ("missing weight", lambda b: b.pop("package_weight"), 12019011),
    ("zero weight", lambda b: b.update(package_weight={"value": "0", "unit": "KILOGRAM"}), 12052181),
    ("weight format", lambda b: b.update(package_weight={"value": "0.2501", "unit": "KILOGRAM"}), 12052006),
    ("imperial weight", lambda b: b.update(package_weight={"value": "1", "unit": "POUND"}), 12019061),
    ("unit mismatch", lambda b: b.update(package_dimensions={"length": "10", "width": "10", "height": "2",
                                                             "unit": "INCH"}), 12052915),
    ("dimension format", lambda b: b.update(package_dimensions={"length": "10.5", "width": "10", "height": "2",
                                                                "unit": "CENTIMETER"}), 12052005),
    ("required attribute missing", lambda b: b.update(product_attributes=[]), 12052104),
    ("attribute value id unknown", lambda b: b.update(product_attributes=[{"id": "100157", "values": [{"id": "1"}]}]),
     12052529),
    ("duplicate attribute", lambda b: b.update(product_attributes=b["product_attributes"] * 2), 12052254),
    ("custom value not allowed", lambda b: b.update(product_attributes=b["product_attributes"] + [
        {"id": "100198", "values": [{"name": "Paisley"}]}]), 12052247),
    ("multi value not allowed", lambda b: b.update(product_attributes=b["product_attributes"] + [
        {"id": "100198", "values": [{"id": "1000210"}, {"id": "1000211"}]}]), 12052246),
    ("size chart missing", lambda b: b.pop("size_chart"), 12052673),
    ("size chart uri unknown", lambda b: b.update(size_chart={"image": {"uri": "tos-x/nope"}}), 12052670),
    ("no skus", lambda b: b.update(skus=[]), 12052902),
    ("too many skus", lambda b: b.update(skus=[dict(copy.deepcopy(b["skus"][0]), seller_sku=f"S{i}",
                                                    sales_attributes=[{"name": "Size", "value_name": f"V{i}"}])
                                               for i in range(301)]), 12052050),
    ("four sales attributes", lambda b: [s.update(sales_attributes=s["sales_attributes"] + [
        {"name": "Fit", "value_name": "Slim"}, {"name": "Sleeve", "value_name": "Short" + s["seller_sku"]}])
        for s in b["skus"]], 12052525),
    ("different sales attribute sets", lambda b: _sku(b, 1).update(
        sales_attributes=[{"name": "Size", "value_name": "L"}]), 12052550),
    ("duplicate combination", lambda b: _sku(b, 1).update(
        sales_attributes=copy.deepcopy(_sku(b, 0)["sales_attributes"])), 12052560),
    ("custom attribute name too long", lambda b: [s["sales_attributes"].__setitem__(
        1, {"name": "A" * 21, "value_name": s["seller_sku"]}) for s in b["skus"]], 12052242),
    ("custom value too long", lambda b: _sku(b).update(
        sales_attributes=[_sku(b)["sales_attributes"][0], {"name": "Size", "value_name": "X" * 51}]), 12052249),
    ("seller sku too long", lambda b: _sku(b).update(seller_sku="S" * 51), 12052054),
    ("seller sku with space", lambda b: _sku(b).update(seller_sku="TEE M"), 12019059),
    ("missing price", lambda b: _sku(b).pop("price"), 12052571),
    ("price format", lambda b: _sku(b).update(price={"amount": "12.505", "currency": "GBP"}), 12052012),
    ("price too low", lambda b: _sku(b).update(price={"amount": "0.00", "currency": "GBP"}), 12052073),
    ("price too high", lambda b: _sku(b).update(price={"amount": "5600.01", "currency": "GBP"}), 12052570),
    ("wrong currency", lambda b: _sku(b).update(price={"amount": "12.50", "currency": "USD"}), 12052084),
    ("no inventory", lambda b: _sku(b).update(inventory=[]), 12019022),
    ("unknown warehouse", lambda b: _sku(b).update(inventory=[{"warehouse_id": "1", "quantity": 1}]), 12052097),
    ("return warehouse", lambda b: _sku(b).update(inventory=[{"warehouse_id": RETURN_WH, "quantity": 1}]), 12052532),
    ("zero stock at create", lambda b: _sku(b).update(inventory=[{"warehouse_id": SALES_WH, "quantity": 0}]),
     12052055),
    ("too much stock", lambda b: _sku(b).update(inventory=[{"warehouse_id": SALES_WH, "quantity": 100000}]),
     12052055),
    ("identifier type missing", lambda b: _sku(b).update(identifier_code={"code": "5012345678900"}), 12052600),
    ("identifier digits", lambda b: _sku(b).update(identifier_code={"code": "501234567890", "type": "EAN"}), 12052591),
    ("identifier check digit", lambda b: _sku(b).update(identifier_code={"code": "5012345678901", "type": "EAN"}),
     98001004),
    ("identifier duplicate", lambda b: [s.update(identifier_code={"code": ean13("501234567890"), "type": "EAN"})
                                        for s in b["skus"]], 12052592),
    ("isbn X not last", lambda b: _sku(b).update(identifier_code={"code": "12345X789012", "type": "ISBN"}), 12052598),
    ("unauthorised T1 brand", lambda b: b.update(brand_id="7082427311584347929"), 12052208),
]


@pytest.mark.parametrize("name,mutate,code", CASES, ids=[c[0] for c in CASES])
def test_rule_rejects_with_code(client, tee_body, name, mutate, code):
    body = set_path(tee_body(), mutate)
    r = client.call("POST", "/product/202309/products", body=body)
    assert r.status in (200, 400)
    assert r.code == code, (name, r.json)
    assert r.data is None
    check = client.call("POST", "/product/202309/products/listing_check", body=body)
    assert check.code == 0 and check.data["check_result"] == "FAILED"
    assert code in [f["code"] for f in check.data["fail_reasons"]]


def test_valid_body_passes_listing_check(client, tee_body):
    r = client.call("POST", "/product/202309/products/listing_check", body=tee_body())
    assert r.data == {"check_result": "PASS", "fail_reasons": []}
    # listing check does not create anything
    assert client.ctl("GET", "/state").json["products"] == []


def test_description_may_keep_the_escapes_html_needs_and_text_symbols(client, tee_body):
    """Only `&amp;`, `&lt;` and `&gt;` may stay escaped; trade marks and nine repeats are text TikTok takes."""
    body = tee_body(title="Cotton T-shirt & more™", description="<p>Fish &amp; chips &lt;3 &gt; Brand™ ©2024 "
                    "=========</p>")
    r = client.call("POST", "/product/202309/products/listing_check", body=body)
    assert r.data == {"check_result": "PASS", "fail_reasons": []}, r.json


def test_listing_check_reports_every_failure(client, tee_body):
    body = tee_body(title="", package_weight=None)
    body.pop("size_chart")
    codes = [f["code"] for f in client.call("POST", "/product/202309/products/listing_check", body=body)
             .data["fail_reasons"]]
    assert {12052261, 12019011, 12052673} <= set(codes)


def test_wrong_json_types_are_invalid_param(client, tee_body):
    r = client.call("POST", "/product/202309/products", body=tee_body(title=123))
    assert (r.status, r.code, r.message) == (400, 36009004, "invalid param error")
    r = client.call("POST", "/product/202309/products", body=tee_body(skus={"not": "a list"}))
    assert r.code == 36009004


def _battery_body(tee_body, images, **attrs):
    body = tee_body(category_id="910728", title="Slim 10000mAh Power Bank with USB-C",
                    package_dimensions={"length": "15", "width": "8", "height": "2", "unit": "CENTIMETER"})
    body.pop("size_chart")
    for i, s in enumerate(body["skus"]):
        s["sales_attributes"] = [{"id": "100000", "value_id": ["1000110", "1000111"][i]}]
        s["identifier_code"] = {"code": ean13(f"50123456789{i}"), "type": "EAN"}
    body["product_attributes"] = [{"id": k, "values": v} for k, v in attrs.items()]
    return body


def test_electronics_hazmat_and_certifications(client, tee_body, images):
    # Contains batteries -> battery type is conditionally required
    body = _battery_body(tee_body, images, **{"101610": [{"id": "1024358"}]})
    r = client.call("POST", "/product/202309/products", body=body)
    assert r.code == 12052182
    assert r.message == ("The 'Battery Type' field is required as you've selected 'Batteries' for "
                         "'Contains Batteries or Cells?'.")
    # "None" + battery type filled -> must be left empty
    body = _battery_body(tee_body, images, **{"101610": [{"id": "1000325"}], "100216": [{"id": "1000220"}]})
    assert client.call("POST", "/product/202309/products", body=body).code == 12052183
    # complete hazmat attributes, but no certificates -> required qualification miss
    full = {"101610": [{"id": "1024358"}], "100216": [{"id": "1000220"}], "101611": [{"id": "1000230"}],
            "101623": [{"name": "1"}], "101614": [{"name": "37"}]}
    body = _battery_body(tee_body, images, **full)
    assert client.call("POST", "/product/202309/products", body=body).code == 12052105
    # positive number format
    bad = dict(full, **{"101614": [{"name": "lots"}]})
    assert client.call("POST", "/product/202309/products", body=_battery_body(tee_body, images, **bad)).code == 12052256
    # with both certificates it is accepted
    body = _battery_body(tee_body, images, **full)
    body["certifications"] = [{"id": "602701", "images": [{"uri": images(600, 800, "CERTIFICATION_IMAGE")}]},
                              {"id": "602702", "images": [{"uri": images(600, 800, "CERTIFICATION_IMAGE")}],
                               "expiration_date": 1893456000}]
    r = client.call("POST", "/product/202309/products", body=body)
    assert r.code == 0, r.json
    # certificate id not in the category rules
    body["certifications"].append({"id": "602700", "images": [{"uri": images()}]})
    body["external_product_id"] = "other"
    assert client.call("POST", "/product/202309/products", body=body).code == 12052655


def test_package_dimensions_required_by_category(client, tee_body, images):
    body = _battery_body(tee_body, images)
    body.pop("package_dimensions")
    codes = [f["code"] for f in client.call("POST", "/product/202309/products/listing_check", body=body)
             .data["fail_reasons"]]
    assert 12052116 in codes


def test_no_identifier_code_is_accepted_and_exemption_shows_in_the_rules(client, tee_body, images):
    body = tee_body(category_id="868360", title="1000 Piece Jigsaw Puzzle of the Lake District",
                    product_attributes=[{"id": "100701", "values": [{"id": "1000274"}]}],
                    package_dimensions={"length": "30", "width": "20", "height": "6", "unit": "CENTIMETER"},
                    certifications=[{"id": "602700", "images": [{"uri": images()}]}])
    body.pop("size_chart")
    for i, s in enumerate(body["skus"]):
        s["sales_attributes"] = [{"name": "Pieces", "value_name": ["500", "1000"][i]}]
    rules = client.call("GET", "/product/202309/categories/868360/rules").data
    assert "exemption_of_identifier_code" not in rules  # the 202309 rules have no identifier field
    client.ctl("PUT", "/shop", {"identifier_exemption": {"868360": False}})
    rules = client.call("GET", "/product/202309/categories/868360/rules").data
    assert rules["exemption_of_identifier_code"] == {"support_identifier_code_exemption": False}
    assert client.call("POST", "/product/202309/products", body=body).code == 0  # no documented refusal


def test_isbn_for_books(client, tee_body):
    body = tee_body(category_id="987016", title="The Lighthouse Keeper - A Novel",
                    product_attributes=[{"id": "100800", "values": [{"name": "A. N. Author"}]},
                                        {"id": "100801", "values": [{"id": "1000280"}]}])
    body.pop("size_chart")
    body["skus"] = body["skus"][:1]
    body["skus"][0]["sales_attributes"] = []
    body["skus"][0]["identifier_code"] = {"code": "0306406152", "type": "ISBN"}     # valid ISBN-10
    r = client.call("POST", "/product/202309/products", body=body)
    assert r.code == 0, r.json
    body["skus"][0]["identifier_code"] = {"code": "0306406153", "type": "ISBN"}
    body["external_product_id"] = "book-2"
    assert client.call("POST", "/product/202309/products", body=body).code == 98001004


def test_shop_prerequisites_block_listing(client, tee_body):
    client.ctl("PUT", "/shop", {"failing_prerequisites": ["RETURN_WAREHOUSE"]})
    pre = client.call("GET", "/product/202312/prerequisites")
    failed = [c for c in pre.data["check_results"] if c["is_failed"]]
    assert [c["check_item"] for c in failed] == ["RETURN_WAREHOUSE"]
    assert client.call("POST", "/product/202309/products", body=tee_body()).code == 12052535
    client.ctl("PUT", "/shop", {"failing_prerequisites": ["SHOP_TAX"]})
    assert client.call("POST", "/product/202309/products", body=tee_body()).code == 12052419
    client.ctl("PUT", "/shop", {"failing_prerequisites": [], "warehouses": [
        {"id": SALES_WH, "type": "SALES_WAREHOUSE", "is_default": True}]})
    assert client.call("GET", "/product/202309/prerequisites").data["check_results"][3] == {
        "check_item": "RETURN_WAREHOUSE", "is_failed": True, "fail_reasons": [
            "Couldn't publish this product as you haven't set the return warehouse for your shop. Add the return "
            "warehouse information on TikTok Shop Seller Center first and try again."]}
    assert client.call("POST", "/product/202309/products", body=tee_body()).code == 12052535


def test_v2_only_shop(client, tee_body):
    client.ctl("PUT", "/shop", {"category_versions": ["v2"]})
    assert client.call("POST", "/product/202309/products", body=tee_body()).code == 12052217
    assert client.call("GET", "/product/202309/categories", {"category_version": "v1"}).code == 12052217
    assert client.call("POST", "/product/202309/products", body=tee_body(category_version="v2")).code == 0


def test_daily_listing_cap(client, tee_body):
    client.ctl("PUT", "/shop", {"daily_listing_cap": 2})
    for i in range(2):
        assert client.call("POST", "/product/202309/products", body=tee_body(external_product_id=f"e{i}")).code == 0
    r = client.call("POST", "/product/202309/products", body=tee_body(external_product_id="e3"))
    assert r.code == 12052093 and r.message == "Exceeded the product listing limit for the seller."


def test_duplicate_external_product_id(client, tee_body):
    assert client.call("POST", "/product/202309/products", body=tee_body()).code == 0
    assert client.call("POST", "/product/202309/products", body=tee_body()).code == 12052996
