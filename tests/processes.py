"""Processes the tests start for real (``adgate serve``, nginx, Caddy): wait until they answer, stop them."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Until ``url`` answers at all; the process's log in the failure if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, log.read_text()
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not ended in ``seconds``."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
