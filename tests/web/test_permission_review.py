"""Permission review in the login dialog (seed, "Apply for Basic").

In live mode, people without a role on the app can grant only what the app passed review for:
``public_profile`` and ``email`` need none, ``ads_management``/``ads_read`` come with Marketing API
access, and ``manage_pages`` needs its own review. Unapproved permissions are left off the consent
page (which says so) and out of the grants.
"""

from __future__ import annotations

import httpx
import pytest
from dialog_driver import Cast, allow, consent_page, dialog_params, grants_of, make_cast

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio

SCOPE = "email,ads_read,manage_pages"


@pytest.fixture
async def cast(services: Services) -> Cast:
    cast = await make_cast(services)
    cast.app = await services.world.update_app(cast.app.id, mode="live")
    return cast


async def stranger_grants(client: httpx.AsyncClient, services: Services, cast: Cast) -> dict[str, str]:
    page = await consent_page(client, dialog_params(cast, scope=SCOPE), email="sam@example.com")
    await allow(client, page)
    return await grants_of(services, cast, cast.stranger)


async def test_a_live_app_in_development_access_gets_only_standard_permissions_from_strangers(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    page = await consent_page(client, dialog_params(cast, scope=SCOPE), email="sam@example.com")
    assert 'value="email"' in page.text
    assert 'value="ads_read"' not in page.text and 'value="manage_pages"' not in page.text
    assert 'id="pending-review"' in page.text and "has not passed review" in page.text
    await allow(client, page)
    assert await grants_of(services, cast, cast.stranger) == {"public_profile": "granted", "email": "granted"}


async def test_marketing_api_access_approves_ads_read_but_manage_pages_needs_its_own_review(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    await services.world.set_access_level(cast.app.id, "basic")
    grants = await stranger_grants(client, services, cast)
    assert grants == {"public_profile": "granted", "email": "granted", "ads_read": "granted"}


async def test_an_approved_manage_pages_review_lets_strangers_grant_it(
    client: httpx.AsyncClient, services: Services, cast: Cast, admin_headers: dict[str, str]
) -> None:
    response = await client.post(
        f"/_apps/{cast.app.id}/review/submissions",
        json={"feature": "permission:manage_pages"},
        headers=admin_headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["target_level"] is None
    decided = await client.post(
        f"/_review/submissions/{response.json()['id']}/decision",
        json={"decision": "approve"},
        headers=admin_headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["access_level"] == "development"  # a permission review changes no level
    grants = await stranger_grants(client, services, cast)
    assert grants == {"public_profile": "granted", "email": "granted", "manage_pages": "granted"}
    status = (await client.get(f"/_apps/{cast.app.id}/review", headers=admin_headers)).json()
    assert status["permissions"]["approved"] == ["manage_pages"]
    again = await client.post(
        f"/_apps/{cast.app.id}/review/submissions",
        json={"feature": "permission:manage_pages"},
        headers=admin_headers,
    )
    assert again.status_code == 409


async def test_people_with_a_role_grant_anything_without_review(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    page = await consent_page(client, dialog_params(cast, scope=SCOPE))
    assert 'value="manage_pages"' in page.text and 'id="pending-review"' not in page.text
    await allow(client, page)
    assert (await grants_of(services, cast))["manage_pages"] == "granted"


async def test_a_development_mode_app_needs_no_permission_review(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    await services.world.update_app(cast.app.id, mode="development")
    await services.world.assign_role("app", cast.app.id, cast.stranger.id, "tester")
    grants = await stranger_grants(client, services, cast)
    assert grants["manage_pages"] == "granted"
