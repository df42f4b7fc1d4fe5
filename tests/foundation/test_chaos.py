"""The chaos run, reduced (the full size is `python -m bench.chaos`): TikTok faults on every endpoint,
workers killed (one of them running the scheduler), Redis killed and restarted, the web process killed
and restarted, on SQLite and on PostgreSQL; afterwards, within a bounded settle time, no duplicate
listing or store order, every SKU on TikTok at the store's last price and stock, every order Created or
Failed with a reason, and no plaintext TikTok token, app secret, store secret or hub key in the database,
Redis or the logs (tests/support/chaos.py)."""

from __future__ import annotations

from pathlib import Path

from tests.support.chaos import run_chaos


def test_chaos_run_reduced(tmp_path: Path, database_url: str) -> None:
    result = run_chaos(tmp_path, database_url=None if database_url.startswith("sqlite") else database_url,
                       products=8, changes=80, orders=8, workers=2, settle_seconds=75)
    assert result.ok, result.line()
    assert result.faults_struck > 0 and len(result.kills) == 4
    assert result.secrets_checked >= 5  # app secret, hub key, store secret, access and refresh token
