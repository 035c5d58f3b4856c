"""The faults console: the admin key first, then rules made from a form, refused naming the field."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from console_driver import post, submit
from html_forms import forms

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


async def unlocked(client: httpx.AsyncClient, services: Services) -> httpx.Response:
    page = await client.get("/console/sandbox")
    assert (
        await submit(client, page, "unlock-form", admin_key=services.settings.admin_key or "")
    ).status_code == 303
    return await client.get("/console/faults")


async def test_the_faults_console_needs_the_admin_key(client: httpx.AsyncClient) -> None:
    page = await client.get("/console/faults")
    assert "unlock-form" in page.text
    assert "fault-form" not in page.text


async def test_a_rule_from_the_form_is_listed_applied_and_removed(
    client: httpx.AsyncClient, services: Services
) -> None:
    page = await unlocked(client, services)
    assert "no-rules" in page.text
    added = await submit(
        client, page, "fault-form", method="GET", path="/", kind="error", code="2", times="1"
    )
    assert added.status_code == 200, added.text
    assert "fault-rules" in added.text and "next 1 (1 left)" in added.text
    assert [(await client.get("/v26.0/")).status_code for _ in range(2)] == [503, 200]
    shown = await client.get("/console/faults")
    assert "fault-events" in shown.text and "GET /" in shown.text
    rules = await services.faults.rules()
    assert len(rules) == 1
    remove = f"/console/faults/{rules[0].rule.id}/remove"
    form = next(f for f in forms(added.text).values() if f.action == remove)
    done = await post(client, form.action, form.data())
    assert done.status_code == 200 and "removed" in done.text
    assert await services.faults.rules() == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"path": "/act_{id}/nothing", "kind": "error", "code": "2", "times": "1"}, "match.path"),
        ({"kind": "http_status", "status": "404", "times": "1"}, "effect.status"),
        ({"kind": "drop"}, "times"),
        ({"kind": "drop", "times": "many"}, "times"),
    ],
)
async def test_a_bad_rule_is_refused_naming_the_field(
    client: httpx.AsyncClient, services: Services, values: dict[str, str], field: str
) -> None:
    page = await unlocked(client, services)
    refused = await submit(client, page, "fault-form", **values)
    assert refused.status_code == 400
    assert field in refused.text
    assert await services.faults.rules() == []


async def test_the_deliveries_console_lists_tries_and_sends_again(
    client: httpx.AsyncClient, services: Services
) -> None:
    assert "unlock-form" in (await client.get("/console/deliveries")).text
    await unlocked(client, services)
    person = await services.world.create_person("Dee", "dee@example.com", "a long password")
    app, _ = await services.world.create_app("Called", admin_id=person.id)
    await services.callbacks.set_urls(app.id, {"data_deletion_url": "http://127.0.0.1:9/nothing-listens"})
    delivery_id = await services.callbacks.request_data_deletion(app.id, person.id)
    for _ in range(400):  # the server's worker makes one try, refused: nothing listens on port 9
        ((_, attempts),) = await services.callbacks.deliveries()
        if attempts:
            break
        await asyncio.sleep(0.025)
    page = await client.get("/console/deliveries")
    assert f"delivery-{delivery_id}" in page.text
    assert "no answer: ConnectError" in page.text and "pending" in page.text
    form = next(f for f in forms(page.text).values() if f.action == f"/console/deliveries/{delivery_id}/send")
    again = await post(client, form.action, form.data())
    assert again.status_code == 200 and "sent again" in again.text
