"""The unmodified ``passport-facebook`` (Node.js) logs a person in through adgate's dialog.

``tests/clients/node/passport_login.js`` is a small web app: ``/login`` redirects to the dialog,
``/callback`` exchanges the code and reads the profile. Its URLs keep passport-facebook's default
version, v3.2, long retired: Graph answers such calls as the oldest version it serves. The
strategy's ``enableProof`` sends an ``appsecret_proof`` with the profile read.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from live_world import LiveWorld, consent, make_world

from adgate.testing.server import LiveServer, free_port


@pytest.fixture
def passport_app(node_dir: Path, server: LiveServer) -> Iterator[tuple[str, LiveWorld]]:
    port = free_port()
    world = make_world(server, f"http://127.0.0.1:{port}/callback", name="Ada Byron Lovelace")
    config = {"graph": server.url, "port": port, "version": "v3.2"}
    config |= {"appId": world.app_id, "appSecret": world.app_secret}
    with subprocess.Popen(
        ["node", str(node_dir / "passport_login.js"), "serve", json.dumps(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=node_dir,
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        try:
            assert json.loads(process.stdout.readline()) == {"listening": port}
            yield f"http://127.0.0.1:{port}", world
        finally:
            process.stdin.close()
            process.wait(timeout=10)


def test_a_person_logs_in_with_passport_facebook(
    passport_app: tuple[str, LiveWorld], server: LiveServer
) -> None:
    app_url, world = passport_app
    with requests.Session() as browser:
        person, _callback = log_in(browser, app_url, world, server)
    assert person["id"] == world.person_id
    assert person["displayName"] == "Ada Byron Lovelace"
    assert person["name"] == {"familyName": "Lovelace", "givenName": "Ada", "middleName": "Byron"}
    assert person["emails"] == [{"value": world.email}]
    assert person["photos"][0]["value"].endswith("/static/silhouette.svg")
    me = requests.get(f"{server.url}/v26.0/me", params={"access_token": person["accessToken"]}, timeout=10)
    assert me.json()["id"] == world.person_id


def log_in(
    browser: requests.Session, app_url: str, world: LiveWorld, server: LiveServer
) -> tuple[dict[str, Any], str]:
    """Through the app's /login and the dialog to its /callback: the app's answer and that URL."""
    start = browser.get(f"{app_url}/login", allow_redirects=False, timeout=10)
    assert start.status_code == 302
    dialog = start.headers["Location"]
    assert dialog.startswith(f"{server.url}/v3.2/dialog/oauth?")
    assert parse_qs(urlsplit(dialog).query)["scope"] == ["email"]

    callback = consent(browser, world, dialog, ["email"])
    assert callback.startswith(f"{app_url}/callback?code=")
    done = browser.get(callback, timeout=20)
    assert done.status_code == 200, done.text
    person: dict[str, Any] = done.json()
    return person, callback


def test_a_replayed_code_is_a_facebook_token_error(
    passport_app: tuple[str, LiveWorld], server: LiveServer
) -> None:
    app_url, world = passport_app
    with requests.Session() as browser:
        _person, callback = log_in(browser, app_url, world, server)
        replay = browser.get(callback, timeout=20)
    assert replay.status_code == 502
    error = replay.json()["error"]
    assert (error["name"], error["code"]) == ("FacebookTokenError", 100)
    assert error["message"] == "This authorization code has been used."


def test_a_denied_login_reaches_the_app_as_no_user(passport_app: tuple[str, LiveWorld]) -> None:
    app_url, _world = passport_app
    refused = requests.get(f"{app_url}/callback?error=access_denied&error_reason=user_denied", timeout=10)
    assert refused.status_code == 401
