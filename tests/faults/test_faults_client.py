"""``adgate.client`` meets injected failures and reacts as documented: it waits out throttling (17,
613) and gives up on what waiting cannot fix; a token killed on a call (190/460) is marked dead and
re-asked for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from adgate.client import (
    Backoff,
    GraphClient,
    GraphConfig,
    LoginFlow,
    Notice,
    PasswordChanged,
    Reasker,
    StateSigner,
    ThrottledError,
    TokenStore,
    generate_key,
)
from adgate.testing import Sandbox


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def world(adgate: Sandbox, waits: list[float]) -> Iterator[tuple[GraphClient, str, str]]:
    alice = adgate.person("Alice")
    app = adgate.app("Client", admin=alice, level="standard")
    account = adgate.ad_account("Shoes", admins=[alice])
    token = adgate.user_token(alice, app, scopes=["ads_management"])
    config = GraphConfig.for_adgate(adgate.url, app.id, app.secret)
    with GraphClient(config, sleep=waits.append, backoff=Backoff(max_attempts=4, first_wait=2.0)) as graph:
        yield graph, account.node, token


@pytest.mark.parametrize(("code", "subcode"), [(17, 2446079), (613, None), (80004, 2446079)])
def test_the_client_waits_out_an_injected_throttle_and_then_succeeds(
    adgate: Sandbox, world: tuple[GraphClient, str, str], waits: list[float], code: int, subcode: int | None
) -> None:
    graph, account, token = world
    adgate.fault(path="/act_{id}/campaigns", code=code, subcode=subcode, times=2)
    assert graph.get(f"{account}/campaigns", token=token)["data"] == []
    assert waits == [2.0, 4.0]


def test_the_client_gives_up_when_the_throttle_outlasts_its_tries(
    adgate: Sandbox, world: tuple[GraphClient, str, str], waits: list[float]
) -> None:
    graph, account, token = world
    adgate.fault(path="/act_{id}/campaigns", code=17, subcode=2446079, times=10)
    with pytest.raises(ThrottledError) as info:
        graph.get(f"{account}/campaigns", token=token)
    assert info.value.code == 17
    assert len(waits) == 3


def test_a_password_change_met_on_a_call_marks_the_token_dead_and_re_asks(
    adgate: Sandbox, world: tuple[GraphClient, str, str], tmp_path: Path
) -> None:
    graph, account, token = world
    store = TokenStore(create_engine(f"sqlite:///{tmp_path / 'app.db'}"), generate_key())
    store.create_all()
    saved = store.save(
        token, app_id=graph.config.app_id, scopes=["ads_management"], contact_email="a@example.com"
    )
    adgate.fault(path="/act_{id}/campaigns", code=190, subcode=460, times=1)
    with pytest.raises(PasswordChanged) as info:
        graph.get(f"{account}/campaigns", token=token)
    store.record_invalid(saved.id, info.value)

    sent: list[Notice] = []
    flow = LoginFlow(graph, "https://app.example/callback", StateSigner("k" * 32), scopes=("ads_management",))
    assert [n.token.id for n in Reasker(store, flow, sent.append).run()] == [saved.id]
    assert "password" in sent[0].reason
