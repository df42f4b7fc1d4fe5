"""`hub demo`, the README's first command: it comes up on an empty data folder, a second run resumes, and
whatever ends it (SIGTERM from `kill` or `timeout`, SIGHUP from a closed SSH session) stops every process
it started; a busy port or a data folder in use is said plainly before anything starts."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from tests.support.servers import free_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


class RunningDemo:
    """`hub demo` as a person starts it from a shell, its output read line by line as it comes."""

    def __init__(self, data_dir: Path, port: int):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "demo", "--data-dir", str(data_dir), "--port", str(port)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self) -> str:
        wait_until(lambda: '"status": "demo ready"' in self.output or self.process.poll() is not None,
                   timeout=400, interval=0.5, what="the demo to be ready")
        assert '"status": "demo ready"' in self.output, self.output[-3000:]
        return self.output

    def end_with(self, signum: int) -> str:
        self.process.send_signal(signum)
        assert self.process.wait(timeout=60) == 0, self.output[-3000:]
        wait_until(lambda: "Stopped. Run it again to resume." in self.output, timeout=10, what="the last line")
        return self.output


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc (the demo's children start their own sessions)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def group_of(demo: RunningDemo, data_dir: Path) -> set[int]:
    """The demo's processes: sandbox, hub, workers, and the private Redis-compatible server (a daemon)."""
    pids = descendants(demo.process.pid)
    pids.add(int((data_dir / "redis" / "valkey.pid").read_text()))
    assert len(pids) >= 5, pids
    return pids


def test_demo_comes_up_resumes_without_duplicates_and_every_signal_stops_every_process(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    port = free_port()
    first = RunningDemo(data_dir, port)
    out = first.wait_ready()
    assert "Active" in out and "Failed to sync" in out and "Needs category" in out
    assert "Harbour & Pine (BigCommerce)" in out and "/stores/bigcommerce/load?signed_payload_jwt=" in out
    # Output to a pipe is whole lines (no progress bar cut at 80 columns); summaries in lifecycle order.
    progress = [line for line in out.splitlines() if line.startswith("Syncing the catalog:")]
    assert progress and all(len(line) > 80 or line.rstrip().endswith(")") for line in progress)
    summary = out[out.index("Harbour & Pine (UK store) — products"):]
    assert summary.index("Needs category") < summary.index("Failed to sync") < summary.index("Active")
    pids = group_of(first, data_dir)
    first.end_with(signal.SIGTERM)
    wait_until(lambda: not [p for p in pids if running(p)], timeout=20, what="every demo process to stop")

    second = RunningDemo(data_dir, port)
    assert "Active" in second.wait_ready()
    # A second demo on the folder in use, and one on the port in use: told what to do, nothing started.
    same_folder = subprocess.run([sys.executable, "-m", "hub.cli", "demo", "--data-dir", str(data_dir),
                                  "--port", str(free_port())], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert same_folder.returncode == 1
    assert f"Another demo is running on the data folder {data_dir}" in same_folder.stdout
    assert f"kill {second.process.pid}" in same_folder.stdout
    same_port = subprocess.run([sys.executable, "-m", "hub.cli", "demo", "--data-dir", str(tmp_path / "other"),
                                "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert same_port.returncode == 1
    assert f"Port {port} is in use by another program; run `scripts/demo --port 5050`" in same_port.stdout
    assert not (tmp_path / "other" / "redis").exists()
    pids = group_of(second, data_dir)
    second.end_with(signal.SIGHUP)
    wait_until(lambda: not [p for p in pids if running(p)], timeout=20, what="every demo process to stop")

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


def test_hub_serve_on_a_port_in_use_says_which_port_and_what_to_run(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "hub.cli", "serve", "--port", str(port)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "HUB_DATA_DIR": str(tmp_path / "data")})
    assert run.returncode == 1
    assert f"error: Port {port} is in use by another program; run `hub serve --port 5050`." in run.stderr
