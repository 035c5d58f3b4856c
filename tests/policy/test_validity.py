"""Token validity as a pure decision: each cause, its catalog entry, and the order of the checks."""

from __future__ import annotations

import math
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from adgate import records as r
from adgate.policy.tokens import DATA_ACCESS_SECONDS, LONG_LIVED_USER_SECONDS
from adgate.policy.validity import Invalid, check, effective_scopes, graph_date, valid_until

NOW = 1_790_000_000
APP = r.App("1", "App", "x", 0, None, (), "development", "development", False, None, 0)
PERSON = r.Person("2", "Ada", "ada@example.com", "h", 3, 5, False, 0)
USER = r.Token(
    digest="d",
    kind="user",
    app_id="1",
    person_id="2",
    page_id=None,
    system_user_id=None,
    scopes=("public_profile", "ads_read"),
    issued_at=NOW,
    expires_at=NOW + LONG_LIVED_USER_SECONDS,
    long_lived=True,
    password_epoch=3,
    session_epoch=5,
    secret_version=0,
    code_digest=None,
    revoked_at=None,
    revoked_reason=None,
)
PAGE = replace(USER, kind="page", page_id="9", expires_at=None)
APP_TOKEN = replace(
    USER, kind="app", person_id=None, scopes=(), expires_at=None, password_epoch=0, session_epoch=0
)
SYSTEM = replace(APP_TOKEN, kind="system_user", system_user_id="7", scopes=("ads_read",))
AUTHORIZED = r.Authorization("1", "2", NOW, NOW, None)


def judge(token: r.Token, *, now: int = NOW, **changes: object) -> str | None:
    args: dict[str, object] = {
        "app": APP,
        "person": PERSON,
        "authorization": AUTHORIZED,
        "page_role": "admin",
        "now": now,
    }
    args.update(changes)
    verdict = check(token, **args)  # type: ignore[arg-type]
    return None if verdict is None else verdict.reason


def test_a_fresh_user_token_is_valid() -> None:
    assert judge(USER) is None


def test_a_token_dies_at_its_expiry_and_the_message_names_both_times() -> None:
    assert judge(USER, now=NOW + LONG_LIVED_USER_SECONDS - 1) is None
    verdict = check(
        USER,
        app=APP,
        person=PERSON,
        authorization=AUTHORIZED,
        page_role=None,
        now=NOW + LONG_LIVED_USER_SECONDS,
    )
    assert verdict == Invalid(
        "token_expired",
        {
            "expired": graph_date(NOW + LONG_LIVED_USER_SECONDS),
            "now": graph_date(NOW + LONG_LIVED_USER_SECONDS),
        },
    )


def test_a_password_change_kills_user_and_page_tokens() -> None:
    changed = replace(PERSON, password_epoch=4)
    assert judge(USER, person=changed) == "token_password_changed"
    assert judge(PAGE, person=changed) == "token_password_changed"


def test_a_log_out_kills_user_and_page_tokens() -> None:
    out = replace(PERSON, session_epoch=6)
    assert judge(USER, person=out) == "token_logged_out"
    assert judge(PAGE, person=out) == "token_logged_out"


def test_a_de_authorized_or_never_authorized_app_kills_the_persons_tokens() -> None:
    assert judge(USER, authorization=replace(AUTHORIZED, deauthorized_at=NOW)) == "token_not_authorized"
    assert judge(USER, authorization=None) == "token_not_authorized"
    assert judge(PAGE, authorization=None) == "token_not_authorized"


def test_data_access_ends_ninety_days_after_the_last_login_for_user_tokens_only() -> None:
    long_token = replace(USER, expires_at=None)
    assert judge(long_token, now=NOW + DATA_ACCESS_SECONDS - 1) is None
    assert judge(long_token, now=NOW + DATA_ACCESS_SECONDS) == "token_data_access_expired"
    assert judge(PAGE, now=NOW + DATA_ACCESS_SECONDS) is None


def test_a_page_token_needs_a_role_that_can_act_for_the_page() -> None:
    assert judge(PAGE, page_role="editor") is None
    assert judge(PAGE, page_role=None) == "token_page_role_removed"
    assert judge(PAGE, page_role="analyst") == "token_page_role_removed"


def test_an_app_token_dies_when_the_secret_is_reset() -> None:
    assert judge(APP_TOKEN, person=None) is None
    assert judge(APP_TOKEN, person=None, app=replace(APP, secret_version=1)) == "token_app_secret_reset"


def test_a_revoked_token_reports_the_reason_it_was_revoked() -> None:
    for reason, expected in (
        ("page_role_removed", "token_page_role_removed"),
        ("app_secret_reset", "token_app_secret_reset"),
        ("deauthorized", "token_not_authorized"),
        ("code_replayed", "token_revoked"),
    ):
        assert judge(replace(USER, revoked_at=NOW, revoked_reason=reason)) == expected


def test_what_killed_a_token_is_reported_before_its_expiry() -> None:
    later = NOW + LONG_LIVED_USER_SECONDS + 1
    assert judge(USER, now=later, person=replace(PERSON, password_epoch=9)) == "token_password_changed"
    assert (
        judge(replace(USER, revoked_at=NOW, revoked_reason="deauthorized"), now=later)
        == "token_not_authorized"
    )


def test_system_user_tokens_do_not_depend_on_a_person() -> None:
    assert judge(SYSTEM, person=None, authorization=None) is None
    assert judge(replace(SYSTEM, expires_at=NOW), person=None, authorization=None) == "token_expired"


def test_a_person_token_may_use_only_the_scopes_granted_now() -> None:
    assert effective_scopes(USER, ["public_profile"]) == ("public_profile",)
    assert effective_scopes(PAGE, ["ads_read", "public_profile"]) == ("public_profile", "ads_read")
    assert effective_scopes(SYSTEM, []) == ("ads_read",)


def test_dates_are_written_the_way_graph_writes_them() -> None:
    assert graph_date(1_639_227_600) == "Saturday, 11-Dec-21 13:00:00 UTC"


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["user", "page", "app", "system_user"]),
    expires_in=st.one_of(st.none(), st.integers(-100, 200 * 86400)),
    last_active_ago=st.one_of(st.none(), st.integers(-100, 200 * 86400)),
    now_shift=st.integers(-200 * 86400, 200 * 86400),
)
def test_a_valid_token_stays_valid_at_every_moment_before_valid_until(
    kind: str, expires_in: int | None, last_active_ago: int | None, now_shift: int
) -> None:
    """What the gate's memo of an admission relies on (adgate.services.gate.memo): a token valid
    now is valid at any other moment before ``valid_until``, and not valid from it on."""
    token = {"user": USER, "page": PAGE, "app": APP_TOKEN, "system_user": SYSTEM}[kind]
    token = replace(token, expires_at=None if expires_in is None else NOW + expires_in)
    authorization = (
        None if last_active_ago is None else replace(AUTHORIZED, last_active_at=NOW - last_active_ago)
    )
    if kind in ("user", "page") and authorization is None:
        authorization = AUTHORIZED
    if judge(token, authorization=authorization) is not None:
        return  # only a passing verdict is ever kept
    until = valid_until(token, authorization)
    assert until > NOW
    if until == math.inf:
        assert judge(token, authorization=authorization, now=NOW + abs(now_shift)) is None
    else:
        moment = NOW + now_shift
        if moment < until:
            assert judge(token, authorization=authorization, now=moment) is None
        assert judge(token, authorization=authorization, now=int(until)) is not None


def test_a_user_or_page_token_whose_person_is_gone_is_revoked() -> None:
    assert judge(USER, person=None) == "token_revoked"
    assert judge(PAGE, person=None) == "token_revoked"
