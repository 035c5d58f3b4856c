"""The cache never changes an answer: a model-based test against a server that caches nothing.

Servers share one database and one clock: one cached node on SQLite, or two sharing PostgreSQL
and hearing each other through Redis (the read cache, the gate's memo and the active counts on),
and a ``reference`` (``read_cache=False``: every call reads the database). A hypothesis state
machine interleaves writes of every kind the server makes (password changes, log-outs,
de-authorizations, permission revokes, role changes, level changes, account-list changes,
secret resets, new tokens, campaign, ad set, ad and audience writes, fault rules added and
removed, clock moves), each made on
one cached node, with gated calls made on every node; every answer of a cached node must equal
the reference's (docs/caching.md). With two nodes, a request waits until the other node heard
what it wrote (the propagation window, well under a millisecond, is the bus's own test).

Each example builds a world of its own (a new app, people and accounts), so rate-limit windows
start empty; writes count against the cached nodes' limits only, so an answer throttled on
either side is not compared (the limits run on every call, cached or not, and are tested
elsewhere).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import redis
from ads_world import GOOD_LINK, TARGETING, encode
from gate_world import settings_for
from helpers import make_cast
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from adgate.app import create_app
from adgate.clock import SandboxClock
from adgate.policy.appsecret_proof import make_proof
from adgate.services.registry import Services
from adgate.settings import Settings, normalize_database_url

T = TypeVar("T")

START = 1_790_000_000.0
#: How long another node may take to hear of a write (pub/sub delivery is sub-millisecond).
PROPAGATION_SECONDS = 2.0
#: Codes of the rate limits (facts: 4, 17, 32, 613 and the business-use-case 80000s).
THROTTLES = {4, 17, 32, 613} | set(range(80000, 80020))
REDIS_URL = os.environ.get("ADGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SCOPES = ("ads_read", "ads_management", "public_profile")


@dataclass
class Servers:
    #: The cached nodes (one, or two sharing PostgreSQL and Redis), with their clients.
    nodes: list[Services]
    clients: list[httpx.AsyncClient]
    reference_client: httpx.AsyncClient
    clock: SandboxClock
    admin_headers: dict[str, str]

    async def on(self, node: int, work: Awaitable[T]) -> T:
        """``work`` (a request to ``node``), then until every other node heard what it wrote."""
        before = [services.core.db.generation.value for services in self.nodes]
        done = await work
        wrote = self.nodes[node].core.db.generation.value - before[node]
        if wrote:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + PROPAGATION_SECONDS
            for other, services in enumerate(self.nodes):
                while other != node and services.core.db.generation.value < before[other] + wrote:
                    assert loop.time() < deadline, "a write was not heard by the other node"
                    await asyncio.sleep(0.002)
        return done


@asynccontextmanager
async def servers(settings: Settings, nodes: int) -> AsyncIterator[Servers]:
    clock = SandboxClock(frozen_at=START)
    reference = replace(settings, read_cache=False, redis_url=None)
    async with AsyncExitStack() as stack:
        clients = []
        services = []
        for variant in [settings] * nodes + [reference]:
            app = create_app(variant, clock=clock)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url="http://adgate.test")
            clients.append(await stack.enter_async_context(client))
            services.append(app.state.services)
        assert all(node.core.db.generation.live for node in services[:-1])
        assert not services[-1].core.db.generation.live
        headers = {"Authorization": f"Bearer {settings.admin_key}"}
        yield Servers(services[:-1], clients[:-1], clients[-1], clock, headers)


def answer(response: httpx.Response) -> tuple[int, Any]:
    """Status and body, without what differs between any two calls (the trace id)."""
    assert response.status_code < 500, response.text
    body = response.json()
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body["error"].pop("fbtrace_id", None)
    return response.status_code, body


def pick(items: list[T], data: st.DataObject) -> T:
    """One of ``items`` by a drawn index: what is drawn never depends on what the servers did
    (hypothesis replays a sequence of draws; the lists grow only as far as writes succeed)."""
    return items[data.draw(st.integers(0, 63)) % len(items)]


def throttled(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and isinstance(body.get("error"), dict)
        and body["error"].get("code") in THROTTLES
    )


class CacheModel(RuleBasedStateMachine):
    """Writes on the cached server; every gated call answered alike by both servers."""

    servers: Servers
    loop: asyncio.AbstractEventLoop
    compared = 0

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    # --- the world ----------------------------------------------------------------------------
    @initialize()
    def world(self) -> None:
        self.run(self._world())

    async def _world(self) -> None:
        self._node = 0
        services = self.servers.nodes[0]
        cast = await make_cast(services)
        self.app_id, self.secrets = cast.app.id, [cast.secret]
        self.people = [cast.admin.id, cast.other.id]
        self.accounts = []
        for n in range(2):
            account = await services.world.create_ad_account(f"Model {n}")
            await services.world.assign_role("ad_account", account.id, cast.admin.id, "admin")
            self.accounts.append(account.id)
        page = await services.world.create_page("Model page")
        await services.world.assign_role("page", page.id, cast.admin.id, "admin")
        self.page_id = page.id
        await self.sandbox("POST", f"apps/{self.app_id}/access_level", level="standard")
        self.tokens: list[str] = []
        for person, scopes in ((0, SCOPES), (0, ("ads_read",)), (1, SCOPES)):
            await self._mint(person, scopes)
        self.objects: list[str] = []
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.faults: list[str] = []

    @property
    def node(self) -> int:
        """The cached node the next write goes to (drawn by the ``on_node`` rule)."""
        return self._node % len(self.servers.nodes)

    @rule(node=st.integers(0, 1))
    def on_node(self, node: int) -> None:
        self._node = node

    async def sandbox(self, method: str, path: str, **body: Any) -> httpx.Response:
        client = self.servers.clients[self.node]
        request = client.request(method, f"/_sandbox/{path}", json=body, headers=self.servers.admin_headers)
        response = await self.servers.on(self.node, request)
        assert response.status_code < 500, response.text
        return response

    async def _mint(self, person: int, scopes: tuple[str, ...]) -> None:
        response = await self.sandbox(
            "POST", "tokens", app_id=self.app_id, person_id=self.people[person], scopes=list(scopes)
        )
        if response.status_code == 200:
            self.tokens.append(response.json()["access_token"])

    def app_tokens(self) -> list[str]:
        return [f"{self.app_id}|{secret}" for secret in self.secrets]

    async def graph_write(self, method: str, path: str, token: str, **params: Any) -> httpx.Response:
        client = self.servers.clients[self.node]
        request = client.request(
            method, f"/v26.0/{path}", params={"access_token": token}, data=encode(params)
        )
        response = await self.servers.on(self.node, request)
        assert response.status_code < 500, response.text
        return response

    # --- gated calls, on both servers -----------------------------------------------------------
    @rule(
        data=st.data(), proofs=st.lists(st.sampled_from(["none", "current", "first"]), min_size=1, max_size=3)
    )
    def call(self, data: st.DataObject, proofs: list[str]) -> None:
        for proof in proofs:
            self.calls.append(self.new_call(data, proof))
            self.run(self._compare(*self.calls[-1]))
        del self.calls[:-6]

    @rule(data=st.data())
    def call_again(self, data: st.DataObject) -> None:
        """The same calls as before (answered from the memo and the cache where they still hold)."""
        for _ in range(3):
            if self.calls:
                self.run(self._compare(*pick(self.calls, data)))

    def new_call(self, data: st.DataObject, proof: str) -> tuple[str, dict[str, str]]:
        token = pick(self.tokens + self.app_tokens(), data)
        account = pick(self.accounts, data)
        paths: list[tuple[str, dict[str, str]]] = [
            (f"act_{account}", {}),
            (f"act_{account}", {"fields": "name,account_status"}),
            (f"act_{account}/campaigns", {"fields": "name,status"}),
            (f"act_{account}/customaudiences", {"fields": "name"}),
            (f"act_{account}/ads", {"fields": "name,effective_status"}),
            ("me", {}),
            ("me/permissions", {}),
            ("debug_token", {"input_token": pick(self.tokens, data)}),
        ]
        paths += [(object_id, {"fields": "name,status"}) for object_id in self.objects[-3:]]
        path, params = pick(paths, data)
        params = {"access_token": token, **params}
        if proof != "none":
            secret = self.secrets[-1] if proof == "current" else self.secrets[0]
            params["appsecret_proof"] = make_proof(secret, token)
        return path, params

    async def _compare(self, path: str, params: dict[str, str]) -> None:
        """The call on every cached node (so one answers from its cache what another wrote) and
        on the reference."""
        url = f"/v26.0/{path}"
        servers = self.servers
        answers = [
            answer(await servers.on(n, client.get(url, params=params)))
            for n, client in enumerate(servers.clients)
        ]
        reference = answer(await servers.reference_client.get(url, params=params))
        for node, cached in enumerate(answers):
            if throttled(cached[1]) or throttled(reference[1]):
                continue
            assert cached == reference, f"node {node}: GET {path} {params}"
            CacheModel.compared += 1

    # --- writes, on the cached server -----------------------------------------------------------
    @rule(person=st.integers(0, 1))
    def change_password(self, person: int) -> None:
        self.run(self.sandbox("POST", f"people/{self.people[person]}/password", password="another password"))

    @rule(person=st.integers(0, 1))
    def log_out(self, person: int) -> None:
        self.run(self.sandbox("POST", f"people/{self.people[person]}/logout"))

    @rule(data=st.data(), permission=st.sampled_from([None, "ads_read", "ads_management"]))
    def de_authorize(self, data: st.DataObject, permission: str | None) -> None:
        token = pick(self.tokens, data)
        path = "me/permissions" if permission is None else f"me/permissions/{permission}"
        self.run(self.graph_write("DELETE", path, token))

    @rule(person=st.integers(0, 1), scopes=st.sampled_from([SCOPES, ("ads_read",), ("ads_management",)]))
    def mint(self, person: int, scopes: tuple[str, ...]) -> None:
        self.run(self._mint(person, scopes))

    @rule(
        person=st.integers(0, 1),
        account=st.integers(0, 1),
        role=st.sampled_from([None, "admin", "advertiser", "analyst"]),
    )
    def account_role(self, person: int, account: int, role: str | None) -> None:
        ids = {"kind": "ad_account", "object_id": self.accounts[account], "person_id": self.people[person]}
        if role is None:
            self.run(self.sandbox("DELETE", "roles", **ids))
        else:
            self.run(self.sandbox("POST", "roles", role=role, **ids))

    @rule(person=st.integers(0, 1), role=st.sampled_from([None, "administrator", "developer", "tester"]))
    def app_role(self, person: int, role: str | None) -> None:
        ids = {"kind": "app", "object_id": self.app_id, "person_id": self.people[person]}
        if role is None:
            self.run(self.sandbox("DELETE", "roles", **ids))
        else:
            self.run(self.sandbox("POST", "roles", role=role, **ids))

    @rule(level=st.sampled_from(["development", "basic", "standard"]))
    def access_level(self, level: str) -> None:
        self.run(self.sandbox("POST", f"apps/{self.app_id}/access_level", level=level))

    @rule(account=st.integers(0, 1), add=st.booleans())
    def account_list(self, account: int, add: bool) -> None:
        """The app's ad-account list (Development level), changed by its manager."""
        client = self.servers.clients[self.node]
        request = client.request(
            "POST" if add else "DELETE",
            f"/_apps/{self.app_id}/account_list",
            json={"account_id": self.accounts[account]},
            headers=self.servers.admin_headers,
        )
        response = self.run(self.servers.on(self.node, request))
        assert response.status_code < 500, response.text

    @rule()
    def reset_secret(self) -> None:
        response = self.run(self.sandbox("POST", f"apps/{self.app_id}/secret"))
        if response.status_code == 200:
            self.secrets.append(response.json()["secret"])

    @rule(data=st.data(), status=st.sampled_from(["ACTIVE", "PAUSED"]))
    def create_campaign(self, data: st.DataObject, status: str) -> None:
        token, account = pick(self.tokens, data), pick(self.accounts, data)
        params = {
            "name": "Sale",
            "objective": "OUTCOME_TRAFFIC",
            "status": status,
            "special_ad_categories": [],
        }
        response = self.run(self.graph_write("POST", f"act_{account}/campaigns", token, **params))
        if response.status_code == 200:
            self.objects.append(response.json()["id"])

    @rule(data=st.data(), status=st.sampled_from([None, "ACTIVE", "PAUSED", "DELETED"]))
    def update_object(self, data: st.DataObject, status: str | None) -> None:
        """A rename alone (which reads of other columns outlive), or with a status."""
        if not self.objects:
            return
        token, object_id = pick(self.tokens, data), pick(self.objects, data)
        changes = {"name": f"Renamed {data.draw(st.integers(0, 3))}"}
        if status is not None:
            changes["status"] = status
        self.run(self.graph_write("POST", object_id, token, **changes))

    @rule(data=st.data())
    def create_ad(self, data: st.DataObject) -> None:
        token, account = pick(self.tokens, data), pick(self.accounts, data)
        self.run(self._ad(token, account))

    async def _ad(self, token: str, account: str) -> None:
        act = f"act_{account}"

        async def made(path: str, **params: Any) -> str | None:
            response = await self.graph_write("POST", f"{act}/{path}", token, **params)
            return response.json()["id"] if response.status_code == 200 else None

        campaign = await made(
            "campaigns", name="Ads", objective="OUTCOME_TRAFFIC", status="ACTIVE", special_ad_categories=[]
        )
        if campaign is None:
            return
        adset = await made(
            "adsets",
            name="Set",
            campaign_id=campaign,
            billing_event="IMPRESSIONS",
            optimization_goal="LINK_CLICKS",
            daily_budget=1000,
            targeting=TARGETING,
            status="ACTIVE",
        )
        spec = {"page_id": self.page_id, "link_data": {"link": GOOD_LINK, "message": "Hi", "name": "Hi"}}
        creative = await made("adcreatives", name="Creative", object_story_spec=spec)
        if adset is None or creative is None:
            return
        ad = await made("ads", name="Ad", adset_id=adset, creative={"creative_id": creative}, status="ACTIVE")
        self.objects += [o for o in (campaign, adset, ad) if o is not None]

    @rule(data=st.data())
    def create_audience(self, data: st.DataObject) -> None:
        token, account = pick(self.tokens, data), pick(self.accounts, data)
        params = {"name": "Buyers", "subtype": "CUSTOM", "customer_file_source": "USER_PROVIDED_ONLY"}
        self.run(self.graph_write("POST", f"act_{account}/customaudiences", token, **params))

    @rule(
        data=st.data(),
        path=st.sampled_from(["/act_{id}", "/act_{id}/campaigns", "/me", "/{campaign}", "/debug_token"]),
        starts_in=st.sampled_from([None, 3600]),
        lasts=st.sampled_from([60, 86_400]),
        narrow=st.sampled_from([None, "app_id", "ad_account"]),
    )
    def add_fault(
        self, data: st.DataObject, path: str, starts_in: int | None, lasts: int, narrow: str | None
    ) -> None:
        """A fault rule (the rules are read as a whole table, unkeyed): every matching call fails
        alike on every node and on the reference, from its window's start to its end. First a
        call it matches, with a new token, on every node (which keep the rules as they were)."""
        self.run(self._mint(0, SCOPES))
        account = pick(self.accounts, data)
        token = self.tokens[-1]
        concrete = {
            "/act_{id}": (f"act_{account}", {}),
            "/act_{id}/campaigns": (f"act_{account}/campaigns", {"fields": "name"}),
            "/me": ("me", {}),
            "/{campaign}": (self.objects[-1] if self.objects else "me", {"fields": "name"}),
            "/debug_token": ("debug_token", {"input_token": token}),
        }
        call_path, params = concrete[path]
        self.calls.append((call_path, {"access_token": token, **params}))
        self.run(self._compare(*self.calls[-1]))
        now = self.servers.clock.now()
        start = None if starts_in is None else now + starts_in
        match: dict[str, str] = {"method": "GET", "path": path}
        if narrow == "app_id":
            match["app_id"] = self.app_id
        elif narrow == "ad_account":
            match["ad_account"] = account
        rule = {
            "match": match,
            "effect": {"kind": "error", "code": 100},
            "window": {"start": start, "end": (start or now) + lasts},
        }
        response = self.run(self.sandbox("POST", "faults", **rule))
        assert response.status_code == 200, response.text
        self.faults.append(response.json()["id"])
        self.again()

    @rule(data=st.data(), every=st.booleans())
    def remove_fault(self, data: st.DataObject, every: bool) -> None:
        if every:
            self.run(self.sandbox("DELETE", "faults"))
            self.faults.clear()
        elif self.faults:
            rule_id = pick(self.faults, data)
            self.run(self.sandbox("DELETE", f"faults/{rule_id}"))
            self.faults.remove(rule_id)
        self.again()

    def again(self) -> None:
        """The last calls again, on every node: what each node cached before the write, asked
        once more at once."""
        for call in self.calls[-3:]:
            self.run(self._compare(*call))

    @rule(seconds=st.sampled_from([1, 60, 3600, 86_400, 61 * 86_400]), back=st.booleans())
    def move_clock(self, seconds: int, back: bool) -> None:
        if back:
            target = max(START, self.servers.clock.now() - seconds)
            self.run(self.sandbox("POST", "clock", set=target))
        else:
            self.run(self.sandbox("POST", "clock", advance=seconds))


def redis_or_skip() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required on CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} unreachable: {exc}")
    finally:
        client.close()
    return REDIS_URL


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "nodes", [1, pytest.param(2, marks=[pytest.mark.postgres, pytest.mark.redis], id="2-postgres-redis")]
)
def test_every_answer_with_the_cache_is_the_answer_without_it(
    tmp_path: Path, request: pytest.FixtureRequest, nodes: int
) -> None:
    settings_of = settings_for(tmp_path)
    if nodes > 1:  # two nodes share PostgreSQL, and hear each other through Redis
        database = normalize_database_url(request.getfixturevalue("postgres_database"))
        settings_of = settings_for(tmp_path, database_url=database, redis_url=redis_or_skip())
    loop = asyncio.new_event_loop()
    try:
        running = servers(settings_of, nodes)
        CacheModel.servers = loop.run_until_complete(running.__aenter__())
        try:
            CacheModel.loop = loop
            CacheModel.compared = 0
            run_state_machine_as_test(
                CacheModel,
                settings=settings(
                    max_examples=25,
                    stateful_step_count=40,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    # Shrinking replays against a database the earlier runs changed: it would
                    # take long and can mislead. A failure prints its whole sequence of steps.
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                ),
            )
        finally:
            loop.run_until_complete(running.__aexit__(None, None, None))
        assert CacheModel.compared > 10, "too few answers compared to mean anything"
    finally:
        loop.close()


def test_the_reference_server_is_a_setting(tmp_path: Path) -> None:
    from adgate.settings import SettingsError

    assert Settings.from_env({}, data_dir=tmp_path).read_cache
    assert not Settings.from_env({"ADGATE_READ_CACHE": "off"}, data_dir=tmp_path).read_cache
    with pytest.raises(SettingsError):
        Settings.from_env({"ADGATE_READ_CACHE": "no"}, data_dir=tmp_path)
