"""What the consent page asks, and what a decision leaves granted (docs/graph-facts.md §1.1)."""

from __future__ import annotations

from adgate.policy.consent import ConsentPlan, decide, plan


def test_a_first_login_asks_for_everything_but_public_profile() -> None:
    assert plan(["public_profile", "ads_read", "email"], {}, None) == ConsentPlan(
        ("ads_read", "email"), (), ()
    )


def test_granted_permissions_are_kept_without_asking() -> None:
    result = plan(["ads_read", "email"], {"ads_read": "granted"}, None)
    assert result == ConsentPlan(("email",), ("ads_read",), ())


def test_declined_permissions_stay_declined_unless_rerequested() -> None:
    earlier = {"ads_management": "declined", "ads_read": "granted"}
    assert plan(["ads_management", "ads_read"], earlier, None).still_declined == ("ads_management",)
    assert plan(["ads_management", "ads_read"], earlier, "reauthenticate").asked == ()
    assert plan(["ads_management", "ads_read"], earlier, "rerequest").asked == ("ads_management",)


def test_reauthorize_asks_for_every_requested_permission_again() -> None:
    earlier = {"ads_management": "declined", "ads_read": "granted"}
    assert plan(["ads_management", "ads_read"], earlier, "reauthorize").asked == (
        "ads_management",
        "ads_read",
    )


def test_deciding_writes_each_asked_permission_and_public_profile() -> None:
    asked = ConsentPlan(("ads_management", "ads_read"), ("email",), ())
    writes, granted = decide(asked, ["ads_read"], {"email": "granted", "public_profile": "granted"})
    assert writes == {"public_profile": "granted", "ads_management": "declined", "ads_read": "granted"}
    assert granted == ("ads_read", "email", "public_profile")


def test_a_checked_value_that_was_not_asked_changes_nothing() -> None:
    writes, granted = decide(ConsentPlan((), ("ads_read",), ()), ["ads_management"], {"ads_read": "granted"})
    assert writes == {"public_profile": "granted"}
    assert granted == ("ads_read", "public_profile")


def test_a_declined_permission_not_reasked_stays_out_of_the_grant() -> None:
    earlier = {"ads_management": "declined"}
    _writes, granted = decide(plan(["ads_management"], earlier, None), ["ads_management"], earlier)
    assert granted == ("public_profile",)
