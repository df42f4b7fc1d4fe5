"""Control API under /sandbox/ (loopback callers only): reset, OAuth codes, state, reviews,
buyer orders, shop configuration, rate limits, faults, tokens, webhooks."""

from __future__ import annotations

import copy
import math
import time

from flask import Blueprint, Response, current_app, jsonify, request

from .api_orders import OrderError, buyer_cancel_request, create_order, move_order, render_order
from .api_products import complete_review, render_product, render_sku
from .api_returns import buyer_cancel, buyer_ship, create_return, render_return, returns
from . import ids
from .auth import mint_auth_code
from .runtime import EVENT_TYPES

control_bp = Blueprint("sandbox_control", __name__, url_prefix="/sandbox")

FAULT_KINDS = ("5xx", "429", "timeout", "lost_response")
PRODUCT_PLATFORM_STATUSES = ("PLATFORM_DEACTIVATED", "FREEZE", "ACTIVATE")


def _rt():
    from .app import get_runtime
    return get_runtime(current_app)


def _err(message, status=400):
    return jsonify({"error": {"message": message}}), status


def _body():
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@control_bp.before_request
def loopback_only():
    from .app import is_loopback
    if not is_loopback(request.remote_addr):
        return _err("the sandbox control API only answers loopback callers", 403)


def product_state(state, p):
    out = {"id": p["id"], "shop_id": p["shop_id"], "status": p["status"], "product_status": p["product_status"],
           "audit_status": p["audit_status"], "audit_failed_reasons": copy.deepcopy(p["audit_failed_reasons"]),
           "create_time": p["create_time"], "update_time": p["update_time"],
           "idempotency_key": p.get("idempotency_key"), "live": render_product(state, p),
           "under_review": render_product(state, p, p["pending"]) if p["pending"] else None}
    live = p["live"]
    out["title"] = live["title"]
    out["category_id"] = live["category_id"]
    out["external_product_id"] = live.get("external_product_id", "")
    out["skus"] = [{"id": s["id"], "seller_sku": s["seller_sku"], "external_sku_id": s.get("external_sku_id", ""),
                    "price": (s.get("price") or {}).get("amount"), "currency": (s.get("price") or {}).get("currency"),
                    "stock": sum(i["quantity"] for i in s["inventory"]),
                    "inventory": [dict(i) for i in s["inventory"]],
                    "sales_attributes": render_sku(state, s)["sales_attributes"]} for s in live["skus"]]
    return out


def order_state(state, o):
    out = render_order(state, o)
    out["recipient_address_unmasked"] = dict(o["address"])
    out["shop_id"] = o["shop_id"]
    return out


@control_bp.post("/reset")
def reset():
    _rt().reset()
    return jsonify({"ok": True})


@control_bp.post("/oauth/code")
def oauth_code():
    rt = _rt()
    with rt.lock:
        try:
            code = mint_auth_code(rt.state, _body().get("shop_id"))
        except KeyError:
            return _err("unknown shop_id", 404)
    return jsonify({"code": code})


@control_bp.get("/state")
def get_state():
    rt = _rt()
    with rt.lock:
        st = rt.state
        return jsonify({
            "shops": [dict(st.public_shop(s), currency=s.get("currency", "GBP"), settings=copy.deepcopy(s["settings"]),
                           warehouses=copy.deepcopy(st.warehouses.get(s["id"], [])))
                      for s in st.shops.values()],
            "products": [product_state(st, p) for p in st.products.values()],
            "orders": [order_state(st, o) for o in st.orders.values()],
            "calls": dict(st.calls), "throttled": dict(st.throttled), "webhooks_sent": st.webhooks_sent,
            "webhooks_delivered": sum(1 for w in st.webhook_log if w["status"] == "delivered"),
            "review_policy": st.review_policy.as_dict(), "tokens": st.token_policy.as_dict(),
            "rate_limits": {"default_per_second": st.rate_default, "per_endpoint": dict(st.rate_per_endpoint),
                            "per_shop": {s["id"]: s["settings"]["rate_limit"] for s in st.shops.values()
                                         if s["settings"].get("rate_limit") is not None}},
            "faults": copy.deepcopy(st.faults), "webhook_url": st.webhook_url,
        })


@control_bp.get("/products/<pid>")
def get_product(pid):
    rt = _rt()
    with rt.lock:
        p = rt.state.products.get(pid)
        if p is None:
            return _err("no such product", 404)
        return jsonify(product_state(rt.state, p))


@control_bp.post("/products/seed")
def seed_products():
    """Products the seller already has on TikTok, made in Seller Center or by another app.

    Body `{"shop_id"?, "products": [{"title", "category_id"?, "status"?, "external_product_id"?, "skus": [
    {"seller_sku", "price", "quantity"?, "warehouse_id"?, "identifier_code"? {"code", "type"},
    "options"? {"Size": "M"}}]}]}`. They are stored as they are (live, approved, no review and no
    webhook, no daily listing cap): they exist before the app was connected. Answers their ids.
    """
    rt = _rt()
    body = _body()
    products = body.get("products")
    if not isinstance(products, list) or not products:
        return _err("products must be a non-empty list")
    with rt.lock:
        st = rt.state
        shop = st.shops.get(body.get("shop_id") or st.default_shop_id)
        if shop is None:
            return _err("unknown shop_id", 404)
        sales = st.sales_warehouses(shop["id"])
        default_wh = next((w["id"] for w in sales if w.get("is_default")), sales[0]["id"] if sales else None)
        made = []
        for n, spec in enumerate(products):
            if not isinstance(spec, dict) or not isinstance(spec.get("skus"), list) or not spec["skus"]:
                return _err(f"products[{n}] needs a non-empty skus list")
            status = spec.get("status") or "ACTIVATE"
            if status not in ("ACTIVATE", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED", "DRAFT", "PENDING", "FAILED"):
                return _err(f"products[{n}].status is not a product status")
            skus = []
            for k, sku in enumerate(spec["skus"]):
                if not isinstance(sku, dict):
                    return _err(f"products[{n}].skus[{k}] must be an object")
                attributes = []
                for name, value in (sku.get("options") or {}).items():
                    aid = st.custom_attr_ids.setdefault(str(name).strip().lower(), st.attr_ids.next())
                    attributes.append({"id": aid, "name": str(name), "value_name": str(value),
                                       "value_id": st.custom_value_ids.setdefault((aid, str(value)),
                                                                                  st.attr_ids.next())})
                item = {"id": st.sku_ids.next(), "seller_sku": str(sku.get("seller_sku") or ""),
                        "price": {"amount": str(sku.get("price") or "10.00"), "currency": shop.get("currency", "GBP")},
                        "inventory": [{"warehouse_id": str(sku.get("warehouse_id") or default_wh),
                                       "quantity": int(sku.get("quantity") or 0)}],
                        "sales_attributes": attributes, "status": "NORMAL"}
                if isinstance(sku.get("identifier_code"), dict):
                    item["identifier_code"] = {"code": str(sku["identifier_code"].get("code")),
                                               "type": str(sku["identifier_code"].get("type") or "EAN")}
                skus.append(item)
            now = int(time.time())
            pid = st.product_ids.next()
            content = {"title": str(spec.get("title") or "Product"), "description": "<p>Made in Seller Center.</p>",
                       "category_id": str(spec.get("category_id") or "601226"), "category_version": "v1",
                       "main_images": [], "product_attributes": [], "skus": skus}
            if spec.get("external_product_id"):
                content["external_product_id"] = str(spec["external_product_id"])
            live = status == "ACTIVATE"
            st.products[pid] = {
                "id": pid, "shop_id": shop["id"], "create_time": now, "update_time": now, "status": status,
                "product_status": status, "audit_status": "APPROVED" if live or "DEACTIVATED" in status else "NONE",
                "audit_failed_reasons": [], "live": content, "pending": None, "ever_live": live, "review_seq": 0,
                "has_draft": False, "idempotency_key": None}
            made.append({"id": pid, "skus": [{"id": s["id"], "seller_sku": s["seller_sku"]} for s in skus]})
        return jsonify({"products": made}), 201


@control_bp.post("/products/<pid>/review")
def review(pid):
    rt = _rt()
    body = _body()
    decision = body.get("decision")
    if decision not in ("approve", "reject"):
        return _err("decision must be approve or reject")
    with rt.lock:
        p = rt.state.products.get(pid)
        if p is None:
            return _err("no such product", 404)
        if p["audit_status"] != "AUDITING":
            return _err(f"product is not under review (status {p['status']}, audit {p['audit_status']})", 409)
        complete_review(rt, rt.state, p, decision, body.get("reason") or "")
        return jsonify(product_state(rt.state, p))


@control_bp.post("/products/<pid>/status")
def platform_status(pid):
    """Platform action on a product: PLATFORM_DEACTIVATED / FREEZE / ACTIVATE (emits webhook 5)."""
    rt = _rt()
    body = _body()
    target = body.get("status")
    if target not in PRODUCT_PLATFORM_STATUSES:
        return _err("status must be one of " + ", ".join(PRODUCT_PLATFORM_STATUSES))
    with rt.lock:
        st = rt.state
        p = st.products.get(pid)
        if p is None:
            return _err("no such product", 404)
        p["status"] = p["product_status"] = target
        p["update_time"] = int(time.time())
        rt.dispatcher.emit(st, p["shop_id"], 5, {"product_id": int(pid), "status": "PRODUCT_STATUS_CHANGED",
                                                 "suspended_reason": body.get("reason") or "",
                                                 "update_time": p["update_time"]})
        return jsonify(product_state(st, p))


@control_bp.get("/documents/<package_id>/<name>")
def shipping_document(package_id, name):
    """The file behind a shipping document's `doc_url` (a one-page PDF naming the package)."""
    rt = _rt()
    with rt.lock:
        pkg = rt.state.packages.get(package_id)
        if pkg is None:
            return _err("no such package", 404)
        tracking = pkg["tracking_number"]
    text = f"TikTok Shipping label {package_id} {tracking}".encode()
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
           b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 298 420]>>endobj\n% " + text + b"\n%%EOF\n")
    return Response(pdf, mimetype="application/pdf")


@control_bp.post("/products/<pid>/seller-center")
def seller_center_edit(pid):
    """What a merchant changes in Seller Center, applied to the product as it is (live and under review).

    Body: any of `video: true` (a new video file), `product_attributes: [{id, values: [{id}|{name}]}]`
    (added to, or replacing by id, the product's attributes), `size_chart: {template: {id}} | {image: {uri}}`,
    `brand_id`. Emits webhook 15 with `change_source: SELLER_CENTER`.
    """
    rt = _rt()
    body = _body()
    with rt.lock:
        st = rt.state
        p = st.products.get(pid)
        if p is None:
            return _err("no such product", 404)
        changed = []
        fid = None
        if body.get("video"):
            fid = ids.file_id()
            st.files[fid] = {"id": fid, "url": f"https://p16-oec-va.ibyteimg.com/tos-maliva-d-o3syd03w52-us/{fid}",
                             "name": "demo.mp4", "format": "MP4", "size": 1}
        for content in (c for c in (p["live"], p["pending"]) if c):
            if fid:
                content["video"] = {"id": fid}
                changed.append("others")
            if isinstance(body.get("product_attributes"), list):
                attrs = {a["id"]: a for a in content.get("product_attributes", [])}
                for a in body["product_attributes"]:
                    attrs[str(a["id"])] = {"id": str(a["id"]), "name": "",
                                           "values": [dict(v) for v in a.get("values", [])]}
                content["product_attributes"] = list(attrs.values())
                changed.append("product_attributes")
            if isinstance(body.get("size_chart"), dict):
                content["size_chart"] = copy.deepcopy(body["size_chart"])
                changed.append("size_chart_template" if "template" in body["size_chart"] else "size_chart_image")
            if body.get("brand_id"):
                content["brand_id"] = str(body["brand_id"])
                changed.append("others")
        now = int(time.time())
        p["update_time"] = now
        rt.dispatcher.emit(st, p["shop_id"], 15, {"product_id": pid, "change_source": "SELLER_CENTER",
                                                "changed_fields": sorted(set(changed)), "update_time": now})
        return jsonify(product_state(st, p))


@control_bp.put("/products/<pid>/promotion")
def promotion(pid):
    """A promotion holding stock of one SKU: `{"sku_id", "open_stock": N}` (0 or null ends it).

    While it runs, an inventory update below the promotion's open stock is refused per SKU with
    `12019024` "stock count is invalid", as TikTok refuses stock a running promotion still needs.
    """
    rt = _rt()
    body = _body()
    open_stock = body.get("open_stock") or 0
    if not isinstance(open_stock, int) or isinstance(open_stock, bool) or open_stock < 0:
        return _err("open_stock must be a non-negative integer")
    with rt.lock:
        p = rt.state.products.get(pid)
        if p is None:
            return _err("no such product", 404)
        sku_id = str(body.get("sku_id") or "")
        if sku_id not in {s["id"] for s in p["live"]["skus"]}:
            return _err("sku_id must be one of the product's SKU ids")
        promotions = p.setdefault("promotions", {})
        if open_stock:
            promotions[sku_id] = open_stock
        else:
            promotions.pop(sku_id, None)
        return jsonify({"product_id": pid, "promotions": dict(promotions)})


@control_bp.put("/review-policy")
def review_policy():
    rt = _rt()
    body = _body()
    with rt.lock:
        pol = rt.state.review_policy
        if "mode" in body:
            if body["mode"] not in ("auto", "manual"):
                return _err("mode must be auto or manual")
            pol.mode = body["mode"]
        if "delay_seconds" in body:
            try:
                pol.delay_seconds = max(0.0, float(body["delay_seconds"]))
            except (TypeError, ValueError):
                return _err("delay_seconds must be a number")
        if "reject_title_words" in body:
            if not isinstance(body["reject_title_words"], list):
                return _err("reject_title_words must be a list of strings")
            pol.reject_title_words = [str(w) for w in body["reject_title_words"]]
        if pol.mode == "auto":   # products already waiting get reviewed under the new policy
            from .api_products import schedule_review
            for p in rt.state.products.values():
                if p["audit_status"] == "AUDITING":
                    schedule_review(rt, rt.state, p)
        return jsonify(pol.as_dict())


@control_bp.post("/orders")
def post_order():
    rt = _rt()
    with rt.lock:
        try:
            order = create_order(rt, rt.state, _body())
        except OrderError as exc:
            return _err(str(exc), exc.status)
        return jsonify(order_state(rt.state, order)), 201


def _on_order(oid, act):
    """`act(rt, order)` under the state lock: 404 for an unknown order, an OrderError as its status."""
    rt = _rt()
    with rt.lock:
        o = rt.state.orders.get(oid)
        if o is None:
            return _err("no such order", 404)
        try:
            return act(rt, o)
        except OrderError as exc:
            return _err(str(exc), exc.status)


def _on_return(rid, act):
    """`act(rt, return)` under the state lock: 404 for an unknown return, an OrderError as its status."""
    rt = _rt()
    with rt.lock:
        ret = returns(rt.state).get(rid)
        if ret is None:
            return _err("no such return", 404)
        try:
            return act(rt, ret)
        except OrderError as exc:
            return _err(str(exc), exc.status)


@control_bp.get("/orders/<oid>")
def get_order(oid):
    return _on_order(oid, lambda rt, o: jsonify(order_state(rt.state, o)))


@control_bp.post("/orders/<oid>/status")
def order_status(oid):
    body = _body()

    def act(rt, o):
        move_order(rt, rt.state, o, body.get("status"), force=bool(body.get("force")),
                   initiator=body.get("cancellation_initiator"), reason=body.get("cancel_reason"))
        return jsonify(order_state(rt.state, o))
    return _on_order(oid, act)


@control_bp.post("/orders/<oid>/cancel-request")
def order_cancel_request(oid):
    body = _body()

    def act(rt, o):
        cid = buyer_cancel_request(rt, rt.state, o, body.get("cancel_reason") or "Buyer changed their mind")
        return jsonify({"cancel_id": cid, "order": order_state(rt.state, o)})
    return _on_order(oid, act)


@control_bp.post("/orders/<oid>/return-request")
def order_return_request(oid):
    """The buyer asks for a refund (`REFUND`) or a return (`RETURN_AND_REFUND`) of some or all items:
    `{"return_type", "skus": [{"sku_id"|"seller_sku", "quantity"}] | "order_line_item_ids", "reason",
    "refund_total"}` (no lines: every item not yet returned; no refund_total: their full price)."""
    body = _body()

    def act(rt, o):
        ret = create_return(rt, rt.state, o, role="BUYER", return_type=body.get("return_type") or "REFUND",
                            reason=body.get("reason") or "ecom_order_delivered_refund_and_return_reason_no_need",
                            line_ids=body.get("order_line_item_ids"), skus=body.get("skus"),
                            refund_total=body.get("refund_total"))
        return jsonify(render_return(rt.state, ret)), 201
    return _on_order(oid, act)


@control_bp.get("/returns/<rid>")
def get_return(rid):
    def act(rt, ret):
        out = render_return(rt.state, ret)
        out["records"] = [dict(r) for r in ret["records"]]
        out["reject_reason"] = ret["reject_reason"]
        return jsonify(out)
    return _on_return(rid, act)


@control_bp.post("/returns/<rid>/<action>")
def return_action(rid, action):
    """The buyer's next step: `ship` (send the items back) or `cancel` (withdraw the request)."""
    steps = {"ship": buyer_ship, "cancel": buyer_cancel}

    def act(rt, ret):
        if action not in steps:
            return _err("action must be ship or cancel", 404)
        steps[action](rt, rt.state, ret)
        return jsonify(render_return(rt.state, ret))
    return _on_return(rid, act)


@control_bp.put("/shop")
def put_shop():
    rt = _rt()
    body = _body()
    with rt.lock:
        st = rt.state
        shop = st.shops.get(body.get("shop_id") or st.default_shop_id)
        if shop is None:
            return _err("unknown shop_id", 404)
        for key in ("region", "currency", "name"):
            if key in body:
                shop[key] = str(body[key])
        settings = shop["settings"]
        if "rate_limit" in body:
            rate = body["rate_limit"]
            if _bad_rate(rate):
                return _err(RATE_ERROR)
            settings["rate_limit"] = None if rate is None else float(rate)
            st.buckets.clear()
        if "failing_prerequisites" in body:
            from .state import PREREQUISITE_ITEMS
            bad = [x for x in body["failing_prerequisites"] if x not in PREREQUISITE_ITEMS]
            if bad:
                return _err(f"unknown check items {bad}; use {PREREQUISITE_ITEMS}")
            settings["failing_prerequisites"] = list(body["failing_prerequisites"])
        for key, cast in (("daily_listing_cap", int), ("allow_zero_stock_on_create", bool),
                          ("allow_zero_stock_on_update", bool), ("strict_price_update", bool), ("active", bool),
                          ("legacy_webhook_envelopes", bool)):
            if key in body:
                settings[key] = cast(body[key])
        if "category_versions" in body:
            vers = [v for v in body["category_versions"] if v in ("v1", "v2")]
            if not vers:
                return _err("category_versions must list v1 and/or v2")
            settings["category_versions"] = vers
        if "identifier_exemption" in body:
            exemption = body["identifier_exemption"]
            if not isinstance(exemption, dict) or not all(isinstance(v, bool) for v in exemption.values()):
                return _err("identifier_exemption must map category ids to true/false")
            settings["identifier_exemption"] = {str(k): v for k, v in exemption.items()}
        if "warehouses" in body:
            whs = []
            for w in body["warehouses"]:
                if not isinstance(w, dict) or w.get("type") not in ("SALES_WAREHOUSE", "RETURN_WAREHOUSE"):
                    return _err("each warehouse needs type SALES_WAREHOUSE or RETURN_WAREHOUSE")
                base = copy.deepcopy(st.warehouse(shop["id"], w.get("id", "")) or
                                     next(iter(st.warehouses.get(shop["id"], [])), {}) or {})
                base.update({"id": str(w.get("id") or st.warehouse_ids.next()), "type": w["type"],
                             "name": w.get("name") or base.get("name", "Warehouse"),
                             "effect_status": w.get("effect_status", "ENABLED"),
                             "sub_type": w.get("sub_type", "DOMESTIC_WAREHOUSE"),
                             "is_default": bool(w.get("is_default", False))})
                base.setdefault("entity_id", "7395366865142499073")
                if "address" in w:
                    base["address"] = dict(w["address"])
                whs.append(base)
            st.warehouses[shop["id"]] = whs
        return jsonify(dict(st.public_shop(shop), currency=shop.get("currency"), settings=copy.deepcopy(settings),
                            warehouses=copy.deepcopy(st.warehouses[shop["id"]])))


RATE_ERROR = "rate_limit must be a number of requests per second (0: unlimited) or null"


def _bad_rate(rate) -> bool:
    """A shop's budget is null (the sandbox's default) or a finite number of requests per second, 0 or more."""
    if rate is None:
        return False
    return isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate < 0


def _shop_view(st, shop):
    return dict(st.public_shop(shop), currency=shop.get("currency"), rate_limit=shop["settings"].get("rate_limit"))


@control_bp.post("/shops")
def add_shops():
    """More sellers' shops, each with its own cipher and (optionally) its own requests/second per endpoint.

    Body `{"count": N, "rate_limit"?: R}` or `{"shops": [{"name"?, "rate_limit"?, "region"?, "currency"?}]}`.
    Answers the new shops; `POST /sandbox/oauth/code {"shop_id"}` then authorizes one of them.
    """
    rt = _rt()
    body = _body()
    specs = body.get("shops")
    if specs is None:
        count = body.get("count")
        if not isinstance(count, int) or not 1 <= count <= 1000:
            return _err("count must be a whole number from 1 to 1000 (or give a shops list)")
        specs = [{"rate_limit": body.get("rate_limit")} for _ in range(count)]
    if not isinstance(specs, list) or not specs or not all(isinstance(x, dict) for x in specs):
        return _err("shops must be a non-empty list of objects")
    for spec in specs:
        rate = spec.get("rate_limit")
        if _bad_rate(rate):
            return _err(RATE_ERROR)
    with rt.lock:
        st = rt.state
        made = [st.add_shop(name=spec.get("name"), rate_limit=spec.get("rate_limit"),
                            region=str(spec.get("region") or "GB"), currency=str(spec.get("currency") or "GBP"))
                for spec in specs]
        return jsonify({"shops": [_shop_view(st, shop) for shop in made]}), 201


@control_bp.get("/traffic")
def traffic():
    """Per shop and endpoint: calls, 429s, its budget, and calls per second since `?since=<unix seconds>`."""
    rt = _rt()
    since = request.args.get("since", type=float) or 0.0
    with rt.lock:
        st = rt.state
        shops = {}
        for sid, shop in st.shops.items():
            shops[sid] = {"name": shop["name"], "cipher": shop["cipher"],
                          "rate_limit": shop["settings"].get("rate_limit") if shop["settings"].get("rate_limit")
                          is not None else st.rate_default,
                          "calls": {}, "throttled": {}, "per_second": {}}
        for (sid, key), n in st.shop_calls.items():
            if sid in shops:
                shops[sid]["calls"][key] = n
        for (sid, key), n in st.shop_throttled.items():
            if sid in shops:
                shops[sid]["throttled"][key] = n
        for (sid, key), seconds in st.shop_seconds.items():
            if sid in shops:
                shops[sid]["per_second"][key] = {str(t): n for t, n in sorted(seconds.items()) if t >= since}
        return jsonify({"now": time.time(), "default_per_second": st.rate_default,
                        "per_endpoint": dict(st.rate_per_endpoint), "shops": shops})


@control_bp.post("/products/values")
def product_values():
    """Price and stock of each SKU of the given products (`{"ids": [...]}`): a light read for a big catalogue."""
    rt = _rt()
    wanted = _body().get("ids")
    if not isinstance(wanted, list):
        return _err("ids must be a list of product ids")
    with rt.lock:
        out = {}
        for pid in wanted:
            p = rt.state.products.get(str(pid))
            if p is None:
                continue
            out[p["id"]] = {"shop_id": p["shop_id"], "status": p["status"], "skus": [
                {"id": s["id"], "price": (s.get("price") or {}).get("amount"),
                 "stock": sum(i["quantity"] for i in s["inventory"])} for s in p["live"]["skus"]]}
        return jsonify({"products": out})


@control_bp.post("/products/<pid>/wait")
def wait_for_stock(pid):
    """Answer once the product's first SKU holds `stock` (or after `timeout` seconds, at most 60): a bench
    learns when a change reached TikTok without polling over HTTP. `{"held": bool, "stock": n}`."""
    rt = _rt()
    body = _body()
    want = body.get("stock")
    if not isinstance(want, int) or isinstance(want, bool):
        return _err("stock must be a whole number")
    timeout = body.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        return _err("timeout must be a number of seconds")
    deadline = time.monotonic() + min(max(float(timeout), 0.0), 60.0)
    while True:
        with rt.lock:
            p = rt.state.products.get(pid)
            if p is None:
                return _err("no such product", 404)
            held = sum(i["quantity"] for i in p["live"]["skus"][0]["inventory"])
        if held == want or time.monotonic() >= deadline:
            return jsonify({"held": held == want, "stock": held})
        time.sleep(0.005)


@control_bp.put("/rate-limits")
def rate_limits():
    rt = _rt()
    body = _body()
    with rt.lock:
        st = rt.state
        if "default_per_second" in body:
            st.rate_default = float(body["default_per_second"] or 0)
        if "per_endpoint" in body:
            st.rate_per_endpoint = {str(k): float(v or 0) for k, v in (body["per_endpoint"] or {}).items()}
        st.buckets.clear()
        return jsonify({"default_per_second": st.rate_default, "per_endpoint": st.rate_per_endpoint})


@control_bp.post("/faults")
def add_fault():
    rt = _rt()
    body = _body()
    kind = body.get("kind")
    if kind not in FAULT_KINDS:
        return _err("kind must be one of " + ", ".join(FAULT_KINDS))
    endpoint = body.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.strip():
        return _err("endpoint must be 'METHOD /path-template', a path template or a concrete path")
    count = body.get("count", 1)
    if not isinstance(count, int) or count < 1:
        return _err("count must be a positive integer")
    rate = body.get("rate")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1):
        return _err("rate must be a number in (0, 1]: the share of matching calls the fault strikes")
    fault = {"endpoint": endpoint.strip(), "kind": kind, "count": count, "remaining": count, "hits": 0}
    if rate is not None:
        fault["rate"] = float(rate)
    for opt in ("seconds", "status", "retry_after"):
        if body.get(opt) is not None:
            fault[opt] = body[opt]
    with rt.lock:
        rt.state.faults.append(fault)
        return jsonify(fault), 201


@control_bp.delete("/faults")
def clear_faults():
    rt = _rt()
    with rt.lock:
        rt.state.faults.clear()
    return jsonify({"ok": True})


@control_bp.put("/tokens")
def tokens():
    rt = _rt()
    body = _body()
    with rt.lock:
        pol = rt.state.token_policy
        for key in ("access_token_ttl", "refresh_token_ttl"):
            if key in body:
                setattr(pol, key, float(body[key]))
        if "refresh_rotates" in body:
            pol.refresh_rotates = bool(body["refresh_rotates"])
        if "granted_scopes" in body:
            pol.granted_scopes = [str(s) for s in body["granted_scopes"]]
            for tok in rt.state.access_tokens.values():
                tok["scopes"] = list(pol.granted_scopes)
        return jsonify(pol.as_dict())


@control_bp.post("/tokens/expire")
def expire_tokens():
    rt = _rt()
    body = _body()
    with rt.lock:
        now = time.time() - 1
        for tok in rt.state.access_tokens.values():
            tok["expires_at"] = min(tok["expires_at"], now)
        if body.get("refresh_tokens"):
            for tok in rt.state.refresh_tokens.values():
                tok["expires_at"] = min(tok["expires_at"], now)
        return jsonify({"expired_access_tokens": len(rt.state.access_tokens),
                        "expired_refresh_tokens": len(rt.state.refresh_tokens) if body.get("refresh_tokens") else 0})


@control_bp.put("/webhook-url")
def webhook_url():
    rt = _rt()
    url = _body().get("url")
    if url is not None and not isinstance(url, str):
        return _err("url must be a string or null")
    with rt.lock:
        rt.state.webhook_url = url or None
    return jsonify({"url": url or None})


@control_bp.get("/webhooks")
def webhooks():
    rt = _rt()
    with rt.lock:
        log = copy.deepcopy(rt.state.webhook_log)
    typ = request.args.get("type")
    if typ:
        log = [w for w in log if str(w["type"]) == typ]
    return jsonify({"webhooks": log, "event_types": {str(k): v for k, v in EVENT_TYPES.items()}})


@control_bp.get("/images/<path:uri>")
def image(uri):
    rt = _rt()
    with rt.lock:
        rec = rt.state.images.get(uri)
    if rec is None:
        return _err("no such image", 404)
    fmt = rec["format"].lower().replace("mpo", "jpeg")
    return Response(rec["bytes"], mimetype=f"image/{fmt}")
