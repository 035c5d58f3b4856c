"""The account configuration tool, the token debugger, the explorer, review and the sandbox console."""

from __future__ import annotations

import httpx
import pytest
from console_driver import (
    PASSWORD,
    form_of,
    new_app,
    person,
    post,
    sign_in,
    signed_in,
    signed_in_app,
    stored_app,
    submit,
)
from html_forms import fragment_of, query_of

from adgate.services.registry import Services
from adgate.services.tokens.minting import Minting

pytestmark = pytest.mark.anyio


async def test_act_ids_are_refused_and_add_is_disabled_at_the_max(
    client: httpx.AsyncClient, services: Services
) -> None:
    app_id = await signed_in_app(client, services)
    accounts = [await services.world.create_ad_account(f"Account {i}") for i in range(6)]
    path = f"/console/apps/{app_id}/settings/advanced"
    page = await client.get(path)
    refused = await submit(client, page, "add-account-form", account_id=f"act_{accounts[0].id}")
    assert refused.status_code == 400
    assert "without act_" in refused.text
    for account in accounts[:5]:
        page = await submit(client, page, "add-account-form", account_id=account.id)
        assert page.status_code == 200, page.text
    assert "by hand" in page.text
    assert "<strong>5</strong> of <strong>5</strong>" in page.text
    assert 'id="add-account" disabled' in page.text
    csrf = form_of(page, "add-account-form")
    full = await post(
        client, csrf.action, [("fb_dtsg", csrf.hidden("fb_dtsg")), ("account_id", accounts[5].id)]
    )
    assert full.status_code == 400
    assert "full" in full.text
    removed = await post(
        client,
        f"{path}/accounts/remove",
        [("fb_dtsg", csrf.hidden("fb_dtsg")), ("account_id", accounts[0].id)],
    )
    assert removed.status_code == 200
    assert 'id="add-account" disabled' not in removed.text


async def test_the_debugger_shows_every_field_and_extends(
    client: httpx.AsyncClient, services: Services
) -> None:
    ada = await signed_in(client, services)
    app_id = await new_app(client)
    short = await Minting(services.core).user_token(app_id, ada.id, ["ads_read"], long_lived=False)
    page = await client.get("/console/tools/debug")
    shown = await submit(client, page, "debug-form", input_token=short["access_token"])
    assert shown.status_code == 200, shown.text
    for label in ("App ID", "Type", "User ID", "Expires", "Data Access Expires", "Valid", "Scopes"):
        assert f"<dt>{label}</dt>" in shown.text
    assert "ads_read" in shown.text and "(in 2 hours)" in shown.text
    extended = await submit(client, shown, "extend-form")
    assert extended.status_code == 200, extended.text
    token = extended.text.split('id="extended-token">', 1)[1].split("<", 1)[0]
    assert token and token != short["access_token"]
    assert "(in 60 days)" in extended.text


async def test_the_debugger_explains_bad_input(client: httpx.AsyncClient, services: Services) -> None:
    await signed_in(client, services)
    other = await person(services, "Sam", "sam@example.com")
    page = await client.get("/console/tools/debug")
    garbage = await submit(client, page, "debug-form", input_token="not-a-token")
    assert "Cannot parse access token" in garbage.text
    empty = await submit(client, page, "debug-form", input_token="  ")
    assert empty.status_code == 400 and "Paste an access token" in empty.text
    app, _s = await services.world.create_app("Sam's", admin_id=other.id)
    theirs = await Minting(services.core).user_token(app.id, other.id, [])
    refused = await submit(client, page, "debug-form", input_token=theirs["access_token"])
    assert refused.status_code == 400
    assert "not an administrator or developer" in refused.text
    assert theirs["access_token"] not in refused.text.replace(f">{theirs['access_token']}</textarea>", "")


async def test_explorer_code_flow_through_the_real_dialog(
    client: httpx.AsyncClient, services: Services
) -> None:
    app_id = await signed_in_app(client, services)
    page = await client.get("/console/tools/explorer")
    missing = await submit(
        client, page, "get-token-form", app_id=app_id, scope="ads_read", response_type="code"
    )
    assert missing.status_code == 400 and "Valid OAuth redirect URIs" in missing.text
    settings = await client.get(f"/console/apps/{app_id}/settings")
    assert (await submit(client, settings, "explorer-uri-form")).status_code == 200
    go = await submit(client, page, "get-token-form", app_id=app_id, scope="ads_read", response_type="code")
    assert go.status_code == 303 and go.headers["location"].startswith("/v26.0/dialog/oauth?")
    consent = await client.get(go.headers["location"])
    allow = await submit(client, consent, "consent-form", decision="allow")
    assert allow.status_code == 302, allow.text
    back = allow.headers["location"]
    assert back.startswith("http://adgate.test/console/tools/explorer/callback?")
    landed = await client.get(back)
    assert landed.status_code == 200, landed.text
    assert "long-lived user token" in landed.text
    ran = await submit(client, landed, "run-form", path="me?fields=id,name")
    assert ran.status_code == 200
    assert "Ada Admin" in ran.text and "x-app-usage" in ran.text


async def test_explorer_token_flow_and_a_foreign_state(client: httpx.AsyncClient, services: Services) -> None:
    app_id = await signed_in_app(client, services)
    settings = await client.get(f"/console/apps/{app_id}/settings")
    await submit(client, settings, "explorer-uri-form")
    page = await client.get("/console/tools/explorer")
    go = await submit(client, page, "get-token-form", app_id=app_id, scope="ads_read")
    consent = await client.get(go.headers["location"])
    allow = await submit(client, consent, "consent-form", decision="allow")
    fragment = fragment_of(allow.headers["location"])
    callback = await client.get(allow.headers["location"].split("#", 1)[0])
    assert "console-explorer.js" in callback.text
    form = form_of(callback, "fragment-form")
    landed = await post(
        client, form.action, form.data(access_token=fragment["access_token"], state=fragment["state"])
    )
    assert landed.status_code == 200 and "short-lived user token" in landed.text
    forged = await post(
        client, form.action, form.data(access_token=fragment["access_token"], state=f"{app_id}.x")
    )
    assert forged.status_code == 400 and "not started from this browser" in forged.text
    assert query_of(go.headers["location"])["response_type"] == "token"


async def test_submit_for_basic_and_a_reviewer_approves(
    client: httpx.AsyncClient, services: Services
) -> None:
    app_id = await signed_in_app(client, services)
    await person(services, "Rita Reviewer", "rita@example.com", reviewer=True)
    status = await client.get(f"/console/apps/{app_id}/review")
    assert status.status_code == 200, status.text
    assert 'id="calls-chart"' in status.text and "1000 calls" in status.text
    assert 'class="mark"' in status.text
    assert '<span id="window-figures">0 calls, 0 errors</span>' in status.text
    assert "1 system user and 1 admin system user" in status.text and "1 system users" not in status.text
    submitted = await submit(client, status, "submit-form")
    assert submitted.status_code == 200, submitted.text
    assert _history_row(submitted.text).count("(in ") == 1  # open: due in a few days
    assert (await client.get("/console/review")).status_code == 403
    client.cookies.clear()
    await sign_in(client, "rita@example.com")
    queue = await client.get("/console/review")
    assert '<a href="/console/review/' in queue.text and ">Ads Helper</a></th>" in queue.text
    assert f"<code>{app_id}</code>" not in queue.text
    sid = queue.text.split('href="/console/review/', 1)[1].split('"', 1)[0]
    detail = await client.get(f"/console/review/{sid}")
    assert "<strong>Ads Helper</strong>" in detail.text and "Ada Admin" in detail.text
    assert 'class="muted reason">The app made 0 API calls in the last 30 days' in detail.text
    assert 'id="due"' in detail.text
    no_reason = await submit(client, detail, "decide-form", decision="deny")
    assert no_reason.status_code == 400 and "Give the reason" in no_reason.text
    approved = await submit(client, detail, "decide-form", decision="approve", reason="Looks fine")
    assert approved.status_code == 200, approved.text
    assert 'id="due"' not in approved.text  # decided: it is due no more
    assert "by Rita Reviewer: Looks fine" in approved.text
    assert (await stored_app(services, app_id)).access_level == "basic"
    client.cookies.clear()
    await sign_in(client)
    history = _history_row((await client.get(f"/console/apps/{app_id}/review")).text)
    assert "approved" in history and "(in " not in history and "not due: decided" in history


def _history_row(page: str) -> str:
    """The first row of the Submissions table of Status & Review."""
    return page.split('id="history"', 1)[1].split("<tbody>", 1)[1].split("</tr>", 1)[0]


async def test_the_sandbox_console_needs_the_admin_key(client: httpx.AsyncClient, services: Services) -> None:
    page = await client.get("/console/sandbox")
    assert "unlock-form" in page.text
    wrong = await submit(client, page, "unlock-form", admin_key="guess")
    assert wrong.status_code == 400 and "not the admin key" in wrong.text
    key = services.settings.admin_key or ""
    ok = await submit(client, page, "unlock-form", admin_key=key)
    assert ok.status_code == 303
    world = await client.get("/console/sandbox")
    assert "person-form" in world.text and key not in world.text
    # Each form says what it is for: the two "Person's e-mail" fields are in titled forms.
    for form_id, title in (
        ("person-form", "New person"),
        ("password-form", "Change a person&#39;s password"),
        ("logout-form", "Log a person out everywhere"),
    ):
        assert f'aria-labelledby="{form_id}-title"><h3 id="{form_id}-title">{title}</h3>' in world.text
    assert world.text.count("<h3 ") == world.text.count('class="stack sub"') == 10
    made = await submit(client, world, "person-form", name="Pat", email="pat@example.com", password=PASSWORD)
    assert made.status_code == 200 and "Pat" in made.text
    bad = await submit(client, world, "person-form", name="Pat", email="nope", password=PASSWORD)
    assert bad.status_code == 400 and "e-mail address" in bad.text
    before = services.core.now()
    moved = await submit(client, world, "clock-form", days="60", hours="0")
    assert moved.status_code == 200 and services.core.now() - before == 60 * 86_400
    assert "forward by 60 days and 0 hours." in moved.text
    one = await submit(client, world, "clock-form", days="1", hours="1.5")
    assert "forward by 1 day and 1.5 hours." in one.text
    refused = await submit(client, world, "reset-form", confirm="")
    assert refused.status_code == 400 and "Type &#34;reset&#34;" in refused.text
    done = await submit(client, world, "reset-form", confirm="reset")
    assert done.status_code == 200 and "pat@example.com" not in done.text


async def _usage(services: Services, app_id: str) -> dict[str, float]:
    enforcer = services.enforcer
    assert enforcer is not None
    totals: dict[str, float] = (await enforcer.usage.daily(app_id, 30))["totals"]
    return totals


async def test_the_explorer_s_own_calls_are_not_the_app_s_traffic(
    client: httpx.AsyncClient, services: Services
) -> None:
    ada = await signed_in(client, services)
    app_id = await new_app(client)
    shop = await services.world.create_page("Ada's Shop")
    token = (await Minting(services.core).user_token(app_id, ada.id, ["ads_read"]))["access_token"]
    for _ in range(4):
        assert (await client.get("/v26.0/me", params={"access_token": token})).status_code == 200
    before = await _usage(services, app_id)
    assert (before["calls"], before["errors"], before["error_rate"]) == (4, 0, 0.0)
    status = await client.get(f"/console/apps/{app_id}/review")
    assert "4 calls, 0 errors" in status.text

    # Every render with a user token lists its Pages in the background (GET /me/accounts): without
    # a Page permission that fails, and must not count; nor does Get Page Token.
    page = await client.get("/console/tools/explorer")
    for _ in range(3):
        shown = await submit(client, page, "run-form", access_token=token, path="not a path")
        assert shown.status_code == 400 and token in shown.text
    forms_data = form_of(shown, "run-form").data(access_token=token)
    csrf = dict(forms_data)["fb_dtsg"]
    no_page = await post(
        client,
        "/console/tools/explorer/page",
        [("fb_dtsg", csrf), ("access_token", token), ("app_id", app_id), ("page_id", shop.id)],
    )
    assert no_page.status_code == 400 and "No page token" in no_page.text
    # The token debugger and Extend read the token through the services, not through Graph.
    debugger = await client.get("/console/tools/debug")
    debugged = await submit(client, debugger, "debug-form", input_token=token)
    assert debugged.status_code == 200 and "ads_read" in debugged.text
    assert (await submit(client, debugged, "extend-form")).status_code == 200
    after = await _usage(services, app_id)
    assert after == before
    status = await client.get(f"/console/apps/{app_id}/review")
    assert "4 calls, 0 errors" in status.text
    assert "The app made 4 API calls" in status.text

    # Submit runs the developer's own Graph call with the app's token: that is the app's traffic.
    ran = await submit(client, shown, "run-form", access_token=token, path="me/accounts")
    assert ran.status_code == 200 and 'id="result-status">HTTP 403' in ran.text
    counted = await _usage(services, app_id)
    assert (counted["calls"], counted["errors"], counted["permission_errors"]) == (5, 1, 1)
