"""The `adgate` fixture, used the way a Marketing API developer would in their own suite."""

from __future__ import annotations

import pytest
from facebook_business.adobjects.user import User
from facebook_business.exceptions import FacebookRequestError

from adgate.testing import Sandbox, SandboxError


def test_a_minted_token_reads_me_through_the_official_sdk(adgate: Sandbox) -> None:
    alice = adgate.person("Alice")
    app = adgate.app("Reporting", admin=alice)
    token = adgate.user_token(alice, app, scopes=["ads_read"])
    with adgate.sdk(app, token):
        me = User(fbid="me").api_get(fields=["name"])
    assert me["name"] == "Alice"


def test_a_password_change_kills_the_token_with_460(adgate: Sandbox) -> None:
    alice = adgate.person("Alice")
    app = adgate.app("Reporting", admin=alice)
    token = adgate.user_token(alice, app, scopes=["ads_read"])
    adgate.change_password(alice)
    with adgate.sdk(app, token), pytest.raises(FacebookRequestError) as info:
        User(fbid="me").api_get(fields=["name"])
    assert (info.value.api_error_code(), info.value.api_error_subcode()) == (190, 460)


def test_a_short_lived_token_expires_when_the_clock_moves(adgate: Sandbox) -> None:
    alice = adgate.person("Alice")
    app = adgate.app("Reporting", admin=alice)
    token = adgate.user_token(alice, app, scopes=["ads_read"], long_lived=False)
    adgate.advance(hours=3)
    with adgate.sdk(app, token), pytest.raises(FacebookRequestError) as info:
        User(fbid="me").api_get()
    assert info.value.api_error_subcode() == 463


def test_page_tokens_need_a_role_on_the_page(adgate: Sandbox) -> None:
    alice, bob = adgate.person("Alice"), adgate.person("Bob")
    app = adgate.app("Pages", admin=alice)
    page = adgate.page("Shop", admins=[alice])
    assert adgate.page_token(alice, app, page).startswith("EAA")
    with pytest.raises(SandboxError) as info:
        adgate.page_token(bob, app, page)
    assert "no role" in info.value.error["message"]


def test_unknown_permissions_are_refused_when_minting(adgate: Sandbox) -> None:
    alice = adgate.person("Alice")
    app = adgate.app("Reporting", admin=alice)
    with pytest.raises(SandboxError) as info:
        adgate.user_token(alice, app, scopes=["ads_everything"])
    assert info.value.status == 400
    assert "ads_everything" in info.value.error["message"]
