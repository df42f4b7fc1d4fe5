"""Pictures of every format a store may hold, made here with Pillow and its plugins, through prepare_image."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

import pytest
from PIL import Image

from hub.sync.products.errors import ImageError
from hub.sync.products.images import MAX_SIDE, MIN_SIDE, prepare_image, register_image_plugins


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    register_image_plugins()
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def near(pixel, expected, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected))


RED = (220, 20, 20)


# ------------------------------------------------------------------------------------- pass through


def test_jpeg_within_limits_is_sent_byte_for_byte():
    data = encode(Image.new("RGB", (800, 600), RED), "JPEG", quality=88)
    prepared = prepare_image(data, source="https://store.example/a.jpg")
    assert prepared.data == data
    assert prepared.content_type == "image/jpeg"
    assert (prepared.width, prepared.height) == (800, 600)
    assert prepared.converted_from is None
    assert prepared.sha256 == hashlib.sha256(data).hexdigest()


def test_opaque_png_within_limits_is_sent_byte_for_byte():
    data = encode(Image.new("RGBA", (MAX_SIDE, MIN_SIDE), (*RED, 255)), "PNG")
    prepared = prepare_image(data, source="s")
    assert prepared.data == data
    assert prepared.content_type == "image/png"
    assert prepared.converted_from is None


def test_same_picture_gives_same_hash_and_different_picture_a_different_one():
    first = prepare_image(encode(Image.new("RGB", (400, 400), RED), "WEBP"), source="a")
    again = prepare_image(encode(Image.new("RGB", (400, 400), RED), "WEBP"), source="b")
    other = prepare_image(encode(Image.new("RGB", (400, 400), (0, 0, 200)), "WEBP"), source="c")
    assert first.sha256 == again.sha256 == hashlib.sha256(first.data).hexdigest()
    assert other.sha256 != first.sha256


# ------------------------------------------------------------------------------------ conversions


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF", "HEIF", "AVIF"])
def test_other_formats_become_jpeg_with_the_same_picture(fmt):
    data = encode(Image.new("RGB", (640, 480), RED), fmt)
    prepared = prepare_image(data, source=f"https://store.example/p.{fmt.lower()}")
    assert prepared.content_type == "image/jpeg"
    assert prepared.converted_from == fmt
    result = decode(prepared.data)
    assert result.format == "JPEG"
    assert result.size == (640, 480) == (prepared.width, prepared.height)
    assert near(result.getpixel((320, 240)), RED)


def test_animated_gif_keeps_only_its_first_frame():
    frames = [Image.new("RGB", (400, 400), RED), Image.new("RGB", (400, 400), (0, 0, 220))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    prepared = prepare_image(data, source="anim.gif")
    assert prepared.converted_from == "GIF"
    assert near(decode(prepared.data).getpixel((200, 200)), RED, tolerance=30)


def test_svg_is_rasterised_to_jpeg_at_least_300_px():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
        b'<rect width="50" height="50" fill="#dc1414"/><rect x="50" width="50" height="50" fill="#0000dc"/></svg>'
    )
    prepared = prepare_image(svg, source="logo.svg")
    assert prepared.converted_from == "SVG"
    assert (prepared.width, prepared.height) == (600, 300)
    result = decode(prepared.data)
    assert near(result.getpixel((150, 150)), RED, tolerance=20)
    assert near(result.getpixel((450, 150)), (0, 0, 220), tolerance=20)


def test_transparent_png_is_flattened_on_white():
    picture = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    picture.paste((0, 0, 220, 255), (300, 0, 600, 400))
    prepared = prepare_image(encode(picture, "PNG"), source="cut-out.png")
    assert prepared.content_type == "image/jpeg"
    assert "transparency flattened" in prepared.changes
    result = decode(prepared.data)
    assert near(result.getpixel((100, 200)), (255, 255, 255), tolerance=3)
    assert near(result.getpixel((500, 200)), (0, 0, 220))


def test_transparent_webp_is_flattened_on_white_not_black():
    picture = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    prepared = prepare_image(encode(picture, "WEBP", lossless=True), source="clear.webp")
    assert near(decode(prepared.data).getpixel((200, 200)), (255, 255, 255), tolerance=3)


def test_gif_transparency_index_is_flattened_on_white():
    picture = Image.new("P", (400, 400), 0)
    picture.putpalette([0, 0, 0] + [220, 20, 20] * 255)
    picture.paste(1, (200, 0, 400, 400))
    prepared = prepare_image(encode(picture, "GIF", transparency=0), source="t.gif")
    result = decode(prepared.data)
    assert near(result.getpixel((100, 200)), (255, 255, 255), tolerance=3)
    assert near(result.getpixel((300, 200)), RED, tolerance=20)


def test_exif_orientation_is_applied():
    picture = Image.new("RGB", (800, 400), (0, 0, 220))
    picture.paste(RED, (0, 0, 400, 400))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    prepared = prepare_image(encode(picture, "JPEG", exif=exif.tobytes(), quality=95), source="phone.jpg")
    assert (prepared.width, prepared.height) == (400, 800)
    assert "rotated" in prepared.changes
    result = decode(prepared.data)
    assert result.size == (400, 800)
    assert near(result.getpixel((200, 150)), RED)
    assert near(result.getpixel((200, 650)), (0, 0, 220))


def test_a_5000_px_image_is_scaled_down_to_4000():
    prepared = prepare_image(encode(Image.new("RGB", (5000, 2500), RED), "JPEG"), source="huge.jpg")
    assert (prepared.width, prepared.height) == (4000, 2000)
    assert decode(prepared.data).size == (4000, 2000)
    assert prepared.converted_from == "JPEG"
    assert "scaled down" in prepared.changes


def test_a_small_image_is_scaled_up_to_300():
    prepared = prepare_image(encode(Image.new("RGB", (120, 200), RED), "PNG"), source="thumb.png")
    assert (prepared.width, prepared.height) == (300, 500)
    assert "scaled up" in prepared.changes
    assert near(decode(prepared.data).getpixel((150, 250)), RED)


def test_a_banner_too_thin_for_both_limits_is_padded_with_white():
    prepared = prepare_image(encode(Image.new("RGB", (8000, 100), RED), "PNG"), source="banner.png")
    assert (prepared.width, prepared.height) == (4000, 300)
    result = decode(prepared.data)
    assert near(result.getpixel((2000, 150)), RED, tolerance=20)
    assert near(result.getpixel((2000, 5)), (255, 255, 255), tolerance=3)


def test_file_size_limit_is_met_by_lowering_quality():
    noise = Image.effect_noise((1200, 1200), 80).convert("RGB")
    data = encode(noise, "JPEG", quality=98)
    assert len(data) > 300_000
    prepared = prepare_image(data, source="noisy.jpg", max_bytes=300_000)
    assert len(prepared.data) <= 300_000
    assert prepared.content_type == "image/jpeg"
    assert decode(prepared.data).size[0] >= MIN_SIDE


def test_picture_that_cannot_get_small_enough_is_refused_with_a_clear_error():
    noise = Image.effect_noise((600, 600), 80).convert("RGB")
    with pytest.raises(ImageError) as caught:
        prepare_image(encode(noise, "PNG"), source="noise.png", max_bytes=2_000)
    assert caught.value.code == "image_too_large"
    assert "noise.png" in caught.value.message


# ---------------------------------------------------------------------------------------- refusals


def _png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims a huge size: what a decompression bomb looks like when opened."""
    data = bytearray(encode(Image.new("1", (8, 8)), "PNG"))
    ihdr = 8 + 8  # signature, then length + type of the IHDR chunk
    data[ihdr:ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:ihdr + 13]))
    data[ihdr + 13:ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize(("side", "shown"), [(9_000, "81 megapixels"), (40_000, "1,600 megapixels")])
def test_decompression_bomb_is_refused_before_decoding(side, shown):
    with pytest.raises(ImageError) as caught:
        prepare_image(_png_claiming(side, side), source="https://store.example/bomb.png")
    assert caught.value.code == "image_too_many_pixels"
    assert shown in caught.value.message
    assert "bomb.png" in caught.value.message


def test_pixel_limit_is_configurable():
    data = encode(Image.new("RGB", (1000, 1000), RED), "JPEG")
    with pytest.raises(ImageError) as caught:
        prepare_image(data, source="a.jpg", max_pixels=500_000)
    assert caught.value.code == "image_too_many_pixels"


def test_html_is_not_an_image():
    with pytest.raises(ImageError) as caught:
        prepare_image(b"<!DOCTYPE html><html><body>Sign in</body></html>", source="https://store.example/x.jpg")
    assert caught.value.code == "image_not_an_image"
    assert "https://store.example/x.jpg" in caught.value.message
    assert "HTML" in caught.value.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "image_empty"),
        (b"\x00\x01\x02garbage\xff" * 50, "image_not_an_image"),
        (b"Not found", "image_not_an_image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "image_not_an_image"),
    ],
)
def test_unreadable_input_gets_a_coded_error(data, code):
    with pytest.raises(ImageError) as caught:
        prepare_image(data, source="bad")
    assert caught.value.code == code
    assert "bad" in caught.value.message


def test_truncated_jpeg_is_reported_as_damaged():
    data = encode(Image.effect_noise((800, 800), 60).convert("RGB"), "JPEG")
    with pytest.raises(ImageError) as caught:
        prepare_image(data[: len(data) // 3], source="half.jpg")
    assert caught.value.code == "image_unreadable"


# ----------------------------------------------------------------------------- SVG external refs


def _red_png() -> bytes:
    return encode(Image.new("RGB", (50, 50), (255, 0, 0)), "PNG")


def test_svg_never_fetches_external_images(second_server):
    url = second_server.url("/x.png")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="300" height="300"><rect width="300" height="300" fill="white"/>'
        f'<image href="{url}" width="300" height="150"/>'
        f'<image xlink:href="{url}" y="150" width="300" height="150"/></svg>'
    ).encode()
    prepared = prepare_image(svg, source="remote.svg")
    assert second_server.requests == []
    assert near(decode(prepared.data).getpixel((150, 75)), (255, 255, 255), tolerance=3)


def test_svg_never_reads_local_files(tmp_path):
    picture = tmp_path / "secret.png"
    picture.write_bytes(_red_png())
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300">'
        f'<image href="{picture}" width="300" height="150"/>'
        f'<image href="file://{picture}" y="150" width="300" height="150"/></svg>'
    ).encode()
    result = decode(prepare_image(svg, source="local.svg").data)
    assert near(result.getpixel((150, 75)), (255, 255, 255), tolerance=3)
    assert near(result.getpixel((150, 225)), (255, 255, 255), tolerance=3)


def test_svg_embedded_data_images_still_render():
    import base64

    data_uri = "data:image/png;base64," + base64.b64encode(_red_png()).decode()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300">'
        f'<image href="{data_uri}" width="300" height="300"/></svg>'
    ).encode()
    assert near(decode(prepare_image(svg, source="inline.svg").data).getpixel((150, 150)), (255, 0, 0), tolerance=20)


def test_text_instead_of_bytes_is_a_coded_error():
    with pytest.raises(ImageError) as caught:
        prepare_image("not bytes", source="x")  # type: ignore[arg-type]
    assert caught.value.code == "image_not_an_image"


def test_cmyk_jpeg_is_converted_to_rgb():
    data = encode(Image.new("CMYK", (400, 400), (0, 255, 255, 0)), "JPEG")
    prepared = prepare_image(data, source="print.jpg")
    assert prepared.converted_from == "JPEG"
    result = decode(prepared.data)
    assert result.mode == "RGB"
    assert near(result.getpixel((200, 200)), (255, 0, 0), tolerance=30)
