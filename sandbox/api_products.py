"""Products API (202309 family): create, edit, partial edit, price, inventory, get, search,
activate/deactivate/delete/recover, inventory search, listing check; plus the audit state machine."""

from __future__ import annotations

import copy
import time
from decimal import ROUND_HALF_UP, Decimal

from .api_catalog import _page_size, image_url, paginate
from .errors import ApiError, message_for
from .validation import bad_param, validate_product

CONTENT_FIELDS = ("title", "description", "category_id", "category_version", "brand_id", "main_images",
                  "product_attributes", "package_weight", "package_dimensions", "size_chart", "certifications",
                  "video", "external_product_id", "is_cod_allowed")
# Partial Edit Product's request fields (SDK model Product202309PartialEditProductRequestBody): no
# category_id or category_version, so a category change needs the full edit. Other keys are ignored.
PARTIAL_EDIT_FIELDS = ("title", "description", "brand_id", "main_images", "product_attributes", "package_weight",
                       "package_dimensions", "size_chart", "certifications", "video", "external_product_id",
                       "is_cod_allowed", "skus", "save_mode")
OPEN_ORDER = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")


# ---- rendering ------------------------------------------------------------------------------------
def _image(state, uri: str) -> dict:
    rec = state.images.get(uri, {})
    url = image_url(uri)
    thumb = url.replace("origin-jpeg.jpeg", "resize-jpeg:300:300.jpeg")
    return {"uri": uri, "urls": [url], "thumb_urls": [thumb], "width": rec.get("width", 0),
            "height": rec.get("height", 0)}


def money(value) -> str:
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format(d.normalize(), "f") if d == d.to_integral() else format(d, "f")


def render_price(price: dict, seller_type: str, view: str) -> dict:
    """A SKU price as TikTok's response models document it for the shop's kind of seller.

    `amount` is what the seller sent: for local sellers the local display price (VAT included in the
    UK). Official Node SDK models (public copy GitHub `yangyiqian0312/super-succotash`, commit
    ce365d3e):
    - search 202312/202502 (`Product202502SearchProductsResponseDataProductsSkusPrice`):
      `tax_exclusive_price` is the local display price for local sellers (the pre-tax price for global
      sellers); `sale_price` is documented for global sellers only, so a local shop's search has none;
    - get product 202309 (`Product202309GetProductResponseDataSkusPrice`): `sale_price` is the local
      display price for all sellers; `tax_exclusive_price` is documented for global sellers only.
    Global sellers are rendered as before (display price and a UK-VAT pre-tax price); the hub does
    not sell through them.
    """
    currency = price.get("currency", "GBP")
    if seller_type == "LOCAL":
        if view == "search":
            return {"currency": currency, "tax_exclusive_price": price["amount"]}
        return {"currency": currency, "sale_price": price["amount"]}
    return {"currency": currency, "sale_price": price["amount"],
            "tax_exclusive_price": money(Decimal(price["amount"]) / Decimal("1.2"))}


def _seller_type(state, shop_id: str | None) -> str:
    shop = state.shops.get(shop_id or "") or {}
    return str(shop.get("seller_type") or "LOCAL")


def render_sku(state, sku: dict, *, seller_type: str = "LOCAL", view: str = "detail") -> dict:
    out = {"id": sku["id"], "seller_sku": sku.get("seller_sku", "")}
    if sku.get("external_sku_id"):
        out["external_sku_id"] = sku["external_sku_id"]
    price = sku.get("price") or {}
    if price.get("amount"):
        out["price"] = render_price(price, seller_type, view)
    out["inventory"] = [dict(i) for i in sku.get("inventory", [])]
    if sku.get("identifier_code"):
        out["identifier_code"] = dict(sku["identifier_code"])
    sas = []
    for sa in sku.get("sales_attributes", []):
        item = {"id": sa["id"], "name": sa["name"], "value_id": sa["value_id"], "value_name": sa["value_name"]}
        if sa.get("sku_img"):
            item["sku_img"] = _image(state, sa["sku_img"]["uri"])
        if sa.get("supplementary_sku_images"):
            item["supplementary_sku_images"] = [_image(state, i["uri"]) for i in sa["supplementary_sku_images"]]
        sas.append(item)
    out["sales_attributes"] = sas
    out["status_info"] = {"status": sku.get("status", "NORMAL")}
    return out


def render_product(ctx_or_state, product: dict, content: dict | None = None) -> dict:
    from .fixture import catalog
    state = getattr(ctx_or_state, "state", ctx_or_state)
    content = content or product["live"]
    cat = catalog()
    chain = [{"id": c["id"], "parent_id": c["parent_id"], "local_name": c["local_name"], "is_leaf": c["is_leaf"]}
             for c in cat.chain(content["category_id"])] if content.get("category_id") else []
    out = {
        "id": product["id"],
        "title": content["title"],
        "description": content["description"],
        "status": product["status"],
        "product_status": product["product_status"],
        "audit": {"status": product["audit_status"]},
        "has_draft": bool(product.get("has_draft")),
        "category_chains": chain,
        "main_images": [_image(state, i["uri"]) for i in content.get("main_images", [])],
        "product_attributes": copy.deepcopy(content.get("product_attributes", [])),
        "is_cod_allowed": False,
        "create_time": product["create_time"],
        "update_time": product["update_time"],
        "skus": [render_sku(state, s, seller_type=_seller_type(state, product.get("shop_id")))
                 for s in content["skus"]],
        "product_types": ["UNKNOWN"],
    }
    if product.get("audit_failed_reasons"):
        out["audit_failed_reasons"] = copy.deepcopy(product["audit_failed_reasons"])
    if content.get("brand_id"):
        brand = next((b for b in state.brands if b["id"] == content["brand_id"]), None)
        if brand:
            out["brand"] = {"id": brand["id"], "name": brand["name"]}
    if content.get("package_weight"):
        out["package_weight"] = dict(content["package_weight"])
    if content.get("package_dimensions"):
        out["package_dimensions"] = dict(content["package_dimensions"])
    sc = content.get("size_chart")
    if sc:
        out["size_chart"] = ({"image": _image(state, sc["image"]["uri"])} if "image" in sc
                             else {"template": dict(sc["template"])})
    if content.get("certifications"):
        certs = []
        for c in content["certifications"]:
            rule = cat.certifications.get(c["id"], {})
            item = {"id": c["id"], "title": rule.get("name", ""),
                    "images": [_image(state, i["uri"]) for i in c.get("images", [])],
                    "files": [{"id": f["id"], "name": f["name"], "format": f["format"],
                               "urls": [state.files.get(f["id"], {}).get("url", "")]} for f in c.get("files", [])]}
            if c.get("expiration_date") is not None:
                item["expiration_date"] = c["expiration_date"]
            certs.append(item)
        out["certifications"] = certs
    if content.get("video"):
        out["video"] = {"id": content["video"]["id"], "url": state.files.get(content["video"]["id"], {}).get("url", "")}
    if content.get("external_product_id"):
        out["external_product_id"] = content["external_product_id"]
    return out


# ---- helpers --------------------------------------------------------------------------------------
def _product_or(ctx, product_id, code) -> dict:
    product = ctx.state.products.get(product_id)
    if product is None:
        raise ApiError(code)
    if product["shop_id"] != ctx.shop["id"]:
        raise ApiError(12052034)
    return product


def _assign_ids(state, content: dict, old_content: dict | None):
    old = {s["id"]: s for s in (old_content or {}).get("skus", [])}
    for sku in content["skus"]:
        if not sku.get("id"):
            sku["id"] = state.sku_ids.next()
            sku["status"] = "NORMAL"
        else:
            sku["status"] = old.get(sku["id"], {}).get("status", "NORMAL")


def _sku_reply(content: dict) -> list[dict]:
    out = []
    for s in content["skus"]:
        item = {"id": s["id"], "seller_sku": s.get("seller_sku", ""),
                "sales_attributes": [{"id": a["id"], "value_id": a["value_id"]} for a in s["sales_attributes"]]}
        if s.get("external_sku_id"):
            item["external_sku_id"] = s["external_sku_id"]
        out.append(item)
    return out


def _raise_first(errs):
    if errs:
        raise errs[0]


def _content_equal(a: dict, b: dict) -> bool:
    def strip(c):
        c = {k: c.get(k) for k in CONTENT_FIELDS}
        return c
    def skus(c):
        return [{k: v for k, v in s.items() if k not in ("price", "inventory", "status")} for s in c["skus"]]
    return strip(a) == strip(b) and skus(a) == skus(b)


def changed_fields(old: dict, new: dict) -> list[str]:
    names = {"title": "title", "description": "description", "main_images": "main_images",
             "product_attributes": "product_attributes"}
    out = [v for k, v in names.items() if old.get(k) != new.get(k)]
    if (old.get("size_chart") or {}).get("image") != (new.get("size_chart") or {}).get("image"):
        out.append("size_chart_image")
    if (old.get("size_chart") or {}).get("template") != (new.get("size_chart") or {}).get("template"):
        out.append("size_chart_template")
    if not out:
        out.append("others")
    return out


# ---- audit state machine --------------------------------------------------------------------------
def submit_for_review(ctx, product: dict):
    runtime, state = ctx.runtime, ctx.state
    product["review_seq"] += 1
    product["audit_status"] = "AUDITING"
    product["audit_failed_reasons"] = []
    if product["status"] != "ACTIVATE":
        product["status"] = "PENDING"
    product["update_time"] = int(time.time())
    ctx.emit(product["shop_id"], 37, {"product_id": int(product["id"]), "audit": {"status": "AUDITING"},
                                       "update_time": product["update_time"]})
    schedule_review(runtime, state, product)


def schedule_review(runtime, state, product):
    pol = state.review_policy
    if pol.mode != "auto":
        return
    runtime.scheduler.call_later(pol.delay_seconds, _auto_review, runtime, runtime.epoch, product["id"],
                                 product["review_seq"])


def _auto_review(runtime, epoch, product_id, seq):
    with runtime.lock:
        if runtime.epoch != epoch:
            return
        state = runtime.state
        product = state.products.get(product_id)
        if product is None or product["review_seq"] != seq or product["audit_status"] != "AUDITING":
            return
        if product["status"] == "DELETED":
            return  # deleted while waiting for the decision: nothing is left to approve
        if state.review_policy.mode != "auto":
            return
        content = product["pending"] or product["live"]
        title = (content.get("title") or "").lower()
        for word in state.review_policy.reject_title_words:
            if word and word.lower() in title:
                complete_review(runtime, state, product, "reject",
                                f"Prohibited product: the title contains \"{word}\". Counterfeit and replica "
                                "goods are not allowed on TikTok Shop.")
                return
        complete_review(runtime, state, product, "approve", "")


def complete_review(runtime, state, product: dict, decision: str, reason: str = ""):
    now = int(time.time())
    product["update_time"] = now
    shop_id = product["shop_id"]
    emit = lambda t, d: runtime.dispatcher.emit(state, shop_id, t, d)  # noqa: E731
    pid = int(product["id"])
    if decision == "approve":
        first_pass = not product["ever_live"]
        if product["pending"] is not None:
            old = product["live"]
            product["live"] = product["pending"]
            product["pending"] = None
            fields = changed_fields(old, product["live"])
        else:
            fields = None
        product["status"] = "ACTIVATE"
        product["product_status"] = "ACTIVATE"
        product["audit_status"] = "APPROVED"
        product["audit_failed_reasons"] = []
        product["ever_live"] = True
        emit(37, {"product_id": pid, "audit": {"status": "APPROVED"}, "update_time": now})
        if first_pass:
            emit(5, {"product_id": pid, "status": "PRODUCT_FIRST_PASS_REVIEW", "suspended_reason": "",
                     "update_time": now})
        elif fields:
            emit(15, {"product_id": product["id"], "change_source": "OPEN_API", "changed_fields": fields,
                      "update_time": now})
    else:
        reason = reason or "The product violates TikTok Shop listing rules."
        product["audit_status"] = "FAILED"
        product["audit_failed_reasons"] = [{
            "listing_platform": "TIKTOK_SHOP", "position": "product", "reasons": [reason],
            "suggestions": ["The product violates TikTok Shop listing rules, please check and resubmit."]}]
        if product["pending"] is not None and product["status"] == "ACTIVATE":
            product["pending"] = None        # the live version stays on sale
        else:
            product["status"] = "FAILED"
        emit(37, {"product_id": pid, "audit": {"status": "FAILED"}, "update_time": now})
        emit(5, {"product_id": pid, "status": "PRODUCT_AUDIT_FAILURE", "suspended_reason": reason,
                 "update_time": now})


# ---- endpoints --------------------------------------------------------------------------------------
def create_product(ctx):
    body = ctx.body
    shop = ctx.shop
    st = ctx.state
    key = body.get("idempotency_key")
    if key is not None and not isinstance(key, str):
        raise bad_param()
    if key and (shop["id"], key) in st.idempotency:
        return copy.deepcopy(st.idempotency[(shop["id"], key)])
    content, errs, warnings = validate_product(ctx, body, mode="create")
    _raise_first(errs)
    day = time.strftime("%Y%m%d", time.gmtime())
    if st.listing_counts[(shop["id"], day)] >= int(shop["settings"]["daily_listing_cap"]):
        raise ApiError(12052093)
    st.listing_counts[(shop["id"], day)] += 1
    now = int(time.time())
    pid = st.product_ids.next()
    _assign_ids(st, content, None)
    draft = content.pop("save_mode") == "AS_DRAFT"
    product = {"id": pid, "shop_id": shop["id"], "create_time": now, "update_time": now,
               "status": "DRAFT" if draft else "PENDING", "product_status": "DRAFT" if draft else "INITIAL",
               "audit_status": "NONE", "audit_failed_reasons": [], "live": content, "pending": None,
               "ever_live": False, "review_seq": 0, "has_draft": False, "idempotency_key": key or None}
    st.products[pid] = product
    if content.get("external_product_id"):
        st.external_ids[(shop["id"], content["external_product_id"])] = pid
    ctx.emit(shop["id"], 16, {"product_id": pid, "product_types": ["UNKNOWN"], "product_type": ["UNKNOWN"],
                              "update_time": now})
    if not draft:
        submit_for_review(ctx, product)
    data = {"product_id": pid, "skus": _sku_reply(content)}
    if warnings:
        data["warnings"] = warnings
    if key:
        st.idempotency[(shop["id"], key)] = copy.deepcopy(data)
    return data


def _apply_edit(ctx, product: dict, content: dict, warnings):
    st = ctx.state
    save_mode = content.pop("save_mode")
    base = product["pending"] or product["live"]
    _assign_ids(st, content, base)
    product["update_time"] = int(time.time())
    if content.get("external_product_id"):
        st.external_ids[(product["shop_id"], content["external_product_id"])] = product["id"]
    status = product["status"]
    reviewed = False
    if save_mode == "AS_DRAFT":
        product["live"] = content
        product["has_draft"] = status != "DRAFT"
    elif status == "ACTIVATE":
        if _content_equal(product["live"], content):
            _sync_stock_price(product["live"], content)
            product["live"]["skus"] = content["skus"]
        else:
            product["pending"] = content
            _sync_stock_price(product["live"], content)
            reviewed = True
    elif status == "SELLER_DEACTIVATED":
        product["live"] = content                     # audited again when activated
    else:  # DRAFT, PENDING, FAILED, PLATFORM_DEACTIVATED
        product["live"] = content
        reviewed = True
    if reviewed:
        submit_for_review(ctx, product)
    data = {"product_id": product["id"], "skus": _sku_reply(product["pending"] or product["live"])}
    if reviewed:
        data["audit"] = {"status": "AUDITING"}
    if warnings:
        data["warnings"] = warnings
    return data


def _sync_stock_price(live: dict, new: dict):
    """Price and inventory changes apply at once, without waiting for the re-audit."""
    new_by_id = {s["id"]: s for s in new["skus"] if s.get("id")}
    for s in live["skus"]:
        n = new_by_id.get(s["id"])
        if n:
            s["price"] = dict(n["price"]) if n.get("price") else s.get("price")
            s["inventory"] = [dict(i) for i in n.get("inventory", [])] or s.get("inventory", [])


def _existing_for_validation(product):
    base = copy.deepcopy(product["pending"] or product["live"])
    base["_product_id"] = product["id"]
    base["_status"] = product["status"] if product["status"] != "DRAFT" else "DRAFT"
    return base


def edit_product(ctx):
    product = _product_or(ctx, ctx.path_params["product_id"], 12052260)
    if product["status"] in ("FREEZE", "DELETED"):
        raise ApiError(12052901)
    content, errs, warnings = validate_product(ctx, ctx.body, mode="edit",
                                               existing=_existing_for_validation(product))
    _raise_first(errs)
    return _apply_edit(ctx, product, content, warnings)


def partial_edit(ctx):
    product = _product_or(ctx, ctx.path_params["product_id"], 12052260)
    if product["status"] in ("FREEZE", "DELETED"):
        raise ApiError(12052901)
    body = ctx.body
    if "skus" in body and not body["skus"]:
        raise ApiError(12052902)
    base = product["pending"] or product["live"]
    merged = {k: copy.deepcopy(v) for k, v in base.items() if k in CONTENT_FIELDS}
    merged["skus"] = [copy.deepcopy({k: v for k, v in s.items() if k != "status"}) for s in base["skus"]]
    merged["save_mode"] = "AS_DRAFT" if product["status"] == "DRAFT" else "LISTING"
    for k, v in body.items():  # per top-level field: what is sent replaces, what is left out stays
        if k in PARTIAL_EDIT_FIELDS:
            merged[k] = v
    content, errs, warnings = validate_product(ctx, merged, mode="edit", existing=_existing_for_validation(product))
    _raise_first(errs)
    return _apply_edit(ctx, product, content, warnings)


def _all_versions(product):
    return [c for c in (product["live"], product["pending"]) if c]


def update_price(ctx):
    product = _product_or(ctx, ctx.path_params["product_id"], 12052260)
    skus = ctx.body.get("skus")
    if not isinstance(skus, list) or not skus:
        raise ApiError(12052036)
    if ctx.shop["settings"].get("strict_price_update", True) and product["status"] != "ACTIVATE":
        raise ApiError(12019113)
    if product["status"] in ("FREEZE", "DELETED"):
        raise ApiError(12019113)
    ids_ = {s["id"] for s in product["live"]["skus"]}
    seen, updates = set(), []
    currency = ctx.shop.get("currency", "GBP")
    from .validation import PRICE_MAX, PRICE_MIN, PRICE_RE
    for s in skus:
        if not isinstance(s, dict) or not isinstance(s.get("price"), dict):
            raise bad_param()
        sid = s.get("id")
        if not sid:
            raise ApiError(12052036)
        if sid in seen:
            raise ApiError(12052553)
        seen.add(sid)
        if sid not in ids_:
            raise ApiError(12052557)
        amount, cur = s["price"].get("amount"), s["price"].get("currency")
        if not isinstance(amount, str) or not PRICE_RE.match(amount):
            raise ApiError(12052012)
        if cur != currency:
            raise ApiError(12052084)
        if Decimal(amount) < PRICE_MIN:
            raise ApiError(12052073)
        if Decimal(amount) > PRICE_MAX:
            raise ApiError(12052570)
        updates.append((sid, amount, cur))
    for content in _all_versions(product):
        for sku in content["skus"]:
            for sid, amount, cur in updates:
                if sku["id"] == sid:
                    sku["price"] = {"amount": amount, "currency": cur}
    product["update_time"] = int(time.time())
    return {}


def update_inventory(ctx):
    product = _product_or(ctx, ctx.path_params["product_id"], 12052260)
    if product["status"] in ("FREEZE", "DELETED"):
        raise ApiError(12052901)
    skus = ctx.body.get("skus")
    if not isinstance(skus, list) or not skus:
        raise ApiError(12052036)
    by_id = {s["id"]: s for s in product["live"]["skus"]}
    errors = []
    wh_index = {w["id"]: w for w in ctx.state.warehouses.get(ctx.shop["id"], [])}
    sales_warehouses = len(ctx.state.sales_warehouses(ctx.shop["id"]))
    zero_allowed = ctx.shop["settings"].get("allow_zero_stock_on_update", True)
    promotions = product.get("promotions") or {}
    for s in skus:
        if not isinstance(s, dict) or not isinstance(s.get("inventory", []), list):
            raise bad_param()
        sid = s.get("id")
        sku = by_id.get(sid)
        if not sid or sku is None:
            errors.append({"code": 12052990, "message": "Check failed",
                           "detail": {"sku_id": sid or "", "extra_errors": [
                               {"code": 12052557, "message": message_for(12052557)}]}})
            continue
        inv = s.get("inventory") or []
        extra = []
        current = {i["warehouse_id"] for i in sku["inventory"]}
        if not inv:
            extra.append({"code": 12052036, "message": message_for(12052036)})
        new = []
        for entry in inv:
            if not isinstance(entry, dict):
                raise bad_param()
            wid, qty = entry.get("warehouse_id"), entry.get("quantity")
            if not wid:
                # "Optional if there is only 1 warehouse. Otherwise, please provide this ID." (SDK model
                # Product202309UpdateInventoryRequestBodySkusInventory.warehouse_id)
                if len(current) != 1 or sales_warehouses > 1:
                    extra.append({"code": 12019028, "message": message_for(12019028)})
                    continue
                wid = next(iter(current))
            wh = wh_index.get(wid)
            if wh is None or wh["type"] != "SALES_WAREHOUSE":
                extra.append({"warehouse_id": wid, "code": 12052097, "message": message_for(12052097)})
                continue
            if current and wid not in current:
                # "Do not omit any or add unrelated warehouses." (update-inventory-202309)
                extra.append({"warehouse_id": wid, "code": 12052533, "message": message_for(12052533)})
                continue
            lowest = 0 if zero_allowed else 1
            if not isinstance(qty, int) or isinstance(qty, bool) or not lowest <= qty <= 99999:
                extra.append({"warehouse_id": wid, "code": 12052055, "message": message_for(12052055)})
                continue
            if qty < int(promotions.get(sid) or 0):
                extra.append({"warehouse_id": wid, "code": 12019024, "message": message_for(12019024)})
                continue
            new.append((wid, qty))
        if not extra and len(current) > 1 and {w for w, _ in new} != current:
            extra.append({"code": 12019028, "message": message_for(12019028)})
        if extra:
            errors.append({"code": 12052990, "message": "Check failed",
                           "detail": {"sku_id": sid, "extra_errors": extra}})
            continue
        for content in _all_versions(product):
            for sk in content["skus"]:
                if sk["id"] == sid:
                    inv_map = {i["warehouse_id"]: i for i in sk["inventory"]}
                    for wid, qty in new:
                        if wid in inv_map:
                            inv_map[wid]["quantity"] = qty
                        else:
                            sk["inventory"].append({"warehouse_id": wid, "quantity": qty})
    product["update_time"] = int(time.time())
    return {"errors": errors} if errors else {}


def get_product(ctx):
    product = ctx.state.products.get(ctx.path_params["product_id"])
    if product is None or product["status"] == "DELETED":
        raise ApiError(12019150)
    if product["shop_id"] != ctx.shop["id"]:
        raise ApiError(12052034)
    if ctx.query.get("return_under_review_version") in ("true", "True", "1"):
        if product["audit_status"] != "AUDITING":
            raise ApiError(12052547)
        return render_product(ctx, product, product["pending"] or product["live"])
    return render_product(ctx, product)


def search_products(ctx):
    size = _page_size(ctx)
    body = ctx.body
    status = body.get("status") or "ALL"
    seller_skus = body.get("seller_skus") or []
    sku_ids = body.get("sku_ids") or []
    if not isinstance(seller_skus, list) or not isinstance(sku_ids, list):
        raise bad_param()
    if len(seller_skus) > 10:
        raise ApiError(12019027)
    if len(sku_ids) > 10:
        raise ApiError(12019087)
    for k in ("create_time_ge", "create_time_le", "update_time_ge", "update_time_le"):
        if body.get(k) is not None and (not isinstance(body[k], int) or body[k] < 0):
            raise ApiError(12019118 if k.startswith("create") else 12019119)
    audit = body.get("audit_status") or []
    items = []
    for p in ctx.state.shop_products(ctx.shop["id"]):
        if status == "ALL" and p["status"] == "DELETED":
            continue
        if status != "ALL" and p["status"] != status:
            continue
        if audit and p["audit_status"] not in audit:
            continue
        c = p["live"]
        if seller_skus and not any(s["seller_sku"] in seller_skus for s in c["skus"]):
            continue
        if sku_ids and not any(s["id"] in sku_ids for s in c["skus"]):
            continue
        if body.get("create_time_ge") is not None and p["create_time"] < body["create_time_ge"]:
            continue
        if body.get("create_time_le") is not None and p["create_time"] > body["create_time_le"]:
            continue
        if body.get("update_time_ge") is not None and p["update_time"] < body["update_time_ge"]:
            continue
        if body.get("update_time_le") is not None and p["update_time"] > body["update_time_le"]:
            continue
        items.append(p)
    items.sort(key=lambda p: (-p["create_time"], p["id"]), reverse=False)
    if len(items) > 10000:
        raise ApiError(12052180)
    page, nxt = paginate(ctx, "products", items, size,
                         [status, seller_skus, sku_ids, audit, size,
                          {k: body.get(k) for k in ("create_time_ge", "create_time_le", "update_time_ge",
                                                     "update_time_le")}])
    out = []
    for p in page:
        c = p["live"]
        out.append({"id": p["id"], "title": c["title"], "status": p["status"],
                    "skus": [{k: v for k, v in render_sku(ctx.state, s, view="search",
                                                          seller_type=ctx.shop.get("seller_type") or "LOCAL").items()
                              if k in ("id", "seller_sku", "price", "inventory", "external_sku_id")}
                             for s in c["skus"]],
                    "sales_regions": [ctx.shop["region"]], "create_time": p["create_time"],
                    "update_time": p["update_time"], "audit": {"status": p["audit_status"]},
                    "has_draft": bool(p.get("has_draft")),
                    **({"external_product_id": c["external_product_id"]} if c.get("external_product_id") else {})})
    return {"total_count": len(items), "products": out, "next_page_token": nxt}


def _batch_ids(ctx):
    ids_ = ctx.body.get("product_ids")
    if not isinstance(ids_, list) or not ids_ or not all(isinstance(i, str) for i in ids_):
        raise ApiError(12052910)
    if len(ids_) > 20:
        raise ApiError(12019120)
    return ids_


def _batch_error(code, pid, wrap=False):
    if wrap:
        return {"code": 12052990, "message": "Check failed",
                "detail": {"product_id": pid, "extra_errors": [{"code": code, "message": message_for(code)}]}}
    return {"code": code, "message": message_for(code), "detail": {"product_id": pid}}


def activate(ctx):
    errors = []
    for pid in _batch_ids(ctx):
        p = ctx.state.products.get(pid)
        if p is None:
            errors.append(_batch_error(12052032, pid, wrap=True))
        elif p["shop_id"] != ctx.shop["id"]:
            errors.append(_batch_error(12052048, pid, wrap=True))
        elif p["status"] not in ("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED"):
            errors.append(_batch_error(12052901, pid, wrap=True))
        else:
            p["status"] = "PENDING"
            submit_for_review(ctx, p)
    return {"errors": errors} if errors else {}


def deactivate(ctx):
    errors = []
    for pid in _batch_ids(ctx):
        p = ctx.state.products.get(pid)
        if p is None:
            errors.append(_batch_error(12052032, pid))
        elif p["shop_id"] != ctx.shop["id"]:
            errors.append(_batch_error(12052048, pid))
        elif p["status"] != "ACTIVATE":
            errors.append(_batch_error(12052901, pid))
        else:
            p["status"] = p["product_status"] = "SELLER_DEACTIVATED"
            p["pending"] = None
            if p["audit_status"] == "AUDITING":
                p["audit_status"] = "APPROVED"
            p["update_time"] = ctx.now
            ctx.emit(p["shop_id"], 5, {"product_id": int(pid), "status": "PRODUCT_STATUS_CHANGED",
                                       "suspended_reason": "", "update_time": p["update_time"]})
    return {"errors": errors} if errors else {}


def delete_products(ctx):
    errors = []
    for pid in _batch_ids(ctx):
        p = ctx.state.products.get(pid)
        if p is None or p["status"] == "DELETED":
            errors.append(_batch_error(12052032, pid))
        elif p["shop_id"] != ctx.shop["id"]:
            errors.append(_batch_error(12052048, pid))
        elif p["status"] == "FREEZE":
            errors.append(_batch_error(12052901, pid))
        else:
            p["status"] = p["product_status"] = "DELETED"
            p["pending"] = None
            p["update_time"] = ctx.now
    return {"errors": errors} if errors else {}


def recover(ctx):
    errors = []
    for pid in _batch_ids(ctx):
        p = ctx.state.products.get(pid)
        if p is None:
            errors.append(_batch_error(12052032, pid))
        elif p["shop_id"] != ctx.shop["id"]:
            errors.append(_batch_error(12052048, pid))
        elif p["status"] != "DELETED":
            errors.append(_batch_error(12052901, pid))
        else:
            p["status"] = p["product_status"] = "SELLER_DEACTIVATED"
            p["update_time"] = ctx.now
    return {"errors": errors} if errors else {}


def committed_quantity(state, sku_id: str, warehouse_id: str | None = None) -> int:
    n = 0
    for o in state.orders.values():
        if o["status"] not in OPEN_ORDER:
            continue
        for line in o["lines"]:
            if line["sku_id"] == sku_id and not line.get("cancelled") and not line.get("package_id"):
                if warehouse_id is None or o["warehouse_id"] == warehouse_id:
                    n += 1
    return n


def inventory_search(ctx):
    body = ctx.body
    pids, sids = body.get("product_ids"), body.get("sku_ids")
    if sids:
        if not isinstance(sids, list) or len(sids) > 600:
            raise ApiError(12019015)
    elif pids:
        if not isinstance(pids, list) or len(pids) > 100:
            raise ApiError(12019120)
    else:
        raise ApiError(12019008)
    out = []
    for p in ctx.state.products.values():
        if p["shop_id"] != ctx.shop["id"] or p["status"] == "DELETED":
            continue
        skus = p["live"]["skus"]
        if sids:
            skus = [s for s in skus if s["id"] in sids]
        elif p["id"] not in pids:
            continue
        if not skus:
            continue
        entries = []
        for s in skus:
            wh = [{"warehouse_id": i["warehouse_id"], "available_quantity": i["quantity"],
                   "committed_quantity": committed_quantity(ctx.state, s["id"], i["warehouse_id"])}
                  for i in s["inventory"]]
            avail = sum(i["quantity"] for i in s["inventory"])
            entries.append({"id": s["id"], "seller_sku": s["seller_sku"], "total_available_quantity": avail,
                            "total_committed_quantity": sum(w["committed_quantity"] for w in wh),
                            "warehouse_inventory": wh,
                            "total_available_inventory_distribution": {"in_shop_inventory": {"quantity": avail}}})
        out.append({"product_id": p["id"], "skus": entries})
    return {"inventory": out}


def listing_check(ctx):
    _content, errs, warnings = validate_product(ctx, ctx.body, mode="check")
    day = time.strftime("%Y%m%d", time.gmtime())
    if ctx.state.listing_counts[(ctx.shop["id"], day)] >= int(ctx.shop["settings"]["daily_listing_cap"]):
        errs.append(ApiError(12052093))
    data = {"check_result": "FAILED" if errs else "PASS",
            "fail_reasons": [{"code": e.code, "message": e.message} for e in errs]}
    if warnings:
        data["warnings"] = {"message": " ".join(w["message"] for w in warnings)}
    return data


def register(r):
    w, b, d = "seller.product.write", "seller.product.basic", "seller.product.delete"
    r.add("POST", "/product/202309/products", create_product, scope=w)
    r.add("PUT", ["/product/202309/products/{product_id}", "/product/202509/products/{product_id}"],
          edit_product, scope=w)
    r.add("POST", ["/product/202309/products/{product_id}/partial_edit",
                   "/product/202509/products/{product_id}/partial_edit"], partial_edit, scope=w)
    r.add("POST", "/product/202309/products/{product_id}/prices/update", update_price, scope=w)
    r.add("POST", "/product/202309/products/{product_id}/inventory/update", update_inventory,
          shop_cipher="optional", scope=w)
    r.add("GET", "/product/202309/products/{product_id}", get_product, scope=b)
    r.add("POST", ["/product/202309/products/search", "/product/202312/products/search",
                   "/product/202502/products/search"], search_products, scope=b)
    r.add("POST", "/product/202309/inventory/search", inventory_search, scope=b)
    r.add("POST", "/product/202309/products/activate", activate, scope=b)
    r.add("POST", "/product/202309/products/deactivate", deactivate, scope=b)
    r.add("DELETE", "/product/202309/products", delete_products, scope=d)
    r.add("POST", "/product/202309/products/recover", recover, scope=d)
    r.add("POST", "/product/202309/products/listing_check", listing_check, scope=b)
