"""The demo's BigCommerce store: the fake BigCommerce on loopback, installed through the app's real
callbacks, so `hub demo` shows a hosted store next to the extension stores.

The merchant starts the install on the hub's Stores page (the demo login is also the BigCommerce
account's e-mail, so the store joins the demo merchant), approves it in the fake control panel, and the
install's first sweep subscribes the webhooks and reads the catalogue. A second run starts a new fake
(tokens do not survive it) and installs again: the same store resumes, nothing is listed twice.
"""

from __future__ import annotations

import re
from typing import Any

import requests

STORE_HASH = "harbourpine"
CLIENT_ID, CLIENT_SECRET, APP_ID = "demo-bigcommerce-app", "demo-bigcommerce-secret-0123456789abcdef", "31415"
CANDLES = [("Beeswax Taper Candle", "CANDLE-TAPER", 6.5), ("Soy Jar Candle, Fig", "CANDLE-FIG", 14.0),
           ("Soy Jar Candle, Cedar", "CANDLE-CEDAR", 14.0), ("Tealights, pack of 12", "TEALIGHT-12", 4.5)]


class DemoBigCommerce:
    def __init__(self, owner_email: str):
        from plugins.bigcommerce.fake import FakeBigCommerce

        self.fake = FakeBigCommerce(CLIENT_ID, CLIENT_SECRET, app_id=APP_ID).start()
        store = self.fake.add_store(STORE_HASH, "Harbour & Pine (BigCommerce)", owner_email=owner_email)
        store.categories.update({40: {"category_id": 40, "parent_id": 0, "tree_id": 1, "name": "Home"},
                                 41: {"category_id": 41, "parent_id": 40, "tree_id": 1, "name": "Candles"}})

    def env(self) -> dict[str, str]:
        """What the hub's processes need to load the BigCommerce app against the fake."""
        return {"HUB_BIGCOMMERCE_CLIENT_ID": CLIENT_ID, "HUB_BIGCOMMERCE_CLIENT_SECRET": CLIENT_SECRET,
                "HUB_BIGCOMMERCE_APP_ID": APP_ID, "HUB_BIGCOMMERCE_API_URL": self.fake.api_url,
                "HUB_BIGCOMMERCE_LOGIN_URL": self.fake.login_url, "HUB_BIGCOMMERCE_ADMIN_ORIGIN": self.fake.admin_origin}

    def install(self, hub_url: str, image_url: str, email: str, password: str) -> None:
        """The catalogue, then the install as the merchant does it (Stores page → BigCommerce → /auth)."""
        from plugins.bigcommerce.fake import make_product

        self.fake.configure_app(f"{hub_url}/stores/bigcommerce")
        for n, (name, sku, price) in enumerate(CANDLES):
            self.fake.save_product(STORE_HASH, make_product(
                3000 + n, name, sku=sku, price=price, tracking="product", stock=12 + n, categories=[41],
                weight=0.4, dimensions=(10, 10, 12), gtin="", mpn=sku, images=[f"{image_url}/bc-candle-{n}.jpg"],
                description=f"<p>{name}, hand-poured in Cornwall.</p>"), notify=False)
        browser = requests.Session()
        login = browser.get(f"{hub_url}/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        browser.post(f"{hub_url}/login", data={"csrf_token": token.group(1) if token else "", "email": email,
                                               "password": password}, timeout=30)
        stores = browser.get(f"{hub_url}/stores/", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', stores)
        started = browser.post(f"{hub_url}/stores/install/bigcommerce", allow_redirects=False, timeout=30,
                               data={"csrf_token": token.group(1) if token else "", "shop": STORE_HASH})
        if started.status_code != 303:
            raise RuntimeError(f"The hub did not start the BigCommerce install ({started.status_code})")
        self.fake.sign_in(STORE_HASH)  # the merchant, signed in to BigCommerce, approves the app
        landed = requests.get(started.headers["Location"], timeout=60)
        if landed.status_code != 200:
            raise RuntimeError(f"The BigCommerce install failed ({landed.status_code}): {landed.text[:300]}")

    def store_id(self, runtime: Any) -> str | None:
        from sqlalchemy import select

        from hub.models import StoreCredential

        with runtime.db.session_scope() as session:
            return session.scalar(select(StoreCredential.store_id).where(StoreCredential.platform == "bigcommerce",
                                                                         StoreCredential.shop_id == STORE_HASH))

    def load_url(self) -> str:
        """What the control panel opens when the merchant clicks the app (valid 24 hours, once)."""
        return self.fake.load_url(STORE_HASH)

    def stop(self) -> None:
        self.fake.stop()
