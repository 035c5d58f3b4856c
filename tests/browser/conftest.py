from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_env import CHROMIUM


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: the project's setup installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM
