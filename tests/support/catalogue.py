"""A clothing and music store's catalogue, as its WooCommerce extension would push it (canonical data).

Written for the hub's tests: T-shirts and hoodies with sizes and colours, a cap, a belt, music with no
weight, and a hoodie whose description is a single 12,000-character paragraph. Weights are written the
way WooCommerce writes them (".5"), some products lack what TikTok's category needs (material, genre,
size chart, weight): the merchant supplies those on the settings page, as the reasons say.

`MERCHANT_SETTINGS` is what the merchant does: which TikTok category each store category goes to,
the attribute defaults, the size chart and the default package weight per category.
"""

from __future__ import annotations

from itertools import product as combinations
from typing import Any

SIZES = ["S", "M", "L", "XL"]
COLOURS = ["Black", "White", "Navy"]

# store category path → TikTok leaf category (sandbox UK fixture)
CATEGORIES = {
    "Clothing > T-shirts": "601226",       # Men's T-shirts: size chart required, Material required
    "Clothing > Hoodies": "601213",        # Men's Hoodies & Sweatshirts: size chart required
    "Accessories > Caps": "906248",        # Hats & Caps
    "Accessories > Belts": "906376",       # Belts
    "Music > CDs": "997640",               # CDs: Music Genre required
    "Music > Vinyl": "997768",             # Vinyl: Music Genre required
}

LONG_SENTENCE = ("This heavyweight hoodie is cut from brushed-back organic cotton fleece that keeps its shape wash "
                 "after wash, with a double-lined hood, ribbed cuffs and a kangaroo pocket big enough for a phone. ")


def long_description() -> str:
    """One paragraph of about 12,000 characters, as a WooCommerce product's long description often is."""
    text = ""
    while len(text) < 12_000:
        text += LONG_SENTENCE
    return f"<p>{text.strip()}</p>"


def _variants(pid: str, sku: str, price: str, *, sizes: list[str] | None, colours: list[str] | None,
              images: str, weight: dict[str, str] | None = None) -> list[dict[str, Any]]:
    out = []
    axes = [("Size", sizes or [None]), ("Colour", colours or [None])]
    for n, (size, colour) in enumerate(combinations(axes[0][1], axes[1][1]), start=1):
        options = {k: v for k, v in (("Size", size), ("Colour", colour)) if v}
        suffix = "-".join(v for v in options.values()) or "ONE"
        out.append({"id": f"{pid}{n:02d}", "sku": f"{sku}-{suffix}".upper(), "price": price, "compare_at_price": None,
                    "currency": "GBP", "quantity": 12 + n, "manage_stock": True, "options": options,
                    "barcode": None, "barcode_type": None,
                    "image_url": f"{images}/{pid}-{colour.lower()}.jpg" if colour else None,
                    "weight": weight, "dimensions": None})
    return out


def product(pid: str, title: str, path: list[str], images: str, *, price: str, sku: str,
            sizes: list[str] | None = None, colours: list[str] | None = None, weight: dict[str, str] | None,
            attributes: dict[str, Any] | None = None, description: str | None = None,
            brand: str | None = "Northern Threads") -> dict[str, Any]:
    return {"id": pid, "version": 1, "status": "active", "title": title,
            "description_html": description or f"<p>{title}, from Northern Threads of Preston.</p>",
            "url": f"https://northern.example/p/{pid}", "brand": brand,
            "categories": [{"id": f"c-{path[-1].lower()}", "name": path[-1], "path": path}],
            "images": [{"url": f"{images}/{pid}-1.jpg", "alt": "front"}, {"url": f"{images}/{pid}-2.jpg", "alt": "back"}],
            "attributes": attributes or {}, "weight": weight, "dimensions": None,
            "variants": _variants(pid, sku, price, sizes=sizes, colours=colours, images=images)}


def catalogue(images: str) -> list[dict[str, Any]]:
    """The store's products; `images` is the base URL of a server answering any `<name>.jpg` with a picture."""
    kg = "kg"
    return [
        product("501", "Classic crew neck T-shirt", ["Clothing", "T-shirts"], images, price="14.00", sku="NT-TEE",
                sizes=SIZES, colours=COLOURS, weight={"value": "0.2", "unit": kg}),
        product("502", "Organic cotton pocket T-shirt", ["Clothing", "T-shirts"], images, price="18.50",
                sku="NT-PTEE", sizes=SIZES, colours=["White", "Navy"], weight={"value": "0.22", "unit": kg},
                attributes={"Material": "Cotton"}),
        product("503", "Pullover hoodie", ["Clothing", "Hoodies"], images, price="39.00", sku="NT-HOOD",
                sizes=SIZES, colours=["Black", "Navy"], weight={"value": ".5", "unit": kg},
                attributes={"Material": "Cotton"}),
        product("504", "Heavyweight zip hoodie", ["Clothing", "Hoodies"], images, price="49.00", sku="NT-ZIP",
                sizes=SIZES, colours=["Black"], weight={"value": "0.75", "unit": kg},
                attributes={"Material": "Cotton"}, description=long_description()),
        product("505", "Six-panel baseball cap", ["Accessories", "Caps"], images, price="16.00", sku="NT-CAP",
                colours=COLOURS, weight={"value": "0.1", "unit": kg}),
        product("506", "Leather jeans belt", ["Accessories", "Belts"], images, price="24.00", sku="NT-BELT",
                sizes=["32", "34", "36", "38"], weight={"value": "0.25", "unit": kg}, attributes={"Material": "Leather"}),
        product("507", "Northern Lights — CD album", ["Music", "CDs"], images, price="10.00", sku="NT-CD",
                weight=None, attributes={"Music Genre": "Jazz"}, brand=None),
        product("508", "Northern Lights — vinyl LP", ["Music", "Vinyl"], images, price="22.00", sku="NT-LP",
                weight=None, brand=None),
    ]


# What the merchant does on the settings page, once the reasons have said what is missing.
MERCHANT_SETTINGS: dict[str, Any] = {
    "attribute_defaults": {"601226": {"100157": ["1000200"]},      # T-shirts: Material = Cotton
                           "906248": {"100157": ["1000201"]},      # Caps: Material = Polyester
                           "997768": {"100810": "1008100"}},       # Vinyl: Music Genre = Rock
    "size_chart_templates": {"601226": "Men's tops (UK sizes)"},   # a template of the shop
    "size_chart_pictures": ["601213"],                             # hoodies: a picture of the chart
    "package_weights": {"997640": "0.12", "997768": "0.3"},        # music has no weight in the store
}
