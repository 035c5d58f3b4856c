"""Shared benchmark plumbing: start a server process, run wrk against it, read the figures.

Benchmarks print their numbers; they are never timed assertions in the test suite.
Every load goes to 127.0.0.1 only and is bounded in time.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class WrkResult:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int

    def line(self) -> str:
        return (
            f"{self.name:<46} {self.requests_per_second:>10,.0f} req/s   "
            f"p50 {self.p50_ms:>7.2f} ms   p99 {self.p99_ms:>7.2f} ms   non-2xx/errors {self.errors}"
        )


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    name: str,
    url: str,
    *,
    seconds: int = 10,
    connections: int = 64,
    threads: int = 1,
    script: str | None = None,
) -> WrkResult:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    if sock:
        errors += sum(int(sock.group(i)) for i in range(1, 5))
    return WrkResult(
        name,
        rps,
        _ms(*p50.groups()) if p50 else 0.0,
        _ms(*p99.groups()) if p99 else 0.0,
        errors,
    )


@contextmanager
def server(data_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """One ``adgate serve`` process (one worker, uvloop + httptools), logs at WARNING."""
    env = {
        **os.environ,
        "ADGATE_LOG_LEVEL": "WARNING",
        "ADGATE_PASSWORD_HASHING": "fast",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adgate", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{url}/_health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("server did not start")
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
