"""Products API (docs/tiktok-api.md): create, edit, price, stock, status and search.

The request bodies are built by the sync mappers; this layer only checks the form TikTok would reject
outright (ids, counts, ranges, required fields) so a malformed request never spends the shop's budget.
Batch endpoints answer `code: 0` with per-item `errors[]`; those are returned in `data` for the
caller to attribute to the right product.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from hub.errors import DataError
from hub.tiktok import validation as v
from hub.tiktok.endpoint import Endpoint
from hub.tiktok.errors import require

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

CREATE = Endpoint("POST", "/product/202309/products")
EDIT = Endpoint("PUT", "/product/202309/products/{product_id}")
PARTIAL_EDIT = Endpoint("POST", "/product/202309/products/{product_id}/partial_edit")
UPDATE_PRICE = Endpoint("POST", "/product/202309/products/{product_id}/prices/update")
UPDATE_INVENTORY = Endpoint("POST", "/product/202309/products/{product_id}/inventory/update", cipher="optional")
GET = Endpoint("GET", "/product/202309/products/{product_id}")
SEARCH = Endpoint("POST", "/product/202502/products/search")
INVENTORY_SEARCH = Endpoint("POST", "/product/202309/inventory/search")
ACTIVATE = Endpoint("POST", "/product/202309/products/activate")
DEACTIVATE = Endpoint("POST", "/product/202309/products/deactivate")
DELETE = Endpoint("DELETE", "/product/202309/products")
RECOVER = Endpoint("POST", "/product/202309/products/recover")
LISTING_CHECK = Endpoint("POST", "/product/202309/products/listing_check")
PREREQUISITES = Endpoint("GET", "/product/202312/prerequisites")

MAX_BATCH = 20
MAX_SKUS = 300
SEARCH_STATUSES = ("ALL", "DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED",
                   "PLATFORM_DEACTIVATED", "FREEZE", "DELETED")


def _price(price: Any, field: str) -> dict[str, Any]:
    price = v.mapping(price, field)
    out = dict(price)
    out["amount"] = v.amount(price.get("amount"), f"{field}.amount")
    out["currency"] = v.text(price.get("currency"), f"{field}.currency", minimum=3, maximum=3)
    return out


def _inventory(entries: Any, field: str, *, minimum_quantity: int) -> list[dict[str, Any]]:
    entries = v.non_empty_list(entries, field, maximum=100)
    out = []
    for i, entry in enumerate(entries):
        entry = dict(v.mapping(entry, f"{field}[{i}]"))
        if entry.get("warehouse_id") is not None:
            entry["warehouse_id"] = v.tiktok_id(entry["warehouse_id"], f"{field}[{i}].warehouse_id")
        entry["quantity"] = v.int_range(entry.get("quantity"), f"{field}[{i}].quantity", minimum_quantity, 99_999)
        out.append(entry)
    return out


def _entries(skus: Iterable[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    entries = v.non_empty_list(list(skus) if not isinstance(skus, (str, bytes, dict)) else skus, "skus",
                               maximum=MAX_SKUS)
    return [(i, v.mapping(sku, f"skus[{i}]")) for i, sku in enumerate(entries)]


def check_listing_body(body: Any, *, editing: bool = False) -> dict[str, Any]:
    """The form of a create/edit/listing-check body (docs/tiktok-api.md, *Products*); content rules are the validators' job."""
    body = dict(v.mapping(body, "product"))
    v.text(body.get("title"), "title", maximum=255)
    v.text(body.get("description"), "description", maximum=10_000)
    body["category_id"] = v.tiktok_id(body.get("category_id"), "category_id")
    images = v.non_empty_list(body.get("main_images"), "main_images", maximum=9)
    for i, image in enumerate(images):
        v.text(v.mapping(image, f"main_images[{i}]").get("uri"), f"main_images[{i}].uri", maximum=500)
    weight = v.mapping(body.get("package_weight"), "package_weight")
    v.text(weight.get("value"), "package_weight.value", maximum=20)
    v.one_of(weight.get("unit"), "package_weight.unit", ("KILOGRAM", "POUND"))
    if body.get("brand_id") is not None:
        body["brand_id"] = v.tiktok_id(body["brand_id"], "brand_id")
    if body.get("save_mode") is not None:
        v.one_of(body["save_mode"], "save_mode", ("AS_DRAFT", "LISTING"))
    skus = v.non_empty_list(body.get("skus"), "skus", maximum=MAX_SKUS)
    checked = []
    for i, sku in enumerate(skus):
        sku = dict(v.mapping(sku, f"skus[{i}]"))
        if editing and sku.get("id") is not None:
            sku["id"] = v.tiktok_id(sku["id"], f"skus[{i}].id")
        if "price" in sku or not editing:
            sku["price"] = _price(sku.get("price"), f"skus[{i}].price")
        if "inventory" in sku or not editing:
            sku["inventory"] = _inventory(sku.get("inventory"), f"skus[{i}].inventory", minimum_quantity=0)
        if sku.get("seller_sku") is not None:
            seller_sku = v.text(sku["seller_sku"], f"skus[{i}].seller_sku", maximum=50)
            if any(c.isspace() for c in seller_sku):
                raise DataError(f"skus[{i}].seller_sku must not contain spaces", field=f"skus[{i}].seller_sku",
                                code="invalid_request")
        checked.append(sku)
    body["skus"] = checked
    return body


class ProductsApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def create(self, body: dict[str, Any], *, idempotency_key: str | None = None) -> dict[str, Any]:
        """`{"product_id", "skus": [{"id", "seller_sku", ...}], "warnings"?}`.

        `idempotency_key` makes a retry after a lost answer return the first result instead of a
        duplicate listing; pass the same key for every attempt of one logical create.
        """
        body = check_listing_body(body)
        if idempotency_key is not None:
            body["idempotency_key"] = v.text(idempotency_key, "idempotency_key", maximum=128)
        data = self.client.request(CREATE, body=body)
        return require(data, "product_id", endpoint=CREATE.key)

    def edit(self, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Full replace: SKUs not listed by `id` are deleted by TikTok."""
        return self.client.request(EDIT, path_params={"product_id": v.tiktok_id(product_id, "product_id")},
                                   body=check_listing_body(body, editing=True))

    def partial_edit(self, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        body = v.mapping(body, "product")
        if not body:
            raise DataError("A partial edit needs at least one field", field="product", code="invalid_request")
        if "title" in body:
            v.text(body["title"], "title", maximum=255)
        if "description" in body:
            v.text(body["description"], "description", maximum=10_000)
        if "main_images" in body:
            v.non_empty_list(body["main_images"], "main_images", maximum=9)
        return self.client.request(PARTIAL_EDIT, path_params={"product_id": v.tiktok_id(product_id, "product_id")},
                                   body=body)

    def update_price(self, product_id: str, skus: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """`skus`: `[{"id", "price": {"amount", "currency"}}]`, all of one product."""
        body = {"skus": [{"id": v.tiktok_id(sku.get("id"), f"skus[{i}].id"),
                          "price": _price(sku.get("price"), f"skus[{i}].price")}
                         for i, sku in _entries(skus)]}
        return self.client.request(UPDATE_PRICE, path_params={"product_id": v.tiktok_id(product_id, "product_id")},
                                   body=body)

    def update_inventory(self, product_id: str, skus: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """`skus`: `[{"id", "inventory": [{"warehouse_id"?, "quantity"}]}]`; per-SKU failures in `errors`.

        Quantity 0 is sent (out of stock): the current docs say 1-99,999 but older docs and common
        practice accept 0, and there is no other way to say "sold out" (docs/tiktok-api.md).
        """
        body = {"skus": [{"id": v.tiktok_id(sku.get("id"), f"skus[{i}].id"),
                          "inventory": _inventory(sku.get("inventory"), f"skus[{i}].inventory", minimum_quantity=0)}
                         for i, sku in _entries(skus)]}
        data = self.client.request(UPDATE_INVENTORY,
                                   path_params={"product_id": v.tiktok_id(product_id, "product_id")}, body=body)
        data.setdefault("errors", [])
        return data

    def get(self, product_id: str, *, return_under_review_version: bool | None = None,
            return_draft_version: bool | None = None, locale: str | None = None) -> dict[str, Any]:
        data = self.client.request(GET, path_params={"product_id": v.tiktok_id(product_id, "product_id")},
                                   query={"return_under_review_version": return_under_review_version,
                                          "return_draft_version": return_draft_version, "locale": locale})
        return require(data, "id", endpoint=GET.key)

    def search(self, *, page_size: int = 50, page_token: str | None = None, status: str | None = None,
               seller_skus: list[str] | None = None, sku_ids: list[str] | None = None,
               update_time_ge: int | None = None, update_time_le: int | None = None,
               create_time_ge: int | None = None, create_time_le: int | None = None) -> dict[str, Any]:
        """`{"products": [...], "total_count", "next_page_token"}`; empty token = last page.

        The body always carries a filter: without one it would be `{}`, which TikTok's own signing code
        leaves out of the signature (see `ShopClient.request`); `status: ALL` is TikTok's default, so the
        answer is the same and the question of signing an empty object never arises.
        """
        body: dict[str, Any] = {"status": v.one_of(status or "ALL", "status", SEARCH_STATUSES)}
        if seller_skus is not None:
            body["seller_skus"] = [v.text(s, "seller_skus", maximum=50) for s in
                                   v.non_empty_list(seller_skus, "seller_skus", maximum=10)]
        if sku_ids is not None:
            body["sku_ids"] = v.id_list(sku_ids, "sku_ids", maximum=10)
        for name, value in (("update_time_ge", update_time_ge), ("update_time_le", update_time_le),
                            ("create_time_ge", create_time_ge), ("create_time_le", create_time_le)):
            if value is not None:
                body[name] = v.unix_time(value, name)
        data = self.client.request(SEARCH, query={"page_size": v.int_range(page_size, "page_size", 1, 100),
                                                  "page_token": page_token}, body=body)
        data.setdefault("products", [])
        return data

    def inventory_search(self, *, product_ids: list[str] | None = None,
                         sku_ids: list[str] | None = None) -> dict[str, Any]:
        if (product_ids is None) == (sku_ids is None):
            raise DataError("Search inventory by product_ids or by sku_ids (one of them)", field="product_ids",
                            code="invalid_request")
        body = ({"product_ids": v.id_list(product_ids, "product_ids", maximum=100)} if product_ids is not None
                else {"sku_ids": v.id_list(sku_ids, "sku_ids", maximum=600)})
        data = self.client.request(INVENTORY_SEARCH, body=body)
        data.setdefault("inventory", [])
        return data

    def _batch(self, endpoint: Endpoint, product_ids: Iterable[str]) -> dict[str, Any]:
        ids = v.id_list(list(product_ids), "product_ids", maximum=MAX_BATCH)
        data = self.client.request(endpoint, body={"product_ids": ids})
        data.setdefault("errors", [])
        return data

    def activate(self, product_ids: Iterable[str]) -> dict[str, Any]:
        return self._batch(ACTIVATE, product_ids)

    def deactivate(self, product_ids: Iterable[str]) -> dict[str, Any]:
        return self._batch(DEACTIVATE, product_ids)

    def delete(self, product_ids: Iterable[str]) -> dict[str, Any]:
        return self._batch(DELETE, product_ids)

    def recover(self, product_ids: Iterable[str]) -> dict[str, Any]:
        return self._batch(RECOVER, product_ids)

    def listing_check(self, body: dict[str, Any]) -> dict[str, Any]:
        """Dry run of a create: `{"check_result": "PASS"|"FAILED", "fail_reasons": [...]}`."""
        return self.client.request(LISTING_CHECK, body=check_listing_body(body))

    def prerequisites(self) -> dict[str, Any]:
        """`{"check_results": [{"check_item", "is_failed", "fail_reasons"}]}`: is the shop set up to list?"""
        data = self.client.request(PREREQUISITES)
        data.setdefault("check_results", [])
        return data
