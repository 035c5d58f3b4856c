"""The pytest plugin registered by adgate (entry point ``pytest11``): the ``adgate`` fixture.

Each test gets a fresh server on a free loopback port with its own SQLite database (a copy of one
migrated once a process: :mod:`adgate.testing.schema`) and a sandbox clock, plus a
:class:`adgate.testing.Sandbox` to build the world and mint tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adgate.settings import Settings
from adgate.testing.sandbox import Sandbox
from adgate.testing.schema import migrated_sqlite
from adgate.testing.server import live_server


@pytest.fixture
def adgate(tmp_path: Path) -> Iterator[Sandbox]:
    """A running adgate sandbox for one test."""
    database = migrated_sqlite(tmp_path / "adgate" / "adgate.db")
    settings = Settings.from_env(
        {"ADGATE_PASSWORD_HASHING": "fast", "ADGATE_LOG_LEVEL": "WARNING"},
        data_dir=tmp_path / "adgate",
        database_url=f"sqlite:///{database}",
    )
    with live_server(settings) as server:
        sandbox = Sandbox(server.url, server.admin_key)
        try:
            yield sandbox
        finally:
            sandbox.close()
