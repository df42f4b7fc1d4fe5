"""Product body validation the way TikTok does it (docs/tiktok-api.md).

``validate_product`` returns the normalised product and the list of business errors in the order
TikTok reports them; create/edit answer the first one, listing check reports them all. Wrong JSON
types are rejected at once with 36009004 "invalid param error" (documented for create product).
"""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import Any

import emoji

from .errors import ApiError, param_error

TITLE_MAX = 255
DESCRIPTION_MAX = 10000
DESCRIPTION_IMG_MAX = 30
MAIN_IMAGES_MAX = 9
SKU_MAX_UK = 300
SALES_ATTR_TYPES_MAX = 3
SALES_ATTR_NAME_MAX = 20
SALES_VALUE_MAX = 50
SELLER_SKU_MAX = 50
PRICE_MIN = Decimal("0.01")
PRICE_MAX = Decimal("5600")
QTY_MAX = 99999
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HTML_ESCAPES_ALLOWED = {"amp", "lt", "gt"}  # a description is HTML: these three cannot be avoided
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
REPEAT = re.compile(r"(.)\1{9,}")
PRICE_RE = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
WEIGHT_RE = re.compile(r"^\d{1,6}(\.\d{1,3})?$")
INT_RE = re.compile(r"^[1-9]\d{0,5}$")
CODE_LENGTHS = {"GTIN": (14,), "EAN": (8, 13, 14), "UPC": (12,), "ISBN": (10, 13), "JAN": (8, 13)}
HOSTED_IMG = re.compile(r"^https://p\d+-oec-[a-z0-9-]+\.(ibyteimg|tiktokcdn|tiktokcdn-us)\.com/")
VOID_TAGS = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed",
             "param", "track"}


class Invalid(Exception):
    """Wrong type / shape: answered at once as 36009004 invalid param error."""


def bad_param() -> ApiError:
    return ApiError(36009004, "invalid param error", http_status=400)


def _str(obj, key, required=False, allow_none=True):
    v = obj.get(key)
    if v is None:
        if required:
            return None
        return None
    if not isinstance(v, str):
        raise bad_param()
    return v


def _list(obj, key):
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, list):
        raise bad_param()
    return v


def _obj(obj, key):
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, dict):
        raise bad_param()
    return v


def has_emoji(text: str) -> bool:
    """Emoji as Unicode's emoji data defines them; a text-style symbol on its own (™, ©, ✔) is not one."""
    for match in emoji.emoji_list(text):
        found = match["emoji"]
        if len(found) > 1 or (emoji.EMOJI_DATA.get(found) or {}).get("status") != emoji.STATUS["unqualified"]:
            return True
    return False


def text_format_bad(text: str, *, entities: bool) -> bool:
    """12052931 (title) / 12052932 (description): HTML escape characters, emojis, ASCII control characters,
    symbols only, or more than 9 consecutive repeated characters (docs/tiktok-client.md)."""
    if has_emoji(text) or CONTROL.search(text) or REPEAT.search(text):
        return True
    if entities and ENTITY.search(text):
        return True
    stripped = re.sub(r"\s+", "", text)
    if stripped and not re.search(r"[^\W_]", stripped):
        return True
    return False


class _DescParser(HTMLParser):
    """Reads the description as TikTok checks it: escapes are seen as written (only &amp; &lt; &gt; pass),
    the rules apply to the text as a buyer reads it (decoded, across tags)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.imgs: list[dict] = []
        self.stack: list[str] = []
        self.syntax_error = False
        self.escapes: list[str] = []
        self.text: list[str] = []

    def handle_entityref(self, name):
        if name not in HTML_ESCAPES_ALLOWED:
            self.escapes.append(f"&{name};")
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name):
        self.escapes.append(f"&#{name};")
        self.text.append(html.unescape(f"&#{name};"))

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))
        elif tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        else:
            self.syntax_error = True

    def handle_data(self, data):
        self.text.append(data)


def gs1_ok(code: str) -> bool:
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def isbn10_ok(code: str) -> bool:
    total = 0
    for i, ch in enumerate(code):
        v = 10 if ch in "Xx" else int(ch)
        total += v * (10 - i)
    return total % 11 == 0


def check_identifier(ident: dict, errs: list):
    code = ident.get("code")
    typ = ident.get("type")
    if code is not None and not isinstance(code, str) or typ is not None and not isinstance(typ, str):
        raise bad_param()
    if not typ or typ not in CODE_LENGTHS:
        errs.append(ApiError(12052600))
        return
    if not code:
        errs.append(ApiError(12052591))
        return
    if typ == "ISBN" and len(code) == 10 and re.fullmatch(r"\d{9}[0-9Xx]", code or ""):
        if not isbn10_ok(code):
            errs.append(param_error("identifier_code.code", "the ISBN-10 check digit is wrong",
                                    "a valid ISBN-10"))
        return
    if "X" in code.upper() and typ == "ISBN":
        errs.append(ApiError(12052598))
        return
    if not code.isdigit() or len(code) not in CODE_LENGTHS[typ]:
        errs.append(ApiError(12052591))
        return
    if not gs1_ok(code):
        errs.append(param_error("identifier_code.code", f"the {typ} check digit is wrong",
                                f"a {typ} code with a valid check digit"))


def _cond_met(conditions, chosen: dict) -> tuple[bool, tuple | None]:
    """True if any VALUE_ID_MATCH condition holds. Also returns (parent_id, value) of a parent
    that is filled with another value, for 12052183."""
    other = None
    for c in conditions:
        vals = chosen.get(c.get("attribute_id"))
        if vals is None:
            continue
        if c.get("attribute_value_id") in vals:
            return True, None
        other = (c.get("attribute_id"), next(iter(vals), ""))
    return False, other


def validate_product(ctx, body: dict, *, mode: str, existing: dict | None = None):
    """mode: create | edit | check. ``existing`` is the stored content for edit (SKU ids...)."""
    st, cat_idx, shop = ctx.state, ctx.catalog, ctx.shop
    settings = shop["settings"]
    errs: list[ApiError] = []
    warnings: list[dict] = []
    if not isinstance(body, dict):
        raise bad_param()
    save_mode = _str(body, "save_mode") or "LISTING"
    if save_mode not in ("LISTING", "AS_DRAFT"):
        raise bad_param()
    listing = save_mode == "LISTING"
    out: dict = {"save_mode": save_mode}

    # -- shop prerequisites --------------------------------------------------------------------
    if listing:
        failing = [c["check_item"] for c in st.prerequisite_results(shop["id"]) if c["is_failed"]]
        if "SHOP_STATUS" in failing:
            errs.append(ApiError(12052700))
        elif "RETURN_WAREHOUSE" in failing:
            errs.append(ApiError(12052535))
        elif failing:
            errs.append(ApiError(12052419))

    # -- title / description ---------------------------------------------------------------------
    title = _str(body, "title")
    if not title or not title.strip():
        errs.append(ApiError(12052261))
    elif len(title) > TITLE_MAX:
        errs.append(ApiError(12052051))
    elif CJK.search(title):
        errs.append(ApiError(12052262))
    elif text_format_bad(title, entities=True):
        errs.append(ApiError(12052931))
    out["title"] = title or ""

    desc = _str(body, "description")
    if not desc or not desc.strip():
        if listing:
            errs.append(ApiError(12052015))
    elif len(desc) > DESCRIPTION_MAX:
        errs.append(ApiError(12052013))
    elif CJK.search(desc):
        errs.append(ApiError(12052346))
    else:
        parser = _DescParser()
        try:
            parser.feed(desc)
            parser.close()
        except Exception:  # pragma: no cover - HTMLParser is lenient
            parser.syntax_error = True
        if parser.syntax_error:
            errs.append(ApiError(12052344))
        elif len(parser.imgs) > DESCRIPTION_IMG_MAX:
            errs.append(ApiError(12052056))
        elif any(not (i.get("src") and i.get("width") and i.get("height")) for i in parser.imgs):
            errs.append(ApiError(12052348))
        elif any(not HOSTED_IMG.match(i.get("src", "")) for i in parser.imgs):
            errs.append(ApiError(12052340))
        elif parser.escapes or text_format_bad("".join(parser.text), entities=False):
            errs.append(ApiError(12052932))
    out["description"] = desc or ""

    # -- category ----------------------------------------------------------------------------------
    category = None
    cid = body.get("category_id")
    if cid is not None and not isinstance(cid, str):
        raise bad_param()
    version = _str(body, "category_version") or "v1"
    out["category_id"], out["category_version"] = cid or "", version
    if not cid:
        errs.append(ApiError(12052023))
    else:
        category = cat_idx.get(cid)
        if category is None:
            errs.append(ApiError(12052023))
        elif version not in ("v1", "v2") or not cat_idx.in_version(category, version):
            errs.append(ApiError(12052230))
            category = None
        elif version not in settings["category_versions"]:
            errs.append(ApiError(12052217))
            category = None
        elif not category["is_leaf"]:
            errs.append(ApiError(12052024))
            category = None
        elif "INVITE_ONLY" in category["permission_statuses"] or "PROHIBITED" in category["permission_statuses"]:
            errs.append(ApiError(12052223))
    rules = cat_idx.rules(category) if category else {}
    attr_defs = {a["id"]: a for a in cat_idx.leaf_attributes(category)} if category else {}

    # -- brand -------------------------------------------------------------------------------------
    brand_id = body.get("brand_id")
    if brand_id is not None and not isinstance(brand_id, str):
        raise bad_param()
    out["brand_id"] = None
    if brand_id:
        brand = next((b for b in st.brands if b["id"] == brand_id), None)
        if brand is None:
            warnings.append({"message": f"The [brand_id]:{brand_id} field is incorrect and has been automatically "
                                        "cleared by the system. Reason: [Brand does not exist]. You can edit it later."})
        elif brand["is_t1_brand"] and brand["authorized_status"] != "AUTHORIZED":
            errs.append(ApiError(12052208))
        else:
            out["brand_id"] = brand_id

    # -- main images ---------------------------------------------------------------------------------
    images = _list(body, "main_images") or []
    norm_images = []
    for img in images:
        if not isinstance(img, dict) or not isinstance(img.get("uri", ""), str):
            raise bad_param()
        norm_images.append({"uri": img.get("uri", "")})
    if not norm_images:
        if listing:
            errs.append(ApiError(12052028))
    elif len(norm_images) > MAIN_IMAGES_MAX:
        errs.append(ApiError(12052306))
    else:
        for img in norm_images:
            rec = st.images.get(img["uri"])
            if rec is None:
                errs.append(ApiError(12052722))
                break
            if min(rec["original_width"], rec["original_height"]) < 300:
                errs.append(ApiError(12052301, min_limit=300, uri=img["uri"]))
                break
    out["main_images"] = norm_images

    # -- package weight / dimensions ---------------------------------------------------------------------
    pw = _obj(body, "package_weight")
    out["package_weight"] = None
    weight_unit = None
    if pw is None:
        if listing:
            errs.append(ApiError(12019011))
    else:
        value, unit = pw.get("value"), pw.get("unit")
        if not isinstance(value, (str, type(None))) or not isinstance(unit, (str, type(None))):
            raise bad_param()
        weight_unit = unit
        if not value or not WEIGHT_RE.match(value):
            errs.append(ApiError(12052006))
        elif Decimal(value) <= 0:
            errs.append(ApiError(12052181))
        elif unit == "POUND":
            errs.append(ApiError(12019061))
        elif unit != "KILOGRAM":
            errs.append(ApiError(12052916))
        out["package_weight"] = {"value": value or "", "unit": unit or ""}
    pd = _obj(body, "package_dimensions")
    out["package_dimensions"] = None
    if pd is None or not any(pd.get(k) for k in ("length", "width", "height")):
        if listing and rules.get("package_dimension", {}).get("is_required"):
            errs.append(ApiError(12052116))
    else:
        unit = pd.get("unit")
        for k in ("length", "width", "height", "unit"):
            if pd.get(k) is not None and not isinstance(pd.get(k), str):
                raise bad_param()
        if unit == "INCH":
            errs.append(ApiError(12052915 if weight_unit == "KILOGRAM" else 12019061))
        elif unit != "CENTIMETER":
            errs.append(ApiError(12052916))
        else:
            for key, code in (("length", 12052005), ("width", 12052004), ("height", 12052003)):
                if not INT_RE.match(pd.get(key) or ""):
                    errs.append(ApiError(code))
                    break
        out["package_dimensions"] = {k: pd.get(k) or "" for k in ("length", "width", "height", "unit")}

    # -- product attributes ---------------------------------------------------------------------------------
    attrs = _list(body, "product_attributes") or []
    chosen: dict[str, set] = {}
    norm_attrs = []
    seen = set()
    attr_err = None
    for a in attrs:
        if not isinstance(a, dict) or not isinstance(a.get("id", ""), str) or not isinstance(a.get("values", []), list):
            raise bad_param()
        aid = a.get("id")
        if attr_err:
            continue
        if not aid:
            attr_err = ApiError(12052241)
            continue
        if aid in seen:
            attr_err = ApiError(12052254)
            continue
        seen.add(aid)
        d = attr_defs.get(aid)
        if category is not None and (d is None or d["type"] != "PRODUCT_PROPERTY"):
            attr_err = ApiError(12052240)
            continue
        values = a.get("values") or []
        if not values:
            attr_err = ApiError(12052248, property_type="product property")
            continue
        if d and len(values) > 1 and not d["is_multiple_selection"]:
            attr_err = ApiError(12052246, property_type="product property", property_id=aid)
            continue
        nvals, keys = [], set()
        for v in values:
            if not isinstance(v, dict):
                raise bad_param()
            vid, vname = v.get("id"), v.get("name")
            if vid is not None and not isinstance(vid, str) or vname is not None and not isinstance(vname, str):
                raise bad_param()
            if vid:
                known = {x["id"]: x["name"] for x in (d or {}).get("values", [])}
                # a custom value TikTok gave an id to (shown by get product) may be sent back by that id
                known.update({cid: name for (caid, name), cid in st.custom_value_ids.items() if caid == aid})
                if d is not None and vid not in known:
                    attr_err = ApiError(12052529)
                    break
                value_key = ("id", vid)
                nvals.append({"id": vid, "name": known.get(vid, vname or "")})
            elif vname:
                if d is not None and not d["is_customizable"]:
                    attr_err = ApiError(12052247)
                    break
                if len(vname) > 2000:
                    attr_err = ApiError(12052249, property_type="product property", max_limit=2000,
                                        property_value_name=vname[:30])
                    break
                if d is not None and d.get("value_data_format") == "POSITIVE_INT_OR_DECIMAL":
                    try:
                        ok = Decimal(vname) > 0
                    except InvalidOperation:
                        ok = False
                    if not ok:
                        attr_err = ApiError(12052256, property_name=d["name"])
                        break
                value_key = ("name", vname.strip().lower())
                nvals.append({"id": st.custom_value_ids.setdefault((aid, vname), st.attr_ids.next()),
                              "name": vname})
            else:
                attr_err = ApiError(12052248, property_type="product property")
                break
            if value_key in keys:
                attr_err = ApiError(12052251)
                break
            keys.add(value_key)
        if attr_err:
            continue
        chosen[aid] = {v["id"] for v in nvals}
        norm_attrs.append({"id": aid, "name": d["name"] if d else "", "values": nvals})
    if attr_err:
        errs.append(attr_err)
    elif category is not None and listing:
        for aid, d in attr_defs.items():
            if d["type"] != "PRODUCT_PROPERTY":
                continue
            if d["is_requried"] and aid not in chosen:
                errs.append(ApiError(12052104))
                break
            conds = d.get("requirement_conditions")
            if conds:
                met, other = _cond_met(conds, chosen)
                parent = attr_defs.get(conds[0]["attribute_id"], {})
                if met and aid not in chosen:
                    pv = next((v["name"] for v in parent.get("values", [])
                               if v["id"] in chosen.get(parent.get("id"), set())), "")
                    errs.append(ApiError(12052182, sub_property_name=d["name"], parent_property_value=pv,
                                         parent_property_name=parent.get("name", "")))
                    break
                if not met and aid in chosen and other is not None:
                    pv = next((v["name"] for v in parent.get("values", []) if v["id"] == other[1]), "")
                    errs.append(ApiError(12052183, sub_property_name=d["name"], parent_property_value=pv,
                                         parent_property_name=parent.get("name", "")))
                    break
    out["product_attributes"] = norm_attrs

    # -- size chart -------------------------------------------------------------------------------------------
    sc = _obj(body, "size_chart")
    out["size_chart"] = None
    has_chart = False
    if sc:
        image, template = _obj(sc, "image"), _obj(sc, "template")
        if template and template.get("id"):
            has_chart = True
            if not any(c["template_id"] == str(template["id"]) for c in st.size_charts.get(shop["id"], [])):
                errs.append(ApiError(12052128))
            out["size_chart"] = {"template": {"id": str(template["id"])}}
        elif image and image.get("uri"):
            has_chart = True
            if image["uri"] not in st.images:
                errs.append(ApiError(12052670))
            out["size_chart"] = {"image": {"uri": image["uri"]}}
    if listing and not has_chart and rules.get("size_chart", {}).get("is_required"):
        errs.append(ApiError(12052673))

    # -- certifications -----------------------------------------------------------------------------------------
    certs = _list(body, "certifications") or []
    out["certifications"] = []
    cert_rules = {c["id"]: c for c in rules.get("product_certifications", [])}
    given = {}
    for c in certs:
        if not isinstance(c, dict) or not isinstance(c.get("id", ""), str):
            raise bad_param()
        imgs, files = _list(c, "images") or [], _list(c, "files") or []
        if category is not None and c.get("id") not in cert_rules:
            errs.append(ApiError(12052655))
            continue
        if any(not isinstance(i, dict) or i.get("uri") not in st.images for i in imgs):
            errs.append(ApiError(12052650))
            continue
        if any(not isinstance(f, dict) or f.get("id") not in st.files for f in files):
            errs.append(ApiError(12052658))
            continue
        if imgs or files:
            given[c["id"]] = c
            entry = {"id": c["id"], "images": [{"uri": i["uri"]} for i in imgs],
                     "files": [{"id": f["id"], "name": f.get("name") or st.files[f["id"]]["name"],
                                "format": st.files[f["id"]]["format"]} for f in files]}
            if c.get("expiration_date") is not None:
                entry["expiration_date"] = c["expiration_date"]
            out["certifications"].append(entry)
    if listing and category is not None:
        for rid, rule in cert_rules.items():
            if not rule.get("is_required") or rid in given:
                continue
            conds = rule.get("requirement_conditions")
            if conds and not _cond_met(conds, chosen)[0]:
                continue
            errs.append(ApiError(12052105))
            break

    # -- video ----------------------------------------------------------------------------------------------
    video = _obj(body, "video")
    out["video"] = None
    if video and video.get("id"):
        if video["id"] not in st.files:
            errs.append(ApiError(12052360))
        out["video"] = {"id": video["id"]}

    # -- external ids ----------------------------------------------------------------------------------------
    ext = _str(body, "external_product_id")
    out["external_product_id"] = ext or ""
    if ext:
        if len(ext) > 999:
            errs.append(ApiError(12052369))
        else:
            owner = st.external_ids.get((shop["id"], ext))
            if owner and (existing is None or owner != existing.get("_product_id")):
                if owner in st.products and st.products[owner]["status"] != "DELETED":
                    errs.append(ApiError(12052996))
    idem = _str(body, "idempotency_key")
    if idem and len(idem) > 128:
        errs.append(ApiError(12052910))
    out["is_cod_allowed"] = False

    # -- skus -----------------------------------------------------------------------------------------------
    skus = _list(body, "skus")
    out["skus"] = []
    if not skus:
        errs.append(ApiError(12052902))
        return out, errs, warnings
    if len(skus) > SKU_MAX_UK:
        errs.append(ApiError(12052050))
    existing_skus = {s["id"]: s for s in (existing or {}).get("skus", [])}
    sales_defs = {a["id"]: a for a in attr_defs.values() if a["type"] == "SALES_PROPERTY"}
    type_sets, combos, idents = [], set(), set()
    sku_errs: list[ApiError] = []
    img_attr_keys = set()
    currency = shop.get("currency", "GBP")
    wh_index = {w["id"]: w for w in st.warehouses.get(shop["id"], [])}
    # Current docs: [1, 99999] at create; an edit may carry the stock an SKU has now, including 0.
    min_qty = 0 if (mode == "edit" or settings.get("allow_zero_stock_on_create")) else 1
    for raw in skus:
        if not isinstance(raw, dict):
            raise bad_param()
        sku_id = raw.get("id")
        if sku_id is not None and not isinstance(sku_id, str):
            raise bad_param()
        old = None
        if sku_id:
            old = existing_skus.get(sku_id)
            if old is None:
                sku_errs.append(ApiError(12052557))
                continue
        sku: dict[str, Any] = {"id": sku_id or None}
        # sales attributes
        sas = _list(raw, "sales_attributes") or []
        types, combo, norm_sas = [], [], []
        for i, sa in enumerate(sas):
            if not isinstance(sa, dict):
                raise bad_param()
            for k in ("id", "name", "value_id", "value_name"):
                if sa.get(k) is not None and not isinstance(sa.get(k), str):
                    raise bad_param()
            aid, name, vid, vname = sa.get("id"), sa.get("name"), sa.get("value_id"), sa.get("value_name")
            if aid:
                d = sales_defs.get(aid)
                if category is not None and d is None:
                    sku_errs.append(ApiError(12052527))
                    break
                name = d["name"] if d else (name or "")
                key = "id:" + aid
            elif name:
                if len(name) > SALES_ATTR_NAME_MAX:
                    sku_errs.append(ApiError(12052242))
                    break
                builtin = next((d for d in sales_defs.values() if d["name"].lower() == name.strip().lower()), None)
                aid = builtin["id"] if builtin else st.custom_attr_ids.setdefault(name.strip().lower(),
                                                                                  st.attr_ids.next())
                key = "id:" + aid
            else:
                sku_errs.append(ApiError(12052241))
                break
            if vid:
                d = sales_defs.get(aid)
                known = {x["id"]: x["name"] for x in (d or {}).get("values", [])}
                if vid in known:
                    vname = known[vid]
                elif not any(v == vid for v in st.custom_value_ids.values()):
                    sku_errs.append(ApiError(12052529))
                    break
            elif vname:
                if len(vname) > SALES_VALUE_MAX:
                    sku_errs.append(ApiError(12052249, property_type="sales property", max_limit=SALES_VALUE_MAX,
                                             property_value_name=vname[:30]))
                    break
                d = sales_defs.get(aid)
                known = {x["name"].lower(): x["id"] for x in (d or {}).get("values", [])}
                vid = known.get(vname.strip().lower()) or st.custom_value_ids.setdefault((aid, vname.strip()),
                                                                                        st.attr_ids.next())
            else:
                sku_errs.append(ApiError(12052248, property_type="sales property"))
                break
            entry = {"id": aid, "name": name, "value_id": vid, "value_name": vname or ""}
            img = _obj(sa, "sku_img")
            if img and img.get("uri"):
                if img["uri"] not in st.images:
                    sku_errs.append(ApiError(12052520))
                    break
                entry["sku_img"] = {"uri": img["uri"]}
                img_attr_keys.add(key)
            sup = _list(sa, "supplementary_sku_images")
            if sup:
                if "sku_img" not in entry:
                    sku_errs.append(ApiError(12052357))
                    break
                entry["supplementary_sku_images"] = [{"uri": s.get("uri")} for s in sup if isinstance(s, dict)]
            types.append(key)
            combo.append((key, vid))
            norm_sas.append(entry)
        if sku_errs:
            break
        type_sets.append(tuple(sorted(types)))
        combo_key = tuple(sorted(combo))
        if combo_key in combos:
            sku_errs.append(ApiError(12052560))
        combos.add(combo_key)
        sku["sales_attributes"] = norm_sas
        # seller sku
        ssku = _str(raw, "seller_sku")
        if ssku is not None:
            if len(ssku) > SELLER_SKU_MAX:
                sku_errs.append(ApiError(12052054))
            elif not ssku or re.search(r"\s", ssku):
                sku_errs.append(ApiError(12019059))
        sku["seller_sku"] = ssku or ""
        ext_sku = _str(raw, "external_sku_id")
        if ext_sku and len(ext_sku) > 999:
            sku_errs.append(ApiError(12052369))
        sku["external_sku_id"] = ext_sku or ""
        # price
        price = _obj(raw, "price")
        if price is None:
            if old is None:
                sku_errs.append(ApiError(12052571))
            sku["price"] = dict(old["price"]) if old else None
        else:
            amount, cur = price.get("amount"), price.get("currency")
            if not isinstance(amount, (str, type(None))) or not isinstance(cur, (str, type(None))):
                raise bad_param()
            if not amount:
                sku_errs.append(ApiError(12052571))
            elif not PRICE_RE.match(amount):
                sku_errs.append(ApiError(12052012))
            elif cur != currency:
                sku_errs.append(ApiError(12052084))
            elif Decimal(amount) < PRICE_MIN:
                sku_errs.append(ApiError(12052073))
            elif Decimal(amount) > PRICE_MAX:
                sku_errs.append(ApiError(12052570))
            sku["price"] = {"amount": amount or "", "currency": cur or ""}
        # inventory
        inv = _list(raw, "inventory")
        if not inv:
            if old is None:
                sku_errs.append(ApiError(12019022))
            sku["inventory"] = [dict(i) for i in old["inventory"]] if old else []
        else:
            seen_wh, ninv = set(), []
            for entry in inv:
                if not isinstance(entry, dict):
                    raise bad_param()
                wid, qty = entry.get("warehouse_id"), entry.get("quantity")
                if not isinstance(wid, (str, type(None))) or (qty is not None and (not isinstance(qty, int)
                                                                                    or isinstance(qty, bool))):
                    raise bad_param()
                wh = wh_index.get(wid or "")
                if wh is None:
                    sku_errs.append(ApiError(12052097))
                    break
                if wh["type"] != "SALES_WAREHOUSE":
                    sku_errs.append(ApiError(12052532))
                    break
                if wh.get("effect_status") == "DISABLED":
                    sku_errs.append(ApiError(12052531))
                    break
                if wid in seen_wh:
                    sku_errs.append(ApiError(12052555))
                    break
                seen_wh.add(wid)
                if qty is None or not min_qty <= qty <= QTY_MAX:
                    sku_errs.append(ApiError(12052055))
                    break
                ninv.append({"warehouse_id": wid, "quantity": qty})
            sku["inventory"] = ninv
        # identifier code
        ident = _obj(raw, "identifier_code")
        sku["identifier_code"] = None
        if ident and (ident.get("code") or ident.get("type")):
            before = len(sku_errs)
            check_identifier(ident, sku_errs)
            if len(sku_errs) == before:
                ident_key = (ident.get("type"), ident.get("code"))
                if ident_key in idents:
                    sku_errs.append(ApiError(12052592))
                idents.add(ident_key)
            sku["identifier_code"] = {"code": ident.get("code") or "", "type": ident.get("type") or ""}
        # No code is fine: the 202309 rules document no identifier requirement, and 12052600 ("The
        # identifier code type must be selected") is answered only for a code sent without its type.
        if old is not None and existing is not None and existing.get("_status") not in ("DRAFT", None):
            old_ident = old.get("identifier_code") or None
            new_ident = sku["identifier_code"] or None
            if old_ident and old_ident != new_ident:
                sku_errs.append(ApiError(12052593))
        out["skus"].append(sku)
    if not sku_errs:
        if len(set(type_sets)) > 1:
            sku_errs.append(ApiError(12052550))
        elif type_sets and len(type_sets[0]) > SALES_ATTR_TYPES_MAX:
            sku_errs.append(ApiError(12052525))
        elif len(skus) > 1 and type_sets and not type_sets[0]:
            sku_errs.append(ApiError(12052550))
        elif len(img_attr_keys) > 1:
            sku_errs.append(ApiError(12052528))
    if sku_errs:
        errs.append(sku_errs[0])
    return out, errs, warnings
