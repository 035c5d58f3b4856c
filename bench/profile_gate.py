"""The gate in process, without HTTP: calls/s of one ASGI app called in a loop, optionally profiled.

.venv/bin/python bench/profile_gate.py [--calls 5000] [--profile] [--path read|health|root|debug]
    [--concurrency 1] [--compare ROUNDS]

Builds the app with ``create_app``, enters its lifespan and awaits ``app(scope, receive, send)``
for each call, cycling through the seeded tokens and ad accounts (sequentially, concurrency 1).
This is where the per-call cost of the gate is profiled; wrk figures come from ``bench/gate.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from world import BenchWorld, bench_settings, bulk_tokens, bulk_users, seed

from adgate.app import create_app


def paths(world: BenchWorld, kind: str, n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        token = world.tokens[i % len(world.tokens)]
        if kind == "read":
            account = world.accounts[i % len(world.accounts)]
            query = {"access_token": token, "appsecret_proof": world.proof(token)}
            out.append((f"/v26.0/act_{account}/", urlencode(query)))
        elif kind == "debug":
            query = {"input_token": token, "access_token": world.app_token}
            out.append(("/v26.0/debug_token", urlencode(query)))
        elif kind == "root":
            out.append(("/v26.0/", ""))
        else:
            out.append(("/_health", ""))
    return out


async def run(
    data_dir: Path, world: BenchWorld, kind: str, calls: int, profile: bool, concurrency: int = 1
) -> None:
    app = create_app(bench_settings(data_dir))
    statuses: dict[int, int] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses[message["status"]] = statuses.get(message["status"], 0) + 1

    scope = _scope

    todo = paths(world, kind, calls)
    async with app.router.lifespan_context(app):
        for path, query in todo[: min(2000, calls)]:  # warm-up: caches, pools, imports
            await app(scope(path, query), receive, send)
        statuses.clear()
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        if concurrency == 1:
            for path, query in todo:
                await app(scope(path, query), receive, send)
        else:
            queue = list(reversed(todo))

            async def worker() -> None:
                while queue:
                    path, query = queue.pop()
                    await app(scope(path, query), receive, send)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
    print(
        f"{kind}: {calls / elapsed:,.0f} calls/s ({elapsed / calls * 1e6:.0f} us/call), statuses {statuses}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


async def compare(data_dir: Path, world: BenchWorld, calls: int, rounds: int) -> None:
    """health, root and read in turn, ``rounds`` times: the best round of each (noise only slows)."""
    app = create_app(bench_settings(data_dir))

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    best: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        for kind in ("health", "root", "read", "debug"):
            for path, query in paths(world, kind, 2000):
                await app(_scope(path, query), receive, send)
        for _ in range(rounds):
            for kind in ("health", "root", "read", "debug"):
                todo = paths(world, kind, calls)
                started = time.perf_counter()
                for path, query in todo:
                    await app(_scope(path, query), receive, send)
                per_call = (time.perf_counter() - started) / calls
                best[kind] = min(best.get(kind, per_call), per_call)
    print("  ".join(f"{kind} {us * 1e6:.0f} us" for kind, us in best.items()))


def _scope(path: str, query: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8765"), (b"user-agent", b"bench")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8765),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--tokens", type=int, default=1000, help="token rows stored")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--compare", type=int, default=0, help="rounds of health, root, read, debug")
    parser.add_argument("--path", choices=["read", "health", "root", "debug"], default="read")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        world = seed(data_dir, accounts=200, live_tokens=min(args.tokens, 1000))
        bulk_users(data_dir, world, 1000)
        bulk_tokens(data_dir, world, args.tokens)
        if args.compare:
            asyncio.run(compare(data_dir, world, args.calls, args.compare))
        else:
            asyncio.run(run(data_dir, world, args.path, args.calls, args.profile, args.concurrency))


if __name__ == "__main__":
    main()
