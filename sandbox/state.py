"""All sandbox state lives in one :class:`SandboxState` guarded by the runtime's lock."""

from __future__ import annotations

import random

import collections
import copy
import time
from dataclasses import dataclass, field

from . import ids
from .fixture import shop_fixture

ALL_SCOPES = [
    "seller.authorization.info", "seller.shop.info", "seller.product.basic", "seller.product.write",
    "seller.product.delete", "serller.product.optimize", "seller.order.info", "seller.logistics",
    "seller.fulfillment.basic", "seller.return_refund.basic",
]

PREREQUISITE_ITEMS = [
    "SHOP_STATUS", "SHOP_TAX", "PICKUP_WAREHOUSE", "RETURN_WAREHOUSE", "DELIVERY_OPTION",
    "SHIPPING_TEMPLATE", "PRODUCT_QUANTITY_LIMIT", "EXTENDED_PRODUCER_RESPONSIBILITY",
    "BANk_ACCOUNT", "CONTACT_INFO",
]

DEFAULT_REJECT_WORDS = ["replica", "counterfeit", "fake designer"]


@dataclass
class ReviewPolicy:
    mode: str = "auto"               # auto | manual
    delay_seconds: float = 2.0
    reject_title_words: list = field(default_factory=lambda: list(DEFAULT_REJECT_WORDS))

    def as_dict(self):
        return {"mode": self.mode, "delay_seconds": self.delay_seconds,
                "reject_title_words": list(self.reject_title_words)}


@dataclass
class TokenPolicy:
    access_token_ttl: float = 7 * 24 * 3600.0
    refresh_token_ttl: float = 365 * 24 * 3600.0
    refresh_rotates: bool = False
    granted_scopes: list = field(default_factory=lambda: list(ALL_SCOPES))

    def as_dict(self):
        return {"access_token_ttl": self.access_token_ttl, "refresh_token_ttl": self.refresh_token_ttl,
                "refresh_rotates": self.refresh_rotates, "granted_scopes": list(self.granted_scopes)}


class TokenBucket:
    def __init__(self, rate: float):
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """Take one token; return 0 if allowed, else seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class SandboxState:
    """Everything the sandbox knows. Mutate only while holding the runtime lock."""

    def __init__(self, options: dict):
        fx = shop_fixture()
        self.options = options
        self.created_at = time.time()
        # ids
        self.product_ids = ids.IdGen("17296", 19)
        self.sku_ids = ids.IdGen("17297", 19)
        self.order_ids = ids.IdGen("5764", 18)
        self.line_ids = ids.IdGen("5770", 18)
        self.package_ids = ids.IdGen("1152", 19)
        self.cancel_ids = ids.IdGen("4035", 19)
        self.attr_ids = ids.IdGen("7100", 19)
        self.brand_ids = ids.IdGen("70824", 19)
        self.warehouse_ids = ids.IdGen("70685", 19)
        self.notification_ids = ids.IdGen("7327", 19)
        self.buyer_ids = ids.IdGen("70214", 19)
        # shop / seller
        self.shops: dict[str, dict] = {}
        for shop in fx["shops"]:
            shop = dict(shop)
            shop.setdefault("currency", "GBP")
            shop["settings"] = self.default_shop_settings(options)
            self.shops[shop["id"]] = shop
        first = next(iter(self.shops))
        self.default_shop_id = first
        self._fixture_warehouses = fx["warehouses"]
        self._fixture_size_charts = fx.get("size_charts", [])
        self.warehouses: dict[str, list[dict]] = {sid: copy.deepcopy(fx["warehouses"]) for sid in self.shops}
        self.brands: list[dict] = fx["brands"]
        # the shop's size chart templates (made in Seller Center; the API only searches them)
        self.size_charts: dict[str, list[dict]] = {sid: copy.deepcopy(fx.get("size_charts", [])) for sid in self.shops}
        self.shop_ids = ids.IdGen("74941", 19)
        self.delivery_options: list[dict] = fx["delivery_options"]
        self.shipping_providers: list[dict] = fx["shipping_providers"]
        # catalog objects
        self.images: dict[str, dict] = {}
        self.files: dict[str, dict] = {}
        self.custom_attr_ids: dict[str, str] = {}
        self.custom_value_ids: dict[tuple, str] = {}
        # products
        self.products: dict[str, dict] = {}
        self.idempotency: dict[tuple, dict] = {}
        self.external_ids: dict[tuple, str] = {}
        self.listing_counts: collections.Counter = collections.Counter()
        # orders
        self.orders: dict[str, dict] = {}
        self.packages: dict[str, dict] = {}
        self.cancellations: dict[str, dict] = {}
        # auth
        self.auth_codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.refresh_tokens: dict[str, dict] = {}
        self.token_policy = TokenPolicy(
            access_token_ttl=float(options.get("access_token_ttl", TokenPolicy.access_token_ttl)),
            refresh_token_ttl=float(options.get("refresh_token_ttl", TokenPolicy.refresh_token_ttl)),
        )
        # webhooks
        self.webhook_url: str | None = options.get("webhook_url")
        self.event_subscriptions: dict[str, dict] = {sid: {} for sid in self.shops}
        self.webhook_log: list[dict] = []
        self.webhooks_sent = 0
        # review
        self.review_policy = ReviewPolicy(
            mode=options.get("review_mode", "auto"),
            delay_seconds=float(options.get("review_delay", 2.0)),
        )
        # traffic
        self.calls: collections.Counter = collections.Counter()
        self.throttled: collections.Counter = collections.Counter()
        self.rate_default: float = float(options.get("rate_limit", 50.0))
        self.fault_random = random.Random(options.get("fault_seed"))
        self.rate_per_endpoint: dict[str, float] = {}
        self.buckets: dict[tuple, TokenBucket] = {}
        # per shop: (shop id, "METHOD template") -> calls / 429s, and calls per whole second of the clock
        self.shop_calls: collections.Counter = collections.Counter()
        self.shop_throttled: collections.Counter = collections.Counter()
        self.shop_seconds: dict[tuple, collections.Counter] = {}
        self.faults: list[dict] = []
        self.page_tokens: dict[str, dict] = {}
        # more shops (merchants) than the fixture's one, each with its own budget
        for _ in range(int(options.get("shops", 1)) - len(self.shops)):
            self.add_shop(rate_limit=options.get("shop_rate_limit"))

    # ---- shops -------------------------------------------------------------------------------
    @staticmethod
    def default_shop_settings(options: dict) -> dict:
        return {
            "failing_prerequisites": [],
            "daily_listing_cap": int(options.get("daily_listing_cap", 1000)),
            "category_versions": ["v1", "v2"],
            # category id -> support_identifier_code_exemption, answered in that category's rules
            "identifier_exemption": {},
            "allow_zero_stock_on_create": False,
            # Update inventory: the current docs give [1, 99,999], older docs and live products show 0.
            "allow_zero_stock_on_update": True,
            "strict_price_update": True,
            "active": True,
            # Send types 1, 3, 4, 5, 6, 7, 11, 12 as TikTok's samples show them: without tts_notification_id.
            "legacy_webhook_envelopes": False,
            # requests/second per endpoint for this shop; None: the sandbox's default (and per-endpoint) limits
            "rate_limit": None,
        }

    def add_shop(self, name: str | None = None, rate_limit: float | None = None, region: str = "GB",
                 currency: str = "GBP") -> dict:
        """Another seller's shop: its own id, cipher, warehouses and webhooks, and (`rate_limit`) its own
        requests/second per endpoint instead of the sandbox's default."""
        sid = self.shop_ids.next()
        n = len(self.shops) + 1
        shop: dict = {"id": sid, "name": name or f"Sandbox Shop {n}", "region": region, "seller_type": "LOCAL",
                      "cipher": "ROW_" + ids.token("", 21)[:28], "code": f"GBLC{n:06d}", "currency": currency,
                      "open_id": ids.IdGen("70107", 19).next(), "seller_name": name or f"Sandbox Seller {n}"}
        shop["settings"] = self.default_shop_settings(self.options)
        shop["settings"]["rate_limit"] = None if rate_limit is None else float(rate_limit)
        self.shops[sid] = shop
        self.warehouses[sid] = copy.deepcopy(self._fixture_warehouses)
        self.size_charts[sid] = copy.deepcopy(self._fixture_size_charts)
        self.event_subscriptions[sid] = {}
        return shop

    def shop_products(self, shop_id: str) -> list[dict]:
        """The shop's products in creation order, without a scan of every shop's catalogue on each call.

        Products are only ever added to `products` (a deleted one keeps its entry with status DELETED), so
        an index is current while the number of products is unchanged.
        """
        index = self.__dict__.get("_shop_index")
        if index is None or index[0] != len(self.products):
            by_shop: dict[str, list[dict]] = {}
            for product in self.products.values():
                by_shop.setdefault(product["shop_id"], []).append(product)
            index = self.__dict__["_shop_index"] = (len(self.products), by_shop)
        return index[1].get(shop_id, [])

    def shop_by_cipher(self, cipher: str) -> dict | None:
        for shop in self.shops.values():
            if shop["cipher"] == cipher:
                return shop
        return None

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_shop_index"}

    def __setstate__(self, saved: dict) -> None:
        """A state file written before shops had budgets of their own loads with empty traffic counters."""
        self.__dict__.update(saved)
        fx = shop_fixture()
        self.__dict__.setdefault("_fixture_warehouses", fx["warehouses"])
        self.__dict__.setdefault("_fixture_size_charts", fx.get("size_charts", []))
        self.__dict__.setdefault("shop_ids", ids.IdGen("74941", 19))
        self.__dict__.setdefault("shop_calls", collections.Counter())
        self.__dict__.setdefault("shop_throttled", collections.Counter())
        self.__dict__.setdefault("shop_seconds", {})
        for shop in self.shops.values():
            shop["settings"].setdefault("rate_limit", None)

    def public_shop(self, shop: dict) -> dict:
        return {"id": shop["id"], "name": shop["name"], "region": shop["region"],
                "seller_type": shop["seller_type"], "cipher": shop["cipher"], "code": shop["code"]}

    def warehouse(self, shop_id: str, warehouse_id: str) -> dict | None:
        for wh in self.warehouses.get(shop_id, []):
            if wh["id"] == warehouse_id:
                return wh
        return None

    def sales_warehouses(self, shop_id: str) -> list[dict]:
        return [w for w in self.warehouses.get(shop_id, []) if w["type"] == "SALES_WAREHOUSE"]

    def prerequisite_results(self, shop_id: str) -> list[dict]:
        shop = self.shops[shop_id]
        forced = set(shop["settings"]["failing_prerequisites"])
        whs = self.warehouses.get(shop_id, [])
        enabled = [w for w in whs if w.get("effect_status") == "ENABLED"]
        if not any(w["type"] == "RETURN_WAREHOUSE" for w in enabled):
            forced.add("RETURN_WAREHOUSE")
        if not any(w["type"] == "SALES_WAREHOUSE" for w in enabled):
            forced.add("PICKUP_WAREHOUSE")
        if not shop["settings"].get("active", True):
            forced.add("SHOP_STATUS")
        reasons = {
            "RETURN_WAREHOUSE": "Couldn't publish this product as you haven't set the return warehouse for your "
                                "shop. Add the return warehouse information on TikTok Shop Seller Center first "
                                "and try again.",
            "PICKUP_WAREHOUSE": "Couldn't publish this product as you haven't set a pickup (sales) warehouse for "
                                "your shop. Add it on TikTok Shop Seller Center first and try again.",
            "SHOP_STATUS": "Your shop is not active. Resolve the issues shown on Seller Center and try again.",
        }
        out = []
        for item in PREREQUISITE_ITEMS:
            failed = item in forced
            entry = {"check_item": item, "is_failed": failed}
            if failed:
                entry["fail_reasons"] = [reasons.get(
                    item, f"Couldn't publish this product: the {item.lower()} set-up of your shop is "
                          "incomplete. Complete it on TikTok Shop Seller Center and try again.")]
            out.append(entry)
        return out

    # ---- page tokens -------------------------------------------------------------------------
    def new_page_token(self, kind: str, fingerprint: str, offset: int) -> str:
        tok = ids.opaque_page_token()
        if len(self.page_tokens) > 20000:  # bound memory
            for k in list(self.page_tokens)[:10000]:
                del self.page_tokens[k]
        self.page_tokens[tok] = {"kind": kind, "fingerprint": fingerprint, "offset": offset}
        return tok

    def read_page_token(self, kind: str, fingerprint: str, token: str) -> int | None:
        entry = self.page_tokens.get(token)
        if entry is None or entry["kind"] != kind or entry["fingerprint"] != fingerprint:
            return None
        return entry["offset"]

    # ---- traffic -----------------------------------------------------------------------------
    def rate_for(self, method: str, template: str, shop: dict | None = None) -> float:
        """A per-endpoint override first, then the shop's own budget, then the sandbox default."""
        for key in (f"{method} {template}", template):
            if key in self.rate_per_endpoint:
                return float(self.rate_per_endpoint[key])
        own = (shop or {}).get("settings", {}).get("rate_limit")
        return float(own) if own is not None else self.rate_default

    def take_rate(self, app_key: str, shop_key: str, method: str, template: str, shop: dict | None = None) -> float:
        """TikTok counts requests per app + shop + API: each shop has its own bucket per endpoint."""
        rate = self.rate_for(method, template, shop)
        if rate is None or rate <= 0:
            return 0.0
        key = (app_key, shop_key, method, template)
        bucket = self.buckets.get(key)
        if bucket is None or bucket.rate != rate:
            bucket = self.buckets[key] = TokenBucket(rate)
        return bucket.take()

    def count_shop_call(self, shop_id: str, route_key: str, throttled: bool) -> None:
        """Per shop and endpoint: calls, 429s, and calls per second (what share of its budget a shop used)."""
        key = (shop_id, route_key)
        if throttled:
            self.shop_throttled[key] += 1
            return
        self.shop_calls[key] += 1
        seconds = self.shop_seconds.get(key)
        if seconds is None:
            seconds = self.shop_seconds[key] = collections.Counter()
        seconds[int(time.time())] += 1
        if len(seconds) > 7200:  # two hours of seconds per shop and endpoint
            for stamp in sorted(seconds)[:3600]:
                del seconds[stamp]

    def take_fault(self, method: str, template: str, path: str) -> dict | None:
        for fault in self.faults:
            if fault["remaining"] <= 0:
                continue
            ep = fault["endpoint"].strip()
            if ep != "*":
                parts = ep.split(" ", 1)
                if len(parts) == 2 and parts[0].isupper():
                    f_method, f_path = parts[0], parts[1].strip()
                    if f_method != method:
                        continue
                else:
                    f_path = ep
                if f_path not in (template, path):
                    continue
            if fault.get("rate") is not None and self.fault_random.random() >= fault["rate"]:
                continue  # a rate fault strikes that share of the matching calls, at random
            fault["remaining"] -= 1
            fault["hits"] += 1
            return fault
        return None
