"""Turning whatever picture a store has into one TikTok accepts (docs/product-rules.md).

TikTok's upload takes JPG/PNG (newer docs add WEBP/HEIC/BMP, but older ones and third-party guides do not,
docs/tiktok-api.md), and product images must be 300×300 to 4000×4000 px. JPEG and PNG files that
already fit go up byte for byte, so TikTok sees exactly what the merchant uploaded and identical files
hash identically. Everything else is re-encoded as JPEG: other formats, pictures outside the size range
(scaled to fit; pictures too thin to fit both limits are padded with white), pictures whose EXIF says
"rotate me" (TikTok may ignore the tag), CMYK JPEGs, and PNGs with real transparency (flattened on white:
a transparent background can turn black in TikTok's own JPEG thumbnails).

The file size limit is 5 MB: current docs say 10 MB, older ones 5 MB, and staying under the smaller
one costs only a little JPEG quality on very large photos.

Bounds against hostile files: the pixel count is checked from the header before any pixel is decoded
(decompression bombs), and SVG is rasterised with every external reference (``href`` to anything other
than an in-document ``#id`` or a ``data:`` URI) removed first, so drawing a picture never reads the network
or local files.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from PIL import Image, UnidentifiedImageError

from hub.sync.products.errors import ImageError

MIN_SIDE = 300
MAX_SIDE = 4000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PIXELS = 64_000_000  # a 50-megapixel phone photo fits; 40000×40000 "bombs" do not
# The working picture (width × height × 4 bytes, after any JPEG draft reduction) may take this much: with
# the decoded original or the scaling buffers beside it, a conversion stays inside
# image_process.MEMORY_BYTES. That is 40 megapixels for PNG, WebP, GIF, HEIC...; JPEGs of any size fit,
# since they are decoded at 1/2, 1/4 or 1/8 scale.
DECODE_BUDGET_BYTES = 160_000_000
_PASS_THROUGH = {"JPEG": "image/jpeg", "PNG": "image/png"}
_JPEG_QUALITIES = (90, 85, 80, 75, 70, 60, 50)
_SVG_DEFAULT_SIZE = (300.0, 150.0)  # what browsers use for an SVG without any size
_SVG_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


@dataclass(frozen=True)
class PreparedImage:
    content_type: str
    width: int
    height: int
    sha256: str
    converted_from: str | None  # original format when re-encoded, None when sent unchanged
    changes: tuple[str, ...] = ()
    content: bytes | None = field(default=None, repr=False)
    path: Path | None = None  # where a picture converted in the child process waits for its upload

    @property
    def data(self) -> bytes:
        """The bytes to upload (read from `path` only when asked: a job may hold many pictures)."""
        if self.content is not None:
            return self.content
        assert self.path is not None
        return self.path.read_bytes()


@functools.cache
def register_image_plugins() -> None:
    """Teach Pillow HEIC/HEIF and AVIF; done on first use, not at import."""
    import pillow_avif  # noqa: F401  (registers its opener on import)
    import pillow_heif

    pillow_heif.register_heif_opener()


def prepare_image(
    data: bytes,
    *,
    source: str,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> PreparedImage:
    """Return the picture as TikTok should receive it, or an ``ImageError`` naming ``source``."""
    register_image_plugins()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError("image_not_an_image", f"The image at {source} is not a file.")
    data = bytes(data)
    if not data:
        raise ImageError("image_empty", f"The image at {source} is an empty file.")
    markup = _markup_kind(data)
    if markup == "svg":
        image, original = _rasterise_svg(data, source, max_pixels), "SVG"
    elif markup is not None:
        raise ImageError("image_not_an_image", f"The image at {source} is not a picture file (it is {markup}).")
    else:
        image = _open(data, source, max_pixels)
        original = image.format or "unknown"

    if original in _PASS_THROUGH and len(data) <= max_bytes and _fits_unchanged(image):
        return _result(data, _PASS_THROUGH[original], image.size, None, ())
    held = [image]  # handed over, not kept: _convert frees each full-size stage as soon as the next exists
    del image
    return _convert(held, original, source, max_bytes)


# ---------------------------------------------------------------------------------------------- reading


def _markup_kind(data: bytes) -> str | None:
    """SVG, HTML or other text served where a picture was expected (a login page, an error page...)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        if head[:1].isalpha() and all(32 <= c < 127 or c in (9, 10, 13) for c in head[:512]):
            return "a text file"
        return None
    if b"<svg" in head and b"<html" not in head.split(b"<svg", 1)[0]:
        return "svg"
    if re.search(rb"<!doctype html|<html|<head|<body", head):
        return "a web page (HTML)"
    return "a text document"


def _open(data: bytes, source: str, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(source, int(claimed.group(1)) if claimed else None, max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ImageError(
            "image_not_an_image", f"The image at {source} is not a picture file we can read (unknown or damaged format)."
        ) from None
    width, height = image.size
    if width * height > max_pixels:
        raise _too_many_pixels(source, width * height, max_pixels)
    if image.format == "JPEG" and max(width, height) > MAX_SIDE:
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale for free: a 50-megapixel photo that will be scaled to
        # 4000 px anyway costs a quarter of the memory and time.
        image.draft(image.mode, _fitted_size(width, height))
    # Every picture is worked on as RGB or RGBA, which Pillow keeps in 4 bytes a pixel.
    if image.size[0] * image.size[1] * 4 > DECODE_BUDGET_BYTES:
        raise ImageError(
            "image_too_many_pixels",
            f"The image at {source} is too large ({width * height / 1_000_000:,.0f} megapixels) to process within "
            f"the memory a picture may use; upload a picture under {DECODE_BUDGET_BYTES // 4 // 1_000_000} "
            "megapixels (a JPEG of any size is fine).",
        )
    try:
        image.load()
    except MemoryError:
        raise  # not the file's fault: the converter process reports it as over the memory budget
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageError(
            "image_unreadable", f"The image at {source} is damaged or incomplete and cannot be read."
        ) from None
    return image


def _too_many_pixels(source: str, pixels: int | None, max_pixels: int) -> ImageError:
    size = f" ({pixels / 1_000_000:,.0f} megapixels)" if pixels else ""
    return ImageError(
        "image_too_many_pixels",
        f"The image at {source} is too large{size} to process safely; "
        f"upload a picture under {max_pixels // 1_000_000} megapixels.",
    )


def _svg_length(value: str | None) -> float | None:
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z%]*)\s*", value or "")
    if not match or match.group(2) not in _SVG_UNITS:
        return None
    number = float(match.group(1)) * _SVG_UNITS[match.group(2)]
    return number if number > 0 and math.isfinite(number) else None


def _svg_size(root: etree._Element) -> tuple[float, float]:
    width, height = _svg_length(root.get("width")), _svg_length(root.get("height"))
    view_box = [float(v) for v in re.findall(r"[-+]?[0-9]*\.?[0-9]+", root.get("viewBox") or "")]
    ratio = view_box[2] / view_box[3] if len(view_box) == 4 and view_box[2] > 0 and view_box[3] > 0 else None
    if width and height:
        return width, height
    if width and ratio:
        return width, width / ratio
    if height and ratio:
        return height * ratio, height
    if ratio:
        return view_box[2], view_box[3]
    return _SVG_DEFAULT_SIZE


def _rasterise_svg(data: bytes, source: str, max_pixels: int) -> Image.Image:
    import resvg_py

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    not_drawable = ImageError("image_not_an_image", f"The image at {source} is an SVG drawing that cannot be read.")
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise not_drawable from None
    if root is None or etree.QName(root).localname != "svg":
        raise not_drawable
    for element in root.iter():
        for name in list(element.attrib):
            if etree.QName(name).localname == "href":
                target = element.attrib[name].strip()
                if not (target.startswith("#") or target.lower().startswith("data:")):
                    del element.attrib[name]

    width, height = _svg_size(root)
    target_width, target_height = _fitted_size(width, height)
    if target_width * target_height > max_pixels:
        raise _too_many_pixels(source, target_width * target_height, max_pixels)
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=etree.tostring(root, encoding="unicode"), width=target_width, resources_dir=None
        )
        image = Image.open(io.BytesIO(bytes(png)))
        image.load()
    except (ValueError, OSError, UnidentifiedImageError):
        raise not_drawable from None
    return image


# ------------------------------------------------------------------------------------------- converting


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1) or 1)
    except (ValueError, TypeError, OSError, SyntaxError):
        return 1


def _below_opaque(alpha: Image.Image) -> bool:
    low = alpha.getextrema()[0]  # one band: (min, max)
    return isinstance(low, (int, float)) and low < 255


def _has_transparency(image: Image.Image) -> bool:
    """Whether any pixel is not fully opaque, without a full-size RGBA copy of the picture."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return _below_opaque(image.getchannel("A"))
    if "transparency" not in image.info:
        return False
    if image.mode == "P":
        transparency = image.info["transparency"]
        used = image.histogram()
        if isinstance(transparency, int):
            return used[transparency] > 0 if transparency < len(used) else False
        return any(alpha < 255 and used[index] > 0 for index, alpha in enumerate(transparency) if index < len(used))
    return _below_opaque(image.convert("RGBA").getchannel("A"))  # a colour key on L/RGB: rare


def _fits_unchanged(image: Image.Image) -> bool:
    width, height = image.size
    return (
        MIN_SIDE <= width <= MAX_SIDE
        and MIN_SIDE <= height <= MAX_SIDE
        and _orientation(image) == 1
        and image.mode != "CMYK"
        and not _has_transparency(image)
    )


def _fitted_size(width: float, height: float) -> tuple[int, int]:
    """Scale so the longer side is at most MAX_SIDE and, where possible, the shorter at least MIN_SIDE."""
    scale = 1.0
    if max(width, height) > MAX_SIDE:
        scale = MAX_SIDE / max(width, height)
    if min(width, height) * scale < MIN_SIDE:
        scale = min(MIN_SIDE / min(width, height), MAX_SIDE / max(width, height))
    return (
        min(MAX_SIDE, max(1, math.ceil(width * scale - 1e-9))),
        min(MAX_SIDE, max(1, math.ceil(height * scale - 1e-9))),
    )


def _working_mode(image: Image.Image) -> tuple[Image.Image, bool]:
    """RGB, or RGBA when some pixel is transparent (flattened after scaling, on the smaller picture)."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if _has_transparency(image):
        return (image if image.mode == "RGBA" else image.convert("RGBA")), True
    return (image if image.mode == "RGB" else image.convert("RGB")), False


def _flatten(image: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", image.size, (255, 255, 255))
    canvas.paste(image, mask=image)  # the RGBA picture is its own mask: no separate alpha copy
    return canvas


_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


def _convert(held: list[Image.Image], original: str, source: str, max_bytes: int) -> PreparedImage:
    """Flatten, scale, then rotate the smaller picture: at most one full-size working copy is made
    (the fitted size is the same whichever way the picture is turned)."""
    changes: list[str] = []
    image = held.pop()
    icc = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
    orientation = _orientation(image) if image.format in ("JPEG", "MPO", "TIFF", "WEBP", "PNG", "HEIF", "AVIF") else 1
    rgb, transparent = _working_mode(image)
    del image
    if transparent:  # before scaling: Pillow scales RGBA through a full-size premultiplied copy
        rgb = _flatten(rgb)
        changes.append("transparency flattened")
    size = _fitted_size(*rgb.size)
    if size != rgb.size:
        changes.append("scaled down" if size[0] < rgb.size[0] else "scaled up")
        rgb = rgb.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if orientation in _TRANSPOSE:
        rgb = rgb.transpose(_TRANSPOSE[orientation])
        changes.append("rotated")
    if min(rgb.size) < MIN_SIDE:
        canvas = Image.new("RGB", (max(rgb.width, MIN_SIDE), max(rgb.height, MIN_SIDE)), (255, 255, 255))
        canvas.paste(rgb, ((canvas.width - rgb.width) // 2, (canvas.height - rgb.height) // 2))
        rgb = canvas
        changes.append("padded")

    while True:
        for quality in _JPEG_QUALITIES:
            buffer = io.BytesIO()
            rgb.save(buffer, "JPEG", quality=quality, optimize=True, icc_profile=icc)
            if buffer.tell() <= max_bytes:
                if quality != _JPEG_QUALITIES[0]:
                    changes.append("compressed")
                return _result(buffer.getvalue(), "image/jpeg", rgb.size, original, tuple(changes))
        smaller = (int(rgb.width * 0.8), int(rgb.height * 0.8))
        if min(smaller) < MIN_SIDE:
            raise ImageError(
                "image_too_large",
                f"The image at {source} cannot be made smaller than {max_bytes // (1024 * 1024)} MB; "
                "upload a simpler or smaller picture.",
            )
        rgb = rgb.resize(smaller, Image.Resampling.LANCZOS)
        if "scaled down" not in changes:
            changes.append("scaled down")


def _result(
    data: bytes, content_type: str, size: tuple[int, int], original: str | None, changes: tuple[str, ...]
) -> PreparedImage:
    return PreparedImage(
        content=data,
        content_type=content_type,
        width=size[0],
        height=size[1],
        sha256=hashlib.sha256(data).hexdigest(),
        converted_from=original,
        changes=changes,
    )
