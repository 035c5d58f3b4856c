"""The README's example test, verbatim: it must keep working."""

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.exceptions import FacebookRequestError

from adgate.testing import Sandbox


def test_my_sync_job_survives_a_password_change(adgate: Sandbox) -> None:
    alice = adgate.person("Alice")
    app = adgate.app("My Ads Tool", admin=alice, level="basic")
    account = adgate.ad_account("Shoes", admins=[alice])
    token = adgate.user_token(alice, app, scopes=["ads_management"])
    with adgate.sdk(app, token):
        AdAccount(account.node).create_campaign(
            params={
                "name": "Spring",
                "objective": "OUTCOME_TRAFFIC",
                "status": "PAUSED",
                "special_ad_categories": [],
            }
        )
        assert [c["name"] for c in AdAccount(account.node).get_campaigns(fields=["name"])] == ["Spring"]
        adgate.change_password(alice)
        with pytest.raises(FacebookRequestError) as error:
            AdAccount(account.node).get_campaigns()
    assert (error.value.api_error_code(), error.value.api_error_subcode()) == (190, 460)
