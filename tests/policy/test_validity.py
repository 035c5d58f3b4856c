"""Token validity as a pure decision: each cause, its catalog entry, and the order of the checks."""

from __future__ import annotations

from dataclasses import replace

from adgate import records as r
from adgate.policy.tokens import DATA_ACCESS_SECONDS, LONG_LIVED_USER_SECONDS
from adgate.policy.validity import Invalid, check, effective_scopes, graph_date

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
