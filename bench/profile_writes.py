"""The write path in process: statements per write and writes/s, optionally profiled.

.venv/bin/python bench/profile_writes.py [--calls 2000] [--profile create|update|exchange]

Seeds bench/world.py's world on SQLite (or ``ADGATE_DATABASE_URL``), builds the app with
``create_app``, and awaits it as an ASGI app (no HTTP), one call at a time: campaign creates
(``POST /act_<n>/campaigns``), renames of the campaigns made (``POST /<campaign>``), and code
exchanges (``GET /oauth/access_token?code=…``). For each kind it prints the statements one call
executes (counted on every engine of the database by SQLAlchemy's ``before_cursor_execute``;
SQLite's ``BEGIN`` runs on the driver's cursor and is not among them), grouped, and the calls a
second.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gate import CALLBACK
from profile_gate import _scope
from world import BenchWorld, bench_settings, bulk_users, mint_codes, seed

from adgate.app import create_app
from adgate.store.sql.database import SqlDatabase

WARM = 1000


def creates(world: BenchWorld, n: int) -> list[tuple[str, str, bytes]]:
    out = []
    for i in range(n):
        token = world.tokens[i % len(world.tokens)]
        account = world.accounts[(i * 7) % len(world.accounts)]
        body = {
            "access_token": token,
            "appsecret_proof": world.proof(token),
            "name": f"Bench {i}",
            "objective": "OUTCOME_TRAFFIC",
            "status": "PAUSED",
            "special_ad_categories": "[]",
        }
        out.append(("POST", f"/v26.0/act_{account}/campaigns", urlencode(body).encode()))
    return out


def updates(world: BenchWorld, campaigns: list[str], n: int) -> list[tuple[str, str, bytes]]:
    out = []
    for i in range(n):
        token = world.tokens[i % len(world.tokens)]
        body = {"access_token": token, "appsecret_proof": world.proof(token), "name": f"Renamed {i}"}
        out.append(("POST", f"/v26.0/{campaigns[(i * 7) % len(campaigns)]}", urlencode(body).encode()))
    return out


def exchanges(world: BenchWorld, codes: list[str]) -> list[tuple[str, str, bytes]]:
    return [
        (
            "GET",
            "/v26.0/oauth/access_token?"
            + urlencode(
                {
                    "client_id": world.app_id,
                    "client_secret": world.secret,
                    "redirect_uri": CALLBACK,
                    "code": code,
                }
            ),
            b"",
        )
        for code in codes
    ]


class Statements:
    """Every statement the database's engines execute, by its first words."""

    def __init__(self, db: SqlDatabase) -> None:
        self.seen: Counter[str] = Counter()
        engines = [db.engine.sync_engine, db._point_reader, db._point_writer]
        for engine in engines:
            if engine is not None:
                event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen[" ".join(statement.split())[:90]] += 1


async def run(data_dir: Path, world: BenchWorld, codes: list[str], calls: int, profile: str | None) -> None:
    app = create_app(bench_settings(data_dir), freeze_heap=True)  # as adgate serve runs it
    statuses: Counter[int] = Counter()

    made: list[str] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses[message["status"]] += 1
        elif message["type"] == "http.response.body" and b'"id"' in message["body"] and len(made) < 1000:
            made.append(json.loads(message["body"])["id"])  # the campaigns the creates made

    async def call(method: str, target: str, body: bytes) -> None:
        path, _, query = target.partition("?")
        scope = _scope(path, query)
        scope["method"] = method
        if body:
            scope["headers"] = [
                *scope["headers"],
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", str(len(body)).encode()),
            ]

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, receive, send)

    async with app.router.lifespan_context(app):
        db = app.state.services.core.db
        statements = Statements(db)
        kinds = {
            "create": lambda: creates(world, calls + WARM),
            "update": lambda: updates(world, made, calls + WARM),
            "exchange": lambda: exchanges(world, codes),
        }
        for kind, planned in kinds.items():
            todo = planned()
            for request in todo[:WARM]:  # warm-up: every token once (the memo), pools
                await call(*request)
            statuses.clear()
            statements.seen.clear()
            profiler = cProfile.Profile() if profile == kind else None
            started, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            for request in todo[WARM : WARM + calls]:
                await call(*request)
            if profiler:
                profiler.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            total = sum(statements.seen.values())
            print(
                f"\n{kind}: {calls / elapsed:,.0f}/s ({elapsed / calls * 1e6:.0f} us each, "
                f"{cpu / calls * 1e6:.0f} us of CPU), "
                f"{total / calls:.1f} statements each, statuses {dict(statuses)}"
            )
            for statement, count in statements.seen.most_common():
                print(f"  {count / calls:5.2f}  {statement}")
            if profiler:
                stats = pstats.Stats(profiler)
                by_package: Counter[str] = Counter()
                for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
                    by_package[_package(filename)] += row[2]
                print("  own time by package, us per call:")
                for package, seconds in by_package.most_common(12):
                    print(f"  {seconds / calls * 1e6:8.0f}  {package}")
                stats.sort_stats("tottime").print_stats(25)


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if "/adgate/" in filename:
        return "adgate/" + filename.split("/adgate/")[1].split("/")[0]
    return "python" if filename.startswith(("/", "<")) else filename


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--profile", choices=["create", "update", "exchange"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        world = seed(data_dir, accounts=200, live_tokens=1000)
        bulk_users(data_dir, world, 1000)
        codes = mint_codes(data_dir, world, args.calls + WARM)
        asyncio.run(run(data_dir, world, codes, args.calls, args.profile))


if __name__ == "__main__":
    main()
