"""nginx and Caddy, for real, in front of a real upstream, adgate deciding: the shipped
configurations in ``deploy/``, driven by a real HTTP client.

Each proxy is a Debian package (``scripts/test`` installs them); under ``CI=true`` a missing one
fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import requests
from gateway_world import write_routes
from live_world import PASSWORD, LiveWorld, consent
from processes import stop, wait_until_up

from adgate.testing.server import free_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN_KEY = "gateway-proxies-admin-key-0123456789abcdef"
CALLBACK = "https://partner.example/callback"
IN_CI = os.environ.get("CI") == "true"


@dataclass
class Upstream:
    port: int
    seen: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    """A small real API: answers every request with what it received, and remembers it."""
    holder: dict[str, Upstream] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            seen = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
            holder["u"].seen.append(seen)
            body = json.dumps(seen).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["u"] = Upstream(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield holder["u"]
    server.shutdown()
    server.server_close()


@dataclass
class Adgate:
    url: str
    port: int

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = httpx.request(
            method,
            f"{self.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def adgate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adgate]:
    where = tmp_path_factory.mktemp("adgate")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADGATE_")}
    env.update(
        ADGATE_ADMIN_KEY=ADMIN_KEY,
        ADGATE_PASSWORD_HASHING="fast",
        ADGATE_LOG_LEVEL="WARNING",
        ADGATE_GATEWAY_FILE=str(write_routes(where)),
    )
    log = where / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "adgate", "serve", "--port", str(port), "--data-dir", str(where / "data")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/_health", process, log)
        yield Adgate(f"http://127.0.0.1:{port}", port)
    finally:
        stop(process)


def shipped(relative: str, adgate: Adgate, upstream: Upstream, listen: int) -> str:
    text = (ROOT / "deploy" / relative).read_text()
    text = text.replace("127.0.0.1:8765", f"127.0.0.1:{adgate.port}").replace(
        "127.0.0.1:9000", f"127.0.0.1:{upstream.port}"
    )
    return text.replace("listen 8080;", f"listen 127.0.0.1:{listen};").replace(
        ":8081 {", f"http://127.0.0.1:{listen} {{"
    )


def need(binary: str) -> str:
    found = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if found is None:
        if IN_CI:
            pytest.fail(f"{binary} is required on CI (scripts/test installs it)")
        pytest.skip(f"{binary} is not installed")
    return found


@contextmanager
def nginx(adgate: Adgate, upstream: Upstream, where: Path) -> Iterator[str]:
    binary = need("nginx")
    port = free_port()
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (where / name).mkdir(exist_ok=True)
    (where / "gateway.conf").write_text(shipped("nginx/adgate-gateway.conf", adgate, upstream, port))
    user = "user root;\n" if os.geteuid() == 0 else ""
    temps = " ".join(
        f"{n}_temp_path {where / n};" for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    temps = temps.replace(
        f"client_body_temp_path {where / 'client_body'}", f"client_body_temp_path {where / 'body'}"
    )
    (where / "nginx.conf").write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {where / 'nginx.pid'};\n"
        f"error_log {where / 'error.log'} warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{ access_log off; {temps} include {where / 'gateway.conf'}; }}\n"
    )
    log = where / "nginx.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "-p", str(where), "-c", str(where / "nginx.conf")], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextmanager
def caddy(adgate: Adgate, upstream: Upstream, where: Path) -> Iterator[str]:
    binary = need("caddy")
    port = free_port()
    config = "{\n\tadmin off\n}\n\n" + shipped("caddy/Caddyfile", adgate, upstream, port)
    (where / "Caddyfile").write_text(config)
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(where / "data"),
        "XDG_CONFIG_HOME": str(where / "config"),
        "HOME": str(where),
    }
    log = where / "caddy.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "run", "--config", str(where / "Caddyfile"), "--adapter", "caddyfile"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


PROXIES = {"nginx": nginx, "caddy": caddy}


@pytest.fixture(scope="module", params=sorted(PROXIES))
def proxy(
    request: pytest.FixtureRequest,
    adgate: Adgate,
    upstream: Upstream,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    with PROXIES[request.param](adgate, upstream, tmp_path_factory.mktemp(request.param)) as url:
        yield url


@dataclass
class World:
    app_id: str
    person_id: str
    accounts: list[str]
    token: str


def world(adgate: Adgate, accounts: int = 1) -> World:
    """A person, an app at Development and ``accounts`` ad accounts the person administers; the token
    comes from the real login dialog and the code exchange, as a client gets it."""
    n = time.monotonic_ns()
    email = f"gia{n}@example.com"
    person = adgate.call("POST", "/_sandbox/people", {"name": "Gia", "email": email, "password": PASSWORD})
    app = adgate.call(
        "POST", "/_sandbox/apps", {"name": "Partner", "admin_id": person["id"], "redirect_uris": [CALLBACK]}
    )
    ids = []
    for i in range(accounts):
        account = adgate.call("POST", "/_sandbox/ad_accounts", {"name": f"Account {i}"})
        role = {"kind": "ad_account", "object_id": account["id"], "person_id": person["id"], "role": "admin"}
        adgate.call("POST", "/_sandbox/roles", role)
        ids.append(account["id"])
    asked = {
        "client_id": app["id"],
        "redirect_uri": CALLBACK,
        "scope": "ads_read,ads_management",
        "state": "s",
    }
    with requests.Session() as browser:
        who = LiveWorld(person["id"], email, PASSWORD, app["id"], app["secret"])
        location = consent(
            browser,
            who,
            f"{adgate.url}/v26.0/dialog/oauth?{urlencode(asked)}",
            ["ads_read", "ads_management"],
        )
    code = parse_qs(urlsplit(location).query)["code"][0]
    exchanged = httpx.get(
        f"{adgate.url}/v26.0/oauth/access_token",
        params={
            "client_id": app["id"],
            "client_secret": app["secret"],
            "redirect_uri": CALLBACK,
            "code": code,
        },
    )
    assert exchanged.status_code == 200, exchanged.text
    return World(app["id"], person["id"], ids, exchanged.json()["access_token"])


def seen_by_upstream(upstream: Upstream, path: str) -> list[dict[str, Any]]:
    return [s for s in upstream.seen if s["path"] == path]


def test_an_admitted_request_reaches_the_upstream_with_identity_and_the_client_sees_usage(
    proxy: str, adgate: Adgate, upstream: Upstream
) -> None:
    w = world(adgate)
    path = f"/v1/accounts/act_{w.accounts[0]}/reports?since=2026-01-01"
    forged = {"Authorization": f"Bearer {w.token}", "X-Adgate-App-Id": "1", "X-Adgate-Scopes": "everything"}
    answer = httpx.get(f"{proxy}{path}", headers=forged)
    assert answer.status_code == 200, answer.text
    got = answer.json()["headers"]
    assert (got["x-adgate-app-id"], got["x-adgate-user-id"]) == (w.app_id, w.person_id)
    assert got["x-adgate-account"] == f"act_{w.accounts[0]}"
    assert "everything" not in got["x-adgate-scopes"]
    assert got["x-adgate-access-level"] == "development"
    assert json.loads(answer.headers["x-ad-account-usage"])["acc_id_util_pct"] > 0
    assert w.accounts[0] in json.loads(answer.headers["x-business-use-case-usage"])


def test_the_sixth_account_at_development_gets_the_graph_error_and_never_reaches_the_upstream(
    proxy: str, adgate: Adgate, upstream: Upstream
) -> None:
    w = world(adgate, accounts=6)
    headers = {"Authorization": f"Bearer {w.token}"}
    for account in w.accounts[:5]:
        assert httpx.get(f"{proxy}/v1/accounts/{account}/reports", headers=headers).status_code == 200
    refused = httpx.get(f"{proxy}/v1/accounts/{w.accounts[5]}/reports", headers=headers)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["code"] == 10 and w.accounts[5] in error["message"]
    assert error["fbtrace_id"]
    assert seen_by_upstream(upstream, f"/v1/accounts/{w.accounts[5]}/reports") == []


def test_the_score_throttles_with_17_retry_after_and_usage_headers(
    proxy: str, adgate: Adgate, upstream: Upstream
) -> None:
    w = world(adgate)
    path = f"/v1/accounts/{w.accounts[0]}/budgets"
    before = len(seen_by_upstream(upstream, path))
    answers = [
        httpx.post(f"{proxy}{path}", headers={"Authorization": f"Bearer {w.token}"}) for _ in range(21)
    ]
    statuses = [a.status_code for a in answers]
    admitted = statuses.index(400)
    # 60 points at Development, 3 a write, refused on reaching 60; the score decays on the real
    # clock meanwhile (60 points per 300 s), which may let one more write in.
    assert admitted in (19, 20)
    refused = answers[admitted]
    assert (refused.json()["error"]["code"], refused.json()["error"]["error_subcode"]) == (17, 2446079)
    assert int(refused.headers["retry-after"]) > 0
    assert json.loads(refused.headers["x-ad-account-usage"])["acc_id_util_pct"] >= 100
    assert len(seen_by_upstream(upstream, path)) - before == admitted


def test_a_password_change_kills_access_on_the_next_call(
    proxy: str, adgate: Adgate, upstream: Upstream
) -> None:
    w = world(adgate)
    headers = {"Authorization": f"Bearer {w.token}"}
    assert httpx.get(f"{proxy}/v1/me", headers=headers).status_code == 200
    adgate.call("POST", f"/_sandbox/people/{w.person_id}/password", {"password": "another-password"})
    dead = httpx.get(f"{proxy}/v1/me", headers=headers)
    assert (dead.status_code, dead.json()["error"]["code"], dead.json()["error"]["error_subcode"]) == (
        400,
        190,
        460,
    )


def test_an_undeclared_route_is_refused_and_never_proxied_a_public_one_is(
    proxy: str, adgate: Adgate, upstream: Upstream
) -> None:
    w = world(adgate)
    unknown = httpx.delete(f"{proxy}/v1/admin/everything", headers={"Authorization": f"Bearer {w.token}"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == 2500
    assert seen_by_upstream(upstream, "/v1/admin/everything") == []
    assert httpx.get(f"{proxy}/health/live").status_code == 200
    assert seen_by_upstream(upstream, "/health/live")
