"""``GET /{business_id}/owned_ad_accounts``: a Business Manager, multi-account call."""

from __future__ import annotations

import httpx
import pytest
from ads_world import Advertiser, error_of, make_advertiser

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


async def business_with_accounts(adv: Advertiser, services: Services, n: int) -> tuple[str, list[str]]:
    business = await services.world.create_business("Shoes Inc", admin_id=adv.cast.admin.id)
    accounts = [
        (await services.world.create_ad_account(f"Owned {i}", business_id=business.id)).id for i in range(n)
    ]
    return business.id, accounts


async def test_the_business_accounts_are_listed_with_cursors(
    services: Services, client: httpx.AsyncClient
) -> None:
    adv = await make_advertiser(services, client, level="standard")
    business_id, accounts = await business_with_accounts(adv, services, 3)
    first = await adv.get(
        f"{business_id}/owned_ad_accounts", fields="name,account_id", limit=2, summary="true"
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["summary"] == {"total_count": 3}
    assert all(a["id"] == f"act_{a['account_id']}" for a in body["data"])
    rest = await adv.get(
        f"{business_id}/owned_ad_accounts", limit=2, after=body["paging"]["cursors"]["after"]
    )
    seen = [a["id"] for a in body["data"]] + [a["id"] for a in rest.json()["data"]]
    assert sorted(seen) == sorted(f"act_{a}" for a in accounts)
    assert "next" not in rest.json()["paging"]


async def test_people_outside_the_business_cannot_see_it(
    services: Services, client: httpx.AsyncClient
) -> None:
    adv = await make_advertiser(services, client, level="standard")
    other = await services.world.create_business("Someone else")
    response = await adv.get(f"{other.id}/owned_ad_accounts")
    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["error_subcode"]) == (100, 33)


@pytest.mark.parametrize("level", ["development", "basic"])
async def test_below_standard_the_gate_refuses_it(
    services: Services, client: httpx.AsyncClient, level: str
) -> None:
    adv = await make_advertiser(services, client, level=level)
    business_id, _accounts = await business_with_accounts(adv, services, 1)
    response = await adv.get(f"{business_id}/owned_ad_accounts")
    assert response.status_code == 400
    assert error_of(response)["code"] == 10
