"""The demo store's catalog: about 60 realistic products made here, with the awkward cases merchants have.

Variants with up to three options, images in JPEG, PNG, WebP, GIF, SVG and HEIC (served by the demo
store), descriptions with tables and ordered lists, products missing barcodes in categories that need
them, products missing package dimensions where the category requires them, one priced over TikTok's
limit, and one whose title the sandbox's review rejects.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from stdnum import ean

IMAGE_FORMATS = ("jpg", "png", "webp", "gif", "svg", "heic")

# Store category path -> TikTok UK leaf category (sandbox fixture ids; real TikTok ids).
CATEGORY_MAP: dict[str, str] = {
    "Clothing > Socks > Men": "841736",
    "Clothing > Socks > Women": "845448",
    "Clothing > Women > T-shirts": "601302",
    "Shoes > Accessories > Laces": "902152",
    "Home > Candles": "854152",
    "Home > Bathroom > Towels": "810888",
    "Home > Bedding": "600165",
    "Home > Decor > Frames": "600341",
    "Home > Storage": "600621",
    "Beauty > Hair > Shampoo": "601469",
    "Books > Fiction": "987016",
    "Books > Self-help": "928136",
    "Food > Coffee": "700612",
    "Food > Tea": "916488",
    "Food > Chocolate": "700768",
    "Food > Honey": "920328",
    "Electronics > Audio > Headphones": "601990",
    "Electronics > Wearables": "602083",
}
# The demo maps every category but this one, so "Needs category" shows too.
UNMAPPED_CATEGORY = "Garden > Seeds"


@dataclass(frozen=True)
class Template:
    category: str
    names: tuple[str, ...]
    price: str
    attributes: dict[str, Any]
    options: dict[str, tuple[str, ...]]
    barcode: str = "ean"  # ean | isbn | none
    weight: tuple[str, str] | None = ("0.3", "kg")
    dimensions: tuple[str, str, str, str] | None = ("20", "15", "5", "cm")


TEMPLATES = (
    Template("Clothing > Socks > Men", ("Merino Hiking Socks", "Cotton Crew Socks 3-Pack", "Bamboo Trainer Socks",
                                        "Argyle Dress Socks", "Cushioned Running Socks", "Thermal Boot Socks"), "9.99", {"Material": "Cotton"},
             {"Size": ("UK 6", "UK 8", "UK 10"), "Colour": ("Black", "Navy")}),
    Template("Clothing > Socks > Women", ("Wool Bed Socks", "Striped Ankle Socks", "Compression Flight Socks", "Cashmere Blend Socks"), "7.50",
             {"Material": "Wool"}, {"Size": ("UK 4", "UK 5", "UK 6"), "Colour": ("Pink", "Grey", "White")}),
    Template("Clothing > Women > T-shirts", ("Organic Cotton Tee",), "18.00", {"Material": "Cotton"},
             {"Size": ("S", "M", "L"), "Colour": ("White", "Black"), "Fit": ("Regular", "Relaxed")}),
    Template("Shoes > Accessories > Laces", ("Waxed Round Laces", "Flat Cotton Laces", "Elastic No-tie Laces"), "3.99", {},
             {"Colour": ("Black", "White", "Red")}),
    Template("Home > Candles", ("Fig & Cedar Candle", "Sea Salt Candle", "Lavender Tin Candle", "Amber Pillar Candle",
                              "Pine Forest Candle", "Rhubarb Travel Candle"),
             "14.00", {"Occasion": "Everyday"}, {}),
    Template("Home > Bathroom > Towels", ("Egyptian Cotton Bath Towel", "Waffle Hand Towel", "Turkish Beach Towel"), "12.00",
             {"Material": "Cotton"}, {"Colour": ("White", "Grey", "Navy")}),
    Template("Home > Bedding", ("Percale Duvet Set", "Linen Pillowcase Pair"), "45.00", {"Material": "Cotton"},
             {"Size": ("Single", "Double", "King")}),
    Template("Home > Decor > Frames", ("Oak Photo Frame", "Brass Picture Frame", "Gallery Frame Set"), "16.00", {},
             {"Size": ("5x7", "8x10")}),
    Template("Home > Storage", ("Seagrass Basket", "Canvas Storage Box", "Stacking Crate"), "22.00", {}, {}),
    Template("Beauty > Hair > Shampoo", ("Argan Oil Shampoo", "Tea Tree Conditioner", "Solid Shampoo Bar", "Oat Milk Shampoo"), "8.50", {}, {}),
    Template("Books > Fiction", ("The Lighthouse Keeper", "Winter Orchard", "A Map of Small Islands", "Salt and Iron",
                               "The Quiet Ferry"), "8.99",
             {"Author": "E. Marsh", "Language": "English", "Book Format": "Paperback"}, {}, barcode="isbn",
             dimensions=("20", "13", "2", "cm")),
    Template("Books > Self-help", ("Small Habits, Big Days",), "12.99",
             {"Author": "R. Okafor", "Language": "English"}, {}, barcode="isbn"),
    Template("Food > Coffee", ("Single Origin Espresso Beans", "Decaf Ground Coffee", "Cafetiere Blend"), "9.50",
             {"Allergen Information": "None", "Shelf Life": "6-12 months"}, {"Weight": ("250g", "1kg")}),
    Template("Food > Tea", ("Earl Grey Loose Leaf", "Peppermint Tea Bags", "English Breakfast Tea"), "5.25",
             {"Allergen Information": "None", "Shelf Life": "Over 12 months"}, {}),
    Template("Food > Chocolate", ("Sea Salt Dark Chocolate", "Hazelnut Milk Chocolate", "Orange Dark Chocolate"), "3.75",
             {"Allergen Information": "Milk", "Shelf Life": "6-12 months"}, {}),
    Template("Food > Honey", ("Wildflower Honey", "Heather Honey", "Manuka Blend Honey"), "7.95",
             {"Allergen Information": "None", "Shelf Life": "Over 12 months"}, {}),
    Template("Electronics > Audio > Headphones", ("Wireless Earbuds", "Over-ear Headphones", "Kids Headphones"), "59.00",
             {"Contains Batteries or Cells?": "Batteries", "Battery Type": "Lithium-ion",
              "How Batteries Are Packed": "Batteries contained in equipment"}, {"Colour": ("Black", "White")}),
    Template("Electronics > Wearables", ("Fitness Band", "Sleep Tracker Ring"), "39.00",
             {"Contains Batteries or Cells?": "Batteries", "Battery Type": "Lithium Polymer",
              "How Batteries Are Packed": "Batteries contained in equipment"}, {}),
    Template(UNMAPPED_CATEGORY, ("Heritage Tomato Seeds", "Wildflower Seed Mix"), "2.99", {}, {}),
)

DESCRIPTIONS = (
    "<p>{name}, made to last and chosen by our team.</p><ul><li>Free UK returns</li><li>Ships in 1 working day</li></ul>",
    "<p>Why you'll love the {name}:</p><ol><li>Carefully sourced materials</li><li>Designed in the UK</li>"
    "<li>Gift-wrapped on request</li></ol><table><tr><th>Detail</th><th>Value</th></tr><tr><td>Care</td>"
    "<td>See label</td></tr><tr><td>Origin</td><td>United Kingdom</td></tr></table>",
    "<h3>{name}</h3><p>Everything you need to know:</p><table><tr><td>Material</td><td>See attributes</td></tr>"
    "<tr><td>Warranty</td><td>1 year</td></tr></table><script>track()</script><p>Questions? Ask us.</p>",
)


def _ean(seed: int) -> str:
    body = f"50{seed:010d}"
    return body + ean.calc_check_digit(body)


def _isbn(seed: int) -> str:
    body = f"978{seed:09d}"
    return body + ean.calc_check_digit(body)  # an ISBN-13 is an EAN-13 in the 978 range


def build_catalog(image_base_url: str, *, version: int = 1) -> list[dict[str, Any]]:
    """The canonical products (docs/canonical-data.md) of the demo store; ids are stable so re-runs update, not duplicate."""
    products: list[dict[str, Any]] = []
    counter = itertools.count(1)
    for t_index, template in enumerate(TEMPLATES):
        path = template.category.split(" > ")
        for n_index, name in enumerate(template.names):
            number = next(counter)
            pid = str(1000 + number)
            fmt = IMAGE_FORMATS[number % len(IMAGE_FORMATS)]
            option_names = list(template.options)
            combos = list(itertools.product(*template.options.values())) or [()]
            variants = []
            for v_index, combo in enumerate(combos):
                options = dict(zip(option_names, combo))
                barcode = None
                if template.barcode == "ean":
                    barcode = _ean(number * 100 + v_index)
                elif template.barcode == "isbn":
                    barcode = _isbn(number * 100 + v_index)
                variants.append({
                    "id": f"{pid}-{v_index + 1}", "sku": f"DEMO-{pid}-{v_index + 1}", "price": template.price,
                    "compare_at_price": None, "currency": "GBP", "quantity": 20 + (number * 7 + v_index) % 30,
                    "manage_stock": True, "options": options, "barcode": barcode,
                    "barcode_type": {"ean": "EAN", "isbn": "ISBN"}.get(template.barcode),
                    "image_url": f"{image_base_url}/img/{pid}-v{v_index + 1}.jpg" if option_names and v_index < 2 else None,
                    "weight": None, "dimensions": None,
                })
            product = {
                "id": pid, "version": version, "status": "active", "title": name,
                "description_html": DESCRIPTIONS[number % len(DESCRIPTIONS)].format(name=name),
                "url": f"{image_base_url}/products/{pid}", "brand": "Harbour & Pine",
                "categories": [{"id": str(100 + t_index), "name": path[-1], "path": path}],
                "images": [{"url": f"{image_base_url}/img/{pid}-1.{fmt}", "alt": name},
                           {"url": f"{image_base_url}/img/{pid}-2.jpg", "alt": f"{name} detail"}],
                "attributes": dict(template.attributes),
                "weight": {"value": template.weight[0], "unit": template.weight[1]} if template.weight else None,
                "dimensions": dict(zip(("length", "width", "height", "unit"), template.dimensions))
                if template.dimensions else None,
                "variants": variants,
            }
            products.append(product)
    _add_problems(products)
    return products


def _add_problems(products: list[dict[str, Any]]) -> None:
    """The cases a merchant meets in real catalogs, so the demo shows every status and reason."""
    by_title = {p["title"]: p for p in products}
    # Missing package dimensions in a category that requires them (fixable on the settings page).
    for title in ("Oak Photo Frame", "Seagrass Basket"):
        by_title[title]["dimensions"] = None
    # Missing barcodes in a category that needs an identifier code.
    for variant in by_title["Argan Oil Shampoo"]["variants"]:
        variant["barcode"] = None
    by_title["Wildflower Honey"]["variants"][0]["barcode"] = None
    # Over TikTok's price limit.
    for variant in by_title["Over-ear Headphones"]["variants"]:
        variant["price"] = "250000.00"
    # A title TikTok's review rejects (the sandbox rejects "replica").
    by_title["Brass Picture Frame"]["title"] = "Brass Picture Frame (Designer Replica)"


def second_store_catalog(image_base_url: str) -> list[dict[str, Any]]:
    """A few products of the EUR store that shows the currency stop."""
    items = build_catalog(image_base_url)[:3]
    for product in items:
        product["id"] = "eu-" + product["id"]
        for variant in product["variants"]:
            variant["currency"] = "EUR"
            variant["id"] = "eu-" + variant["id"]
    return items
