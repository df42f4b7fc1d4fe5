"""Product pictures for the demo store, drawn on request in the format the file name asks for."""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

from PIL import Image, ImageDraw

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif",
                 "svg": "image/svg+xml", "heic": "image/heic"}


def _colour(name: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(name.encode()).digest()
    return 60 + digest[0] % 160, 60 + digest[1] % 160, 60 + digest[2] % 160


@lru_cache(maxsize=512)
def render(name: str, fmt: str) -> bytes:
    """A 900×900 picture unique to `name`; PNG and GIF get transparency to exercise flattening."""
    colour = _colour(name)
    if fmt == "svg":
        r, g, b = colour
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900" viewBox="0 0 900 900">'
                f'<rect width="900" height="900" fill="rgb({r},{g},{b})"/>'
                f'<circle cx="450" cy="450" r="300" fill="white" fill-opacity="0.6"/></svg>').encode()
    mode = "RGBA" if fmt in ("png", "gif") else "RGB"
    image = Image.new(mode, (900, 900), (*colour, 255) if mode == "RGBA" else colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 150, 750, 750), fill=(255, 255, 255, 160) if mode == "RGBA" else (240, 240, 240))
    draw.rectangle((0, 0, 899, 60), fill=(0, 0, 0, 0) if mode == "RGBA" else (30, 30, 30))
    out = io.BytesIO()
    if fmt == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
        pillow_heif.from_pillow(image).save(out, quality=80)
    elif fmt == "jpg":
        image.save(out, "JPEG", quality=85)
    elif fmt == "gif":
        frames = [image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=300, loop=0)
    else:
        image.save(out, fmt.upper())
    return out.getvalue()
