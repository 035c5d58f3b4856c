"""The HTTP stack alone: adgate's own bare endpoints through the whole middleware, against a bare
ASGI app on the same uvicorn (bench/bare_app.py): what the edge costs per request.

.venv/bin/python bench/http_stack.py [--seconds 10] [--log-level WARNING|INFO]

``--log-level INFO`` keeps the access log on (one JSON line per request, to a file here), as an
operator who keeps it would run; the default is the benchmarks' WARNING. Target (printed, never
asserted): ``/_health`` at 60% or more of the bare app.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import server, wait_for, wrk

from adgate.testing.server import free_port


@contextmanager
def bare(port: int) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().parent / "bare_app.py"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args()
    with bare(free_port()) as url:
        wrk("warm-up", url, seconds=1)
        floor = wrk("bare ASGI app (the same uvicorn)", url, seconds=args.seconds)
        print(floor.line(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {"ADGATE_LOG_LEVEL": args.log_level}
        with server(Path(tmp), free_port(), env) as url:
            wrk("warm-up", f"{url}/_health", seconds=1)
            for name, path in (("adgate: GET /_health", "/_health"), ("graph root: GET /v26.0/", "/v26.0/")):
                result = wrk(name, url + path, seconds=args.seconds)
                share = result.requests_per_second / floor.requests_per_second
                print(f"{result.line()}   {share:.0%} of bare (target for /_health: 60%)", flush=True)


if __name__ == "__main__":
    main()
