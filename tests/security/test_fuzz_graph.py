"""A bounded property-based fuzzer: whatever is sent to the Graph API, never a 5xx, always an envelope.

Hypothesis draws requests against the in-process app: paths made of real and random segments
(with and without a version), parameters with real names and hostile values (deep JSON, huge
numbers, NaN, control and non-Latin-1 characters), bodies as form, JSON, multipart or raw bytes,
and odd headers. Each answer must be below 500, and every error must be the Graph envelope.
The run is derandomized and bounded (``max_examples``), so it takes the same few seconds each time.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from two_nodes import make_settings

from adgate.app import create_app
from adgate.clock import SandboxClock

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class World:
    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    token: str
    app_id: str
    secret: str
    account: str
    campaign: str
    admin_key: str

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(
            self.client.request(method, "http://adgate.test" + path, **kwargs)
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One server for the whole run, on an event loop of its own (Hypothesis calls the test
    synchronously, once per example; each request runs the loop until it is answered)."""
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(make_settings(tmp), clock=SandboxClock())
    loop = asyncio.new_event_loop()
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://adgate.test")
    try:
        admin = {"Authorization": f"Bearer {app.state.settings.admin_key}"}

        def call(path: str, body: dict[str, Any]) -> Any:
            response = loop.run_until_complete(client.post(path, json=body, headers=admin))
            assert response.status_code == 200, response.text
            return response.json()

        person = call("/_sandbox/people", {"name": "Fuzz", "email": "fuzz@example.com", "password": PASSWORD})
        made = call("/_sandbox/apps", {"name": "Fuzz app", "admin_id": person["id"]})
        call("/_sandbox/apps/" + made["id"] + "/access_level", {"level": "standard"})
        account = call("/_sandbox/ad_accounts", {"name": "Fuzz account"})
        role = {"kind": "ad_account", "object_id": account["id"], "person_id": person["id"], "role": "admin"}
        call("/_sandbox/roles", role)
        scopes = ["ads_management", "ads_read"]
        token = call("/_sandbox/tokens", {"app_id": made["id"], "person_id": person["id"], "scopes": scopes})
        campaign = {
            "name": "C",
            "objective": "OUTCOME_TRAFFIC",
            "status": "PAUSED",
            "special_ad_categories": "[]",
        }
        created = loop.run_until_complete(
            client.post(
                f"/v26.0/{account['node']}/campaigns",
                data={"access_token": token["access_token"], **campaign},
            )
        )
        assert created.status_code == 200, created.text
        yield World(
            loop,
            client,
            token["access_token"],
            made["id"],
            made["secret"],
            account["node"],
            created.json()["id"],
            app.state.settings.admin_key,
        )
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()


# --- strategies ---------------------------------------------------------------------------------
HOSTILE_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
DEEP = st.integers(min_value=60, max_value=3000).map(lambda n: "[" * n + "]" * n)
DEEP_OBJECT = st.integers(min_value=60, max_value=3000).map(lambda n: '{"a":' * n + "1" + "}" * n)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
).map(lambda v: json.dumps(v, allow_nan=True))
ODD_NUMBERS = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "-0", "0x10", "1_000"])

PARAM_NAMES = [
    "access_token", "fields", "limit", "after", "before", "batch", "effective_status", "filtering",
    "time_range", "time_ranges", "date_preset", "level", "breakdowns", "grant_type", "client_id",
    "client_secret", "redirect_uri", "code", "code_verifier", "fb_exchange_token", "name", "objective",
    "status", "special_ad_categories", "daily_budget", "lifetime_budget", "bid_amount", "targeting",
    "campaign_id", "adset_id", "creative", "object_story_spec", "input_token", "method",
    "appsecret_proof", "appsecret_time", "include_headers", "summary", "account_id", "page_id",
]  # fmt: skip


@st.composite
def requests(draw: st.DrawFn, world: World) -> dict[str, Any]:
    segment = st.sampled_from(
        ["me", world.account, world.campaign, world.app_id, "debug_token", "oauth", "access_token",
         "campaigns", "adsets", "ads", "adcreatives", "insights", "accounts", "adaccounts", "permissions",
         "act_1", "act_", "0", "999999999999999", "..", "%00", ""]
    ) | HOSTILE_TEXT.map(lambda s: quote(s, safe=""))  # fmt: skip
    version = draw(st.sampled_from(["/v26.0", "/v25.0", "/v2.0", "/v99.0", "", "/v26.0/v26.0"]))
    path = version + "/" + "/".join(draw(st.lists(segment, min_size=0, max_size=4)))
    value = (
        HOSTILE_TEXT | JSON_VALUE | DEEP | DEEP_OBJECT | ODD_NUMBERS
        | st.just(world.token) | st.just(world.app_id) | st.just(f"{world.app_id}|{world.secret}")
    )  # fmt: skip
    names = st.sampled_from(PARAM_NAMES) | HOSTILE_TEXT
    query = draw(st.dictionaries(names, value, max_size=5))
    body = draw(st.dictionaries(names, value, max_size=5))
    if draw(st.booleans()):
        query["access_token"] = world.token
    headers: dict[str, str] = {}
    header_value = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
    if draw(st.booleans()):
        headers["authorization"] = draw(
            st.sampled_from(["Bearer ", "OAuth ", "Basic ", ""]).map(lambda p: p)
            | st.just("Bearer " + world.token)
        ) + draw(header_value)
    for name in draw(st.lists(st.sampled_from(["x-app-usage", "accept", "origin", "x-fb-foo"]), max_size=2)):
        headers[name] = draw(header_value)
    return {
        "method": draw(st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"])),
        "path": path,
        "query": query,
        "body": body,
        "encoding": draw(st.sampled_from(["form", "json", "raw", "multipart", "none"])),
        "raw": draw(st.binary(max_size=200) | DEEP.map(str.encode) | DEEP_OBJECT.map(str.encode)),
        "headers": headers,
    }


def send(world: World, req: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {"params": req["query"], "headers": dict(req["headers"])}
    if req["method"] in ("POST", "PUT", "PATCH", "DELETE"):
        if req["encoding"] == "form":
            kwargs["data"] = req["body"]
        elif req["encoding"] == "json":
            kwargs["content"] = json.dumps(req["body"]).encode()
            kwargs["headers"]["content-type"] = "application/json"
        elif req["encoding"] == "raw":
            kwargs["content"] = req["raw"]
            kwargs["headers"]["content-type"] = "application/json"
        elif req["encoding"] == "multipart":
            kwargs["files"] = {"file": ("x.bin", req["raw"])}
            kwargs["data"] = req["body"]
    return world.request(req["method"], req["path"], **kwargs)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_no_request_gets_a_5xx_and_every_error_is_an_envelope(world: World, data: st.DataObject) -> None:
    req = data.draw(requests(world))
    response = send(world, req)
    assert response.status_code < 500, (req, response.status_code, response.text[:500])
    if response.status_code >= 400 and req["method"] != "HEAD":
        body = response.json()
        error = body["error"]
        assert {"message", "type", "code", "fbtrace_id"} <= set(error), body
        assert isinstance(error["code"], int)
    for value in response.headers.values():
        assert value.isprintable(), response.headers


SANDBOX_PATHS = [
    "/_sandbox/people", "/_sandbox/businesses", "/_sandbox/ad_accounts", "/_sandbox/pages",
    "/_sandbox/apps", "/_sandbox/roles", "/_sandbox/tokens", "/_sandbox/clock", "/_sandbox/world",
    "/_sandbox/people/{person}/password", "/_sandbox/people/{person}/logout", "/_sandbox/apps/{app}",
    "/_sandbox/apps/{app}/access_level", "/_sandbox/apps/{app}/secret", "/_sandbox/people/%00/password",
    "/_sandbox/apps/x/access_level",
]  # fmt: skip
SANDBOX_FIELDS = [
    "name", "email", "password", "is_reviewer", "admin_id", "business_id", "currency", "timezone_name", "id",
    "category", "site_url", "redirect_uris", "mode", "require_app_secret", "level", "kind", "object_id",
    "person_id", "role", "app_id", "scopes", "long_lived", "page_id", "set", "advance",
]  # fmt: skip


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_sandbox_body_gets_a_5xx(world: World, data: st.DataObject) -> None:
    """The control API with the admin key and hostile JSON bodies: a 4xx envelope, never a 5xx."""
    scalar = (
        st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT
        | st.sampled_from([world.app_id, "act_1", "standard", "admin", "ad_account", "user", "page"])
        | st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -1, 2**70])
    )  # fmt: skip
    value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
    body = data.draw(st.dictionaries(st.sampled_from(SANDBOX_FIELDS) | HOSTILE_TEXT, value, max_size=6))
    path = data.draw(st.sampled_from(SANDBOX_PATHS)).format(person="1", app=world.app_id)
    method = data.draw(st.sampled_from(["POST", "PATCH", "DELETE", "GET"]))
    raw = data.draw(st.just(json.dumps(body, allow_nan=True)) | DEEP | DEEP_OBJECT).encode()
    headers = {"Authorization": f"Bearer {world.admin_key}", "content-type": "application/json"}
    response = world.request(method, path, content=raw if method != "GET" else None, headers=headers)
    assert response.status_code < 500, (method, path, body, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert {"message", "type", "code", "fbtrace_id"} <= set(response.json()["error"])


CONSOLE_POSTS = [
    "/console/apps",
    "/console/apps/{app}/secret",
    "/console/apps/{app}/secret/reset",
    "/console/apps/{app}/settings",
    "/console/apps/{app}/settings/explorer",
    "/console/apps/{app}/roles",
    "/console/apps/{app}/roles/remove",
    "/console/apps/{app}/accounts",
    "/console/apps/{app}/accounts/remove",
    "/console/apps/{app}/review",
    "/console/tools/debug",
    "/console/tools/debug/extend",
    "/console/tools/explorer/token",
    "/console/tools/explorer/callback",
    "/console/tools/explorer/page",
    "/console/tools/explorer/run",
    "/console/review/1",
    "/console/sandbox/unlock",
    "/console/sandbox/person",
    "/console/sandbox/clock",
    "/console/sandbox/role",
    "/console/sandbox/app",
    "/console/login",
    "/dialog/oauth/login",
    "/v26.0/dialog/oauth/confirm",
]
PAGE_GETS = [
    "/console",
    "/console/apps",
    "/console/apps/{app}",
    "/console/apps/{app}/settings",
    "/console/apps/{app}/roles",
    "/console/apps/{app}/review",
    "/console/tools/debug",
    "/console/tools/explorer",
    "/console/tools/explorer/callback",
    "/console/review",
    "/console/review/1",
    "/console/sandbox",
    "/dialog/oauth",
    "/v26.0/dialog/oauth",
    "/v1.0/dialog/oauth",
]
PAGE_FIELDS = [
    "name", "email", "password", "next", "role", "person", "account_id", "token", "input_token", "path",
    "method", "params", "site_url", "redirect_uris", "mode", "feature", "decision", "reason", "days", "hours",
    "admin_key", "client_id", "redirect_uri", "scope", "state", "response_type", "auth_type", "grant",
    "code_challenge", "code_challenge_method", "page_id", "confirm", "code", "error",
]  # fmt: skip


@pytest.fixture(scope="module")
def signed_in(world: World) -> Iterator[tuple[httpx.AsyncClient, str]]:
    """A browser signed in to the console as the world's person (an app admin), and its CSRF token."""
    browser = httpx.AsyncClient(transport=world.client._transport, base_url="http://adgate.test")
    page = world.loop.run_until_complete(browser.get("/console/login"))
    csrf = re.search(r'name="fb_dtsg" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"fb_dtsg": csrf.group(1), "email": "fuzz@example.com", "password": PASSWORD}
    assert world.loop.run_until_complete(browser.post("/console/login", data=form)).status_code == 303
    apps = world.loop.run_until_complete(browser.get("/console/apps"))
    csrf = re.search(r'name="fb_dtsg" value="([^"]+)"', apps.text)
    assert csrf is not None
    yield browser, csrf.group(1)
    world.loop.run_until_complete(browser.aclose())


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_page_gets_a_5xx(
    world: World, signed_in: tuple[httpx.AsyncClient, str], data: st.DataObject
) -> None:
    """The dialog and the consoles, signed in, with hostile queries and forms: never a 5xx."""
    browser, csrf = signed_in
    value = (
        HOSTILE_TEXT
        | JSON_VALUE
        | DEEP
        | ODD_NUMBERS
        | st.sampled_from(
            [
                world.app_id,
                world.token,
                "https://app.example/cb",
                "admin",
                "advertiser",
                "nan",
                "inf",
                "1e308",
            ]
        )
    )
    names = st.sampled_from(PAGE_FIELDS) | HOSTILE_TEXT
    query = data.draw(st.dictionaries(names, value, max_size=6))
    if data.draw(st.booleans()):
        path = data.draw(st.sampled_from(PAGE_GETS)).format(app=world.app_id)
        response = world.loop.run_until_complete(browser.get("http://adgate.test" + path, params=query))
    else:
        path = data.draw(st.sampled_from(CONSOLE_POSTS)).format(app=world.app_id)
        form = [(k, v) for k, v in data.draw(st.dictionaries(names, value, max_size=6)).items()]
        if data.draw(st.integers(0, 9)) > 1:
            form.append(("fb_dtsg", csrf))
        if data.draw(st.booleans()):
            files = {"upload": ("x.bin", data.draw(st.binary(max_size=64)))}
            request = browser.post("http://adgate.test" + path, params=query, data=dict(form), files=files)
        else:
            request = browser.post("http://adgate.test" + path, params=query, data=dict(form))
        response = world.loop.run_until_complete(request)
    assert response.status_code < 500, (path, query, response.status_code, response.text[:500])
