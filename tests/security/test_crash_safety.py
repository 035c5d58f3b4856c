"""Crash safety: ``kill -9`` under concurrent writes loses nothing that was acknowledged.

A real ``adgate serve`` process (started as an operator starts it) takes concurrent writes: Graph
campaign creations and sandbox-minted tokens, from several clients at once. Mid-load it is killed
with SIGKILL (no shutdown, no flush). On SQLite the database then passes ``PRAGMA
integrity_check``; the server restarts on the same data, and every write that had been answered
200 is there, and every token that had been handed out still works. Once on SQLite (the default)
and once on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest
from served import ADMIN_KEY, serve

pytestmark = pytest.mark.anyio
LOAD_SECONDS = 1.5
WORKERS = 8


async def seed(client: httpx.AsyncClient) -> tuple[str, str, str]:
    """A person, a Standard app, an ad account they administer: ``(app_id, person_id, act_node)``."""

    async def call(path: str, body: dict[str, object]) -> dict[str, str]:
        response = await client.post(path, json=body)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    person = await call("/_sandbox/people", {"name": "C", "email": "crash@example.com", "password": "x" * 12})
    app = await call("/_sandbox/apps", {"name": "Crash", "admin_id": person["id"]})
    await call(f"/_sandbox/apps/{app['id']}/access_level", {"level": "standard"})
    account = await call("/_sandbox/ad_accounts", {"name": "Crash account"})
    role: dict[str, object] = {
        "kind": "ad_account",
        "object_id": account["id"],
        "person_id": person["id"],
        "role": "admin",
    }
    await call("/_sandbox/roles", role)
    return app["id"], person["id"], account["node"]


async def load_until_killed(
    url: str, process: subprocess.Popen[bytes], app_id: str, person_id: str, act: str
) -> tuple[list[str], list[str]]:
    """Concurrent writes; SIGKILL after LOAD_SECONDS. Returns what was acknowledged."""
    campaigns: list[str] = []
    tokens: list[str] = []
    scopes = {"app_id": app_id, "person_id": person_id, "scopes": ["ads_management"]}
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:
        first = await client.post("/_sandbox/tokens", json=scopes)
        assert first.status_code == 200, first.text
        token = first.json()["access_token"]
        tokens.append(token)
        stop = asyncio.Event()

        async def worker(n: int) -> None:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    if i % 3 == 0:
                        minted = await client.post("/_sandbox/tokens", json=scopes)
                        if minted.status_code == 200:
                            tokens.append(minted.json()["access_token"])
                    else:
                        made = await client.post(
                            f"/v26.0/{act}/campaigns",
                            data={
                                "access_token": token,
                                "name": f"w{n}-{i}",
                                "objective": "OUTCOME_TRAFFIC",
                                "status": "PAUSED",
                                "special_ad_categories": "[]",
                            },
                        )
                        if made.status_code == 200:
                            campaigns.append(made.json()["id"])
                except httpx.TransportError:
                    return  # the server is gone: what was not answered was not acknowledged

        workers = [asyncio.create_task(worker(n)) for n in range(WORKERS)]
        await asyncio.sleep(LOAD_SECONDS)
        process.send_signal(signal.SIGKILL)  # mid-load: requests are in flight
        process.wait()
        stop.set()
        await asyncio.gather(*workers)
    return campaigns, tokens


async def check_after_restart(url: str, act: str, campaigns: list[str], tokens: list[str]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        for token in tokens:
            # A Marketing read (the account's score, 9000 points at Standard), not /me: hundreds of
            # tokens of one person would pass the app-level limit of 200 calls per user and hour.
            response = await client.get(f"/v26.0/{act}", params={"access_token": token, "fields": "id"})
            assert response.status_code == 200, response.text
        listed = await client.get(
            f"/v26.0/{campaigns[0]}", params={"access_token": tokens[0], "fields": "name"}
        )
        assert listed.status_code == 200, listed.text
        for campaign_id in campaigns:
            response = await client.get(
                f"/v26.0/{campaign_id}", params={"access_token": tokens[0], "fields": "id"}
            )
            assert response.status_code == 200, (campaign_id, response.text)


async def test_kill_9_under_concurrent_writes_loses_no_acknowledged_write(
    tmp_path: Path, database_url: str
) -> None:
    data_dir = tmp_path / "data"
    with serve(data_dir, database_url) as (url, process):
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as c:
            await c.post("/_sandbox/reset")
            app_id, person_id, act = await seed(c)
        campaigns, tokens = await load_until_killed(url, process, app_id, person_id, act)
    assert process.returncode == -signal.SIGKILL
    assert len(campaigns) >= 5 and len(tokens) >= 2, (len(campaigns), len(tokens))

    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        db.close()

    with serve(data_dir, database_url) as (url, _process):
        await check_after_restart(url, act, campaigns, tokens)
