"""Sign-in attacks against two nodes sharing one database: the throttle and the session hold on both.

- One login throttle for every password check: a lock earned at the dialog holds at the console's
  sign-in and the other way round, whichever node the guesses and the sign-in go to.
- A log-out ends the session on the server: a copied cookie opens nothing afterwards, on any node,
  and neither does a copied sandbox-console unlock. A password change and a log-out everywhere
  end every session of the person.
"""

from __future__ import annotations

import re

import httpx
import pytest
from console_driver import PASSWORD, post, submit
from dialog_driver import dialog_params, log_in, make_cast, open_dialog
from two_nodes import Node, nodes_fixture  # noqa: F401  (the fixture)

pytestmark = pytest.mark.anyio


async def console_sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/console/login")
    return await submit(client, page, "login-form", email=email, password=password)


async def console_sign_out(client: httpx.AsyncClient) -> None:
    page = await client.get("/console/apps")
    csrf = re.search(r'action="/console/logout".*?name="fb_dtsg" value="([^"]+)"', page.text, re.DOTALL)
    assert csrf is not None, page.text
    response = await post(client, "/console/logout", [("fb_dtsg", csrf.group(1))])
    assert response.status_code == 303


async def test_a_lock_at_the_dialog_holds_at_the_console_on_another_node(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    cast = await make_cast(a.services)
    page = await open_dialog(a.client, dialog_params(cast))
    for _ in range(5):
        page = await log_in(a.client, page, password="wrong password")
        assert page.status_code == 200
    async with b.browser() as browser:
        refused = await console_sign_in(browser, "ada@example.com")
        assert refused.status_code == 429, refused.text
        assert "Too many failed attempts" in refused.text
        assert (await browser.get("/console/apps")).status_code == 303  # not signed in


async def test_a_lock_at_the_console_holds_at_the_dialog_on_another_node(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    cast = await make_cast(a.services)
    for _ in range(5):
        wrong = await console_sign_in(b.client, "sam@example.com", "wrong password")
        assert wrong.status_code == 400
    page = await open_dialog(a.client, dialog_params(cast))
    locked = await log_in(a.client, page, email="sam@example.com")
    assert locked.status_code == 429, locked.text
    # The right password does not get through the console either, on either node.
    for node in (a, b):
        async with node.browser() as browser:
            assert (await console_sign_in(browser, "sam@example.com")).status_code == 429


async def test_a_copied_cookie_dies_with_the_log_out_on_every_node(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    await make_cast(a.services)
    assert (await console_sign_in(a.client, "ada@example.com")).status_code == 303
    async with b.browser(a.client.cookies) as thief:
        assert (await thief.get("/console/apps")).status_code == 200
        await console_sign_out(a.client)
        assert (await thief.get("/console/apps")).status_code == 303
    async with a.browser(a.client.cookies) as thief:
        assert (await thief.get("/console/apps")).status_code == 303


async def test_a_copied_sandbox_unlock_dies_with_the_log_out(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    await make_cast(a.services)
    assert (await console_sign_in(a.client, "ada@example.com")).status_code == 303
    page = await a.client.get("/console/sandbox")
    key = a.services.settings.admin_key or ""
    assert (await submit(a.client, page, "unlock-form", admin_key=key)).status_code == 303
    async with b.browser(a.client.cookies) as thief:
        world = await thief.get("/console/sandbox")
        assert "person-form" in world.text
        made = await submit(
            thief, world, "person-form", name="Pat", email="pat@example.com", password=PASSWORD
        )
        assert made.status_code == 200
        await console_sign_out(a.client)
        again = await submit(
            thief, world, "person-form", name="Eve", email="eve@example.com", password=PASSWORD
        )
        assert again.status_code == 403 and "unlock-form" in again.text
    async with a.services.core.db.read() as tx:
        assert await tx.people.by_email("eve@example.com") is None


@pytest.mark.parametrize("ending", ["password", "logout"])
async def test_a_password_change_or_log_out_everywhere_ends_every_session(
    nodes: tuple[Node, Node], ending: str
) -> None:
    a, b = nodes
    cast = await make_cast(a.services)
    assert (await console_sign_in(a.client, "ada@example.com")).status_code == 303
    async with b.browser() as other:
        assert (await console_sign_in(other, "ada@example.com")).status_code == 303
        if ending == "password":
            await b.services.world.change_password(cast.admin.id, "a brand new password")
        else:
            await b.services.world.log_out(cast.admin.id)
        for browser in (a.client, other):
            assert (await browser.get("/console/apps")).status_code == 303
