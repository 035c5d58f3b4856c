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
    #: Non-2xx/3xx responses plus socket errors (connect, read, write, timeout).
    errors: int
    non2xx: int = 0
    requests: int = 0

    def line(self) -> str:
        return (
            f"{self.name:<46} {self.requests_per_second:>10,.0f} req/s   "
            f"p50 {self.p50_ms:>7.2f} ms   p99 {self.p99_ms:>7.2f} ms   "
            f"non-2xx {self.non2xx}   socket errors {self.errors - self.non2xx}"
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
    timeout: int | None = None,
) -> WrkResult:
    """``timeout`` (seconds): a response slower than this counts as a socket error and is left out
    of the latencies (wrk's default is 2 s)."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if timeout is not None:
        command.append(f"--timeout={timeout}s")
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", out)
    done = re.search(r"(\d+) requests in", out)
    bad = int(non2xx.group(1)) if non2xx else 0
    errors = bad
    if sock:
        errors += sum(int(sock.group(i)) for i in range(1, 5))
    return WrkResult(
        name,
        rps,
        _ms(*p50.groups()) if p50 else 0.0,
        _ms(*p99.groups()) if p99 else 0.0,
        errors,
        bad,
        int(done.group(1)) if done else 0,
    )


def lua_cycling(path_file: Path, script_file: Path) -> str:
    """A wrk script that GETs each line of ``path_file`` in turn, starting over at the end."""
    script_file.write_text(
        f"""local paths = {{}}
for line in io.lines("{path_file}") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
"""
    )
    return str(script_file)


def lua_posting_once(path: str, body_file: Path, script_file: Path) -> str:
    """A wrk script that POSTs each line of ``body_file`` (form-encoded) once, in order; past the
    last line it sends an empty body, which the server refuses (counted as non-2xx)."""
    script_file.write_text(
        f"""local bodies = {{}}
for line in io.lines("{body_file}") do bodies[#bodies + 1] = line end
local i = 0
local headers = {{["Content-Type"] = "application/x-www-form-urlencoded"}}
request = function()
  i = i + 1
  return wrk.format("POST", "{path}", headers, bodies[i] or "")
end
"""
    )
    return str(script_file)


def wait_for(url: str) -> None:
    """Until ``url`` answers 200 (20 s at most)."""
    for _ in range(400):
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def server(data_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """One ``adgate serve`` process (one worker, its default loop, httptools), logs at WARNING."""
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
        wait_for(f"{url}/_health")
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
