"""The OAuth login dialog, driven as a browser would over HTTP (docs/graph-facts.md §1.1, §9; RFC 6749 §4.1).

Parameters, the redirect back (code, token, granted_scopes, state), PKCE, the exact redirect URI
match, bad input, what the consent page asks, and who may authorize a development-mode app.
"""

from __future__ import annotations

import httpx
import pytest
from dialog_driver import (
    CALLBACK,
    NOW,
    Cast,
    allow,
    code_record,
    consent_page,
    dialog_params,
    grants_of,
    is_error_page,
    log_in,
    make_cast,
    only_form,
    open_dialog,
    submit,
)
from html_forms import forms, fragment_of, query_of

from adgate import records as r
from adgate.clock import SandboxClock
from adgate.policy.permissions import PERMISSIONS
from adgate.policy.tokens import CODE_SECONDS, SHORT_LIVED_USER_SECONDS
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def cast(services: Services) -> Cast:
    return await make_cast(services)


# --- the code flow ------------------------------------------------------------------------------
async def test_login_then_consent_then_redirect_with_a_code_and_the_state(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    params = dialog_params(cast, scope="ads_management,ads_read", state="st-123")
    page = await open_dialog(client, params)
    assert page.status_code == 200
    assert "Ads Helper" in page.text
    login_form = only_form(page, "login-form")
    assert login_form.action == "/v26.0/dialog/oauth/login"
    assert login_form.hidden("state") == "st-123"

    consent = await log_in(client, page)
    assert consent.status_code == 200
    form = only_form(consent, "consent-form")
    assert form.checkboxes == {"grant": ["ads_management", "ads_read"]}
    for name in ("ads_management", "ads_read", "public_profile"):
        assert PERMISSIONS[name] in consent.text

    location = await allow(client, consent)
    assert location.startswith(CALLBACK + "?")
    query = query_of(location)
    assert set(query) == {"code", "state"}
    assert query["state"] == "st-123"
    code = await code_record(services, query["code"])
    assert code.app_id == cast.app.id
    assert code.person_id == cast.admin.id
    assert code.redirect_uri == CALLBACK
    assert code.scopes == ("ads_management", "ads_read", "public_profile")
    assert code.expires_at == NOW + CODE_SECONDS
    assert code.code_challenge is None


async def test_the_unversioned_path_works_too(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await open_dialog(client, dialog_params(cast), version="")
    assert page.status_code == 200
    assert only_form(page, "login-form").action == "/dialog/oauth/login"


async def test_space_separated_scope_is_accepted(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await consent_page(client, dialog_params(cast, scope="ads_read email"))
    assert only_form(page, "consent-form").checkboxes == {"grant": ["ads_read", "email"]}


async def test_declining_one_permission_leaves_it_out_of_the_code_and_records_it(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    page = await consent_page(client, dialog_params(cast, scope="ads_management,ads_read"))
    location = await allow(client, page, decline=("ads_management",))
    code = await code_record(services, query_of(location)["code"])
    assert code.scopes == ("ads_read", "public_profile")
    assert await grants_of(services, cast) == {
        "ads_management": "declined",
        "ads_read": "granted",
        "public_profile": "granted",
    }
    async with services.core.db.transaction() as tx:
        authorization = await tx.grants.authorization(cast.app.id, cast.admin.id)
    assert authorization == r.Authorization(cast.app.id, cast.admin.id, NOW, NOW, None)


async def test_a_checkbox_that_was_not_asked_for_grants_nothing(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    page = await consent_page(client, dialog_params(cast, scope="ads_read"))
    form = only_form(page, "consent-form")
    data = [*form.data(button=("decision", "allow")), ("grant", "ads_management")]
    response = await submit(client, form, data)
    code = await code_record(services, query_of(response.headers["location"])["code"])
    assert "ads_management" not in code.scopes


async def test_cancel_redirects_with_access_denied_and_the_state(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    page = await consent_page(client, dialog_params(cast, scope="ads_read", state="s 1&x"))
    form = only_form(page, "consent-form")
    response = await submit(client, form, form.data(button=("decision", "cancel")))
    assert response.status_code == 302
    assert response.headers["location"] == (
        CALLBACK + "?error_reason=user_denied&error=access_denied"
        "&error_description=The+user+denied+your+request.&state=s+1%26x"
    )


async def test_cancel_on_the_login_page_redirects_with_access_denied(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    page = await open_dialog(client, dialog_params(cast, state="abc"))
    form = only_form(page, "cancel-form")
    response = await submit(client, form, form.data(button=("decision", "cancel")))
    assert response.status_code == 302
    assert query_of(response.headers["location"]) == {
        "error_reason": "user_denied",
        "error": "access_denied",
        "error_description": "The user denied your request.",
        "state": "abc",
    }


async def test_a_registered_uri_with_a_query_keeps_it(client: httpx.AsyncClient, cast: Cast) -> None:
    params = dialog_params(cast, redirect_uri="https://app.example/other?tenant=1", state="z")
    location = await allow(client, await consent_page(client, params))
    assert location.startswith("https://app.example/other?tenant=1&code=")


# --- response types -----------------------------------------------------------------------------
async def test_response_type_token_puts_a_short_lived_token_in_the_fragment(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    params = dialog_params(cast, scope="ads_read", response_type="token", state="s")
    location = await allow(client, await consent_page(client, params))
    assert location.startswith(CALLBACK + "#")
    fragment = fragment_of(location)
    assert set(fragment) == {"access_token", "data_access_expiration_time", "expires_in", "state"}
    assert fragment["expires_in"] == str(SHORT_LIVED_USER_SECONDS)
    assert fragment["state"] == "s"
    async with services.core.db.transaction() as tx:
        token = await tx.tokens.get(services.core.keyring.digest(fragment["access_token"]))
    assert token is not None
    assert (token.kind, token.long_lived, token.expires_at) == ("user", False, NOW + SHORT_LIVED_USER_SECONDS)
    assert token.scopes == ("ads_read", "public_profile")


@pytest.mark.parametrize("response_type", ["code token", "code,token", "token code"])
async def test_code_and_token_both_go_in_the_fragment(
    client: httpx.AsyncClient, services: Services, cast: Cast, response_type: str
) -> None:
    params = dialog_params(cast, response_type=response_type, state="s")
    location = await allow(client, await consent_page(client, params))
    fragment = fragment_of(location)
    assert "?" not in location
    assert {"access_token", "code", "expires_in", "state"} <= set(fragment)
    assert (await code_record(services, fragment["code"])).redirect_uri == CALLBACK


async def test_granted_scopes_goes_in_the_query_with_a_code(client: httpx.AsyncClient, cast: Cast) -> None:
    params = dialog_params(cast, scope="ads_read,email", response_type="code granted_scopes")
    location = await allow(client, await consent_page(client, params), decline=("email",))
    assert query_of(location)["granted_scopes"] == "ads_read,public_profile"


async def test_granted_scopes_goes_in_the_fragment_with_a_token(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    params = dialog_params(cast, scope="ads_read", response_type="token,granted_scopes")
    location = await allow(client, await consent_page(client, params))
    assert fragment_of(location)["granted_scopes"] == "ads_read,public_profile"
    assert query_of(location) == {}


# --- PKCE ---------------------------------------------------------------------------------------
async def test_an_s256_challenge_is_stored_on_the_code(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    params = dialog_params(cast, code_challenge=challenge, code_challenge_method="S256")
    code = await code_record(
        services, query_of(await allow(client, await consent_page(client, params)))["code"]
    )
    assert (code.code_challenge, code.code_challenge_method) == (challenge, "S256")


async def test_a_challenge_without_a_method_is_plain(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    challenge = "a" * 43
    params = dialog_params(cast, code_challenge=challenge)
    code = await code_record(
        services, query_of(await allow(client, await consent_page(client, params)))["code"]
    )
    assert (code.code_challenge, code.code_challenge_method) == (challenge, "plain")


@pytest.mark.parametrize(
    "extra",
    [
        {"code_challenge": "a" * 43, "code_challenge_method": "S512"},
        {"code_challenge": "too-short", "code_challenge_method": "S256"},
        {"code_challenge": "a" * 44, "code_challenge_method": "S256"},
        {"code_challenge": "has spaces" * 5},
        {"code_challenge_method": "S256"},
    ],
)
async def test_a_malformed_pkce_request_is_refused(
    client: httpx.AsyncClient, cast: Cast, extra: dict[str, str]
) -> None:
    is_error_page(await open_dialog(client, dialog_params(cast, **extra)), 400, "PKCE")


# --- the redirect URI ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "uri",
    [
        CALLBACK + "/",
        CALLBACK + "?x=1",
        "http://app.example/callback",
        "https://APP.example/callback",
        "https://evil.example/callback",
        "https://app.example/other",
        "https://app.example/other?tenant=2",
        "javascript:alert(1)",
        "not a url",
    ],
)
async def test_a_redirect_uri_that_is_not_registered_exactly_is_blocked_without_a_redirect(
    client: httpx.AsyncClient, cast: Cast, uri: str
) -> None:
    response = await open_dialog(client, dialog_params(cast, redirect_uri=uri))
    is_error_page(response, 400, "URL Blocked", "not whitelisted in the app")
    assert "login-form" not in response.text


async def test_the_site_url_is_a_valid_redirect_uri(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    await services.world.update_app(cast.app.id, site_url="https://site.example/")
    page = await open_dialog(client, dialog_params(cast, redirect_uri="https://site.example/"))
    assert page.status_code == 200
    blocked = await open_dialog(client, dialog_params(cast, redirect_uri="https://site.example"))
    is_error_page(blocked, 400, "URL Blocked")


# --- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"redirect_uri": CALLBACK}, ["Invalid App ID", "client_id"]),
        ({"client_id": "", "redirect_uri": CALLBACK}, ["Invalid App ID"]),
        ({"client_id": "abc", "redirect_uri": CALLBACK}, ["Invalid App ID", "abc"]),
        ({"client_id": "12; DROP TABLE apps", "redirect_uri": CALLBACK}, ["Invalid App ID"]),
        ({"client_id": "123456789012345", "redirect_uri": CALLBACK}, ["Invalid App ID", "123456789012345"]),
        ({"client_id": "1" * 21, "redirect_uri": CALLBACK}, ["longer than"]),
        ({"client_id": "<script>x</script>", "redirect_uri": CALLBACK}, ["&lt;script&gt;"]),
    ],
)
async def test_a_bad_client_id_gets_a_400_page(
    client: httpx.AsyncClient, params: dict[str, str], words: list[str]
) -> None:
    response = await client.get("/v26.0/dialog/oauth", params=params)
    is_error_page(response, 400, *words)
    assert "<script>x" not in response.text


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"redirect_uri": ""}, ["redirect_uri"]),
        ({"scope": "ads_read,fly_to_the_moon,read_minds"}, ["Invalid Scopes", "fly_to_the_moon, read_minds"]),
        ({"scope": ",".join(f"p{i}" for i in range(60))}, ["At most 50"]),
        ({"response_type": "id_token"}, ["response_type", "id_token"]),
        ({"auth_type": "sometimes"}, ["auth_type", "sometimes"]),
        ({"state": "s" * 3000}, ["state", "longer than"]),
        ({"scope": "x" * 3000}, ["scope", "longer than"]),
        ({"redirect_uri": "https://app.example/" + "a" * 3000}, ["redirect_uri", "longer than"]),
    ],
)
async def test_bad_dialog_parameters_get_a_400_page_that_says_what_is_wrong(
    client: httpx.AsyncClient, cast: Cast, extra: dict[str, str], words: list[str]
) -> None:
    is_error_page(await open_dialog(client, dialog_params(cast, **extra)), 400, *words)


async def test_a_repeated_parameter_is_refused(client: httpx.AsyncClient, cast: Cast) -> None:
    query = f"client_id={cast.app.id}&redirect_uri={CALLBACK}&redirect_uri=https://evil.example/"
    is_error_page(await client.get(f"/v26.0/dialog/oauth?{query}"), 400, "more than once")


async def test_a_future_version_gets_a_400_page(client: httpx.AsyncClient, cast: Cast) -> None:
    is_error_page(await open_dialog(client, dialog_params(cast), version="v99.0"), 400, "Unsupported version")


async def test_a_retired_version_opens_the_dialog(client: httpx.AsyncClient, cast: Cast) -> None:
    """A retired version is served as the oldest one (facebook-sdk and passport-facebook send v3.x)."""
    page = await open_dialog(client, dialog_params(cast), version="v12.0")
    assert "login-form" in forms(page.text)


async def test_garbage_bytes_in_the_query_are_a_400_not_a_500(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await client.get("/v26.0/dialog/oauth?client_id=%ff%fe&redirect_uri=%00&scope=%c3%28")
    is_error_page(response, 400, "Invalid App ID")


async def test_an_unreadable_form_is_a_400(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await client.post(
        "/v26.0/dialog/oauth/login",
        content=b"--x\r\nbroken",
        headers={"content-type": "multipart/form-data"},  # no boundary
    )
    is_error_page(response, 400, "The form could not be read.")


# --- what the consent page asks -----------------------------------------------------------------
async def test_granted_permissions_are_not_asked_again(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    await allow(client, await consent_page(client, dialog_params(cast, scope="ads_read")))
    page = await open_dialog(client, dialog_params(cast, scope="ads_read,email"))
    assert only_form(page, "consent-form").checkboxes == {"grant": ["email"]}
    location = await allow(client, page)
    code = await code_record(services, query_of(location)["code"])
    assert code.scopes == ("ads_read", "email", "public_profile")


async def test_a_returning_person_with_nothing_new_is_offered_continue(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await allow(client, await consent_page(client, dialog_params(cast, scope="ads_read")))
    page = await open_dialog(client, dialog_params(cast, scope="ads_read"))
    assert "Continue as Ada Admin" in page.text
    assert only_form(page, "consent-form").checkboxes == {}
    assert "code" in query_of(await allow(client, page))


async def test_declined_permissions_are_asked_again_only_with_rerequest(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    params = dialog_params(cast, scope="ads_management,ads_read")
    await allow(client, await consent_page(client, params), decline=("ads_management",))
    again = await open_dialog(client, params)
    assert only_form(again, "consent-form").checkboxes == {}
    code = await code_record(services, query_of(await allow(client, again))["code"])
    assert "ads_management" not in code.scopes

    rerequest = await open_dialog(client, {**params, "auth_type": "rerequest"})
    assert only_form(rerequest, "consent-form").checkboxes == {"grant": ["ads_management"]}
    code = await code_record(services, query_of(await allow(client, rerequest))["code"])
    assert code.scopes == ("ads_management", "ads_read", "public_profile")
    assert (await grants_of(services, cast))["ads_management"] == "granted"


async def test_a_login_reauthorizes_a_deauthorized_app_from_scratch(
    client: httpx.AsyncClient, services: Services, clock: SandboxClock, cast: Cast
) -> None:
    await allow(client, await consent_page(client, dialog_params(cast, scope="ads_management,ads_read")))
    async with services.core.db.transaction() as tx:
        await tx.grants.set_authorization(r.Authorization(cast.app.id, cast.admin.id, NOW, NOW, NOW + 5))
    clock.advance(100)
    page = await open_dialog(client, dialog_params(cast, scope="ads_read"))
    assert only_form(page, "consent-form").checkboxes == {"grant": ["ads_read"]}
    code = await code_record(services, query_of(await allow(client, page))["code"])
    assert code.scopes == ("ads_read", "public_profile")
    async with services.core.db.transaction() as tx:
        authorization = await tx.grants.authorization(cast.app.id, cast.admin.id)
    assert authorization == r.Authorization(cast.app.id, cast.admin.id, NOW + 100, NOW + 100, None)


# --- app modes and roles ------------------------------------------------------------------------
async def test_a_development_app_refuses_people_without_a_role(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    page = await open_dialog(client, dialog_params(cast, scope="ads_read"))
    response = await log_in(client, page, email="sam@example.com")
    is_error_page(response, 403, "App not set up", "development mode")
    assert await grants_of(services, cast, cast.stranger) == {}


async def test_a_development_app_lets_a_tester_in(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    await services.world.assign_role("app", cast.app.id, cast.stranger.id, "tester")
    page = await consent_page(client, dialog_params(cast, scope="ads_read"), email="sam@example.com")
    assert "code" in query_of(await allow(client, page))


async def test_a_live_app_can_be_authorized_by_anyone(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    await services.world.update_app(cast.app.id, mode="live")
    page = await consent_page(client, dialog_params(cast, scope="ads_read"), email="sam@example.com")
    assert "code" in query_of(await allow(client, page))
