"""The sandbox clock is one clock: moved on one node, followed by every node within a bounded window."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from console_driver import submit
from dialog_driver import make_cast
from two_nodes import Node, nodes_fixture  # noqa: F401  (the fixture)

from adgate.policy.tokens import SHORT_LIVED_USER_SECONDS
from adgate.services.registry import CLOCK_FOLLOW_SECONDS

pytestmark = pytest.mark.anyio


async def offset_of(node: Node) -> float:
    response = await node.client.get("/_sandbox/clock", headers=node.admin)
    assert response.status_code == 200
    offset: float = response.json()["offset"]
    return offset


async def me(node: Node, token: str) -> httpx.Response:
    return await node.client.get("/v26.0/me", params={"access_token": token})


async def test_a_clock_move_on_one_node_reaches_the_other_within_the_window(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    cast = await make_cast(a.services)
    minted = await a.client.post(
        "/_sandbox/tokens",
        json={"app_id": cast.app.id, "person_id": cast.admin.id, "long_lived": False},
        headers=a.admin,
    )
    assert minted.status_code == 200, minted.text
    token = minted.json()["access_token"]
    for node in (a, b):
        assert (await me(node, token)).status_code == 200

    moved = await a.client.post(
        "/_sandbox/clock", json={"advance": SHORT_LIVED_USER_SECONDS + 60}, headers=a.admin
    )
    assert moved.status_code == 200
    target = moved.json()["offset"]
    started = time.monotonic()
    # The window is one follow period and a read; allow for a loaded machine.
    while abs(await offset_of(b) - target) > 1:
        assert time.monotonic() - started < 5 * CLOCK_FOLLOW_SECONDS + 2, "node b never followed the clock"
        await asyncio.sleep(0.05)
    for node in (a, b):
        error = (await me(node, token)).json()["error"]
        assert (error["code"], error["error_subcode"]) == (190, 463)

    # A move on b builds on a's: the clock is one, not two that take turns.
    again = await b.client.post("/_sandbox/clock", json={"advance": 100}, headers=b.admin)
    assert abs(again.json()["offset"] - (target + 100)) < 1


@pytest.mark.parametrize(("days", "hours"), [("nan", "0"), ("0", "nan"), ("0", "inf"), ("0", "1e308")])
async def test_the_sandbox_console_refuses_non_finite_moves(
    client: httpx.AsyncClient, admin_headers: dict[str, str], days: str, hours: str
) -> None:

    before = (await client.get("/_sandbox/clock", headers=admin_headers)).json()["now_float"]
    page = await client.get("/console/sandbox")
    unlocked = await submit(client, page, "unlock-form", admin_key=admin_headers["Authorization"][7:])
    assert unlocked.status_code == 303
    world = await client.get("/console/sandbox")
    refused = await submit(client, world, "clock-form", days=days, hours=hours)
    assert refused.status_code == 400, refused.text
    after = await client.get("/_sandbox/clock", headers=admin_headers)
    assert after.status_code == 200 and after.json()["now_float"] == before
