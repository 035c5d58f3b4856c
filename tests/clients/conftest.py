"""Fixtures for the cross-client suite: the Node.js clients, installed or (outside CI) skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from node_runner import NODE_DIR, NodeRunner, node_modules_missing, run_step


@pytest.fixture
def node_dir() -> Path:
    """The installed Node clients (a failure under CI=true when missing, else a skip)."""
    missing = node_modules_missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; scripts/test installs them")
        pytest.skip(missing)
    return Path(NODE_DIR)


@pytest.fixture
def node(node_dir: Path) -> NodeRunner:
    return run_step
