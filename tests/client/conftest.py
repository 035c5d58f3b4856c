"""Fixtures for the app-side toolkit: the sandbox of a live server, a browser, a real SMTP server,
and the app's own SQLite database with the token table in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from client_world import STATE_KEY, Browser, Mailbox, Sandbox
from sqlalchemy import Engine, create_engine

from adgate.client import StateSigner, TokenStore, generate_key
from adgate.testing.server import LiveServer, free_port


@pytest.fixture
def sandbox(server: LiveServer) -> Iterator[Sandbox]:
    s = Sandbox(server)
    yield s
    s.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on a free loopback port, collecting what it receives."""
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    e = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    yield e
    e.dispose()


@pytest.fixture
def store_key() -> str:
    return generate_key()


@pytest.fixture
def store(engine: Engine, store_key: str) -> TokenStore:
    s = TokenStore(engine, store_key)
    s.create_all()
    return s


@pytest.fixture
def signer() -> StateSigner:
    return StateSigner(STATE_KEY)
