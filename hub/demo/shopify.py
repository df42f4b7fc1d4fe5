"""The demo's Shopify store: a fake Shopify on loopback (Shopify's real Admin schema, see
plugins/shopify/fake_admin) with a small catalogue, installed into the demo merchant's hub account
through the app's authorization-code install, listed on TikTok beside the demo store, taking one
TikTok order and shipping it.

The fake's state (tokens, products, orders) is kept in the data folder, so a second `hub demo`
resumes with the same connection instead of installing again.
"""

from __future__ import annotations

import json
import secrets
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from stdnum import ean

SHOP = "harbour-and-pine.myshopify.com"
CLIENT_ID = "demo-shopify-client-id"
LACES, CANDLES = "Shoes > Accessories > Laces", "Home > Candles"
PRODUCTS = (("Waxed Cotton Boot Laces", LACES, "4.50"), ("Leather Lace Pair", LACES, "6.00"),
            ("Recycled Flat Laces", LACES, "3.25"), ("Smoked Oak Candle", CANDLES, "16.00"),
            ("Wild Mint Candle", CANDLES, "15.00"))


def _ean(seed: int) -> str:
    body = f"50{seed:010d}"[:12]
    return body + ean.calc_check_digit(body)


class DemoShopify:
    """Owns the fake Shopify of one demo run."""

    def __init__(self, data_dir: Path, port: int, hub_url: str):
        self.state_file = data_dir / "shopify-state.json"
        secret_file = data_dir / "shopify-client-secret"
        if not secret_file.exists():
            secret_file.write_text("shpss_" + secrets.token_hex(16))
        self.client_secret = secret_file.read_text().strip()
        self.port, self.hub_url = port, hub_url
        self.fake: Any = None
        self.ready = threading.Event()
        self.error: str | None = None

    def env(self) -> dict[str, str]:
        """What the hub's processes need to reach this Shopify."""
        return {"HUB_SHOPIFY_CLIENT_ID": CLIENT_ID, "HUB_SHOPIFY_CLIENT_SECRET": self.client_secret,
                "HUB_SHOPIFY_ADMIN_URL": f"http://127.0.0.1:{self.port}/{{shop}}"}

    def start_in_background(self) -> None:
        """Building Shopify's schema takes a couple of seconds: done while the hub starts."""
        threading.Thread(target=self._start, daemon=True).start()

    def _start(self) -> None:
        try:
            from plugins.shopify.fake_admin import FakeShopify

            self.fake = FakeShopify(CLIENT_ID, self.client_secret, hub_url=self.hub_url, port=self.port).start()
            if self.state_file.exists():
                self._load()
            else:
                self._seed()
        except Exception as error:  # noqa: BLE001 - the demo goes on without its Shopify store, and says why
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.ready.set()

    def _seed(self) -> None:
        fake = self.fake
        shop = fake.add_shop(SHOP, "Harbour & Pine (Shopify)")
        location = shop.locations[0]["id"]
        for n, (title, kind, price) in enumerate(PRODUCTS):
            pid = str(8100 + n)
            colours = ("Black", "Tan") if kind == LACES else ("",)
            fake.save_product(SHOP, {
                "id": pid, "title": title, "status": "ACTIVE", "vendor": "Harbour & Pine", "productType": kind,
                "descriptionHtml": f"<p>{title}, made in small batches.</p><ul><li>Gift boxed</li></ul>",
                "handle": title.lower().replace(" ", "-"), "images": [{"url": fake.image(f"shopify-{pid}",
                                                                                          (60 + 30 * n, 90, 120)),
                                                                      "alt": title}],
                "options": [{"name": "Colour", "values": list(colours)}] if kind == LACES else [],
                "variants": [{"id": f"{pid}{v}", "sku": f"SHOP-{pid}-{v}", "price": price, "barcode": _ean(int(pid) * 10 + v),
                              "options": {"Colour": colour} if colour else {}, "weight": ("120", "GRAMS"),
                              "levels": {location: {"available": 15 + 3 * n + v}}}
                             for v, colour in enumerate(colours)]}, notify=False)

    def save(self) -> None:
        if self.fake is None:
            return
        fake = self.fake
        shops = {d: {"name": s.name, "currency": s.currency, "locations": s.locations, "products": s.products,
                     "orders": s.orders} for d, s in fake.shops.items()}
        self.state_file.write_text(json.dumps({"tokens": fake.tokens, "refresh_tokens": fake.refresh_tokens,
                                               "shops": shops, "next_id": fake.new_id()}))

    def _load(self) -> None:
        fake = self.fake
        state = json.loads(self.state_file.read_text())
        fake.tokens = {k: tuple(v) for k, v in state["tokens"].items()}
        fake.refresh_tokens = dict(state["refresh_tokens"])
        for domain, saved in state["shops"].items():
            shop = fake.add_shop(domain, saved["name"], currency=saved["currency"])
            shop.locations, shop.products, shop.orders, shop.installed = \
                saved["locations"], saved["products"], saved["orders"], True

    def install(self, runtime: Any, merchant_id: str) -> str | None:
        """Install the app for the demo merchant (authorization-code grant); returns the store id."""
        from sqlalchemy import select

        from hub.models import StoreCredential
        from hub.stores import install

        with runtime.db.session_scope() as session:
            found = session.scalar(select(StoreCredential).where(StoreCredential.shop_id == SHOP))
            if found is not None and found.status == "connected":
                return found.store_id
        state = install.new_state(runtime, "shopify", merchant_id)
        authorize = f"http://127.0.0.1:{self.port}/{SHOP}/admin/oauth/authorize?" + urlencode(
            {"client_id": CLIENT_ID, "scope": "read_products,read_inventory,read_locations,write_orders",
             "redirect_uri": f"{self.hub_url}/stores/shopify/auth/callback", "state": state})
        response = requests.get(authorize, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"the Shopify install answered {response.status_code}: {response.text[:200]}")
        with runtime.db.session_scope() as session:
            made = session.scalar(select(StoreCredential).where(StoreCredential.shop_id == SHOP))
            return made.store_id if made is not None else None

    def set_up_categories(self, runtime: Any, store_id: str) -> None:
        """What the merchant sets on the Categories page for the Shopify store: a package size and the
        attribute Shopify has no field for."""
        from sqlalchemy import select

        from hub.models import CategoryDefaults

        package = {"dimensions": {"length": "20", "width": "15", "height": "5", "unit": "cm"}}
        with runtime.db.session_scope() as session:
            for category, attributes in (("902152", {}), ("854152", {"Occasion": "Everyday"})):
                if session.scalar(select(CategoryDefaults).where(CategoryDefaults.store_id == store_id,
                                                                 CategoryDefaults.tiktok_category_id == category)):
                    continue
                session.add(CategoryDefaults(store_id=store_id, tiktok_category_id=category, attributes=attributes,
                                             package=package))

    def ship(self, order_id: str) -> None:
        self.fake.fulfil(SHOP, order_id, f"JD00022{order_id[-8:]}", "Royal Mail")

    def close(self) -> None:
        if self.fake is not None:
            self.save()
            self.fake.close()
