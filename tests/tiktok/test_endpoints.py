"""Every endpoint the hub uses, against the sandbox over real HTTP, plus the client's form checks."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image

from hub.errors import DataError
from hub.tiktok import cancel_reasons
from hub.tiktok.client import ShopClient
from tests.tiktok.conftest import leaf_without_size_chart
from tests.support.waiting import wait_until


def png(width: int = 800, height: int = 800) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture()
def listing(shop_client: ShopClient) -> dict[str, Any]:
    """A valid create body built only from what the API tells us (category, attributes, warehouse)."""
    category_id, attributes = leaf_without_size_chart(shop_client)
    image = shop_client.catalog.upload_image(png(), use_case="MAIN_IMAGE")
    warehouse = next(w for w in shop_client.logistics.warehouses()["warehouses"]
                     if w["type"] == "SALES_WAREHOUSE" and w["effect_status"] == "ENABLED")
    return {
        "title": "Men's Cotton Ankle Socks 5 Pack",
        "description": "<p>Breathable cotton socks.</p>",
        "category_id": category_id,
        "main_images": [{"uri": image["uri"]}],
        "package_weight": {"value": "0.25", "unit": "KILOGRAM"},
        "package_dimensions": {"length": "20", "width": "15", "height": "5", "unit": "CENTIMETER"},
        "product_attributes": attributes,
        "external_product_id": f"store-{uuid.uuid4().hex[:8]}",
        "skus": [
            {"seller_sku": "SOCK-M", "sales_attributes": [{"name": "Size", "value_name": "M"}],
             "price": {"amount": "9.99", "currency": "GBP"},
             "inventory": [{"warehouse_id": warehouse["id"], "quantity": 50}]},
            {"seller_sku": "SOCK-L", "sales_attributes": [{"name": "Size", "value_name": "L"}],
             "price": {"amount": "9.99", "currency": "GBP"},
             "inventory": [{"warehouse_id": warehouse["id"], "quantity": 40}]},
        ],
    }


def _wait_for_status(client: ShopClient, product_id: str, status: str, timeout: float = 10) -> dict[str, Any]:
    """The product once it has `status` (or as it is after `timeout`, for the caller's assertion to show)."""
    try:
        return wait_until(lambda: (p := client.products.get(product_id))["status"] == status and p, timeout,
                          interval=0.1)
    except AssertionError:
        return client.products.get(product_id)


def test_catalogue_reads(shop_client: ShopClient) -> None:
    categories = shop_client.catalog.categories()["categories"]
    assert categories and all(isinstance(c["id"], str) for c in categories)
    leaf = next(c for c in categories if c["is_leaf"])
    assert "is_requried" in shop_client.catalog.attributes(leaf["id"])["attributes"][0]
    assert "size_chart" in shop_client.catalog.rules(leaf["id"])
    brands = shop_client.catalog.brands(page_size=10)["brands"]
    assert {b["authorized_status"] for b in brands} <= {"AUTHORIZED", "UNAUTHORIEZD"}
    assert shop_client.catalog.create_brand("Sockworks")["id"].isdigit()
    recommended = shop_client.catalog.recommend("Men's cotton ankle socks")
    assert recommended.get("leaf_category_id") or recommended.get("categories") is not None


def test_image_upload_is_multipart_and_returns_a_tiktok_uri(shop_client: ShopClient) -> None:
    image = shop_client.catalog.upload_image(png(), use_case="MAIN_IMAGE")
    assert image["uri"] and image["url"].startswith("https://")
    with pytest.raises(DataError, match="not a JPEG"):
        shop_client.catalog.upload_image(b"GIF89a....", use_case="MAIN_IMAGE")
    with pytest.raises(DataError, match="use_case"):
        shop_client.catalog.upload_image(png(), use_case="BANNER")


def test_product_lifecycle(shop_client: ShopClient, listing: dict[str, Any], sandbox) -> None:  # noqa: ANN001
    products = shop_client.products
    check = products.listing_check(listing)
    assert check["check_result"] == "PASS", check

    key = str(uuid.uuid4())
    created = products.create(listing, idempotency_key=key)
    product_id = created["product_id"]
    assert len(created["skus"]) == 2
    # A retry after a lost answer carries the same key and gets the same product, not a duplicate.
    assert products.create(listing, idempotency_key=key)["product_id"] == product_id

    product = _wait_for_status(shop_client, product_id, "ACTIVATE")
    assert product["status"] == "ACTIVATE", product
    sku_ids = [s["id"] for s in product["skus"]]
    warehouse_id = product["skus"][0]["inventory"][0]["warehouse_id"]

    products.update_price(product_id, [{"id": sku_ids[0], "price": {"amount": "7.50", "currency": "GBP"}}])
    result = products.update_inventory(product_id, [{"id": sku_ids[0], "inventory": [
        {"warehouse_id": warehouse_id, "quantity": 3}]}])
    assert result["errors"] == []
    stock = products.inventory_search(product_ids=[product_id])["inventory"]
    quantities = {s["id"]: s["total_available_quantity"] for s in stock[0]["skus"]}
    assert quantities[sku_ids[0]] == 3
    live = products.get(product_id)
    assert next(s for s in live["skus"] if s["id"] == sku_ids[0])["price"]["sale_price"] in ("7.5", "7.50")

    found = products.search(page_size=10, status="ALL")
    assert product_id in [p["id"] for p in found["products"]]

    edited = dict(listing, title="Men's Cotton Ankle Socks 5 Pack (Navy)")
    edited["skus"] = [dict(s, id=i) for s, i in zip(listing["skus"], sku_ids)]
    products.edit(product_id, edited)
    products.partial_edit(product_id, {"description": "<p>Soft, breathable cotton socks.</p>"})

    assert products.deactivate([product_id])["errors"] == []
    assert products.get(product_id)["status"] == "SELLER_DEACTIVATED"
    assert products.activate([product_id])["errors"] == []
    missing = products.deactivate(["1729382588639839583"])
    assert missing["errors"] and missing["errors"][0]["code"]
    assert products.delete([product_id])["errors"] == []
    assert sandbox.control("GET", f"/products/{product_id}")["status"] == "DELETED"


def test_shop_readiness_and_logistics(shop_client: ShopClient) -> None:
    checks = shop_client.products.prerequisites()["check_results"]
    assert checks and not any(c["is_failed"] for c in checks)
    warehouse = next(w for w in shop_client.logistics.warehouses()["warehouses"] if w["type"] == "SALES_WAREHOUSE")
    options = shop_client.logistics.delivery_options(warehouse["id"])["delivery_options"]
    seller_option = next(o for o in options if o["type"] == "SEND_BY_SELLER")
    providers = shop_client.logistics.shipping_providers(seller_option["id"])["shipping_providers"]
    assert any(p["name"] == "Royal Mail" for p in providers)


def _live_product(client: ShopClient, listing: dict[str, Any]) -> dict[str, Any]:
    created = client.products.create(listing)
    return _wait_for_status(client, created["product_id"], "ACTIVATE")


def _royal_mail(client: ShopClient) -> str:
    warehouse = next(w for w in client.logistics.warehouses()["warehouses"] if w["type"] == "SALES_WAREHOUSE")
    option = next(o for o in client.logistics.delivery_options(warehouse["id"])["delivery_options"]
                  if o["type"] == "SEND_BY_SELLER")
    return next(p["id"] for p in client.logistics.shipping_providers(option["id"])["shipping_providers"]
                if p["name"] == "Royal Mail")


def test_orders_fulfilment_and_cancellation(shop_client: ShopClient, listing: dict[str, Any], sandbox) -> None:  # noqa: ANN001
    product = _live_product(shop_client, listing)
    sku = product["skus"][0]
    first = sandbox.control("POST", "/orders", {"lines": [{"sku_id": sku["id"], "quantity": 2}],
                                                "status": "AWAITING_SHIPMENT"})
    second = sandbox.control("POST", "/orders", {"lines": [{"sku_id": sku["id"], "quantity": 1}],
                                                 "status": "AWAITING_SHIPMENT"})

    page = shop_client.orders.search(page_size=1, order_status="AWAITING_SHIPMENT", sort_field="create_time")
    seen = [o["id"] for o in page["orders"]]
    token = page["next_page_token"]
    assert token  # opaque, with + / = in it: sent back verbatim and encoded on the wire
    seen += [o["id"] for o in shop_client.orders.search(page_size=1, page_token=token,
                                                       order_status="AWAITING_SHIPMENT",
                                                       sort_field="create_time")["orders"]]
    assert sorted(seen) == sorted([first["id"], second["id"]])

    detail = shop_client.orders.detail([first["id"]])["orders"][0]
    assert len(detail["line_items"]) == 2  # one line item per unit
    assert {li["sku_id"] for li in detail["line_items"]} == {sku["id"]}

    shipped = shop_client.fulfillment.mark_shipped(first["id"], tracking_number="JX1234567GB",
                                                   shipping_provider_id=_royal_mail(shop_client))
    assert shipped["package_id"]
    after = sandbox.control("GET", f"/orders/{first['id']}")
    assert after["status"] in ("AWAITING_COLLECTION", "IN_TRANSIT")

    cancelled = shop_client.cancellations.cancel_order(
        second["id"], cancel_reason=cancel_reasons.out_of_stock("GB", "AWAITING_SHIPMENT"))
    assert cancelled["cancel_id"]
    assert sandbox.control("GET", f"/orders/{second['id']}")["status"] == "CANCELLED"


def test_unpaid_orders_take_the_uk_unpaid_cancel_reason(shop_client: ShopClient, listing, sandbox) -> None:  # noqa: ANN001
    product = _live_product(shop_client, listing)
    order = sandbox.control("POST", "/orders", {"lines": [{"sku_id": product["skus"][0]["id"], "quantity": 1}],
                                                "status": "UNPAID"})
    with pytest.raises(DataError) as refused:  # the paid reason while unpaid
        shop_client.cancellations.cancel_order(order["id"], cancel_reason=cancel_reasons.out_of_stock("GB", "ON_HOLD"))
    assert refused.value.code == "tiktok_25001021"
    reason = cancel_reasons.out_of_stock("GB", "UNPAID")
    assert reason == "seller_cancel_unpaid_reason_out_of_stock_uk"
    shop_client.cancellations.cancel_order(order["id"], cancel_reason=reason)
    assert sandbox.control("GET", f"/orders/{order['id']}")["status"] == "CANCELLED"


def test_ship_package_uploads_tracking_for_an_existing_package(shop_client: ShopClient, listing, sandbox) -> None:  # noqa: ANN001
    product = _live_product(shop_client, listing)
    order = sandbox.control("POST", "/orders", {"lines": [{"sku_id": product["skus"][0]["id"], "quantity": 1}],
                                                "status": "AWAITING_SHIPMENT"})
    package_id = shop_client.orders.detail([order["id"]])["orders"][0]["packages"][0]["id"]
    provider = _royal_mail(shop_client)
    shop_client.fulfillment.ship_package(package_id, tracking_number="JX1234567GB", shipping_provider_id=provider)
    assert sandbox.control("GET", f"/orders/{order['id']}")["status"] in ("AWAITING_COLLECTION", "IN_TRANSIT")
    with pytest.raises(DataError) as caught:
        shop_client.fulfillment.ship_package(package_id, tracking_number="JX7654321GB", shipping_provider_id=provider)
    assert caught.value.message  # TikTok's own reason, kept for the merchant


@pytest.mark.parametrize("call, field", [
    (lambda c: c.orders.search(page_size=0), "page_size"),
    (lambda c: c.orders.search(page_size=101), "page_size"),
    (lambda c: c.products.search(page_size="ten"), "page_size"),
    (lambda c: c.catalog.brands(page_size=500), "page_size"),
    (lambda c: c.products.get("12ab"), "product_id"),
    (lambda c: c.products.get(""), "product_id"),
    (lambda c: c.products.activate([str(1729592969712207000 + i) for i in range(21)]), "product_ids"),
    (lambda c: c.products.activate([]), "product_ids"),
    (lambda c: c.orders.detail([str(576461413038785752 + i) for i in range(51)]), "ids"),
    (lambda c: c.orders.search(order_status="SHIPPED"), "order_status"),
    (lambda c: c.products.update_price("1729592969712207008", [{"id": "1", "price": {"amount": "9.999",
                                                                                     "currency": "GBP"}}]),
     "skus[0].price.amount"),
    (lambda c: c.products.update_inventory("1729592969712207008", [{"id": "1", "inventory": [
        {"quantity": 100_000}]}]), "skus[0].inventory[0].quantity"),
    (lambda c: c.products.create({"title": "x"}), "description"),
    (lambda c: c.products.inventory_search(), "product_ids"),
    (lambda c: c.catalog.create_brand("X"), "brand name"),
    (lambda c: c.fulfillment.mark_shipped("576461413038785752", tracking_number="",
                                          shipping_provider_id="7117858858072016686"), "tracking_number"),
    (lambda c: c.cancellations.cancel_order("abc", cancel_reason="x"), "order_id"),
])
def test_form_errors_never_reach_tiktok(shop_client: ShopClient, sandbox, call, field: str) -> None:  # noqa: ANN001
    before = sum(sandbox.state()["calls"].values())
    with pytest.raises(DataError) as caught:
        call(shop_client)
    assert caught.value.field == field
    assert sum(sandbox.state()["calls"].values()) == before
