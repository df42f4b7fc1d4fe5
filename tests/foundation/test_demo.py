"""`hub demo`, the README's first command: it comes up on an empty data folder, and a second run resumes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def _demo(data_dir: Path) -> str:
    run = subprocess.run([sys.executable, "-m", "hub.cli", "demo", "--data-dir", str(data_dir),
                          "--port", str(free_port()), "--duration", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=420)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert '"status": "demo ready"' in run.stdout, run.stdout[-2000:]
    return run.stdout


def test_demo_comes_up_and_a_second_run_resumes_without_duplicates(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    first = _demo(data_dir)
    assert "Active" in first and "Failed to sync" in first and "Needs category" in first
    assert "Harbour & Pine (BigCommerce)" in first and "/stores/bigcommerce/load?signed_payload_jwt=" in first
    second = _demo(data_dir)
    assert "Active" in second
    with sqlite3.connect(data_dir / "hub.sqlite3") as db:
        ids = [row[0] for row in db.execute("SELECT tiktok_product_id FROM listings WHERE tiktok_product_id IS NOT NULL")]
        assert ids and len(ids) == len(set(ids))  # never two listings for one TikTok product
        per_store = dict(db.execute("SELECT s.name, count(*) FROM product_snapshots p JOIN stores s ON s.id = p.store_id "
                                    "GROUP BY s.name"))
        orders = db.execute("SELECT count(*), count(DISTINCT tiktok_order_id) FROM orders").fetchone()
    assert per_store == {"Harbour & Pine (UK store)": 62,  # 60 products and 2 late arrivals
                         "Harbour & Pine (EU store)": 3,
                         "Harbour & Pine (Shopify)": 5,  # through the Shopify app
                         "Harbour & Pine (BigCommerce)": 4}  # read through the BigCommerce app, once
    assert orders[0] == orders[1] == 5  # the demo's orders (one of them the Shopify store's) were placed once
