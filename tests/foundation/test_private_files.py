"""The embedded database (buyer names and addresses) and the data folder are private to their owner."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from hub.config import load_settings
from hub.migrations import upgrade
from hub.runtime import Runtime


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_folder_and_its_database_are_owner_only(tmp_path: Path, redis_url: str) -> None:
    old_umask = os.umask(0o022)  # what a shell usually has: files 0644, folders 0755
    try:
        data = tmp_path / "var"
        settings = load_settings({"data_dir": data, "redis_url": redis_url}, environ={})
        upgrade(settings.database_url)
        runtime = Runtime.build(settings)
        with runtime.db.engine.begin() as connection:  # a write, so SQLite creates its -wal and -shm files
            connection.execute(text("INSERT INTO merchants (id, name, settings, created_at) "
                                    "VALUES ('m_1', 'Shop', '{}', CURRENT_TIMESTAMP)"))
        assert _mode(data) == 0o700
        files = [data / "hub.sqlite3", data / "hub.sqlite3-wal", data / "hub.sqlite3-shm", data / "secret_key"]
        assert all(path.exists() for path in files)
        assert {path.name: _mode(path) for path in files} == {path.name: 0o600 for path in files}
        runtime.close()
    finally:
        os.umask(old_umask)


def test_an_existing_world_readable_database_is_made_private_at_start(tmp_path: Path, redis_url: str) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    settings = load_settings({"data_dir": data, "redis_url": redis_url}, environ={})
    upgrade(settings.database_url)
    (data / "hub.sqlite3").chmod(0o644)
    data.chmod(0o755)
    runtime = Runtime.build(settings)
    with runtime.db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert _mode(data) == 0o700 and _mode(data / "hub.sqlite3") == 0o600
    runtime.close()
