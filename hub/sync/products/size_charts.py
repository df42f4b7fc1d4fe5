"""Size charts and certificates the merchant supplies, per TikTok category or per product.

TikTok takes a size chart as a template of the shop (made in Seller Center, found with the size chart
search) or as a picture, and a certificate as the pictures and PDF files a category's rules ask for
(docs/canonical-data.md, *Size charts and certificates*). What the merchant uploads on the settings
page or with the CLI is sent to TikTok at once (picture or file upload), so it is checked while the
merchant is there and the listing job only passes on the uri or file id; what a store sends with a
product (`size_chart.image_url`, `certifications[].image_urls`) is downloaded when the product is sent.

The settings page and the CLI both go through here, so they store the same shapes and accept the
same files.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from hub.errors import DataError

if TYPE_CHECKING:
    from hub.tiktok.client import ShopClient

# Products that failed for one of these are sent again when a size chart or certificate is supplied.
SIZE_CHART_CODES = {"size_chart_missing", "size_chart_not_found", "tiktok_12052673", "tiktok_12052128",
                    "tiktok_12052670"}
CERTIFICATE_CODES = {"certification_missing", "certificate_file_failed", "tiktok_12052105", "tiktok_12052650",
                     "tiktok_12052655", "tiktok_12052658"}
PICTURE_TYPES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG": "PNG"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def templates(client: "ShopClient") -> list[dict[str, str]]:
    """The shop's size chart templates: [{"template_id", "template_name", "image_url"}], by name."""
    out = []
    for chart in client.catalog.all_size_charts():
        images = chart.get("images") or []
        out.append({"template_id": str(chart.get("template_id")), "template_name": str(chart.get("template_name") or
                                                                                     chart.get("template_id")),
                    "image_url": str(images[0].get("url") or "") if images else ""})
    return sorted(out, key=lambda t: t["template_name"].casefold())


def template_choice(client: "ShopClient", template_id: str) -> dict[str, str]:
    """{"template_id", "template_name"} for a template the shop has; a clear error otherwise."""
    template_id = (template_id or "").strip()
    if not template_id.isdigit():
        raise DataError("Choose one of your shop's size chart templates.", code="size_chart_not_found",
                        field="template_id")
    found = client.catalog.size_charts(ids=[template_id]).get("size_chart") or []
    if not found:
        raise DataError(f"Your TikTok shop has no size chart template {template_id}; make it in Seller Center "
                        "(Products → Size charts) or choose another.", code="size_chart_not_found",
                        field="template_id")
    return {"template_id": template_id, "template_name": str(found[0].get("template_name") or template_id)}


def _picture_kind(content: bytes) -> str | None:
    for magic, kind in PICTURE_TYPES.items():
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "WEBP"
    return None


def _tiktok_refusal(error: DataError, what: str) -> DataError:
    return DataError(f"TikTok did not accept the {what}: {error.message}", code=error.code, field="file")


def host_size_chart_picture(client: "ShopClient", content: bytes, filename: str) -> dict[str, str]:
    """Upload a size chart picture (JPEG, PNG or WEBP; TikTok wants the shorter side at least 1024 px)."""
    if not content:
        raise DataError("The size chart picture is empty.", code="image_empty", field="image")
    if _picture_kind(content) is None:
        raise DataError(f"{filename or 'The file'} is not a JPEG, PNG or WEBP picture.", code="image_not_an_image",
                        field="image")
    try:
        hosted = client.catalog.upload_image(content, use_case="SIZE_CHART_IMAGE", filename=_safe_name(filename))
    except DataError as error:
        raise _tiktok_refusal(error, "size chart picture (the shorter side must be at least 1024 pixels)") from error
    return {"image_uri": str(hosted["uri"]), "image_url": str(hosted["url"]), "name": filename or "size chart"}


def host_certificate_files(client: "ShopClient", uploads: Iterable[tuple[str, bytes]]) -> dict[str, list[dict[str, str]]]:
    """Upload a certificate's files: PDFs as files, pictures as certification images."""
    images: list[dict[str, str]] = []
    files: list[dict[str, str]] = []
    for filename, content in uploads:
        if not content:
            raise DataError(f"{filename or 'The file'} is empty.", code="certificate_file_failed", field="file")
        if len(content) > MAX_UPLOAD_BYTES:
            raise DataError(f"{filename} is larger than 20 MB.", code="certificate_file_failed", field="file")
        try:
            if content.startswith(b"%PDF"):
                uploaded = client.catalog.upload_file(content, _pdf_name(filename))
                files.append({"id": str(uploaded["id"]), "name": str(uploaded.get("name") or _pdf_name(filename)),
                              "format": str(uploaded.get("format") or "PDF"), "url": str(uploaded.get("url") or "")})
            elif _picture_kind(content):
                hosted = client.catalog.upload_image(content, use_case="CERTIFICATION_IMAGE",
                                                     filename=_safe_name(filename))
                images.append({"uri": str(hosted["uri"]), "url": str(hosted["url"]), "name": filename})
            else:
                raise DataError(f"{filename or 'The file'} is neither a PDF nor a JPEG, PNG or WEBP picture.",
                                code="certificate_file_failed", field="file")
        except DataError as error:
            if error.code == "certificate_file_failed":
                raise
            raise _tiktok_refusal(error, f"certificate file {filename}") from error
    return {"images": images, "files": files}


def _safe_name(filename: str) -> str:
    stem = _UNSAFE_NAME.sub("_", (filename or "file").rsplit(".", 1)[0]).strip("_")[:60] or "file"
    return stem


def _pdf_name(filename: str) -> str:
    """TikTok wants one word with one extension (e.g. CERT.pdf)."""
    return f"{_safe_name(filename)}.pdf"


def expiration(text: str | None) -> int | None:
    """A YYYY-MM-DD expiry as TikTok's unix seconds (UTC midnight); empty is none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2027-06-30.", code="invalid_request",
                        field="expiration") from None
    if day <= datetime.now(timezone.utc).date():
        raise DataError("The certificate has expired already; upload a current one.", code="invalid_request",
                        field="expiration")
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def certificate_entry(rule_id: str, hosted: Mapping[str, list[dict[str, str]]], expires: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": str(rule_id), "images": list(hosted.get("images") or []),
                             "files": list(hosted.get("files") or [])}
    if expires is not None:
        entry["expiration_date"] = expires
    return entry


def replace_certificate(current: list[Any] | None, entry: Mapping[str, Any] | None, rule_id: str) -> list[Any]:
    """The certificate list with `rule_id`'s entry replaced (or removed when `entry` is None)."""
    kept = [c for c in current or [] if not (isinstance(c, Mapping) and str(c.get("id")) == str(rule_id))]
    return kept + ([dict(entry)] if entry else [])


def describe_size_chart(chart: Mapping[str, Any] | None) -> str:
    if not chart:
        return "none"
    if chart.get("template_id"):
        return f"template “{chart.get('template_name') or chart['template_id']}”"
    return f"picture {chart.get('name') or chart.get('image_url') or ''}".strip()
