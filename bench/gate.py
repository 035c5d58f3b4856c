"""The gate under load: bare endpoints, gated ad-account reads, debug_token and the code exchange,
with 1k and with 1M tokens stored, against one ``adgate serve`` process (one uvicorn worker).

.venv/bin/python bench/gate.py [--seconds 10] [--stored 1000,1000000]

For each number of stored tokens: a fresh data directory is seeded before the server starts
(bench/world.py: a Standard app, 500 ad accounts its admin administers, 1000 live user tokens,
1000 authorized users, filler tokens up to the number, single-use codes), then wrk (one thread,
64 connections, 127.0.0.1 only) runs each figure for ``--seconds``:

- bare: ``GET /_health`` and ``GET /v26.0/`` (the Graph router without a token);
- gated read: ``GET /v26.0/act_<n>/?access_token=…&appsecret_proof=…`` through the whole gate,
  cycling over 1000 tokens x 500 ad accounts so that no (app, account) pair nears its score limit;
  every answer must be a 200 (the non-2xx count is printed);
- gated read, cold: the same with tokens never called before (every call misses the read cache
  and reads the token from the database; 1M only, where enough unused tokens exist);
- debug_token: the app's ``app_id|secret`` looking at the 1000 tokens in turn (the app window is
  200 calls per user per hour, hence the 1000 authorized users);
- code exchange: ``POST /v26.0/oauth/access_token``, each pre-minted code once, in order.

Then, in process, the token lookup alone with no cache (the gate's miss path, and through
``Database.read()``), to show that the stored number does not change the uncached path either.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import WrkResult, lua_cycling, lua_posting_once, server, wrk
from world import (
    CALLBACK,
    BenchWorld,
    bench_settings,
    bulk_tokens,
    bulk_users,
    count_tokens,
    mint_codes,
    seed,
)

from adgate.keyring import Keyring
from adgate.services.tokens import find_by_digest
from adgate.store.sql.database import SqlDatabase
from adgate.testing.server import free_port

ACCOUNTS = 500
LIVE_TOKENS = 1000
USERS = 1000
#: wrk's per-request timeout: a slow answer is still an answer, and its latency counts in p99.
TIMEOUT = 10
#: Upper bound of exchanges per second, to mint enough codes.
EXCHANGES_PER_SECOND = 2500

HEALTH = "bare: GET /_health"
ROOT = "bare: GET /v26.0/ (Graph root)"
GATED = "gated read: GET /act_<n>/ (proof, Standard)"
COLD = "gated read, cold: a new token every call"
DEBUG = "debug_token (app token, 1000 tokens)"
EXCHANGE = "code exchange: POST oauth/access_token"
LOOKUP = "token lookup, no cache (point read)"
LOOKUP_READ = "token lookup, no cache (aiosqlite read())"


def read_paths(world: BenchWorld, tokens: list[str], n: int) -> list[str]:
    """``n`` gated reads: token i with account i mod 500 (1000 and 500: every pair comes up)."""
    paths = []
    for i in range(n):
        token = tokens[i % len(tokens)]
        account = world.accounts[(i // len(tokens) + i) % len(world.accounts)]
        query = urlencode({"access_token": token, "appsecret_proof": world.proof(token)})
        paths.append(f"/v26.0/act_{account}/?{query}")
    return paths


def debug_paths(world: BenchWorld) -> list[str]:
    return [
        "/v26.0/debug_token?" + urlencode({"input_token": token, "access_token": world.app_token})
        for token in world.tokens
    ]


def exchange_bodies(world: BenchWorld, codes: list[str]) -> list[str]:
    return [
        urlencode(
            {"client_id": world.app_id, "client_secret": world.secret, "redirect_uri": CALLBACK, "code": code}
        )
        for code in codes
    ]


def warm(url: str, paths: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, response.text


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


async def lookups_per_second(data_dir: Path, tokens: list[str], seconds: float) -> tuple[float, float]:
    """Token lookups with no cache, as the gate makes them on a miss (``Database.cached``: a point
    read on the event loop's thread) and through ``Database.read()`` (aiosqlite's thread)."""
    settings = bench_settings(data_dir)
    db = SqlDatabase(settings.database_url, cache_capacity=0)  # nothing is kept: every call reads
    keyring = Keyring(settings.secret_key or "")
    digests = [keyring.digest(token) for token in tokens]

    async def point(digest: str) -> object:
        return await db.cached(("presented", digest), lambda tx: find_by_digest(tx, digest))

    async def through_read(digest: str) -> object:
        async with db.read() as tx:
            return await find_by_digest(tx, digest)

    rates = []
    try:
        for lookup in (point, through_read):
            done = 0
            started = time.perf_counter()
            while time.perf_counter() - started < seconds:
                assert await lookup(digests[done % len(digests)]) is not None
                done += 1
            rates.append(done / (time.perf_counter() - started))
    finally:
        await db.close()
    return rates[0], rates[1]


def run(stored: int, seconds: int) -> dict[str, WrkResult | float]:
    figures: dict[str, WrkResult | float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        world = seed(data_dir, accounts=ACCOUNTS, live_tokens=LIVE_TOKENS)
        bulk_users(data_dir, world, USERS)
        cold = bulk_tokens(data_dir, world, stored, keep=seconds * 3000 if stored >= 100_000 else 0)
        codes = mint_codes(data_dir, world, seconds * EXCHANGES_PER_SECOND + 5000)
        seeded = time.perf_counter() - started
        print(f"\n== {count_tokens(data_dir):,} tokens stored (seeded in {seeded:.0f} s)", flush=True)
        scripts = data_dir / "scripts"
        scripts.mkdir()
        paths = read_paths(world, world.tokens, LIVE_TOKENS * 5)
        read = lua_cycling(write_lines(scripts / "read.txt", paths), scripts / "r.lua")
        debug = lua_cycling(write_lines(scripts / "debug.txt", debug_paths(world)), scripts / "d.lua")
        warm_codes, run_codes = codes[:5000], codes[5000:]
        exchange_warm = lua_posting_once(
            "/v26.0/oauth/access_token",
            write_lines(scripts / "xw.txt", exchange_bodies(world, warm_codes)),
            scripts / "xw.lua",
        )
        exchange = lua_posting_once(
            "/v26.0/oauth/access_token",
            write_lines(scripts / "x.txt", exchange_bodies(world, run_codes)),
            scripts / "x.lua",
        )
        with server(data_dir, free_port()) as url:
            wrk("warm-up", f"{url}/_health", seconds=2)
            warm(url, paths[:LIVE_TOKENS])  # every token and every account once: the cache is full
            wrk("warm-up", url, seconds=2, script=read)
            wrk("warm-up", url, seconds=1, script=debug)
            runs = [
                (HEALTH, f"{url}/_health", None),
                (ROOT, f"{url}/v26.0/", None),
                (GATED, url, read),
                (DEBUG, url, debug),
            ]
            if cold:
                paths = read_paths(world, cold, len(cold))
                script = lua_cycling(write_lines(scripts / "cold.txt", paths), scripts / "c.lua")
                runs.append((COLD, url, script))
            for name, target, script in runs:
                result = wrk(name, target, seconds=seconds, script=script, timeout=TIMEOUT)
                figures[name] = result
                print(result.line(), flush=True)
            wrk("warm-up", url, seconds=1, script=exchange_warm)
            result = wrk(EXCHANGE, url, seconds=seconds, script=exchange, timeout=TIMEOUT)
            figures[EXCHANGE] = result
            print(result.line(), flush=True)
        point, through_read = asyncio.run(lookups_per_second(data_dir, world.tokens, min(seconds, 5)))
        figures[LOOKUP] = point
        figures[LOOKUP_READ] = through_read
        print(f"{LOOKUP:<46} {point:>10,.0f} lookups/s (in process, one at a time)")
        print(f"{LOOKUP_READ:<46} {through_read:>10,.0f} lookups/s (in process, one at a time)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--stored", default="1000,1000000", help="comma-separated token counts")
    args = parser.parse_args()
    results = {n: run(n, args.seconds) for n in (int(x) for x in args.stored.split(","))}
    print("\n== summary")
    for stored, figures in results.items():
        read = rate(figures[GATED])
        print(
            f"{stored:>9,} stored: gated read = {read / rate(figures[HEALTH]):.0%} of /_health, "
            f"{read / rate(figures[ROOT]):.0%} of /v26.0/ (target: at least 60%)"
        )
    if len(results) == 2:
        small, large = (results[n] for n in sorted(results))
        for name in (GATED, DEBUG, EXCHANGE, LOOKUP, LOOKUP_READ):
            ratio = rate(large[name]) / rate(small[name])
            print(f"{name:<46} large/small = {ratio:.0%} (target: within 10%)")


def rate(figure: WrkResult | float) -> float:
    return figure.requests_per_second if isinstance(figure, WrkResult) else figure


if __name__ == "__main__":
    main()
