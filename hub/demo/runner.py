"""`hub demo`: the hub, workers, the TikTok Shop sandbox and two demo stores, started and stopped together.

Everything is embedded (SQLite, the private Redis-compatible server, the sandbox with its state in a
file), so the demo needs nothing installed and a second run resumes where the first stopped: stores,
credentials, the TikTok connection and orders are found again rather than created twice.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from werkzeug.serving import make_server

from hub.demo.catalog import CATEGORY_MAP, build_catalog, second_store_catalog
from hub.demo.lifecycle import DataFolderLock, CannotStart, DemoStopped, check_port, ignore_signals, raise_on_signals
from hub.demo.processes import ProcessGroup, wait_for_http
from hub.demo.shopify import SHOP as SHOPIFY_SHOP
from hub.demo.shopify import DemoShopify
from hub.demo.store import DemoStore, image_app
from plugins.hub_client import HubClient

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
APP_KEY, APP_SECRET, SERVICE_ID = "demo-app-key", "demo-app-secret-0123456789", "demo-service"
SETTLED = ("Active", "Failed to sync", "Failed review", "Synced", "Needs category")
# Summaries list statuses in the order a product or an order lives through them, not alphabetically.
PRODUCT_LIFECYCLE = ("Needs category", "Not synced", "Failed to sync", "Under review", "Failed review", "Active",
                     "Synced")
ORDER_LIFECYCLE = ("Pending", "Failed", "Created", "Cancelled")


def in_lifecycle(counts: dict[str, int], lifecycle: tuple[str, ...]) -> list[tuple[str, int]]:
    """Known statuses in lifecycle order, then any other (future) status by name."""
    rank = {status: i for i, status in enumerate(lifecycle)}
    return sorted(counts.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))

# Lines are never cut or folded at a width (the terminal wraps them; a log or a pipe keeps them whole).
console = Console(soft_wrap=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _BigCommerceDemo:
    """The BigCommerce store's part of the run, kept apart from the extension stores' (`Demo` mixes it in)."""

    bigcommerce: Any
    runtime: Any
    hub_url: str

    def start_bigcommerce(self) -> str | None:
        from hub.demo.bigcommerce import CANDLES
        from hub.models import ProductSnapshot

        self.bigcommerce.install(self.hub_url, self.image_url, DEMO_EMAIL, DEMO_PASSWORD)  # type: ignore[attr-defined]
        store_id = self.bigcommerce.store_id(self.runtime)
        console.print("Installed the BigCommerce app for [bold]Harbour & Pine (BigCommerce)[/] (fake BigCommerce).")
        deadline = time.monotonic() + 30
        while store_id and time.monotonic() < deadline:
            with self.runtime.db.session_scope() as session:
                read = session.scalar(select(func.count()).select_from(ProductSnapshot)
                                      .where(ProductSnapshot.store_id == store_id))
            if (read or 0) >= len(CANDLES):
                break
            time.sleep(0.3)
        if store_id:
            self.map_categories(store_id)  # type: ignore[attr-defined]
        return store_id

    def print_bigcommerce(self, store_id: str | None) -> None:
        if not store_id:
            return
        table = _table("Harbour & Pine (BigCommerce) — products")
        table.add_column("status")
        table.add_column("products", justify="right")
        for status, n in in_lifecycle(self.status_counts(store_id), PRODUCT_LIFECYCLE):  # type: ignore[attr-defined]
            table.add_row(status, str(n))
        console.print(table)
        console.print(f"The BigCommerce app's page, as the control panel opens it: {self.bigcommerce.load_url()}")


class Demo(_BigCommerceDemo):
    def __init__(self, port: int, data_dir: Path):
        self.port = port
        self.data_dir = data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.hub_url = f"http://127.0.0.1:{port}"
        self.sandbox_url = f"http://127.0.0.1:{_free_port()}"
        self.env = {
            **os.environ, "HUB_DATA_DIR": str(self.data_dir), "HUB_PUBLIC_URL": self.hub_url,
            "HUB_TIKTOK_API_BASE": self.sandbox_url, "HUB_TIKTOK_AUTH_BASE": self.sandbox_url,
            "HUB_TIKTOK_AUTHORIZE_URL": f"{self.sandbox_url}/open/authorize",
            "HUB_TIKTOK_APP_KEY": APP_KEY, "HUB_TIKTOK_APP_SECRET": APP_SECRET, "HUB_TIKTOK_SERVICE_ID": SERVICE_ID,
            "HUB_ALLOW_PRIVATE_IMAGE_HOSTS": "1",
        }
        self.shopify = DemoShopify(self.data_dir, _free_port(), self.hub_url)
        self.env.update(self.shopify.env())
        # A BigCommerce store (the fake BigCommerce on loopback): hub/demo/bigcommerce.py.
        from hub.demo.bigcommerce import DemoBigCommerce

        self.bigcommerce = DemoBigCommerce(DEMO_EMAIL)
        self.env.update(self.bigcommerce.env())
        self.group = ProcessGroup(self.env, self.data_dir / "logs")
        self.stop_event = threading.Event()
        self.runtime: Any = None
        self.image_server: Any = None

    # -- processes --------------------------------------------------------------------------------
    def start_processes(self) -> None:
        port = self.sandbox_url.rsplit(":", 1)[1]
        self.group.start("sandbox", ["-m", "sandbox", "--host", "127.0.0.1", "--port", port, "--app-key", APP_KEY,
                                     "--app-secret", APP_SECRET, "--webhook-url", f"{self.hub_url}/tiktok/webhooks",
                                     "--review-delay", "4", "--quiet", "--redirect-url",
                                     f"{self.hub_url}/tiktok/oauth/callback",
                                     "--state-file", str(self.data_dir / "sandbox.state")])
        wait_for_http(f"{self.sandbox_url}/sandbox/state", self.group)
        self.shopify.start_in_background()
        self.group.start("hub", ["-m", "hub.cli", "serve", "--port", str(self.port)])
        wait_for_http(f"{self.hub_url}/api/v1/openapi.json", self.group)
        for n in (1, 2):
            self.group.start(f"worker-{n}", ["-m", "hub.cli", "worker"] + ([] if n == 1 else ["--no-scheduler"]))
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # keep the terminal for progress
        image = make_server("127.0.0.1", 0, image_app(), threaded=True)
        threading.Thread(target=image.serve_forever, daemon=True).start()
        self.image_server = image

    @property
    def image_url(self) -> str:
        return f"http://127.0.0.1:{self.image_server.server_port}"

    def stop(self) -> None:
        """Each part is stopped even if another fails to: the processes above all."""
        self.stop_event.set()
        steps = [self.shopify.close, self.group.stop, self.bigcommerce.stop]
        if self.image_server is not None:
            steps.insert(0, self.image_server.shutdown)
        if self.runtime is not None:
            steps.insert(-2, self.runtime.close)
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - reported, and the next part is still stopped
                console.print(f"[yellow]while stopping:[/] {exc}")

    # -- set-up -----------------------------------------------------------------------------------
    def setup_hub(self) -> tuple[str, list[dict[str, str]]]:
        from hub.config import load_settings
        from hub.merchant_settings import merged
        from hub.merchants import create_store, create_user, find_or_create_merchant
        from hub.models import Merchant, TikTokShop, User
        from hub.runtime import Runtime, install
        from hub.tiktok.connection import connect

        self.runtime = Runtime.build(load_settings(environ=self.env))
        install(self.runtime)
        creds_file = self.data_dir / "demo-stores.json"
        with self.runtime.db.session_scope() as session:
            merchant = find_or_create_merchant(session, None, "Harbour & Pine")
            if session.scalar(select(User).where(User.email == DEMO_EMAIL)) is None:
                create_user(session, merchant, DEMO_EMAIL, DEMO_PASSWORD)
            # Orders are imported as soon as they are paid in the demo, not after TikTok's one-hour hold.
            # A daily listing cap below the catalog's size shows the listing plan ("Not synced", with the
            # day each product will go live).
            merchant.settings = merged(merchant.settings, {"orders": {"import_at": "immediately"},
                                                           "daily_listing_cap": 52})
            merchant_id = merchant.id
            shop = session.scalar(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id))
        if shop is None:
            code = requests.post(f"{self.sandbox_url}/sandbox/oauth/code", json={}, timeout=10).json()["code"]
            with self.runtime.db.session_scope() as session:
                connected = connect(self.runtime, session, code, merchant_id)
                console.print(f"Connected TikTok Shop [bold]{connected.shop_name}[/] ({connected.region}).")
        if creds_file.exists():
            stores = json.loads(creds_file.read_text())
        else:
            stores = []
            with self.runtime.db.session_scope() as session:
                merchant = session.get(Merchant, merchant_id)
                for name, currency in (("Harbour & Pine (UK store)", "GBP"), ("Harbour & Pine (EU store)", "EUR")):
                    store, secret = create_store(session, self.runtime.secrets, merchant, "demo", name)
                    stores.append({"store_id": store.id, "key_id": store.key_id, "secret": secret,
                                   "name": name, "currency": currency})
            creds_file.write_text(json.dumps(stores, indent=1))
            os.chmod(creds_file, 0o600)
        return merchant_id, stores

    def map_categories(self, store_id: str) -> None:
        from hub.models import Store
        from hub.sync.products.categories import find_leaf, map_category, store_mappings
        from hub.sync.policy import shop_for_store
        from hub.sync.products.schedule import enqueue_listings
        from hub.tiktok.connection import client_for_shop

        with self.runtime.db.session_scope() as session:
            existing = store_mappings(session, store_id)
            store = session.get_one(Store, store_id)
            shop = shop_for_store(session, store)
            if shop is None:
                raise RuntimeError("The demo's TikTok shop is not connected")
            todo = {path: cid for path, cid in CATEGORY_MAP.items()
                    if path.lower().replace(" ", "") not in {k.lower().replace(" ", "") for k in existing}}
            affected: list[str] = []
            if todo:
                with client_for_shop(self.runtime, shop) as client:
                    for path, category_id in todo.items():
                        version, name = find_leaf(client, category_id)
                        _, products = map_category(session, store_id, path, category_id, version=version, name=name)
                        affected.extend(products)
        if affected:
            enqueue_listings(self.runtime, store_id, affected)

    # -- progress ---------------------------------------------------------------------------------
    def status_counts(self, store_id: str) -> dict[str, int]:
        from hub.cli.products import products_report

        with self.runtime.db.session_scope() as session:
            counts: dict[str, int] = {}
            for row in products_report(session, store_id):
                counts[row["status"]] = counts.get(row["status"], 0) + 1
                if row["status"] == "Not synced" and row.get("reason_code") == "scheduled":
                    counts["scheduled"] = counts.get("scheduled", 0) + 1  # waits for tomorrow's allowance: settled
            return counts

    def wait_for_catalog(self, store_id: str, total: int, timeout: float = 150) -> None:
        if not console.is_terminal:
            return self._report_catalog_lines(store_id, total, timeout)
        with Progress(TextColumn("[bold]Syncing the catalog"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("", total=total)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                self.group.check()
                counts = self.status_counts(store_id)
                settled = sum(counts.get(s, 0) for s in SETTLED) + counts.get("scheduled", 0)
                progress.update(task, completed=settled, description=_counts_text(counts))
                if settled >= total:
                    return
                time.sleep(0.5)
        return None

    def _report_catalog_lines(self, store_id: str, total: int, timeout: float) -> None:
        """Output to a file or a pipe: a whole line each time the counts change, never a line cut to a width."""
        started = time.monotonic()
        last = ""
        while time.monotonic() - started < timeout:
            self.group.check()
            counts = self.status_counts(store_id)
            settled = sum(counts.get(s, 0) for s in SETTLED) + counts.get("scheduled", 0)
            line = f"Syncing the catalog: {settled}/{total} settled · {_counts_text(counts)}"
            if line != last:
                print(f"{line} ({time.monotonic() - started:.0f} s)", flush=True)
                last = line
            if settled >= total:
                return
            time.sleep(0.5)

    def hold_some_in_review(self, store: DemoStore) -> None:
        """Two new products arrive while TikTok's review is slow, so "Under review" shows too; the
        sandbox approves them five minutes later, which the settings page picks up live."""
        marker = self.data_dir / "late-products"
        if marker.exists():
            return
        requests.put(f"{self.sandbox_url}/sandbox/review-policy", json={"mode": "manual"}, timeout=10)
        late = []
        for suffix, title in (("a", "Linen Tea Towel"), ("b", "Beeswax Pillar Candle")):
            template = next(p for p in store.catalog.values() if p["categories"][0]["path"][-1] in ("Towels", "Candles"))
            product = json.loads(json.dumps(template))
            product["id"] = f"late-{suffix}"
            product["title"] = title
            for n, variant in enumerate(product["variants"]):
                variant["id"] = f"late-{suffix}-{n}"
                variant["sku"] = f"LATE-{suffix}-{n}".upper()
                variant["barcode"] = None
            store.catalog[product["id"]] = product
            late.append(product)
        store.client.upsert_products(late)
        marker.write_text("yes")

        def approve_later() -> None:
            if not self.stop_event.wait(300):
                requests.put(f"{self.sandbox_url}/sandbox/review-policy", json={"mode": "auto", "delay_seconds": 1},
                             timeout=10)

        threading.Thread(target=approve_later, daemon=True).start()

    # -- orders -----------------------------------------------------------------------------------
    def place_orders(self, store: DemoStore, store_id: str) -> None:
        """Three buyer orders for live products, and one for a product the store then deleted."""
        from hub.models import Listing, SkuBinding

        marker = self.data_dir / "orders-placed"
        if marker.exists():
            return
        with self.runtime.db.session_scope() as session:
            active = session.scalars(select(SkuBinding).join(
                Listing, (Listing.store_id == SkuBinding.store_id) & (Listing.product_id == SkuBinding.product_id))
                .where(SkuBinding.store_id == store_id, Listing.status == "Active")
                .order_by(SkuBinding.product_id, SkuBinding.variant_id)).all()
            by_product: dict[str, SkuBinding] = {}
            for binding in active:
                by_product.setdefault(binding.product_id, binding)
        picks = list(by_product.values())
        if len(picks) < 5:
            console.print("[yellow]Too few active products to place demo orders yet.[/]")
            return
        address = {"name": "Alex Buyer", "phone_number": "(+44)7700900123", "address_line1": "1 High Street",
                   "post_town": "Bristol", "postal_code": "BS1 4DJ", "region_code": "GB"}
        for binding, quantity in ((picks[0], 2), (picks[1], 1), (picks[2], 1)):
            self._order(binding.tiktok_sku_id, quantity, address)
        # A buyer orders a product, and before payment completes the merchant deletes it in the store.
        doomed = picks[3]
        order_id = self._order(doomed.tiktok_sku_id, 1, address, status="UNPAID")
        store.delete_product(doomed.product_id)
        time.sleep(1.0)
        requests.post(f"{self.sandbox_url}/sandbox/orders/{order_id}/status", json={"status": "AWAITING_SHIPMENT"},
                      timeout=10).raise_for_status()
        # A product deactivated on TikTok's side shows as "Synced".
        requests.post(f"{self.sandbox_url}/sandbox/products/{picks[4].tiktok_product_id}/status",
                      json={"status": "PLATFORM_DEACTIVATED", "reason": "Deactivated in Seller Center"}, timeout=10)
        marker.write_text("yes")

    def _order(self, sku_id: str, quantity: int, address: dict[str, str], status: str = "AWAITING_SHIPMENT") -> str:
        response = requests.post(f"{self.sandbox_url}/sandbox/orders", timeout=10, json={
            "lines": [{"sku_id": sku_id, "quantity": quantity}], "address": address,
            "buyer": {"name": "Alex Buyer", "email": "buyer@example.com"}, "status": status})
        if response.status_code >= 400:
            raise RuntimeError(f"The sandbox refused a demo order: {response.status_code} {response.text[:300]}")
        return response.json()["id"]

    def order_counts(self, store_id: str) -> dict[str, int]:
        from hub.models import Order
        from hub.models.orders import STATUS_LABELS

        with self.runtime.db.session_scope() as session:
            rows = session.execute(select(Order.status, func.count()).where(Order.store_id == store_id)
                                   .group_by(Order.status)).all()
            return {STATUS_LABELS.get(status, status): n for status, n in rows}

    # -- the whole run ----------------------------------------------------------------------------
    def run(self, duration: float | None) -> None:
        console.print("[bold]TikTok Shop Sync demo[/] — starting the sandbox, the hub and two workers ...")
        self.start_processes()
        merchant_id, stores = self.setup_hub()
        uk, eu = stores
        uk_store = DemoStore(HubClient(self.hub_url, uk["key_id"], uk["secret"]), self.data_dir / "uk-store.json",
                             build_catalog(self.image_url))
        eu_store = DemoStore(HubClient(self.hub_url, eu["key_id"], eu["secret"]), self.data_dir / "eu-store.json",
                             second_store_catalog(self.image_url), currency="EUR")
        for store in (uk_store, eu_store):
            store.push_store_info()
            threading.Thread(target=store.run, args=(self.stop_event,), daemon=True).start()
        console.print(f"Pushing {len(uk_store.catalog)} products from the UK store and "
                      f"{len(eu_store.catalog)} from the EU store (EUR: its sync stops, by design) ...")
        if (self.data_dir / "late-products").exists():
            # A resumed demo: the first run's slow review is over, or products sent again now (details
            # changed, failures retried) would wait in review for ever and the catalog never settles.
            requests.put(f"{self.sandbox_url}/sandbox/review-policy", json={"mode": "auto", "delay_seconds": 1},
                         timeout=10)
        uk_store.push_catalog()
        eu_store.push_catalog()
        self.map_categories(uk["store_id"])
        self.map_categories(eu["store_id"])
        shopify_store = self.install_shopify(merchant_id)
        bigcommerce_id = self.start_bigcommerce()
        self.wait_for_catalog(uk["store_id"], len(uk_store.catalog) - len(uk_store.state["deleted"]))
        if shopify_store:
            self.wait_for_catalog(shopify_store["store_id"], len(self.shopify.fake.shops[SHOPIFY_SHOP].products),
                                  timeout=60)
        self.hold_some_in_review(uk_store)
        console.print("Placing TikTok orders ...")
        self.place_orders(uk_store, uk["store_id"])
        if shopify_store:
            self.place_shopify_order(shopify_store["store_id"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(self.order_counts(uk["store_id"]).values()) < 4:
            self.group.check()
            time.sleep(0.5)
        time.sleep(3)
        self.shopify.save()
        self.print_summary(uk, eu, shopify_store)
        self.print_bigcommerce(bigcommerce_id)
        console.print_json(json.dumps({"status": "demo ready", "url": self.hub_url + "/",
                                       "login": DEMO_EMAIL, "password": DEMO_PASSWORD}))
        console.print(f"Open [bold]{self.hub_url}/[/] and log in as [bold]{DEMO_EMAIL}[/] / "
                      f"[bold]{DEMO_PASSWORD}[/]. Press Ctrl-C to stop.")
        started = time.monotonic()
        while duration is None or time.monotonic() - started < duration:
            self.group.check()
            time.sleep(0.5)

    # -- the Shopify store -------------------------------------------------------------------------
    def install_shopify(self, merchant_id: str) -> dict[str, str] | None:
        """Install the Shopify app for the demo merchant and map its categories (None: skipped)."""
        if not self.shopify.ready.wait(60) or self.shopify.error:
            console.print(f"[yellow]The Shopify store is left out: {self.shopify.error or 'its fake did not start'}"
                          " (run scripts/setup to fetch Shopify's schema).[/]")
            return None
        store_id = self.shopify.install(self.runtime, merchant_id)
        if store_id is None:
            return None
        self.shopify.set_up_categories(self.runtime, store_id)
        self.map_categories(store_id)
        console.print(f"Installed the Shopify app for [bold]{SHOPIFY_SHOP}[/] (a fake Shopify with Shopify's own "
                      "Admin schema); its catalogue comes through a bulk operation.")
        return {"store_id": store_id, "name": "Harbour & Pine (Shopify)"}

    def place_shopify_order(self, store_id: str) -> None:
        """One TikTok order for a Shopify product: created in Shopify by orderCreate, then shipped there."""
        from hub.models import Listing, Order, SkuBinding

        marker = self.data_dir / "shopify-order-placed"
        if marker.exists():
            return
        with self.runtime.db.session_scope() as session:
            binding = session.scalars(select(SkuBinding).join(
                Listing, (Listing.store_id == SkuBinding.store_id) & (Listing.product_id == SkuBinding.product_id))
                .where(SkuBinding.store_id == store_id, Listing.status == "Active")
                .order_by(SkuBinding.variant_id)).first()
        if binding is None:
            console.print("[yellow]No Shopify product is live on TikTok yet: no Shopify order placed.[/]")
            return
        address = {"name": "Sam Buyer", "phone_number": "(+44)7700900456", "address_line1": "2 Quay Street",
                   "post_town": "Bristol", "postal_code": "BS1 4DJ", "region_code": "GB"}
        tid = self._order(binding.tiktok_sku_id, 1, address)
        marker.write_text("yes")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.group.check()
            with self.runtime.db.session_scope() as session:
                number = session.scalar(select(Order.platform_order_id).where(Order.tiktok_order_id == tid))
            if number:
                self.shopify.ship(number)
                return
            time.sleep(0.5)

    def print_summary(self, uk: dict[str, str], eu: dict[str, str],
                      shopify_store: dict[str, str] | None = None) -> None:
        for store in (uk, eu, *([shopify_store] if shopify_store else [])):
            table = _table(f"{store['name']} — products")
            table.add_column("status")
            table.add_column("products", justify="right")
            for status, n in in_lifecycle(self.status_counts(store["store_id"]), PRODUCT_LIFECYCLE):
                if status != "scheduled":
                    table.add_row(status, str(n))
            console.print(table)
        orders = _table(f"{uk['name']} — TikTok orders")
        orders.add_column("status")
        orders.add_column("orders", justify="right")
        for status, n in in_lifecycle(self.order_counts(uk["store_id"]), ORDER_LIFECYCLE):
            orders.add_row(status, str(n))
        console.print(orders)
        if shopify_store:
            shopify_orders = _table(f"{shopify_store['name']} — TikTok orders")
            shopify_orders.add_column("status")
            shopify_orders.add_column("orders", justify="right")
            for status, n in in_lifecycle(self.order_counts(shopify_store["store_id"]), ORDER_LIFECYCLE):
                shopify_orders.add_row(status, str(n))
            console.print(shopify_orders)


def _counts_text(counts: dict[str, int]) -> str:
    return " · ".join(f"{name}: {n}" for name, n in in_lifecycle(counts, PRODUCT_LIFECYCLE) if name != "scheduled")


def _table(title: str) -> Table:
    """A summary table at least as wide as its title, so the title never wraps in a narrow log."""
    return Table(title=title, min_width=len(title) + 4)


def run_demo(port: int, data_dir: Path, duration: float | None) -> None:
    """Runs the demo until Ctrl-C, SIGTERM, SIGHUP or `duration`; every way out stops every process."""
    lock = DataFolderLock(data_dir.resolve())
    try:
        check_port(port, "scripts/demo")
        lock.acquire()
    except CannotStart as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(1)
    raise_on_signals()
    demo: Demo | None = None
    failed = False
    try:
        demo = Demo(port, data_dir)
        demo.run(duration)
    except KeyboardInterrupt:
        console.print("\nStopping ...")
    except DemoStopped as stop:
        console.print(f"\nStopping ({stop}) ...")
    except Exception as exc:  # noqa: BLE001 - shown to the person running the demo, then cleaned up
        console.print(f"[red]error:[/] {exc}")
        failed = True
    finally:
        ignore_signals()
        if demo is not None:
            demo.stop()
        lock.release()
    if failed:
        sys.exit(1)
    console.print("Stopped. Run it again to resume.")
