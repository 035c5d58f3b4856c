"""Real ``adgate serve`` processes for the security tests, started as an operator starts them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from adgate.testing.server import free_port

ADMIN_KEY = "security-test-admin-key"
SECRET_KEY = "security-test-secret-key-kept-across-restarts-and-nodes"
START_SECONDS = 30.0


@contextmanager
def serve(data_dir: Path, database_url: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``python -m adgate serve`` on a free port; killed (SIGKILL) on exit if still running."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADGATE_")}
    env.update(
        ADGATE_DATA_DIR=str(data_dir),
        ADGATE_DATABASE_URL=database_url,
        ADGATE_ADMIN_KEY=ADMIN_KEY,
        ADGATE_SECRET_KEY=SECRET_KEY,
        ADGATE_PASSWORD_HASHING="fast",
        ADGATE_LOG_LEVEL="WARNING",
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "adgate", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"adgate serve exited with {process.returncode}:\n{log_path.read_text()}"
                )
            try:
                if httpx.get(f"{url}/_health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"adgate serve did not answer in time:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
