"""Categories, attributes, rules, recommendation, brands, size charts, image and file upload (docs/tiktok-api.md).

These feed the category mapper and the validators: they are read-mostly and return TikTok's `data`
unchanged so the callers see the real field names (including the `is_requried` spelling).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hub.errors import DataError
from hub.tiktok import validation as v
from hub.tiktok.endpoint import Endpoint

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

CATEGORIES = Endpoint("GET", "/product/202309/categories")
ATTRIBUTES = Endpoint("GET", "/product/202309/categories/{category_id}/attributes")
RULES = Endpoint("GET", "/product/202309/categories/{category_id}/rules")
RECOMMEND = Endpoint("POST", "/product/202309/categories/recommend", cipher="optional")
BRANDS = Endpoint("GET", "/product/202309/brands")
CREATE_BRAND = Endpoint("POST", "/product/202309/brands", cipher="forbidden")
UPLOAD_IMAGE = Endpoint("POST", "/product/202309/images/upload", cipher="forbidden", multipart=True)
UPLOAD_FILE = Endpoint("POST", "/product/202309/files/upload", cipher="forbidden", multipart=True)
# TikTok's SDK call for this endpoint takes no shop_cipher: the seller's access token names the shop.
SEARCH_SIZE_CHARTS = Endpoint("POST", "/product/202407/sizecharts/search", cipher="forbidden")

CATEGORY_VERSIONS = ("v1", "v2")
IMAGE_USE_CASES = ("MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE",
                   "SIZE_CHART_IMAGE")
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_SIZE_CHART_IDS = 50
_FILE_NAME = re.compile(r"^[^\s./\\]+\.[A-Za-z0-9]+$")
IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"BM": "image/bmp"}


def _version(value: str | None) -> str | None:
    return None if value is None else v.one_of(value, "category_version", CATEGORY_VERSIONS)


def _image_type(content: bytes) -> str:
    for magic, mime in IMAGE_TYPES.items():
        if content.startswith(magic):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1"):
        return "image/heic"
    raise DataError("The image is not a JPEG, PNG, WEBP, HEIC or BMP file", field="image", code="invalid_request")


class CatalogApi:
    def __init__(self, client: "ShopClient"):
        self.client = client

    def categories(self, *, locale: str = "en-GB", keyword: str | None = None,
                   category_version: str | None = None, listing_platform: str | None = None,
                   include_prohibited_categories: bool | None = None) -> dict[str, Any]:
        query = {"locale": locale, "keyword": v.optional_text(keyword, "keyword", maximum=200),
                 "category_version": _version(category_version), "listing_platform": listing_platform,
                 "include_prohibited_categories": include_prohibited_categories}
        return self.client.request(CATEGORIES, query=query)

    def attributes(self, category_id: str, *, locale: str = "en-GB",
                   category_version: str | None = None) -> dict[str, Any]:
        return self.client.request(ATTRIBUTES, path_params={"category_id": v.tiktok_id(category_id, "category_id")},
                                   query={"locale": locale, "category_version": _version(category_version)})

    def rules(self, category_id: str, *, locale: str = "en-GB", category_version: str | None = None) -> dict[str, Any]:
        return self.client.request(RULES, path_params={"category_id": v.tiktok_id(category_id, "category_id")},
                                   query={"locale": locale, "category_version": _version(category_version)})

    def recommend(self, product_title: str, *, description: str | None = None,
                  images: list[dict[str, str]] | None = None, category_version: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"product_title": v.text(product_title, "product_title", maximum=255)}
        if description:
            body["description"] = v.text(description, "description", maximum=10_000)
        if images:
            body["images"] = [{"uri": v.text(i.get("uri"), "images.uri", maximum=500)} for i in images]
        if category_version:
            body["category_version"] = _version(category_version)
        return self.client.request(RECOMMEND, body=body)

    def brands(self, *, page_size: int = 100, page_token: str | None = None, category_id: str | None = None,
               brand_name: str | None = None, is_authorized: bool | None = None,
               category_version: str | None = None) -> dict[str, Any]:
        query = {"page_size": v.int_range(page_size, "page_size", 1, 100), "page_token": page_token,
                 "category_id": v.tiktok_id(category_id, "category_id") if category_id is not None else None,
                 "brand_name": v.optional_text(brand_name, "brand_name", maximum=100),
                 "is_authorized": None if is_authorized is None else int(bool(is_authorized)),
                 "category_version": _version(category_version)}
        return self.client.request(BRANDS, query=query)

    def create_brand(self, name: str) -> dict[str, Any]:
        """`{"id": brand_id}`; TikTok accepts 2-30 characters."""
        return self.client.request(CREATE_BRAND, body={"name": v.text(name.strip() if isinstance(name, str) else name,
                                                                        "brand name", minimum=2, maximum=30)})

    def upload_image(self, content: bytes, *, use_case: str = "MAIN_IMAGE", filename: str = "image") -> dict[str, Any]:
        """`{"uri", "url", "width", "height", "use_case"}`; multipart, so the body is not signed."""
        v.one_of(use_case, "use_case", IMAGE_USE_CASES)
        if not isinstance(content, (bytes, bytearray)) or not content:
            raise DataError("The image is empty", field="image", code="invalid_request")
        if len(content) > MAX_IMAGE_BYTES:
            raise DataError("The image is larger than TikTok's 10 MB limit", field="image", code="invalid_request")
        mime = _image_type(bytes(content))
        return self.client.request(UPLOAD_IMAGE, files={"data": (filename, bytes(content), mime)},
                                   form={"use_case": use_case})

    def upload_file(self, content: bytes, name: str) -> dict[str, Any]:
        """A certificate PDF: `{"id", "url", "name", "format"}`; multipart, so the body is not signed.

        TikTok wants the file name with one extension and no spaces (e.g. `CERT.PDF`); the PDF at most 20 MB.
        """
        if not isinstance(content, (bytes, bytearray)) or not content:
            raise DataError("The file is empty", field="file", code="invalid_request")
        if not bytes(content[:5]).startswith(b"%PDF"):
            raise DataError("The file is not a PDF", field="file", code="invalid_request")
        if len(content) > MAX_PDF_BYTES:
            raise DataError("The PDF is larger than TikTok's 20 MB limit", field="file", code="invalid_request")
        if not isinstance(name, str) or not _FILE_NAME.match(name) or not name.lower().endswith(".pdf"):
            raise DataError("The file name must be one word with the .pdf extension, such as CERT.PDF", field="name",
                            code="invalid_request")
        return self.client.request(UPLOAD_FILE, files={"data": (name, bytes(content), "application/pdf")},
                                   form={"name": name})

    def size_charts(self, *, ids: list[str] | None = None, keyword: str | None = None, page_size: int = 100,
                    page_token: str | None = None) -> dict[str, Any]:
        """The shop's size chart templates: `{"size_chart": [{"template_id", "template_name", "images"}],
        "next_page_token", "total_count"}`. `ids` (at most 50) win over `keyword`, as TikTok documents."""
        body: dict[str, Any] = {}
        if ids:
            if len(ids) > MAX_SIZE_CHART_IDS:
                raise DataError(f"At most {MAX_SIZE_CHART_IDS} size chart ids", field="ids", code="invalid_request")
            body["ids"] = [v.tiktok_id(i, "ids") for i in ids]
        elif keyword:
            body["keyword"] = v.text(keyword, "keyword", maximum=100)
        query = {"page_size": v.int_range(page_size, "page_size", 1, 100), "page_token": page_token}
        return self.client.request(SEARCH_SIZE_CHARTS, query=query, body=body or None)

    def all_size_charts(self) -> list[dict[str, Any]]:
        """Every template of the shop, page after page."""
        out: list[dict[str, Any]] = []
        token = None
        while True:
            page = self.size_charts(page_token=token)
            out.extend(page.get("size_chart") or [])
            token = page.get("next_page_token") or None
            if not token or len(out) >= 1000:
                return out
