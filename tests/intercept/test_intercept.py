"""``adgate serve --intercept``: unmodified clients reach adgate when they call Graph's real hosts.

A real ``adgate serve --demo --intercept`` process; clients get only ``HTTPS_PROXY`` and the CA to
trust (``REQUESTS_CA_BUNDLE`` for Python's requests, ``verify=`` for httpx), exactly as the README
tells people to run them. Every other host is refused, and the CA's key stays private.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from processes import stop

from adgate.testing.server import free_port

ADMIN_KEY = "intercept-test-admin-key-0123456789abcdef"
REDIRECT = "https://app.example/callback"


@dataclass(frozen=True)
class Intercepting:
    url: str
    proxy: str
    proxy_port: int
    ca: Path
    data_dir: Path
    app_id: str
    app_secret: str
    person_id: str
    account: str

    def token(self, scopes: list[str]) -> str:
        minted = httpx.post(
            f"{self.url}/_sandbox/tokens",
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            json={"app_id": self.app_id, "person_id": self.person_id, "scopes": scopes},
        )
        assert minted.status_code == 200, minted.text
        return str(minted.json()["access_token"])


@pytest.fixture(scope="module")
def intercepting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Intercepting]:
    data_dir = tmp_path_factory.mktemp("intercept") / "data"
    port, proxy_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADGATE_")}
    env.update(ADGATE_ADMIN_KEY=ADMIN_KEY, ADGATE_PASSWORD_HASHING="fast", PYTHONUNBUFFERED="1")
    log_path = data_dir.parent / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "adgate",
                "serve",
                "--demo",
                "--intercept",
                "--port",
                str(port),
                "--intercept-port",
                str(proxy_port),
                "--data-dir",
                str(data_dir),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while b"Intercepting" not in log_path.read_bytes():
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        ca = subprocess.run(
            [sys.executable, "-m", "adgate", "ca", "path", "--data-dir", str(data_dir)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}

        def make(path: str, body: dict[str, object]) -> dict[str, str]:
            made = httpx.post(f"{url}/_sandbox/{path}", headers=admin, json=body)
            assert made.status_code == 200, made.text
            return dict(made.json())

        person = make("people", {"name": "Ines", "email": "ines@example.com", "password": "pw-long-enough"})
        app = make("apps", {"name": "Proxied", "admin_id": person["id"], "redirect_uris": [REDIRECT]})
        account = make("ad_accounts", {"name": "Proxied account"})
        make(
            "roles",
            {"kind": "ad_account", "object_id": account["id"], "person_id": person["id"], "role": "admin"},
        )
        yield Intercepting(
            url=url,
            proxy=f"http://127.0.0.1:{proxy_port}",
            proxy_port=proxy_port,
            ca=Path(ca),
            data_dir=data_dir,
            app_id=app["id"],
            app_secret=app["secret"],
            person_id=person["id"],
            account=account["node"],
        )
    finally:
        stop(process)


def test_the_ca_key_is_private_and_the_certificate_is_a_ca(intercepting: Intercepting) -> None:
    key = intercepting.ca.parent / "ca-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(intercepting.ca.parent.stat().st_mode) == 0o700
    context = ssl.create_default_context(cafile=str(intercepting.ca))
    assert any(c.get("subject") for c in context.get_ca_certs())


def test_the_unmodified_sdk_reaches_adgate_with_only_https_proxy_and_the_ca(
    intercepting: Intercepting,
) -> None:
    """facebook-business keeps its default https://graph.facebook.com; only the environment changes."""
    token = intercepting.token(["ads_management"])
    script = textwrap.dedent(
        f"""
        import json
        from facebook_business.api import FacebookAdsApi
        from facebook_business.adobjects.adaccount import AdAccount
        from facebook_business.adobjects.user import User
        from facebook_business.session import FacebookSession
        assert FacebookSession.GRAPH == "https://graph.facebook.com"
        FacebookAdsApi.init({intercepting.app_id!r}, {intercepting.app_secret!r}, {token!r}, crash_log=False)
        me = User(fbid="me").api_get(fields=["id", "name"])
        account = AdAccount({intercepting.account!r}).api_get(fields=["name", "account_id"])
        print(json.dumps({{"me": dict(me), "account": dict(account)}}))
        """
    )
    env = {k: v for k, v in os.environ.items() if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")}
    env.update(HTTPS_PROXY=intercepting.proxy, REQUESTS_CA_BUNDLE=str(intercepting.ca))
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["me"] == {"id": intercepting.person_id, "name": "Ines"}
    assert answer["account"]["name"] == "Proxied account"


def test_the_unmodified_node_sdk_reaches_adgate_with_only_https_proxy_and_the_ca(
    intercepting: Intercepting,
) -> None:
    """The Node SDK's GRAPH has no setter: interception is how it reaches adgate without a change.
    Its HTTP client (axios) sends https URLs to an http proxy in absolute form."""
    node_dir = Path(__file__).resolve().parents[1] / "clients" / "node"
    if shutil.which("node") is None or not (node_dir / "node_modules" / ".package-lock.json").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("node and the npm packages are required on CI (scripts/test installs them)")
        pytest.skip("node or its packages are not installed")
    token = intercepting.token(["ads_read"])
    env = {k: v for k, v in os.environ.items() if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")}
    env.update(HTTPS_PROXY=intercepting.proxy, NODE_EXTRA_CA_CERTS=str(intercepting.ca))
    args = json.dumps({"token": token, "fields": ["id", "name"]})
    done = subprocess.run(
        ["node", str(node_dir / "business_sdk.js"), "me", args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=node_dir,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "ok": {"id": intercepting.person_id, "name": "Ines"}
    }


def test_the_dialog_answers_as_www_facebook_com(intercepting: Intercepting) -> None:
    with httpx.Client(
        proxy=intercepting.proxy, verify=ssl.create_default_context(cafile=intercepting.ca)
    ) as c:
        page = c.get(
            "https://www.facebook.com/v26.0/dialog/oauth",
            params={"client_id": intercepting.app_id, "redirect_uri": REDIRECT, "scope": "ads_read"},
        )
    assert page.status_code == 200, page.text
    assert "<form" in page.text
    assert "Proxied" in page.text


def test_a_client_that_does_not_trust_the_ca_is_refused_by_its_own_tls_check(
    intercepting: Intercepting,
) -> None:
    with (
        httpx.Client(proxy=intercepting.proxy) as c,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        c.get("https://graph.facebook.com/v26.0/")


@pytest.mark.parametrize("target", ["example.com:443", "graph.facebook.com:8443", "127.0.0.1:22"])
def test_connect_to_any_other_host_or_port_is_refused(intercepting: Intercepting, target: str) -> None:
    with socket.create_connection(("127.0.0.1", intercepting.proxy_port), timeout=5) as s:
        s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 403 ")
    assert b"example.com" not in answer.split(b"\r\n\r\n", 1)[1]


def test_an_absolute_form_request_is_answered_as_axios_sends_it(intercepting: Intercepting) -> None:
    """axios (the Node business SDK's HTTP client) sends https URLs to an http proxy in absolute form."""
    token = intercepting.token(["ads_read"])
    request = (
        f"GET https://graph.facebook.com/v26.0/me?fields=id&access_token={token} HTTP/1.1\r\n"
        "Host: graph.facebook.com\r\nConnection: keep-alive\r\nProxy-Connection: keep-alive\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", intercepting.proxy_port), timeout=5) as s:
        s.sendall(request.encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert json.loads(body) == {"id": intercepting.person_id}


def test_an_absolute_form_request_for_another_host_is_refused(intercepting: Intercepting) -> None:
    with httpx.Client(proxy=intercepting.proxy) as c:
        answer = c.get("http://example.com/")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == 1


def test_garbage_gets_a_400_and_a_closed_connection(intercepting: Intercepting) -> None:
    with socket.create_connection(("127.0.0.1", intercepting.proxy_port), timeout=5) as s:
        s.sendall(b"HELLO\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 400 ")
        assert s.recv(4096) == b""
