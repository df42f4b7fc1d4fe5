"""Categories, attributes, rules, recommend, brands, image and file upload."""

from __future__ import annotations

import hashlib
import io
import json
import re

from .errors import ApiError, param_error
from . import ids

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "BMP", "HEIF", "HEIC", "MPO"}
FORMATS_TEXT = "JPG, JPEG, PNG, WEBP, HEIC, BMP"
USE_CASES = ("MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE", "SIZE_CHART_IMAGE")
MAX_IMAGE_BYTES = 10 * 1024 * 1024
CDN = "https://p16-oec-va.ibyteimg.com/"
GENDER = {"men", "mens", "women", "womens", "ladies", "man", "woman"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_heif_registered = False


def image_url(uri: str) -> str:
    return f"{CDN}{uri}~tplv-o3syd03w52-origin-jpeg.jpeg"


def check_category_version(ctx, version: str | None) -> str:
    version = version or "v1"
    if version not in ("v1", "v2"):
        raise param_error("category_version", f"unsupported value {version!r}", "v1 or v2")
    if version not in ctx.shop["settings"]["category_versions"]:
        raise ApiError(12052217)
    return version


def leaf_or_error(ctx, category_id, version: str):
    cat = ctx.catalog.get(str(category_id or ""))
    if cat is None:
        raise ApiError(12052023)
    if not ctx.catalog.in_version(cat, version):
        raise ApiError(12052230)
    if not cat["is_leaf"]:
        raise ApiError(12052024)
    return cat


# ---- categories ---------------------------------------------------------------------------------
def get_categories(ctx):
    version = check_category_version(ctx, ctx.query.get("category_version"))
    keyword = (ctx.query.get("keyword") or "").strip().lower()
    out = []
    for cid in ctx.catalog.order:
        cat = ctx.catalog.categories[cid]
        if not ctx.catalog.in_version(cat, version):
            continue
        if keyword and keyword not in cat["local_name"].lower():
            continue
        out.append(ctx.catalog.public(cat))
    return {"categories": out}


def get_attributes(ctx):
    version = check_category_version(ctx, ctx.query.get("category_version"))
    cat = leaf_or_error(ctx, ctx.path_params["category_id"], version)
    return {"attributes": ctx.catalog.leaf_attributes(cat)}


def get_rules(ctx):
    version = check_category_version(ctx, ctx.query.get("category_version"))
    cat = leaf_or_error(ctx, ctx.path_params["category_id"], version)
    rules = ctx.catalog.rules(cat)
    # The 202309 rules document no identifier-code field; the older (v1) rules answered
    # `exemption_of_identifier_code`. A shop set up with `identifier_exemption` answers it for the category.
    exemption = ctx.shop["settings"].get("identifier_exemption", {}).get(cat["id"])
    if exemption is not None:
        rules["exemption_of_identifier_code"] = {"support_identifier_code_exemption": exemption}
    return rules


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]


def _norm(tok: str) -> str:
    return tok[:-1] if len(tok) > 3 and tok.endswith("s") else tok


def recommend_category(ctx):
    body = ctx.body
    title = body.get("product_title")
    if not isinstance(title, str) or not title.strip():
        raise ApiError(12052910)
    if CJK.search(title):
        raise ApiError(12052266)
    version = check_category_version(ctx, body.get("category_version"))
    words = {_norm(t) for t in _tokens(title)}
    best, best_score = None, 0
    for cid in ctx.catalog.order:
        cat = ctx.catalog.categories[cid]
        if not cat["is_leaf"] or not ctx.catalog.in_version(cat, version):
            continue
        if "PROHIBITED" in cat["permission_statuses"] and not body.get("include_prohibited_categories"):
            continue
        kw = set()
        for k in cat.get("keywords", []) + [cat["local_name"]]:
            kw.update(_norm(t) for t in _tokens(k))
        score = sum(1 if w in GENDER else 3 for w in words & kw)
        if score > best_score:
            best, best_score = cat, score
    if best is None or best_score < 3:
        raise ApiError(12019064)
    chain = ctx.catalog.chain(best["id"])
    return {"leaf_category_id": best["id"],
            "categories": [{"id": c["id"], "name": c["local_name"], "level": i + 1, "is_leaf": c["is_leaf"],
                            "permission_statuses": list(c["permission_statuses"])}
                           for i, c in enumerate(chain)]}


# ---- brands -------------------------------------------------------------------------------------
def _page_size(ctx, lo=1, hi=100, code=12019109):
    raw = ctx.query.get("page_size")
    try:
        size = int(raw)
    except (TypeError, ValueError):
        raise ApiError(code)
    if not lo <= size <= hi:
        raise ApiError(code)
    return size


def paginate(ctx, kind: str, items: list, size: int, fingerprint_src) -> tuple[list, str]:
    fingerprint = hashlib.sha1(json.dumps(fingerprint_src, sort_keys=True, default=str).encode()).hexdigest()
    token = ctx.query.get("page_token")
    offset = 0
    if token:
        found = ctx.state.read_page_token(kind, fingerprint, token)
        if found is None:
            raise param_error("page_token", "the page token is invalid or does not belong to this query",
                              "the next_page_token of the previous page")
        offset = found
    page = items[offset:offset + size]
    nxt = ""
    if offset + size < len(items):
        nxt = ctx.state.new_page_token(kind, fingerprint, offset + size)
    return page, nxt


def get_brands(ctx):
    size = _page_size(ctx)
    q = ctx.query
    if q.get("category_id"):
        cat = ctx.catalog.get(q["category_id"])
        if cat is None:
            raise ApiError(12052023)
    name = (q.get("brand_name") or "").lower()
    auth = q.get("is_authorized")
    items = []
    for b in ctx.state.brands:
        if name and name not in b["name"].lower():
            continue
        if auth in ("1", "true") and b["authorized_status"] != "AUTHORIZED":
            continue
        if auth in ("0", "false") and b["authorized_status"] == "AUTHORIZED":
            continue
        items.append(dict(b))
    page, nxt = paginate(ctx, "brands", items, size, [q.get("category_id"), name, auth, size])
    return {"brands": page, "total_count": len(items), "next_page_token": nxt}


def create_brand(ctx):
    name = ctx.body.get("name")
    if not isinstance(name, str) or not 2 <= len(name.strip()) <= 30:
        raise ApiError(12052189)
    if any(b["name"].lower() == name.strip().lower() for b in ctx.state.brands):
        raise ApiError(12052189)
    brand = {"id": ctx.state.brand_ids.next(), "name": name.strip(), "authorized_status": "UNAUTHORIEZD",
             "is_t1_brand": False, "brand_status": "AVAILABLE"}
    ctx.state.brands.append(brand)
    return {"id": brand["id"]}


# ---- size charts ------------------------------------------------------------------------------------
def search_size_charts(ctx):
    """POST /product/202407/sizecharts/search: the shop's templates, by ids (max 50, they win) or keyword."""
    size = _page_size(ctx)
    body = ctx.body if isinstance(ctx.body, dict) else {}
    wanted = body.get("ids")
    keyword = body.get("keyword")
    if wanted is not None and (not isinstance(wanted, list) or len(wanted) > 50
                               or any(not isinstance(i, str) for i in wanted)):
        raise param_error("ids", "ids must be a list of at most 50 size chart template ids", "[\"7420186513740087041\"]")
    if keyword is not None and not isinstance(keyword, str):
        raise param_error("keyword", "keyword must be text", "shirt")
    items = []
    for chart in ctx.state.size_charts.get(ctx.shop["id"], []):
        if wanted:
            if chart["template_id"] not in wanted:
                continue
        elif keyword and keyword.strip().lower() not in chart["template_name"].lower():
            continue
        items.append({"template_id": chart["template_id"], "template_name": chart["template_name"],
                      "images": [dict(i) for i in chart.get("images", [])]})
    page, nxt = paginate(ctx, "size_charts", items, size, [wanted, keyword, size])
    return {"size_chart": page, "total_count": len(items), "next_page_token": nxt}


# ---- uploads ------------------------------------------------------------------------------------
def _open_image(raw: bytes):
    global _heif_registered
    from PIL import Image
    if not _heif_registered:
        try:
            import pillow_heif
            pillow_heif.register_heif_opener()
        except Exception:  # pragma: no cover - optional
            pass
        _heif_registered = True
    img = Image.open(io.BytesIO(raw))
    fmt = (img.format or "").upper()
    width, height = img.size
    img.verify()
    return fmt, width, height


def upload_image(ctx):
    from PIL import Image
    form, files = ctx.body["form"], ctx.body["files"]
    use_case = form.get("use_case") or "MAIN_IMAGE"
    if use_case not in USE_CASES:
        raise ApiError(11050001)
    f = files.get("data")
    if f is None:
        raise ApiError(12038002)
    raw = f.read()
    if not raw:
        raise ApiError(12038002)
    if len(raw) > MAX_IMAGE_BYTES:
        raise ApiError(12038005)
    try:
        fmt, width, height = _open_image(raw)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ApiError(12038014, min_width=100, min_height=100, max_width=20000, max_height=20000)
    except Exception:
        raise ApiError(12038004)
    if fmt not in IMAGE_FORMATS:
        raise ApiError(12038015, formats=FORMATS_TEXT)
    lo, hi = (300, 4000) if use_case == "MAIN_IMAGE" else (100, 20000)
    if not (lo <= width <= hi and lo <= height <= hi):
        raise ApiError(12038014, min_width=lo, min_height=lo, max_width=hi, max_height=hi)
    if use_case == "SIZE_CHART_IMAGE" and min(width, height) < 1024:
        raise ApiError(12038014, min_width=1024, min_height=1024, max_width=20000, max_height=20000)
    out_w, out_h = width, height
    if use_case in ("MAIN_IMAGE", "ATTRIBUTE_IMAGE") and not (3 / 4 <= width / height <= 4 / 3):
        out_w = out_h = max(width, height)   # auto-converted to 1:1 (padded)
    uri = ids.image_uri()
    ctx.state.images[uri] = {"uri": uri, "url": image_url(uri), "width": out_w, "height": out_h,
                             "use_case": use_case, "format": fmt, "bytes": raw,
                             "original_width": width, "original_height": height}
    return {"uri": uri, "url": image_url(uri), "width": out_w, "height": out_h, "use_case": use_case}


VIDEO_EXT = {"mp4", "mov", "mkv", "wmv", "webm", "avi", "3gp", "flv", "mpeg"}


def upload_file(ctx):
    form, files = ctx.body["form"], ctx.body["files"]
    f = files.get("data")
    name = form.get("name") or (f.filename if f is not None else "")
    if f is None or not name:
        raise ApiError(12038002)
    raw = f.read()
    if not raw:
        raise ApiError(12038002)
    if " " in name or name.count(".") != 1:
        raise param_error("name", "the file name must have one extension and no spaces", "e.g. CERT.PDF")
    ext = name.rsplit(".", 1)[1].lower()
    if ext == "pdf":
        if not raw.startswith(b"%PDF"):
            raise ApiError(12038004)
        if len(raw) > 20 * 1024 * 1024:
            raise ApiError(12038005)
        fmt = "PDF"
    elif ext in VIDEO_EXT:
        if len(raw) > 100 * 1024 * 1024:
            raise ApiError(12038005)
        fmt = ext.upper()
    else:
        raise ApiError(12038015, formats="PDF, MP4, MOV, MKV, WMV, WEBM, AVI, 3GP, FLV, MPEG")
    fid = ids.file_id()
    url = f"https://p16-oec-va.ibyteimg.com/tos-maliva-d-o3syd03w52-us/{fid}"
    ctx.state.files[fid] = {"id": fid, "url": url, "name": name, "format": fmt, "size": len(raw)}
    return {"id": fid, "url": url, "name": name, "format": fmt}


def register(r):
    r.add("GET", "/product/202309/categories", get_categories, scope="seller.product.basic")
    r.add("GET", "/product/202309/categories/{category_id}/attributes", get_attributes, scope="seller.product.basic")
    r.add("GET", "/product/202309/categories/{category_id}/rules", get_rules, scope="seller.product.basic")
    r.add("POST", "/product/202309/categories/recommend", recommend_category, shop_cipher="optional",
          scope="seller.product.basic")
    r.add("GET", "/product/202309/brands", get_brands, scope="seller.product.basic")
    r.add("POST", "/product/202309/brands", create_brand, shop_cipher="forbidden", scope="seller.product.basic")
    r.add("POST", "/product/202407/sizecharts/search", search_size_charts, shop_cipher="optional",
          scope="seller.product.basic")
    r.add("POST", "/product/202309/images/upload", upload_image, shop_cipher="forbidden",
          scope="seller.product.basic", multipart=True)
    r.add("POST", "/product/202309/files/upload", upload_file, shop_cipher="forbidden",
          scope="seller.product.basic", multipart=True)
