"""Reads mixed with writes, as a Marketing API app makes them, against one ``adgate serve`` process.

.venv/bin/python bench/mixed.py [--seconds 10] [--database sqlite|postgresql|postgresql-2|both|all]

PostgreSQL: a fresh database is made (and dropped) on the server of ``ADGATE_BENCH_POSTGRES_URL``
(default ``postgresql://postgres@127.0.0.1:5432/postgres``), without Redis (LISTEN/NOTIFY).
``postgresql-2``: two server processes sharing that database and the Redis of
``ADGATE_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/14``: counters, the bus), each loaded
by its own wrk with half the connections; a figure is their sum (latencies: the worse node's), and
the codes and cold tokens are split between them. ``both``: SQLite and PostgreSQL; ``all``: the
three. ``--seconds 1`` is a smoke run (the seeding takes longer than the loads).

The world is bench/world.py's (a Standard app, 500 ad accounts its admin administers, 1000 live
user tokens, 1000 authorized users), plus one campaign per account to update, single-use codes
for the exchange and never-used tokens for the cold reads. wrk runs one thread and 64
connections on 127.0.0.1 for ``--seconds`` per figure, once each; the figures, in one run:

- pure gated reads: ``GET /act_<n>/`` with an appsecret_proof (as bench/gate.py);
- 99/1 and 90/10 read/write mixes, with campaign creates (``POST /act_<n>/campaigns``) and with
  campaign updates (``POST /<campaign id>``): every 100 requests of a connection's stream, 1 or
  10 are writes, spread over the tokens and accounts like the reads;
- creates alone and updates alone, code exchanges (``POST /oauth/access_token``, each code once);
- cold reads: a token never called before on every call;
- and the time-weighted model of a mix with no invalidation at all, 1/(r/R + w/W) for a share r
  of reads at the pure-read rate R and w of writes at the writes-alone rate W: how far the cache
  lets the mix go, and what share of it the server reaches.

The machine may be shared: the figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import WrkResult, lua_cycling, lua_posting_once, server, wrk
from gate import exchange_bodies, read_paths, warm, write_lines
from world import BenchWorld, bulk_tokens, bulk_users, mint_codes, seed

from adgate.testing.server import free_port

ACCOUNTS = 500
LIVE_TOKENS = 1000
USERS = 1000
TIMEOUT = 10
#: Upper bounds of exchanges and cold reads a second, to make enough codes and tokens.
EXCHANGES_PER_SECOND = 2500
COLD_PER_SECOND = 3000
HEADERS = '{["Content-Type"] = "application/x-www-form-urlencoded"}'


def lua_mixed(reads: Path, writes: Path, percent: int, script_file: Path) -> str:
    """A wrk script: of every 100 requests, ``percent`` POST the next line of ``writes`` (a path,
    a tab, a form body), the others GET the next line of ``reads``; each list cycles."""
    script_file.write_text(
        f"""local reads, writes = {{}}, {{}}
for line in io.lines("{reads}") do reads[#reads + 1] = line end
for line in io.lines("{writes}") do
  local path, body = line:match("([^\\t]*)\\t(.*)")
  writes[#writes + 1] = {{path, body}}
end
local i, r, w = 0, 0, 0
local headers = {HEADERS}
request = function()
  i = i + 1
  if (i * {percent}) % 100 < {percent} then
    w = w % #writes + 1
    return wrk.format("POST", writes[w][1], headers, writes[w][2])
  end
  r = r % #reads + 1
  return wrk.format("GET", reads[r])
end
"""
    )
    return str(script_file)


def credentials(world: BenchWorld, i: int) -> dict[str, str]:
    token = world.tokens[i % len(world.tokens)]
    return {"access_token": token, "appsecret_proof": world.proof(token)}


def create_lines(world: BenchWorld, n: int) -> list[str]:
    lines = []
    for i in range(n):
        account = world.accounts[(i * 7) % len(world.accounts)]
        body = {
            **credentials(world, i),
            "name": f"Bench {i}",
            "objective": "OUTCOME_TRAFFIC",
            "status": "PAUSED",
            "special_ad_categories": "[]",
        }
        lines.append(f"/v26.0/act_{account}/campaigns\t{urlencode(body)}")
    return lines


def update_lines(world: BenchWorld, campaigns: list[str], n: int) -> list[str]:
    lines = []
    for i in range(n):
        body = urlencode({**credentials(world, i), "name": f"Renamed {i}"})
        lines.append(f"/v26.0/{campaigns[(i * 7) % len(campaigns)]}\t{body}")
    return lines


def make_campaigns(url: str, world: BenchWorld) -> list[str]:
    """One campaign per account, made through the API before the run."""
    made = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for i, account in enumerate(world.accounts):
            body = {
                **credentials(world, i),
                "name": "Updated",
                "objective": "OUTCOME_TRAFFIC",
                "status": "PAUSED",
                "special_ad_categories": "[]",
            }
            response = client.post(f"/v26.0/act_{account}/campaigns", data=body)
            assert response.status_code == 200, response.text
            made.append(response.json()["id"])
    return made


def model(read: float, write: float, writes: float) -> float:
    """Requests a second of a mix with ``writes`` (a share) if neither kind slowed the other."""
    return 1 / ((1 - writes) / read + writes / write)


#: ``--database`` choices: the kinds run, in order.
KINDS = {
    "sqlite": ["sqlite"],
    "postgresql": ["postgresql"],
    "postgresql-2": ["postgresql-2"],
    "both": ["sqlite", "postgresql"],
    "all": ["sqlite", "postgresql", "postgresql-2"],
}


def nodes_of(kind: str) -> int:
    return 2 if kind.endswith("-2") else 1


def wrk_nodes(name: str, urls: list[str], scripts: list[str], seconds: int) -> WrkResult:
    """One wrk per node, at once, the 64 connections shared out; the figure is their sum."""
    if len(urls) == 1:
        return wrk(name, urls[0], seconds=seconds, script=scripts[0], timeout=TIMEOUT)
    connections = 64 // len(urls)
    with ThreadPoolExecutor(len(urls)) as pool:
        results = list(
            pool.map(
                lambda pair: wrk(
                    name, pair[0], seconds=seconds, script=pair[1], timeout=TIMEOUT, connections=connections
                ),
                zip(urls, scripts, strict=True),
            )
        )
    return WrkResult(
        name,
        sum(r.requests_per_second for r in results),
        max(r.p50_ms for r in results),
        max(r.p99_ms for r in results),
        sum(r.errors for r in results),
        sum(r.non2xx for r in results),
        sum(r.requests for r in results),
    )


CACHES = ("admissions", "reads", "active_counts")


def cache_lookups(urls: list[str]) -> dict[str, list[float]]:
    """Each read cache's [hits, misses] as ``/metrics`` reports them, and the garbage collector's
    ``gc`` [seconds, collections], summed over the nodes."""
    counted = {cache: [0.0, 0.0] for cache in (*CACHES, "gc")}
    for url in urls:
        for line in httpx.get(f"{url}/metrics", timeout=TIMEOUT).text.splitlines():
            labels, _, value = line.rpartition(" ")
            if line.startswith("adgate_cache_lookups_total{"):
                cache = labels.split('cache="', 1)[1].split('"', 1)[0]
                if cache in counted:
                    counted[cache]['result="miss"' in labels] += float(value)
            elif line.startswith("adgate_gc_seconds_total{"):
                counted["gc"][0] += float(value)
            elif line.startswith("adgate_gc_collections_total{"):
                counted["gc"][1] += float(value)
    return counted


def measure(kind: str, name: str, urls: list[str], scripts: list[str], seconds: int) -> WrkResult:
    """One load, printed with what each read cache answered during it."""
    before = cache_lookups(urls)
    result = wrk_nodes(name, urls, scripts, seconds)
    after = cache_lookups(urls)
    print(f"[{kind}] {result.line()}", flush=True)
    shares = []
    for cache in CACHES:
        hits, misses = (now - then for now, then in zip(after[cache], before[cache], strict=True))
        if hits + misses:
            shares.append(f"{cache} {hits / (hits + misses):.1%} of {hits + misses:,.0f}")
        else:
            shares.append(f"{cache} -")
    spent, collections = (now - then for now, then in zip(after["gc"], before["gc"], strict=True))
    print(
        f"[{kind}]     cache hits: {', '.join(shares)}; gc {spent * 1000:,.0f} ms in {collections:,.0f}",
        flush=True,
    )
    return result


def split(items: list[str], parts: int) -> list[list[str]]:
    return [items[i::parts] for i in range(parts)]


@contextmanager
def database(kind: str) -> Iterator[dict[str, str]]:
    """The environment of a fresh database of ``kind`` for the seeding and the server(s)."""
    if kind == "sqlite":
        yield {}
        return
    import asyncpg  # type: ignore[import-untyped]

    name = f"adgate_bench_{free_port()}"
    # A server where a new database may be created (the one the test suite uses, by default).
    admin = os.environ.get("ADGATE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    env = {"ADGATE_DATABASE_URL": urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))}
    if nodes_of(kind) > 1:
        env["ADGATE_REDIS_URL"] = os.environ.get("ADGATE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        yield env
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run(kind: str, base: Path, seconds: int, only: str = "") -> dict[str, WrkResult]:
    def chosen(name: str) -> bool:
        return any(part in name for part in only.split(","))

    data_dir = base / kind
    data_dir.mkdir()
    nodes = nodes_of(kind)
    figures: dict[str, WrkResult] = {}
    with database(kind) as env:
        os.environ.update(env)  # bench/world.py's settings read the same database as the server
        try:
            world = seed(data_dir, accounts=ACCOUNTS, live_tokens=LIVE_TOKENS)
            bulk_users(data_dir, world, USERS)
            cold = bulk_tokens(
                data_dir, world, LIVE_TOKENS + seconds * COLD_PER_SECOND, keep=seconds * COLD_PER_SECOND
            )
            codes = mint_codes(data_dir, world, seconds * EXCHANGES_PER_SECOND + 2000)
            scripts = data_dir / "scripts"
            scripts.mkdir()
            reads = write_lines(scripts / "reads.txt", read_paths(world, world.tokens, LIVE_TOKENS * 5))
            exchange = "/v26.0/oauth/access_token"
            warm_x = [
                lua_posting_once(
                    exchange,
                    write_lines(scripts / f"xw{n}.txt", exchange_bodies(world, part)),
                    scripts / f"xw{n}.lua",
                )
                for n, part in enumerate(split(codes[:2000], nodes))
            ]
            run_x = [
                lua_posting_once(
                    exchange,
                    write_lines(scripts / f"x{n}.txt", exchange_bodies(world, part)),
                    scripts / f"x{n}.lua",
                )
                for n, part in enumerate(split(codes[2000:], nodes))
            ]
            run_cold = [
                lua_cycling(
                    write_lines(scripts / f"cold{n}.txt", read_paths(world, part, len(part))),
                    scripts / f"cold{n}.lua",
                )
                for n, part in enumerate(split(cold, nodes))
            ]
            with ExitStack() as stack:
                urls = [stack.enter_context(server(data_dir, free_port(), env)) for _ in range(nodes)]
                campaigns = make_campaigns(urls[0], world)
                creates = write_lines(scripts / "creates.txt", create_lines(world, 20_000))
                updates = write_lines(scripts / "updates.txt", update_lines(world, campaigns, 20_000))
                for url in urls:
                    warm(url, read_paths(world, world.tokens, LIVE_TOKENS))
                reading = lua_cycling(reads, scripts / "r.lua")
                wrk_nodes("warm-up", urls, [reading] * nodes, seconds=min(seconds, 2))
                plan = [
                    ("pure gated reads", reading),
                    ("99/1 reads/campaign creates", lua_mixed(reads, creates, 1, scripts / "c1.lua")),
                    ("90/10 reads/campaign creates", lua_mixed(reads, creates, 10, scripts / "c10.lua")),
                    ("99/1 reads/campaign updates", lua_mixed(reads, updates, 1, scripts / "u1.lua")),
                    ("90/10 reads/campaign updates", lua_mixed(reads, updates, 10, scripts / "u10.lua")),
                    ("campaign creates alone", lua_mixed(reads, creates, 100, scripts / "c100.lua")),
                    ("campaign updates alone", lua_mixed(reads, updates, 100, scripts / "u100.lua")),
                ]
                for name, script in plan:
                    if not chosen(name):
                        continue
                    figures[name] = measure(kind, name, urls, [script] * nodes, seconds)
                if chosen("code exchanges"):
                    wrk_nodes("warm-up", urls, warm_x, seconds=1)
                    name = "code exchanges"
                    figures[name] = measure(kind, name, urls, run_x, seconds)
                name = "cold reads (a new token every call)"
                if chosen(name):
                    figures[name] = measure(kind, name, urls, run_cold, seconds)
        finally:
            for key in env:
                os.environ.pop(key, None)
    return figures


def summary(kind: str, figures: dict[str, WrkResult]) -> None:
    pure = figures.get("pure gated reads")
    servers = (
        "two adgate serve processes (PostgreSQL + Redis), a wrk -t1 -c32 each"
        if nodes_of(kind) > 1
        else ("one adgate serve process, wrk -t1 -c64")
    )
    print(f"\n== {kind}: {servers}")
    print(f"{'load':<40} {'req/s':>8} {'p99 ms':>8} {'non-2xx':>8} {'model':>8} {'of model':>9}")
    for name, figure in figures.items():
        predicted = ""
        share = ""
        for verb in ("creates", "updates"):
            alone_figure = figures.get(f"campaign {verb} alone")
            if verb in name and "/" in name and pure and alone_figure:
                writes = 0.01 if name.startswith("99/1") else 0.10
                expected = model(pure.requests_per_second, alone_figure.requests_per_second, writes)
                predicted = f"{expected:,.0f}"
                share = f"{figure.requests_per_second / expected:.0%}"
        print(
            f"{name:<40} {figure.requests_per_second:>8,.0f} {figure.p99_ms:>8.1f} {figure.non2xx:>8} "
            f"{predicted:>8} {share:>9}"
        )
    print(json.dumps({name: round(f.requests_per_second) for name, f in figures.items()}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--database", choices=list(KINDS), default="sqlite")
    parser.add_argument(
        "--only", default="", help="only the loads whose name contains one of these (comma-separated)"
    )
    args = parser.parse_args()
    kinds = KINDS[args.database]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            results[kind] = run(kind, Path(tmp), args.seconds, args.only)
    for kind, figures in results.items():
        summary(kind, figures)


if __name__ == "__main__":
    main()
