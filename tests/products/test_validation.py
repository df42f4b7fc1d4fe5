"""Every validation rule, without TikTok: each finding names the product, the variant, the field and the fix."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pytest

from hub.sync.products import pricing
from hub.sync.products.mapper import ListingInputs, build_draft, generated_seller_sku

ATTRIBUTES = [
    {"id": "100157", "name": "Material", "type": "PRODUCT_PROPERTY", "is_requried": True, "is_customizable": True,
     "is_multiple_selection": True, "values": [{"id": "1000200", "name": "Cotton"}, {"id": "1000202", "name": "Wool"}]},
    {"id": "100198", "name": "Pattern", "type": "PRODUCT_PROPERTY", "is_requried": False, "is_customizable": False,
     "values": [{"id": "1000210", "name": "Plain"}]},
    {"id": "101610", "name": "Contains Batteries or Cells?", "type": "PRODUCT_PROPERTY", "is_requried": False,
     "is_customizable": False, "values": [{"id": "1024358", "name": "Batteries"}, {"id": "1000325", "name": "None"}]},
    {"id": "100216", "name": "Battery Type", "type": "PRODUCT_PROPERTY", "is_requried": False,
     "is_customizable": False, "values": [{"id": "1000220", "name": "Lithium-ion"}],
     "requirement_conditions": [{"condition_type": "VALUE_ID_MATCH", "attribute_id": "101610",
                                 "attribute_value_id": "1024358"}]},
    {"id": "100000", "name": "Colour", "type": "SALES_PROPERTY", "values": []},
]
RULES = {"size_chart": {"is_supported": True, "is_required": False}, "package_dimension": {"is_required": False},
         "product_certifications": []}


def variant(vid: str, **over: Any) -> dict[str, Any]:
    base = {"id": vid, "sku": f"SKU-{vid}", "price": "10.00", "compare_at_price": None, "currency": "GBP",
            "quantity": 5, "manage_stock": True, "options": {"Size": vid}, "barcode": None, "barcode_type": None,
            "image_url": None, "weight": None, "dimensions": None}
    base.update(over)
    return base


def product(**over: Any) -> dict[str, Any]:
    base = {"id": "88", "version": 1, "title": "Men's Cotton Socks", "description_html": "<p>Soft.</p>",
            "url": "https://store.example/p/88", "brand": "Acme", "categories": [],
            "images": [{"url": "https://store.example/1.jpg"}], "attributes": {"Material": "Cotton"},
            "weight": {"value": "0.25", "unit": "kg"}, "dimensions": None,
            "variants": [variant("M"), variant("L")]}
    base.update(over)
    return base


def inputs(**over: Any) -> ListingInputs:
    values = dict(category_id="601226", category_version="v1", is_book_category=False,
                  attributes=copy.deepcopy(ATTRIBUTES), rules=copy.deepcopy(RULES), price_rule=pricing.PriceRule(),
                  stock_rule=pricing.StockRule(), warehouse_id="7068517275539719942")
    values.update(over)
    return ListingInputs(**values)


def codes(p: dict[str, Any], i: ListingInputs | None = None) -> list[str]:
    _draft, findings = build_draft(p, i or inputs())
    return [f.code for f in findings.errors]


def only_error(p: dict[str, Any], i: ListingInputs | None = None):  # noqa: ANN201
    draft, findings = build_draft(p, i or inputs())
    assert draft is None
    assert len(findings.errors) == 1, [e.message for e in findings.errors]
    return findings.errors[0]


def test_a_valid_product_becomes_a_create_body() -> None:
    draft, findings = build_draft(product(), inputs())
    assert draft is not None, [e.message for e in findings.errors]
    body = draft.body
    assert body["category_id"] == "601226" and body["external_product_id"] == "88"
    assert body["package_weight"] == {"value": "0.25", "unit": "KILOGRAM"}
    assert body["product_attributes"] == [{"id": "100157", "values": [{"id": "1000200"}]}]
    assert [s["sales_attributes"] for s in body["skus"]] == [[{"name": "Size", "value_name": "M"}],
                                                            [{"name": "Size", "value_name": "L"}]]
    assert body["skus"][0]["price"] == {"amount": "10.00", "currency": "GBP"}
    assert body["skus"][0]["inventory"] == [{"warehouse_id": "7068517275539719942", "quantity": 5}]
    assert body["skus"][0]["external_sku_id"] == "M"
    assert draft.brand == "Acme"


@pytest.mark.parametrize("title, code", [
    ("", "title_missing"), ("x" * 256, "title_too_long"), ("Socks 🧦", "title_format"),
    ("Socks &bogus; more", "title_format"), ("Sooooooooooocks", "title_format"), ("!!! ***", "title_format"),
    ("<b></b> &nbsp; ", "title_missing"), ("Socks\x07", "title_format"), ("Socks ✨", "title_format"),
    ("棉袜", "title_chinese"),
])
def test_title_rules(title: str, code: str) -> None:
    error = only_error(product(title=title))
    assert error.code == code and error.field == "title" and error.fix


@pytest.mark.parametrize("title, sent", [
    ("Mug <script>alert(1)</script>", "Mug"),
    ("  Mug &amp; Coaster\n\t<b>Set</b>&nbsp;of 2 ", "Mug & Coaster Set of 2"),
    ("Caf&eacute; &lt;3 Brand&trade; &amp;amp; more", "Café <3 Brand™ & more"),
    ("Mug &lt;script&gt;alert(1)&lt;/script&gt;", "Mug"),
    ("Wool<br>socks", "Wool socks"),
    ("ab" * 126 + " <b>y</b>", "ab" * 126 + " y"),
])
def test_titles_are_plain_text(title: str, sent: str) -> None:
    draft, findings = build_draft(product(title=title), inputs())
    assert draft is not None, [e.message for e in findings.errors]
    assert draft.body["title"] == sent


def test_a_title_refused_for_its_characters_names_the_product() -> None:
    error = only_error(product(title="Socks 🧦 <i>warm</i>"))
    assert error.code == "title_format" and "“Socks 🧦 warm” (product 88)" in error.message
    assert "emoji" in error.message


def test_a_long_description_is_cut_and_the_warnings_do_not_contradict() -> None:
    from tests.support.catalogue import long_description

    _draft, findings = build_draft(product(description_html=long_description()), inputs())
    described = [w for w in findings.warnings if w.field == "description"]
    assert [w.code for w in described] == ["description_changed"], [w.message for w in described]
    assert "cut" in described[0].message


def test_images_required_and_at_most_nine_used() -> None:
    error = only_error(product(images=[]))
    assert error.code == "images_missing" and "Add a product image" in error.fix
    draft, findings = build_draft(product(images=[{"url": f"https://s/{i}.jpg"} for i in range(12)]), inputs())
    assert len(draft.main_image_urls) == 9
    assert [w.code for w in findings.warnings] == ["images_too_many"]


def test_more_than_300_variants() -> None:
    error = only_error(product(variants=[variant(str(i)) for i in range(1000)]))
    assert error.code == "too_many_variants" and "1,000 variants" in error.message and "300" in error.fix


def test_sales_attribute_rules() -> None:
    four = [variant("1", options={"A": "1", "B": "1", "C": "1", "D": "1"}),
            variant("2", options={"A": "2", "B": "1", "C": "1", "D": "1"})]
    assert codes(product(variants=four)) == ["too_many_options"]
    uneven = [variant("1", options={"Size": "M", "Colour": "Red"}), variant("2", options={"Size": "L"})]
    error = only_error(product(variants=uneven))
    assert error.code == "variant_option_missing" and error.variant == "2" and "Colour" in error.message
    same = [variant("1", options={"Size": "M"}), variant("2", options={"Size": "m"})]
    error = only_error(product(variants=same))
    assert error.code == "variant_duplicate" and "SKU-1" in error.message and "SKU-2" in error.message
    none = [variant("1", options={}), variant("2", options={})]
    assert codes(product(variants=none)) == ["variants_without_options"]
    long_name = [variant("1", options={"A very long option name": "x"})]
    assert codes(product(variants=long_name)) == ["option_name_too_long"]
    simple = [variant("1", options={})]
    draft, _ = build_draft(product(variants=simple), inputs())
    assert "sales_attributes" not in draft.body["skus"][0]


def test_variant_image_goes_on_the_primary_attribute() -> None:
    vs = [variant("1", options={"Colour": "Red", "Size": "M"}, image_url="https://s/red.jpg"),
          variant("2", options={"Colour": "Blue", "Size": "M"}, image_url="https://s/blue.jpg")]
    draft, _ = build_draft(product(variants=vs), inputs())
    assert draft.sku_image_urls == {0: "https://s/red.jpg", 1: "https://s/blue.jpg"}
    assert draft.body["skus"][0]["sales_attributes"][0] == {"name": "Colour", "value_name": "Red"}


def test_seller_sku_rules_and_stable_generation() -> None:
    assert only_error(product(variants=[variant("1", sku="A B")])).code == "seller_sku_spaces"
    assert only_error(product(variants=[variant("1", sku="X" * 51)])).code == "seller_sku_too_long"
    dupes = [variant("1", sku="SAME"), variant("2", sku="SAME")]
    assert codes(product(variants=dupes)) == ["seller_sku_duplicate"]
    draft, _ = build_draft(product(variants=[variant("91", sku=None)]), inputs())
    assert draft.body["skus"][0]["seller_sku"] == "P88-V91" == generated_seller_sku("88", "91")
    assert len(generated_seller_sku("9" * 40, "8" * 40)) <= 50
    assert generated_seller_sku("9" * 40, "8" * 40) == generated_seller_sku("9" * 40, "8" * 40)


def test_price_rules_and_currency() -> None:
    error = only_error(product(variants=[variant("1", price="0.00")]))
    assert error.code == "price_out_of_range" and error.variant == "1" and "SKU-1" in error.message
    assert only_error(product(variants=[variant("1", price="9000")])).code == "price_out_of_range"
    assert only_error(product(variants=[variant("1", price=None)])).code == "price_missing"
    error = only_error(product(variants=[variant("1", currency="USD")]))
    assert error.code == "currency_not_gbp" and "GBP" in error.fix
    draft, _ = build_draft(product(variants=[variant("1", price="9.99")]),
                           inputs(price_rule=pricing.PriceRule(markup_percent=10, rounding="0.99")))
    assert draft.body["skus"][0]["price"]["amount"] == "10.99"


def test_stock_buffer_and_out_of_stock_on_create() -> None:
    draft, _ = build_draft(product(variants=[variant("1", quantity=10)]),
                           inputs(stock_rule=pricing.StockRule(reserve_units=2)))
    assert draft.body["skus"][0]["inventory"][0]["quantity"] == 8
    error = only_error(product(variants=[variant("1", quantity=0), variant("2")]))
    assert error.code == "stock_zero_on_create" and "SKU-1" in error.message
    draft, _ = build_draft(product(variants=[variant("1", quantity=0, manage_stock=False)]), inputs())
    assert draft.body["skus"][0]["inventory"][0]["quantity"] == 100


def test_package_weight_and_dimensions() -> None:
    assert only_error(product(weight=None)).code == "package_weight_missing"
    draft, _ = build_draft(product(weight=None), inputs(package_defaults={"weight": {"value": "300", "unit": "g"}}))
    assert draft.body["package_weight"] == {"value": "0.3", "unit": "KILOGRAM"}
    heavy = [variant("1", weight={"value": "1", "unit": "lb"}), variant("2", weight={"value": "200", "unit": "g"})]
    draft, _ = build_draft(product(weight=None, variants=heavy), inputs())
    assert draft.body["package_weight"] == {"value": "0.454", "unit": "KILOGRAM"}
    needs = inputs(rules={**RULES, "package_dimension": {"is_required": True}})
    error = only_error(product(), needs)
    assert error.code == "package_dimensions_missing" and error.field == "package_dimensions"
    draft, _ = build_draft(product(dimensions={"length": "8", "width": "6.1", "height": "2", "unit": "in"}), needs)
    assert draft.body["package_dimensions"] == {"length": "21", "width": "16", "height": "6", "unit": "CENTIMETER"}
    override = SimpleNamespace(package_weight={"value": "2", "unit": "kg"}, package_dimensions=None, brand="Own",
                               tiktok_category_id=None, identifier_code=None, identifier_type=None)
    draft, _ = build_draft(product(), inputs(product_override=override))
    assert draft.body["package_weight"]["value"] == "2" and draft.brand == "Own"
    assert only_error(product(weight={"value": "-1", "unit": "kg"})).code == "weight_not_positive"


def test_required_attributes_from_product_or_defaults() -> None:
    error = only_error(product(attributes={}))
    assert error.code == "attribute_missing" and "'Material'" in error.message and "default" in error.fix
    draft, _ = build_draft(product(attributes={}), inputs(category_defaults={"Material": "Wool"}))
    assert {"id": "100157", "values": [{"id": "1000202"}]} in draft.body["product_attributes"]
    draft, _ = build_draft(product(attributes={"material": "Bamboo, Cotton"}), inputs())
    assert draft.body["product_attributes"][0]["values"] == [{"name": "Bamboo"}, {"id": "1000200"}]
    assert only_error(product(attributes={"Material": "Cotton", "Pattern": "Zebra"})).code == \
        "attribute_value_not_allowed"
    batteries = product(attributes={"Material": "Cotton", "Contains Batteries or Cells?": "Batteries"})
    error = only_error(batteries)
    assert error.code == "attribute_missing" and "Battery Type" in error.message
    draft, _ = build_draft(product(attributes={"Material": "Cotton", "Battery Type": "Lithium-ion",
                                               "Contains Batteries or Cells?": "None"}), inputs())
    assert all(a["id"] != "100216" for a in draft.body["product_attributes"])  # condition not met: not sent


def test_size_chart_and_certifications_when_required() -> None:
    rules = {**RULES, "size_chart": {"is_supported": True, "is_required": True},
             "product_certifications": [{"id": "602700", "name": "Toy Safety DoC", "is_required": True,
                                         "document_details": "Upload the DoC."}]}
    draft, findings = build_draft(product(), inputs(rules=rules))
    assert draft is None
    assert sorted(e.code for e in findings.errors) == ["certification_missing", "size_chart_missing"]
    given = inputs(rules=rules, size_chart_default={"template_id": "7001"},
                   certification_defaults=[{"id": "602700", "image_urls": ["https://s/doc.jpg"]}])
    draft, _ = build_draft(product(), given)
    assert draft.size_chart == {"template_id": "7001"}
    assert draft.certifications == [{"id": "602700", "image_urls": ["https://s/doc.jpg"]}]


def test_identifier_codes_checked_and_missing_ones_listed() -> None:
    error = only_error(product(variants=[variant("1", barcode="5012345678901"), variant("2")]))
    assert error.code == "identifier_bad_check_digit" and error.variant == "1" and "0" in error.message
    draft, _ = build_draft(product(variants=[variant("1", barcode="5012345678900"), variant("2")]), inputs())
    assert draft.body["skus"][0]["identifier_code"] == {"code": "5012345678900", "type": "EAN"}
    assert [v["id"] for v in draft.missing_codes] == ["2"]
    override = SimpleNamespace(identifier_code="036000291452", identifier_type=None, package_weight=None,
                               package_dimensions=None)
    draft, _ = build_draft(product(variants=[variant("1")]), inputs(variant_overrides={"1": override}))
    assert draft.body["skus"][0]["identifier_code"] == {"code": "036000291452", "type": "UPC"}
    assert draft.missing_codes == []
    dupes = [variant("1", barcode="5012345678900"), variant("2", barcode="5012345678900")]
    assert codes(product(variants=dupes)) == ["identifier_duplicate"]


def test_all_findings_are_collected_not_just_the_first() -> None:
    bad = product(title="", images=[], weight=None, attributes={},
                  variants=[variant("1", price="0", sku="A B"), variant("2", options={})])
    _draft, findings = build_draft(bad, inputs())
    found = {e.code for e in findings.errors}
    assert {"title_missing", "images_missing", "package_weight_missing", "attribute_missing",
            "variant_option_missing", "seller_sku_spaces", "price_out_of_range"} <= found
    for issue in findings.as_list():
        assert issue["message"].startswith("Product 88") and issue["fix"]


def test_option_type_reasons_use_the_stores_word() -> None:
    four = [variant("1", options={"Size": "M", "Colour": "Red", "Fit": "Slim", "Cut": "Long"})]
    woo = only_error(product(variants=four), inputs(option_word="attributes"))
    assert woo.code == "too_many_options"
    assert "4 attribute types" in woo.message and "attributes" in woo.fix and "option" not in woo.message + woo.fix
    shopify = only_error(product(variants=four), inputs(option_word="options"))
    assert "4 option types" in shopify.message and "options" in shopify.fix
    unnamed = [variant("1", options={}), variant("2", options={})]
    error = only_error(product(variants=unnamed), inputs(option_word="attributes"))
    assert error.code == "variants_without_options" and "attributes" in error.message + error.fix
    long_name = [variant("1", options={"A very long attribute name": "M"})]
    error = only_error(product(variants=long_name), inputs(option_word="attributes"))
    assert error.code == "option_name_too_long" and "attribute name" in error.message


def test_a_negative_quantity_counts_as_zero_with_a_warning() -> None:
    """Back-orders: Shopify and Magento quantities go below zero; such a variant is simply sold out."""
    back_ordered = product(variants=[variant("1", quantity=-3), variant("2", quantity=4)])
    sold_out = product(variants=[variant("1", quantity=0), variant("2", quantity=4)])
    draft, findings = build_draft(back_ordered, inputs())
    # Exactly what a stock of 0 gives (a first listing waits for stock), plus a warning saying why.
    assert [e.code for e in findings.errors] == [e.code for e in build_draft(sold_out, inputs())[1].errors]
    assert [e.code for e in findings.errors] == ["stock_zero_on_create"]
    [warning] = [w for w in findings.warnings if w.code == "stock_negative"]
    assert warning.variant == "1" and "-3" in warning.message and "(product 88)" in warning.message
    draft, findings = build_draft(product(variants=[variant("1", quantity=-3, manage_stock=False)]), inputs())
    assert draft is not None and not [w for w in findings.warnings if w.code == "stock_negative"]


def test_prices_without_vat_get_the_tax_class_rate_or_a_clear_stop() -> None:
    """TikTok Shop UK prices include VAT; a store entering prices without it would list about 20% cheap."""
    def price(p: dict[str, Any], classes: dict[str, str]) -> str:
        draft, findings = build_draft(p, inputs(vat_classes=classes))
        assert draft is not None, [e.message for e in findings.errors]
        return draft.body["skus"][0]["price"]["amount"]

    single = [variant("1", price="10.00", options={})]
    included = product(variants=single)  # older extensions send no flag: the prices include VAT
    assert price(included, {}) == "10.00"
    assert price(product(variants=single, prices_include_tax=True, tax_class="reduced-rate"), {}) == "10.00"
    excluded = product(variants=single, prices_include_tax=False)  # no tax class: the store's standard one
    error = only_error(excluded, inputs(vat_classes={}))
    assert error.code == "vat_rate_missing" and "Standard" in error.message and "(product 88)" in error.message
    assert "settings page" in error.fix
    assert price(excluded, {"": "standard"}) == "12.00"
    reduced = product(variants=single, prices_include_tax=False, tax_class="Reduced rate")
    assert only_error(reduced, inputs(vat_classes={"": "standard"})).code == "vat_rate_missing"
    assert "Reduced rate" in only_error(reduced, inputs(vat_classes={"": "standard"})).message
    assert price(reduced, {"": "standard", "Reduced rate": "reduced"}) == "10.50"
    assert price(product(variants=single, prices_include_tax=False, tax_class="Zero rate"), {"Zero rate": "zero"}) == \
        "10.00"
    # A variant's own class wins (WooCommerce variations may differ from their parent).
    own = product(variants=[variant("1", price="10.00", options={}, tax_class="Zero rate")], prices_include_tax=False)
    assert price(own, {"": "standard", "Zero rate": "zero"}) == "10.00"
    # VAT comes before the merchant's markup and rounding: the markup is on the price the buyer pays.
    draft, _ = build_draft(excluded, inputs(vat_classes={"": "standard"},
                                            price_rule=pricing.PriceRule(markup_percent=10, rounding="0.99")))
    assert draft.body["skus"][0]["price"]["amount"] == "13.99"  # 10 → 12.00 VAT → 13.20 → 13.99


def test_the_vat_settings_take_the_three_uk_rates_only() -> None:
    from marshmallow import ValidationError

    from hub.merchant_settings import merged

    saved = merged({}, {"vat": {"classes": {"": "standard", "Reduced rate": "reduced", "Zero rate": "zero"}}})
    assert saved["vat"]["classes"]["Reduced rate"] == "reduced"
    assert merged({}, {})["vat"] == {"classes": {}}
    with pytest.raises(ValidationError) as caught:
        merged({}, {"vat": {"classes": {"": "17.5"}}})
    assert "vat" in caught.value.messages
