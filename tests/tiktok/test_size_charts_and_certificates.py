"""Size chart templates, certificate files and the category rules that ask for them, against the sandbox.

The size chart search (`POST /product/202407/sizecharts/search`) and the file upload
(`POST /product/202309/files/upload`) follow TikTok's SDK models (docs/tiktok-client.md); create refuses
a product whose category requires a size chart or a certificate that it lacks, and a template id the
shop does not have.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image

from hub.errors import DataError
from hub.tiktok.client import ShopClient

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MENS_TSHIRTS = "601226"
HAIR_DRYERS = "874376"


def png(width: int = 1200, height: int = 1200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_size_chart_search_lists_the_shops_templates_by_keyword_and_by_id(shop_client: ShopClient) -> None:
    every = shop_client.catalog.all_size_charts()
    assert len(every) >= 4
    assert all(c["template_id"].isdigit() and c["template_name"] and c["images"][0]["url"].startswith("https://")
               for c in every)
    tops = shop_client.catalog.size_charts(keyword="tops")["size_chart"]
    assert {c["template_name"] for c in tops} == {"Men's tops (UK sizes)", "Women's tops (UK sizes)"}
    one = every[2]["template_id"]
    # ids win over keyword, as TikTok documents
    assert [c["template_id"] for c in shop_client.catalog.size_charts(ids=[one])["size_chart"]] == [one]
    paged = shop_client.catalog.size_charts(page_size=1)
    assert len(paged["size_chart"]) == 1 and paged["next_page_token"] and paged["total_count"] == len(every)
    with pytest.raises(DataError, match="ids"):
        shop_client.catalog.size_charts(ids=["not-an-id"])


def test_file_upload_takes_a_pdf_with_a_plain_name(shop_client: ShopClient) -> None:
    uploaded = shop_client.catalog.upload_file(PDF, "UKCA.pdf")
    assert uploaded["id"] and uploaded["format"] == "PDF" and uploaded["name"] == "UKCA.pdf"
    with pytest.raises(DataError, match="not a PDF"):
        shop_client.catalog.upload_file(b"GIF89a", "UKCA.pdf")
    with pytest.raises(DataError, match="file name"):
        shop_client.catalog.upload_file(PDF, "my cert.pdf")


def _body(shop_client: ShopClient, category_id: str, attributes: list[dict[str, Any]]) -> dict[str, Any]:
    image = shop_client.catalog.upload_image(png(), use_case="MAIN_IMAGE")
    warehouse = next(w for w in shop_client.logistics.warehouses()["warehouses"]
                     if w["type"] == "SALES_WAREHOUSE" and w["effect_status"] == "ENABLED")
    return {"title": "Plain crew neck tee", "description": "<p>Soft cotton.</p>", "category_id": category_id,
            "main_images": [{"uri": image["uri"]}], "package_weight": {"value": "0.3", "unit": "KILOGRAM"},
            "package_dimensions": {"length": "30", "width": "20", "height": "5", "unit": "CENTIMETER"},
            "product_attributes": attributes, "external_product_id": f"s-{uuid.uuid4().hex[:8]}",
            "skus": [{"seller_sku": f"TEE-{uuid.uuid4().hex[:6]}", "price": {"amount": "12.00", "currency": "GBP"},
                      "inventory": [{"warehouse_id": warehouse["id"], "quantity": 5}]}]}


def _codes(error: DataError) -> str:
    return str(error.code)


def test_create_needs_a_size_chart_where_the_category_requires_one(shop_client: ShopClient) -> None:
    body = _body(shop_client, MENS_TSHIRTS, [{"id": "100157", "values": [{"id": "1000200"}]}])
    with pytest.raises(DataError) as refused:
        shop_client.products.create(body, idempotency_key=str(uuid.uuid4()))
    assert _codes(refused.value) == "tiktok_12052673"

    with pytest.raises(DataError) as unknown:
        shop_client.products.create({**body, "size_chart": {"template": {"id": "7420186513740080000"}}},
                                    idempotency_key=str(uuid.uuid4()))
    assert _codes(unknown.value) == "tiktok_12052128"

    template = shop_client.catalog.size_charts(keyword="Men's tops")["size_chart"][0]["template_id"]
    created = shop_client.products.create({**body, "size_chart": {"template": {"id": template}}},
                                          idempotency_key=str(uuid.uuid4()))
    assert shop_client.products.get(created["product_id"])["size_chart"] == {"template": {"id": template}}

    chart = shop_client.catalog.upload_image(png(1200, 1400), use_case="SIZE_CHART_IMAGE")
    body["external_product_id"] += "-img"
    body["skus"][0]["seller_sku"] += "I"
    created = shop_client.products.create({**body, "size_chart": {"image": {"uri": chart["uri"]}}},
                                          idempotency_key=str(uuid.uuid4()))
    assert shop_client.products.get(created["product_id"])["size_chart"]["image"]["uri"] == chart["uri"]


def test_create_needs_the_certificates_the_category_rules_ask_for(shop_client: ShopClient) -> None:
    rules = shop_client.catalog.rules(HAIR_DRYERS)
    required = [c for c in rules["product_certifications"] if c["is_required"] and not c.get("requirement_conditions")]
    assert required, rules
    attributes = [{"id": "100501", "values": [{"id": a["values"][0]["id"]}]}
                  for a in shop_client.catalog.attributes(HAIR_DRYERS)["attributes"] if a["id"] == "100501"]
    attributes.append({"id": "101610", "values": [{"id": "1000325"}]})  # no batteries
    body = _body(shop_client, HAIR_DRYERS, attributes)
    body["skus"][0]["identifier_code"] = {"code": "4006381333931", "type": "EAN"}
    with pytest.raises(DataError) as refused:
        shop_client.products.create(body, idempotency_key=str(uuid.uuid4()))
    assert _codes(refused.value) == "tiktok_12052105"

    pdf = shop_client.catalog.upload_file(PDF, "DOC.pdf")
    picture = shop_client.catalog.upload_image(png(), use_case="CERTIFICATION_IMAGE")
    body["certifications"] = [{"id": c["id"], "files": [{"id": pdf["id"], "name": pdf["name"], "format": "PDF"}],
                               "images": [{"uri": picture["uri"]}]} for c in required]
    created = shop_client.products.create(body, idempotency_key=str(uuid.uuid4()))
    sent = shop_client.products.get(created["product_id"])["certifications"]
    assert {c["id"] for c in sent} == {c["id"] for c in required}
    assert sent[0]["files"][0]["id"] == pdf["id"]


def test_the_cli_sets_a_category_size_chart_and_a_product_certificate(runtime, merchant_id: str,  # noqa: ANN001
                                                                      tmp_path) -> None:  # noqa: ANN001
    """`hub size-charts`, `hub category size-chart` and `hub product certificate`, as an operator runs them."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from hub.merchants import create_store
    from hub.models import CategoryDefaults, Merchant, ProductOverride
    from hub.sync.products.categories import map_category
    from tests.support.hub import hub_environ

    with runtime.db.session_scope() as session:
        store, _secret = create_store(session, runtime.secrets, session.get(Merchant, merchant_id), "woocommerce", "T")
        store_id = store.id
        map_category(session, store_id, "Clothing > T-shirts", MENS_TSHIRTS, version="v2", name="Men's T-shirts")
    root = Path(__file__).resolve().parents[2]

    def hub(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hub.cli", *args], env=hub_environ(runtime), cwd=str(root),
                              capture_output=True, text=True, timeout=120)

    listed = hub("size-charts", "--store", store_id)
    assert listed.returncode == 0, listed.stderr
    template = next(t for t in json.loads(listed.stdout)["size_charts"] if t["template_name"] == "Men's tops (UK sizes)")
    saved = hub("category", "size-chart", "--store", store_id, "--tiktok-category", MENS_TSHIRTS,
                "--template", template["template_id"])
    assert saved.returncode == 0, saved.stderr
    unknown = hub("category", "size-chart", "--store", store_id, "--tiktok-category", MENS_TSHIRTS,
                  "--template", "7420186513740080000")
    assert unknown.returncode != 0 and "no size chart template" in unknown.stderr

    pdf = tmp_path / "UKCA declaration.pdf"
    pdf.write_bytes(PDF)
    cert = hub("product", "certificate", "--store", store_id, "--product", "42", "--certificate", "602701",
               "--file", str(pdf))
    assert cert.returncode != 0 and "no product 42" in cert.stderr  # the store has no such product yet
    with runtime.db.session_scope() as session:
        row = session.query(CategoryDefaults).filter_by(store_id=store_id, tiktok_category_id=MENS_TSHIRTS).one()
        assert row.size_chart == {"template_id": template["template_id"], "template_name": "Men's tops (UK sizes)"}
        assert session.query(ProductOverride).filter_by(store_id=store_id).count() == 0
