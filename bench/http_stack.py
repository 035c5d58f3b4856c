"""The HTTP stack alone: adgate's own bare endpoints through the whole middleware, and a gated
ad-account read through the whole gate, against a bare ASGI app on the same uvicorn
(bench/bare_app.py): what the edge and the gate cost per request, in one run.

.venv/bin/python bench/http_stack.py [--seconds 10] [--log-level WARNING|INFO]

``--log-level INFO`` keeps the access log on (one JSON line per request, to a file here), as an
operator who keeps it would run; the default is the benchmarks' WARNING. The gated read is
bench/gate.py's (bench/world.py's world with 1k tokens stored, 1000 tokens x 500 accounts,
each pair called once before the figure). Targets (printed, never asserted): ``/_health`` at 60%
or more of the bare app, the gated read at 40% or more.
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

from common import lua_cycling, server, wait_for, wrk
from gate import read_paths, warm, write_lines
from world import bulk_users, seed

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
        data_dir = Path(tmp)
        world = seed(data_dir)
        bulk_users(data_dir, world, 1000)
        paths = read_paths(world, world.tokens, 5000)
        reads = lua_cycling(write_lines(data_dir / "reads.txt", paths), data_dir / "reads.lua")
        env = {"ADGATE_LOG_LEVEL": args.log_level}
        with server(data_dir, free_port(), env) as url:
            warm(url, paths[:1000])
            wrk("warm-up", f"{url}/_health", seconds=1)
            figures = (
                ("adgate: GET /_health", "/_health", None, "60%"),
                ("graph root: GET /v26.0/", "/v26.0/", None, None),
                ("gated read: GET /v26.0/act_<n>/", "", reads, "40%"),
            )
            for name, path, script, target in figures:
                result = wrk(name, url + path, seconds=args.seconds, script=script)
                share = result.requests_per_second / floor.requests_per_second
                aim = f" (target {target})" if target else ""
                print(f"{result.line()}   {share:.0%} of bare{aim}", flush=True)


if __name__ == "__main__":
    main()
