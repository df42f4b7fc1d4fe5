"""WooCommerce latency: a change saved in a real WooCommerce store → the new value on TikTok, and a TikTok
order → the WooCommerce order.

    TTS_BENCH_WP_PATH=/path/to/wordpress python -m bench.woocommerce_latency [--changes 100] [--orders 20]

``TTS_BENCH_WP_PATH`` is an existing WordPress installation (its ``wp-config.php`` sets the database and
``WP_HOME``, a loopback address such as ``http://127.0.0.1:8089``) with WooCommerce and this project's
plugin active, and ``WP_ENVIRONMENT_TYPE`` ``local`` (application passwords over plain http). Nothing
is installed by this script; it sets the plugin's hub connection and the shop currency (GBP, as the
sandbox's shop), adds products and an application password: use a test installation. It starts the real parts around the store: the TikTok sandbox, a live hub
with a WooCommerce store connection, a ``hub worker``; it points the plugin at that hub, serves the site
with PHP's built-in server (``PHP_CLI_SERVER_WORKERS=4``, so the plugin's non-blocking loopback
delivery is used) and creates ``--products`` simple products through WooCommerce's CRUD, which the
plugin sends; each is then listed on the sandbox and bound.

Measured, one change at a time, no other traffic on the site (nothing else drives WP-Cron):
- ``rest``: ``PUT /wp-json/wc/v3/products/<id>`` with a new stock quantity (WooCommerce REST API, an
  application password), clock started before the request, stopped when the sandbox holds the quantity;
- ``script``: ``wc_update_product_stock()`` in a PHP command-line run (what an import or ERP script
  does), clock started before the process starts;
- ``order``: an order placed on the sandbox → the store's result for its ``order.create`` (the store
  order exists), through the hub's wake-up call to the store.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import logging

import requests

from bench._harness import percentile
from tests.support.orders import World, build_world, wait_until
from tests.support.sandbox import png

ROUTER = """<?php
// PHP's built-in server in front of WordPress: real files as they are, everything else to index.php.
$path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
if ( '/' !== $path && is_file( __DIR__ . $path ) ) { return false; }
$_SERVER['SCRIPT_NAME'] = '/index.php';
require __DIR__ . '/index.php';
"""


class Site:
    """The WordPress installation: PHP command-line runs inside it, and PHP's built-in server in front of it."""

    def __init__(self, path: Path, php: str) -> None:
        self.path, self.php = path, php
        self.server: subprocess.Popen | None = None
        self.router = path / f".tts-bench-router-{uuid.uuid4().hex[:8]}.php"

    def run(self, code: str, **values: Any) -> Any:
        """Runs PHP inside WordPress (values as $in); returns what the code echoes, decoded from JSON."""
        script = ("<?php $_SERVER['HTTP_HOST'] = getenv('TTS_BENCH_HOST'); require getenv('TTS_BENCH_WP') . '/wp-load.php';"
                  " $in = json_decode( getenv('TTS_BENCH_IN'), true ); wp_set_current_user( 1 ); " + code)
        with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as handle:
            handle.write(script)
        try:
            out = subprocess.run([self.php, handle.name], capture_output=True, text=True, timeout=120, check=False,
                                 env={**os.environ, "TTS_BENCH_WP": str(self.path), "TTS_BENCH_HOST": self.host,
                                      "TTS_BENCH_IN": json.dumps(values)})
        finally:
            os.unlink(handle.name)
        if out.returncode != 0:
            raise SystemExit(f"PHP in {self.path} failed ({out.returncode}): {out.stderr or out.stdout}")
        text = out.stdout.strip()
        return json.loads(text) if text else None

    @property
    def host(self) -> str:
        return urlsplit(self.home).netloc

    def start(self) -> None:
        probe = subprocess.run([self.php, "-r", f"$_SERVER['HTTP_HOST']='localhost'; require '{self.path}/wp-load.php';"
                                " echo home_url( '/' );"], capture_output=True, text=True, timeout=120, check=True)
        self.home = probe.stdout.strip().splitlines()[-1]
        parts = urlsplit(self.home)
        if parts.hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit(f"The site's home URL {self.home} is not on loopback; set WP_HOME to http://127.0.0.1:PORT")
        self.router.write_text(ROUTER)
        self.server = subprocess.Popen([self.php, "-S", parts.netloc, "-t", str(self.path), str(self.router)],
                                       env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}, start_new_session=True,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_until(lambda: _listening(parts.hostname, parts.port or 80) or self.server.poll() is not None, 30,
                          what="PHP's built-in server") or self.server.poll() is not None:
            raise SystemExit(f"PHP's built-in server could not listen on {parts.netloc} (is something else there?)")

    def close(self) -> None:
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGTERM)  # the server and the workers it forked
            self.server.wait(10)
        self.router.unlink(missing_ok=True)


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


def connect_plugin(site: Site, world: World) -> str:
    return site.run("""
        update_option( 'tts_sync_hub_url', $in['url'] ); update_option( 'tts_sync_key_id', $in['key'] );
        delete_option( 'tts_sync_secret' ); add_option( 'tts_sync_secret', $in['secret'], '', 'no' );
        update_option( 'tts_sync_enabled', 'yes' );
        update_option( 'woocommerce_currency', 'GBP' ); // the sandbox's shop sells in GBP
        \\TikTokShopSync\\Plugin::instance()->reset();
        \\TikTokShopSync\\Plugin::instance()->queue_store_update();
        echo json_encode( TTS_SYNC_VERSION );
    """, url=world.hub_url, key=world.store["key_id"], secret=world.store["secret"])


def create_products(site: Site, count: int) -> list[dict[str, Any]]:
    return site.run("""
        $out = array();
        for ( $i = 0; $i < $in['count']; $i++ ) {
            $p = new WC_Product_Simple();
            $p->set_props( array( 'name' => 'Bench socks ' . $i, 'status' => 'publish', 'regular_price' => '10.00',
                'sku' => 'TTSB-' . $in['run'] . '-' . $i, 'manage_stock' => true, 'stock_quantity' => 10,
                'weight' => '0.2', 'length' => '10', 'width' => '10', 'height' => '5' ) );
            $p->save();
            $out[] = array( 'id' => (string) $p->get_id(), 'sku' => $p->get_sku() );
        }
        echo json_encode( $out );
    """, count=count, run=uuid.uuid4().hex[:6])


def list_on_tiktok(world: World, products: list[dict[str, Any]]) -> dict[str, str]:
    """Creates each product on the sandbox and binds it as the listing engine would; → store id → TikTok id."""
    from hub.models import Listing, SkuBinding
    from hub.models.listings import ACTIVE
    from hub.tiktok.connection import client_for_merchant

    with world.runtime.db.session_scope() as session:
        tiktok = client_for_merchant(session, world.store["merchant_id"], world.runtime)
    bound: dict[str, str] = {}
    with tiktok:
        category, attributes = _leaf_category(tiktok)
        image = tiktok.catalog.upload_image(png(), use_case="MAIN_IMAGE")["uri"]
        for product in products:
            created = tiktok.products.create({
                "title": f"Bench socks {product['id']}", "description": "<p>Bench</p>", "category_id": category,
                "main_images": [{"uri": image}], "package_weight": {"value": "0.2", "unit": "KILOGRAM"},
                "package_dimensions": {"length": "10", "width": "10", "height": "5", "unit": "CENTIMETER"},
                "product_attributes": attributes, "external_product_id": f"bench-{product['id']}-{uuid.uuid4().hex[:6]}",
                "skus": [{"seller_sku": product["sku"], "price": {"amount": "10.00", "currency": "GBP"},
                          "inventory": [{"warehouse_id": world.product["warehouse_id"], "quantity": 10}]}]})
            bound[product["id"]] = created["product_id"]
            with world.runtime.db.session_scope() as session:
                session.add(SkuBinding(store_id=world.store["store_id"], product_id=product["id"],
                                       variant_id=product["id"], tiktok_product_id=created["product_id"],
                                       tiktok_sku_id=created["skus"][0]["id"], seller_sku=product["sku"],
                                       pushed_price="10.00", pushed_quantity=10, pushed_version=1))
                session.add(Listing(store_id=world.store["store_id"], product_id=product["id"], status=ACTIVE,
                                    tiktok_product_id=created["product_id"]))
    return bound


def _leaf_category(tiktok: Any) -> tuple[str, list[dict[str, Any]]]:
    """A leaf category needing no size chart or certificate, with its required attributes filled."""
    for candidate in tiktok.catalog.categories()["categories"]:
        if not candidate["is_leaf"]:
            continue
        rules = tiktok.catalog.rules(candidate["id"])
        if rules.get("size_chart", {}).get("is_required") or any(
                c.get("is_required") for c in rules.get("product_certifications", [])):
            continue
        attributes = [{"id": a["id"], "values": [{"id": a["values"][0]["id"]}]}
                      for a in tiktok.catalog.attributes(candidate["id"])["attributes"]
                      if a["type"] == "PRODUCT_PROPERTY" and a.get("is_requried") and a.get("values")]
        return candidate["id"], attributes
    raise SystemExit("The sandbox has no usable leaf category")


def tiktok_stock(world: World, tiktok_id: str) -> int:
    return requests.get(f"{world.sandbox.url}/sandbox/products/{tiktok_id}", timeout=10).json()["skus"][0]["stock"]


def wait_for_stock(world: World, tiktok_id: str, quantity: int, started: float, what: str) -> float:
    while tiktok_stock(world, tiktok_id) != quantity:
        if time.perf_counter() - started > 120:
            raise SystemExit(f"{what}: the new stock did not reach the sandbox within 120 s")
        time.sleep(0.005)
    return (time.perf_counter() - started) * 1000


def since_capture(world: World, variant_id: str, quantity: int) -> float:
    """Milliseconds from the plugin capturing the change (its item version is the capture time in ms,
    taken at the end of the saving request) to now, when TikTok holds it."""
    from sqlalchemy import select

    from hub.models import VariantStock

    now_ms = time.time() * 1000
    with world.runtime.db.session_scope() as session:
        row = session.scalar(select(VariantStock).where(VariantStock.store_id == world.store["store_id"],
                                                        VariantStock.variant_id == variant_id))
        assert row is not None and row.quantity == quantity, "the hub holds another value"
        return now_ms - row.version


def application_password(site: Site) -> str:
    made = site.run("""
        $user = get_userdata( 1 );
        list( $password ) = WP_Application_Passwords::create_new_application_password( 1, array( 'name' => 'tts-bench ' . time() ) );
        echo json_encode( array( $user->user_login, $password ) );
    """)
    return "Basic " + base64.b64encode(f"{made[0]}:{made[1]}".encode()).decode()


def report(name: str, values: list[float]) -> str:
    return (f"{name}: n={len(values)} p50 {percentile(values, 0.5):.0f} ms, p99 {percentile(values, 0.99):.0f} ms, "
            f"max {max(values):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=100, help="stock changes per path (rest, script)")
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--products", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11", help="flushed at the start")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the in-process sandbox and hub log every request
    wp_path = os.environ.get("TTS_BENCH_WP_PATH")
    if not wp_path or not (Path(wp_path) / "wp-load.php").is_file():
        raise SystemExit("Set TTS_BENCH_WP_PATH to a WordPress installation with WooCommerce and the plugin active.")
    php = os.environ.get("TTS_BENCH_PHP") or shutil.which("php") or "php"
    site = Site(Path(wp_path).resolve(), php)
    results: dict[str, list[float]] = {"rest": [], "rest, from capture": [], "rest, request itself": [],
                                       "script": [], "script, from capture": [], "order": []}
    with tempfile.TemporaryDirectory() as tmp:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        world = build_world(Path(tmp) / "hub", args.redis_url, workers=args.workers, sku_stock=args.orders * 2 + 10)
        try:
            site.start()
            version = connect_plugin(site, world)
            products = create_products(site, args.products)
            wait_until(lambda: _snapshots(world) >= len(products), 60, what="products sent by the plugin")
            bound = list_on_tiktok(world, products)
            auth = application_password(site)
            http = requests.Session()
            for n in range(args.changes):
                product = products[n % len(products)]
                quantity = 100 + n
                started = time.perf_counter()
                answer = http.put(f"{site.home.rstrip('/')}/wp-json/wc/v3/products/{product['id']}",
                                  json={"stock_quantity": quantity}, headers={"Authorization": auth}, timeout=60)
                answer.raise_for_status()
                results["rest, request itself"].append((time.perf_counter() - started) * 1000)
                results["rest"].append(wait_for_stock(world, bound[product["id"]], quantity, started, "rest"))
                results["rest, from capture"].append(since_capture(world, product["id"], quantity))
            for n in range(args.changes):
                product = products[n % len(products)]
                quantity = 1000 + n
                started = time.perf_counter()
                site.run("wc_update_product_stock( (int) $in['id'], (int) $in['q'], 'set' );", id=product["id"], q=quantity)
                results["script"].append(wait_for_stock(world, bound[product["id"]], quantity, started, "script"))
                results["script, from capture"].append(since_capture(world, product["id"], quantity))
            placed: list[str] = []
            for n in range(args.orders):
                started = time.perf_counter()
                tid = world.sandbox.place_order([{"seller_sku": products[n % len(products)]["sku"], "quantity": 1}])
                wait_until(lambda: _order_done(world, tid), 120, interval=0.005, what=f"store order for {tid}")
                results["order"].append((time.perf_counter() - started) * 1000)
                placed.append(tid)
            check_orders(site, world, placed)
        finally:
            site.close()
            world.close()
    print(f"WooCommerce plugin {version}, site {site.home}, delivery by loopback (PHP's built-in server)")
    for name, values in results.items():
        if values:
            print(report(name, values))


def check_orders(site: Site, world: World, placed: list[str]) -> None:
    """Each TikTok order is its own WooCommerce order, carrying its TikTok id (not just a 'done' result)."""
    numbers = {(c["payload"].get("order") or {}).get("tiktok_order_id"): (c["result"] or {}).get("platform_order_id")
               for c in world.commands("order.create")}
    found = site.run("""
        $out = array();
        foreach ( $in['orders'] as $tid => $number ) { $o = wc_get_order( (int) $number ); $out[ $tid ] = $o ? (string) $o->get_meta( '_tiktok_order_id' ) : ''; }
        echo json_encode( $out );
    """, orders={tid: numbers.get(tid) for tid in placed})
    wrong = [tid for tid in placed if found.get(tid) != tid]
    if wrong or len(set(numbers[t] for t in placed)) != len(placed):
        raise SystemExit(f"TikTok orders without their own WooCommerce order: {wrong}")


def _snapshots(world: World) -> int:
    from sqlalchemy import func, select

    from hub.models import ProductSnapshot

    with world.runtime.db.session_scope() as session:
        return session.scalar(select(func.count()).select_from(ProductSnapshot)
                              .where(ProductSnapshot.store_id == world.store["store_id"])) or 0


def _order_done(world: World, tiktok_order_id: str) -> bool:
    return any(c["status"] == "done" and (c["payload"].get("order") or {}).get("tiktok_order_id") == tiktok_order_id
               for c in world.commands("order.create"))


if __name__ == "__main__":
    main()
