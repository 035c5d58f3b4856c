"""Throttling from a real adgate server, waited out by the helper.

- The development tier's ad-account score (docs/graph-facts.md §5.2: 60 points per 300 s, a read costs 1)
  refuses the 60th read with 17/2446079 and blocks for 300 s.
- The ads_management business use case (docs/graph-facts.md §5.3: 300 calls an hour at the development tier,
  with no active ads) refuses the 301st call of the hour with 80004/2446079.

The helper's ``sleep`` moves the sandbox clock instead of the wall clock, so the wait Graph asks
for really passes on the server, in no time. The clock is held still otherwise: the score is a
leaky bucket, and the test must not depend on how fast the machine runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from client_world import Browser, Sandbox

from adgate.client import Backoff, GraphClient, GraphConfig, Login, LoginFlow, StateSigner, ThrottledError
from adgate.testing.server import LiveServer

DEVELOPMENT_SCORE = 60
DEVELOPMENT_ADS_MANAGEMENT_PER_HOUR = 300


@dataclass
class Throttled:
    config: GraphConfig
    account: str
    token: str
    sandbox: Sandbox
    waited: list[float]

    def sleep_on_the_server(self, seconds: float) -> None:
        self.waited.append(seconds)
        self.sandbox.advance(seconds)

    def read(self, graph: GraphClient) -> None:
        assert (
            graph.get(f"act_{self.account}", {"fields": "id,name"}, token=self.token)["id"]
            == f"act_{self.account}"
        )


@pytest.fixture
def world(server: LiveServer, sandbox: Sandbox, browser: Browser, signer: StateSigner) -> Throttled:
    """An app admin who is admin of an ad account, logged in with ads_read; the clock held still."""
    ada = sandbox.person("Ada Admin", "ada-throttle@example.com")
    app = sandbox.app("Ads Helper", ada)
    account = sandbox.post("ad_accounts", {"name": "Ada's ads"})["id"]
    sandbox.post("roles", {"kind": "ad_account", "object_id": account, "person_id": ada.id, "role": "admin"})
    config = GraphConfig.for_adgate(server.url, app.id, app.secret)
    with GraphClient(config) as graph:
        flow = LoginFlow(graph, "https://app.example/callback", signer, scopes=("ads_read",))
        login = flow.complete(browser.authorize(flow.login_url("s"), ada), "s")
    assert isinstance(login, Login)
    server.services.sandbox_clock().freeze()
    return Throttled(config, account, login.token, sandbox, [])


def test_the_60th_read_is_refused_with_17_and_the_helper_waits_it_out(world: Throttled) -> None:
    with GraphClient(world.config, backoff=Backoff(max_attempts=1)) as impatient:
        for _ in range(DEVELOPMENT_SCORE - 1):
            world.read(impatient)
        usage = impatient.last_usage
        assert usage is not None and usage.ad_account is not None
        assert usage.ad_account.ads_api_access_tier == "development_access"
        with pytest.raises(ThrottledError) as raised:
            world.read(impatient)
    error = raised.value
    assert (error.code, error.subcode, error.is_transient) == (17, 2446079, True)
    # Blocked for 300 s at the development tier: the ad-account header's reset_time_duration says so.
    assert error.retry_after == 300
    assert error.usage is not None and error.usage.ad_account is not None
    assert error.usage.ad_account.acc_id_util_pct == 100

    with GraphClient(world.config, sleep=world.sleep_on_the_server) as patient:
        world.read(patient)
    assert world.waited == [300]


def test_an_80004_from_the_hourly_business_use_case_is_waited_out(world: Throttled) -> None:
    with GraphClient(world.config, backoff=Backoff(max_attempts=1)) as impatient:
        for n in range(DEVELOPMENT_ADS_MANAGEMENT_PER_HOUR):
            if n and n % 50 == 0:
                world.sandbox.advance(250)  # let the ad-account score drain; stay inside the hour
            world.read(impatient)
        with pytest.raises(ThrottledError) as raised:
            world.read(impatient)
    error = raised.value
    assert (error.code, error.subcode) == (80004, 2446079)
    assert error.usage is not None
    [buc] = error.usage.business_use_case
    assert (buc.object_id, buc.type, buc.call_count) == (world.account, "ads_management", 100)
    assert buc.estimated_time_to_regain_access > 0  # minutes
    assert error.retry_after == buc.estimated_time_to_regain_access * 60

    with GraphClient(
        world.config, sleep=world.sleep_on_the_server, backoff=Backoff(max_wait=3600)
    ) as patient:
        world.read(patient)
    assert world.waited[0] == error.retry_after
    assert sum(world.waited) <= 3600


def test_a_wait_longer_than_allowed_is_not_waited(world: Throttled) -> None:
    with GraphClient(world.config, backoff=Backoff(max_attempts=1)) as impatient:
        for _ in range(DEVELOPMENT_SCORE - 1):
            world.read(impatient)
    with (
        GraphClient(world.config, sleep=world.sleep_on_the_server, backoff=Backoff(max_wait=60)) as hurried,
        pytest.raises(ThrottledError) as raised,
    ):
        world.read(hurried)
    assert world.waited == []
    assert raised.value.retry_after == 300
