"""The fake's data as GraphQL objects: dicts whose argument-taking fields are callables.

graphql-core's default resolver reads a dict's key and calls it with the field's arguments when it is
callable, so connections (`first`, `after`), `quantities(names:)` and the root fields are functions,
built lazily: only what a document asks for is computed.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from graphql import OperationDefinitionNode, parse, validate

from plugins.shopify.fake_admin.server import RULES, connection, gid, now_iso, tail
from plugins.shopify.fake_admin import bulk as bulk_files

if TYPE_CHECKING:
    from plugins.shopify.fake_admin.server import FakeShopify, Shop


def _conn(items_fn: Any, bulk: bool) -> Any:
    def resolve(_info: Any, **args: Any) -> dict[str, Any]:
        if bulk and args.get("first") is None and args.get("last") is None:
            return connection(items_fn())
        return connection(items_fn(), args.get("first"), args.get("after"), args.get("last"))
    return resolve


def level_view(shop: "Shop", variant: dict[str, Any], location_id: str, level: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={variant['inventoryItemId']}",
            "updatedAt": level["updatedAt"], "createdAt": level["updatedAt"], "isActive": True,
            "location": location_view(next((loc for loc in shop.locations if loc["id"] == location_id),
                                           {"id": location_id, "name": "?"})),
            "quantities": lambda _info, names: [{"name": n, "quantity": level["available"] if n in (
                "available", "on_hand") else 0, "id": f"q{n}", "updatedAt": level["updatedAt"]} for n in names]}


def location_view(location: dict[str, Any]) -> dict[str, Any]:
    return {"id": gid("Location", location["id"]), "name": location["name"],
            "isActive": location.get("isActive", True), "fulfillsOnlineOrders": location.get("fulfillsOnlineOrders", True)}


def item_view(shop: "Shop", product: dict[str, Any] | None, variant: dict[str, Any], bulk: bool) -> dict[str, Any]:
    weight = variant.get("weight")
    levels = lambda: [level_view(shop, variant, loc, lvl) for loc, lvl in variant["levels"].items()]  # noqa: E731
    return {"id": gid("InventoryItem", variant["inventoryItemId"]), "tracked": variant.get("tracked", True),
            "sku": variant.get("sku"), "updatedAt": max([variant["updatedAt"]] + [lvl["updatedAt"] for lvl in
                                                                                   variant["levels"].values()]),
            "measurement": {"id": gid("InventoryItemMeasurement", variant["inventoryItemId"]),
                            "weight": {"unit": weight[1], "value": float(weight[0])} if weight else None},
            "inventoryLevels": _conn(levels, bulk),
            "variants": _conn(lambda: [variant_view(shop, product, variant, bulk)] if product else [], bulk)}


def variant_view(shop: "Shop", product: dict[str, Any] | None, variant: dict[str, Any], bulk: bool) -> dict[str, Any]:
    names = [o["name"] for o in (product or {}).get("options") or []]
    selected = [{"name": n, "value": variant["options"].get(n, "")} for n in names] or \
        [{"name": "Title", "value": "Default Title"}]
    images = [variant["image"]] if variant.get("image") else []
    return {"__typename": "ProductVariant", "id": gid("ProductVariant", variant["id"]),
            "legacyResourceId": str(variant["id"]), "sku": variant.get("sku"), "barcode": variant.get("barcode"),
            "price": str(variant["price"]), "compareAtPrice": variant.get("compareAtPrice"),
            "inventoryPolicy": variant.get("policy", "DENY"), "updatedAt": variant["updatedAt"],
            "title": " / ".join(s["value"] for s in selected),
            "inventoryQuantity": sum(lvl["available"] for lvl in variant["levels"].values()),
            "selectedOptions": selected,
            "media": _conn(lambda: [{"__typename": "MediaImage", "id": gid("MediaImage", f"v{variant['id']}"),
                                     "image": {"url": url, "altText": None}} for url in images], bulk),
            "inventoryItem": item_view(shop, product, variant, bulk),
            "product": product_view(shop, product, bulk) if product else None}


def product_view(shop: "Shop", product: dict[str, Any], bulk: bool = False) -> dict[str, Any]:
    media = lambda: [{"__typename": "MediaImage", "id": gid("MediaImage", f"{product['id']}{n}"),  # noqa: E731
                      "image": {"url": image["url"], "altText": image.get("alt")}}
                     for n, image in enumerate(product.get("images") or [])]
    category = product.get("category")
    return {"__typename": "Product", "id": gid("Product", product["id"]), "legacyResourceId": product["id"],
            "title": product["title"], "handle": product.get("handle") or f"product-{product['id']}",
            "descriptionHtml": product.get("descriptionHtml", ""), "vendor": product.get("vendor", ""),
            "productType": product.get("productType", ""), "status": product.get("status", "ACTIVE"),
            "tags": list(product.get("tags") or []), "updatedAt": product["updatedAt"],
            "onlineStoreUrl": f"https://{shop.domain}/products/{product.get('handle') or product['id']}",
            "category": {"id": "gid://shopify/TaxonomyCategory/" + category["id"], "name": category["fullName"]
                         .split(" > ")[-1], "fullName": category["fullName"]} if category else None,
            "options": [{"name": o["name"], "values": o["values"]} for o in product.get("options") or []],
            "media": _conn(media, bulk),
            "variants": _conn(lambda: [variant_view(shop, product, v, bulk) for v in product["variants"]], bulk)}


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.strip("'\"").replace("Z", "+00:00"))


def _products(shop: "Shop", query: str | None) -> list[dict[str, Any]]:
    found = sorted(shop.products.values(), key=lambda p: int(p["id"]))
    if query and "updated_at:>=" in query:
        since = _when(query.split("updated_at:>=", 1)[1].split()[0])
        found = [p for p in found if _when(p["updatedAt"]) >= since]
    return found


def order_view(order: dict[str, Any]) -> dict[str, Any]:
    return {"id": gid("Order", order["id"]), "legacyResourceId": order["id"], "name": order["name"],
            "sourceName": order.get("sourceName"), "sourceIdentifier": order.get("sourceIdentifier"),
            "tags": order["tags"], "note": order.get("note"), "cancelledAt": order.get("cancelledAt"),
            "displayFinancialStatus": "PAID",
            "lineItems": lambda _info, **args: connection(
                [{"id": gid("LineItem", f"{order['id']}{n}"), "quantity": int(line["quantity"]),
                  "variant": {"id": line.get("variantId")}}
                 for n, line in enumerate((order.get("input") or {}).get("lineItems") or [])],
                args.get("first"), args.get("after")),
            "refunds": lambda _info, first=None, **_: [{"id": gid("Refund", r["id"]), "note": r["note"]}
                                                       for r in order.get("refunds", [])][:first],
            "fulfillments": lambda _info, **_: [
                {"id": gid("Fulfillment", f["id"]), "status": f["status"], "createdAt": f["createdAt"],
                 "trackingInfo": lambda _i, first=None, t=f["tracking"]: t[:first] if first else t}
                for f in order["fulfillments"]]}


def bulk_view(operation: dict[str, Any]) -> dict[str, Any]:
    return {key: operation.get(key) for key in ("id", "status", "errorCode", "createdAt", "completedAt", "objectCount",
                                                "rootObjectCount", "fileSize", "url", "partialDataUrl", "query",
                                                "type")}


def query_root(fake: "FakeShopify", shop: "Shop", bulk: bool = False) -> dict[str, Any]:
    def product(_info: Any, id: str) -> Any:  # noqa: A002 - GraphQL's argument name
        found = shop.products.get(tail(id))
        return product_view(shop, found, bulk) if found else None

    def inventory_item(_info: Any, id: str) -> Any:  # noqa: A002
        for p in shop.products.values():
            for v in p["variants"]:
                if str(v["inventoryItemId"]) == tail(id):
                    return item_view(shop, p, v, bulk)
        return None

    def order(_info: Any, id: str) -> Any:  # noqa: A002
        found = shop.orders.get(tail(id))
        return order_view(found) if found else None

    def orders(_info: Any, query: str | None = None, **args: Any) -> Any:
        found = list(shop.orders.values())
        if query and query.startswith("tag:"):
            tag = query[4:].strip("'\"")
            found = [o for o in found if tag in o["tags"]]
        return connection([order_view(o) for o in found], args.get("first"), args.get("after"))

    def bulk_operation(_info: Any, id: str) -> Any:  # noqa: A002
        found = shop.bulk.get(tail(id))
        return bulk_view(found) if found else None

    def bulk_operations(_info: Any, query: str | None = None, **args: Any) -> Any:
        found = sorted(shop.bulk.values(), key=lambda o: o["createdAt"], reverse=bool(args.get("reverse")))
        if query and "status:running" in query:
            found = [o for o in found if o["status"] in ("CREATED", "RUNNING")]
        return connection([bulk_view(o) for o in found], args.get("first"), args.get("after"))

    return {
        "shop": {"id": gid("Shop", abs(hash(shop.domain)) % 10**9), "name": shop.name, "myshopifyDomain": shop.domain,
                 "currencyCode": shop.currency, "weightUnit": shop.weight_unit, "unitSystem": shop.unit_system,
                 "taxesIncluded": shop.taxes_included,
                 "primaryDomain": {"url": f"https://{shop.domain}", "host": shop.domain, "id": gid("Domain", 1)}},
        "locations": lambda _info, **args: connection([location_view(loc) for loc in shop.locations],
                                                      args.get("first"), args.get("after")),
        "product": product,
        "products": lambda _info, query=None, **args: connection(
            [product_view(shop, p, bulk) for p in _products(shop, query)],
            None if bulk and args.get("first") is None else args.get("first"), args.get("after")),
        "inventoryItem": inventory_item, "order": order, "orders": orders,
        "bulkOperation": bulk_operation, "bulkOperations": bulk_operations,
    }


def _error(field: list[str], message: str, code: str = "INVALID") -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


def mutation_root(fake: "FakeShopify", shop: "Shop") -> dict[str, Any]:
    def order_create(_info: Any, order: dict[str, Any], options: dict[str, Any] | None = None) -> dict[str, Any]:
        options = options or {}
        errors = []
        lines = []
        with fake.lock:
            for n, line in enumerate(order.get("lineItems") or []):
                found = fake._find_variant(shop, tail(line.get("variantId") or ""))
                if found is None:
                    errors.append(_error(["order", "lineItems", str(n), "variantId"], "Variant does not exist"))
                    continue
                lines.append((found, line))
            address = order.get("shippingAddress") or {}
            for key in ("address1", "city", "zip", "countryCode"):
                if not address.get(key):
                    errors.append(_error(["order", "shippingAddress", key], f"{key} can't be blank"))
            behaviour = options.get("inventoryBehaviour") or "BYPASS"
            changed: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
            if not errors and behaviour != "BYPASS":
                for (product, variant), line in lines:
                    total = sum(lvl["available"] for lvl in variant["levels"].values())
                    if behaviour == "DECREMENT_OBEYING_POLICY" and variant.get("tracked", True) and \
                            variant.get("policy", "DENY") == "DENY" and total < int(line["quantity"]):
                        errors.append(_error(["order", "lineItems"], f"{variant.get('sku') or variant['id']} is out of "
                                             "stock: not enough inventory available", "INVENTORY_CLAIM_FAILED"))
            if errors:
                return {"order": None, "userErrors": errors}
            if behaviour != "BYPASS":
                for (product, variant), line in lines:
                    wanted = int(line["quantity"])
                    for location, level in variant["levels"].items():
                        take = min(wanted, max(level["available"], 0)) or (wanted if location == next(iter(
                            variant["levels"])) and behaviour == "DECREMENT_IGNORING_POLICY" else 0)
                        if take:
                            level["available"] -= take
                            level["updatedAt"] = now_iso()
                            wanted -= take
                            changed.append((variant, location, level))
                        if not wanted:
                            break
            order_id = fake.new_id()
            made = {"id": order_id, "name": f"#{next(fake._order_numbers)}", "tags": list(order.get("tags") or []),
                    "sourceName": order.get("sourceName"), "sourceIdentifier": order.get("sourceIdentifier"),
                    "note": order.get("note"), "input": order, "options": options, "cancelledAt": None,
                    "fulfillments": [], "createdAt": now_iso()}
            shop.orders[order_id] = made
        for variant, location, level in changed:  # Shopify reports the stock it took
            fake.webhook_later(shop.domain, "inventory_levels/update", fake._level_payload(variant, location, level))
        return {"order": order_view(made), "userErrors": []}

    def order_cancel(_info: Any, orderId: str, reason: str, restock: bool, **_: Any) -> dict[str, Any]:  # noqa: N803
        found = shop.orders.get(tail(orderId))
        if found is None:
            return {"job": None, "orderCancelUserErrors": [_error(["orderId"], "Order does not exist", "NOT_FOUND")]}
        if found["cancelledAt"]:
            return {"job": None, "orderCancelUserErrors": [_error(["orderId"], "Order has already been cancelled")]}
        found["cancelledAt"] = now_iso()
        found["cancelReason"] = reason
        return {"job": {"id": gid("Job", fake.new_id()), "done": True}, "orderCancelUserErrors": []}

    def bulk_run(_info: Any, query: str, groupObjects: bool) -> dict[str, Any]:  # noqa: N803
        try:
            document = parse(query)
        except Exception as error:  # noqa: BLE001
            fake.problems.append(f"bulk query does not parse: {error}")
            return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": str(error)}]}
        errors = validate(fake.schema, document, RULES)
        operation = next((d for d in document.definitions if isinstance(d, OperationDefinitionNode)), None)
        problem = "; ".join(e.message for e in errors) or (bulk_files.limits_problem(fake.schema, operation)
                                                            if operation else "no operation")
        if problem:
            fake.problems.append(f"bulk query refused: {problem}")
            return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": problem}]}
        if any(o["status"] in ("CREATED", "RUNNING") for o in shop.bulk.values()):
            return {"bulkOperation": None, "userErrors": [{"field": None, "message": "A bulk query operation for "
                                                           "this app and shop is already in progress."}]}
        key = fake.new_id()
        made = {"key": key, "id": gid("BulkOperation", key), "status": "CREATED", "createdAt": now_iso(),
                "query": query, "type": "QUERY", "objectCount": "0", "rootObjectCount": "0", "errorCode": None,
                "completedAt": None, "fileSize": None, "url": None, "partialDataUrl": None, "file": b""}
        shop.bulk[key] = made
        threading.Thread(target=fake.run_bulk, args=(shop, made, document), daemon=True).start()
        return {"bulkOperation": bulk_view(made), "userErrors": []}

    def refund_create(_info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002 - GraphQL's name
        """Shopify's refund: each line at most its quantity not yet refunded; RETURN restocks at the location."""
        with fake.lock:
            found = shop.orders.get(tail(input["orderId"]))
            if found is None:
                return {"refund": None, "order": None, "userErrors": [_error(["orderId"], "Order does not exist")]}
            lines = (found.get("input") or {}).get("lineItems") or []
            refunded = found.setdefault("refunded_quantities", {})
            errors, restock = [], []
            for n, item in enumerate(input.get("refundLineItems") or []):
                index = next((i for i, _ in enumerate(lines) if gid("LineItem", f"{found['id']}{i}") == item["lineItemId"]),
                             None)
                if index is None:
                    errors.append(_error(["refundLineItems", str(n), "lineItemId"], "Line item does not exist"))
                    continue
                left = int(lines[index]["quantity"]) - refunded.get(index, 0)
                if item["quantity"] > left:
                    errors.append(_error(["refundLineItems", str(n), "quantity"], "Quantity cannot refund more "
                                         "items than were purchased"))
                    continue
                if item.get("restockType") in ("RETURN", "CANCEL") and not item.get("locationId"):
                    errors.append(_error(["refundLineItems", str(n), "locationId"], "Location is required to restock"))
                    continue
                restock.append((index, item))
            if errors:
                return {"refund": None, "order": None, "userErrors": errors}
            for index, item in restock:
                refunded[index] = refunded.get(index, 0) + item["quantity"]
                if item.get("restockType") in ("RETURN", "CANCEL"):
                    variant = fake._find_variant(shop, tail(lines[index].get("variantId") or ""))
                    if variant is not None:
                        level = variant[1]["levels"].get(tail(item["locationId"]))
                        if level is not None:
                            level["available"] += item["quantity"]
                            level["updatedAt"] = now_iso()
            made = {"id": fake.new_id(), "note": input.get("note"), "input": input}
            found.setdefault("refunds", []).append(made)
        return {"refund": {"id": gid("Refund", made["id"]), "note": made["note"]}, "order": order_view(found),
                "userErrors": []}

    return {"orderCreate": order_create, "orderCancel": order_cancel, "refundCreate": refund_create,
            "bulkOperationRunQuery": bulk_run}
