"""The gateway under load: nginx in front of a trivial upstream, alone and with adgate deciding.

.venv/bin/python bench/gateway.py [--seconds 8] [--rounds 3] [--connections 32]

One data directory is seeded (bench/world.py: a Standard app, 500 ad accounts, 1000 live tokens),
one ``adgate serve`` process starts with a gateway file of one route
(``GET /v1/accounts/{account}/reports``, the account from the path, ``ads_read``, read cost), and
one nginx (Debian's ``nginx-light``) serves three things:

- the upstream: a ``return 200`` location, as trivial as an upstream gets;
- "nginx alone": a server that proxies every request to that upstream;
- "nginx + adgate": the shipped ``deploy/nginx/adgate-gateway.conf`` in front of the same upstream.

wrk (one thread, ``--connections``, 127.0.0.1 only) runs, each round: the upstream through nginx
alone, adgate's own gated read (``GET /v26.0/act_<n>/``, the same tokens and accounts), and the
upstream through nginx + adgate, cycling over 1000 tokens x 500 accounts. The best round of each is
kept. Printed: the three rates, the gateway's rate as a share of adgate's gated read (target
>= 80%), and the latency nginx + adgate adds over nginx alone at p50 and p99 (target <= 2 ms at 32
connections). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, WrkResult, lua_cycling, server, wrk
from world import BenchWorld, seed

from adgate.testing.server import free_port

ACCOUNTS = 500
LIVE_TOKENS = 1000
ROUTES = """\
name = "Bench API"

[[route]]
name = "reports"
method = "GET"
path = "/v1/accounts/{account}/reports"
account = "path:account"
permission = "ads_read"
cost = "read"
"""
ALONE = "upstream through nginx alone"
GATED = "adgate's own gated read (GET /act_<n>/)"
GATEWAY = "upstream through nginx + adgate decision"


def paths(world: BenchWorld, template: str) -> list[str]:
    out = []
    for i in range(LIVE_TOKENS * 5):
        token = world.tokens[i % LIVE_TOKENS]
        account = world.accounts[(i // LIVE_TOKENS + i) % ACCOUNTS]
        query = urlencode({"access_token": token, "appsecret_proof": world.proof(token)})
        out.append(template.format(account=account) + "?" + query)
    return out


@contextmanager
def nginx(where: Path, adgate_port: int) -> Iterator[tuple[str, str]]:
    """(url of nginx alone, url of nginx + adgate), both in front of one trivial upstream."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    upstream, alone, gated = free_port(), free_port(), free_port()
    shipped = (ROOT / "deploy" / "nginx" / "adgate-gateway.conf").read_text()
    shipped = shipped.replace("127.0.0.1:8765", f"127.0.0.1:{adgate_port}").replace(
        "127.0.0.1:9000", f"127.0.0.1:{upstream}"
    )
    shipped = shipped.replace("listen 8080;", f"listen 127.0.0.1:{gated};")
    (where / "gateway.conf").write_text(shipped)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (where / name).mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (where / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {where / "nginx.pid"};
error_log {where / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {where / "body"}; proxy_temp_path {where / "proxy"};
    fastcgi_temp_path {where / "fastcgi"}; uwsgi_temp_path {where / "uwsgi"}; scgi_temp_path {where / "scgi"};
    server {{ listen 127.0.0.1:{upstream}; location / {{ return 200 "ok"; }} }}
    upstream bench_upstream {{ server 127.0.0.1:{upstream}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{alone};
        location / {{
            proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://bench_upstream;
        }}
    }}
    include {where / "gateway.conf"};
}}
"""
    )
    process = subprocess.Popen([binary, "-p", str(where), "-c", str(where / "nginx.conf")])
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{alone}/")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{alone}", f"http://127.0.0.1:{gated}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    best: dict[str, WrkResult] = {}
    with tempfile.TemporaryDirectory(prefix="adgate-bench-gateway-") as tmp:
        base = Path(tmp)
        data_dir = base / "data"
        data_dir.mkdir()
        world = seed(data_dir, accounts=ACCOUNTS, live_tokens=LIVE_TOKENS)
        (base / "gateway.toml").write_text(ROUTES)
        scripts = base / "scripts"
        scripts.mkdir()
        gated_paths = paths(world, "/v26.0/act_{account}/")
        gateway_paths = paths(world, "/v1/accounts/act_{account}/reports")
        (scripts / "gated.txt").write_text("\n".join(gated_paths) + "\n")
        (scripts / "gateway.txt").write_text("\n".join(gateway_paths) + "\n")
        gated_lua = lua_cycling(scripts / "gated.txt", scripts / "gated.lua")
        gateway_lua = lua_cycling(scripts / "gateway.txt", scripts / "gateway.lua")
        port = free_port()
        nginx_dir = base / "nginx"
        nginx_dir.mkdir()
        env = {"ADGATE_GATEWAY_FILE": str(base / "gateway.toml")}
        with server(data_dir, port, env) as url, nginx(nginx_dir, port) as (alone, gateway):
            for path in gated_paths[:LIVE_TOKENS] + gateway_paths[:LIVE_TOKENS]:  # warm the caches
                target = url if path.startswith("/v26.0") else gateway
                assert httpx.get(f"{target}{path}", timeout=30).status_code == 200, path
            c = args.connections
            for round_ in range(args.rounds):
                for name, target, script in (
                    (ALONE, alone, None),
                    (GATED, url, gated_lua),
                    (GATEWAY, gateway, gateway_lua),
                ):
                    result = wrk(name, target, seconds=args.seconds, connections=c, script=script, timeout=10)
                    print(f"[round {round_ + 1}] {result.line()}", flush=True)
                    if name not in best or result.requests_per_second > best[name].requests_per_second:
                        best[name] = result
    print(f"\nBest of {args.rounds} rounds, {args.seconds} s each, wrk -t1 -c{args.connections}:")
    for name in (ALONE, GATED, GATEWAY):
        print("  " + best[name].line())
    share = best[GATEWAY].requests_per_second / best[GATED].requests_per_second
    print(f"  gateway / adgate's gated read: {share:.0%} (target >= 80%)")
    print(
        f"  latency added by the decision: p50 {best[GATEWAY].p50_ms - best[ALONE].p50_ms:+.2f} ms, "
        f"p99 {best[GATEWAY].p99_ms - best[ALONE].p99_ms:+.2f} ms (target p99 <= 2 ms)"
    )


if __name__ == "__main__":
    main()
