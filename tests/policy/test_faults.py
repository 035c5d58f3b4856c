"""Fault rules as data: templates, matching, the seeded draw."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adgate.policy.faults import (
    Effect,
    FaultSpecError,
    Match,
    Rule,
    Seen,
    Target,
    applies,
    draws,
    from_record,
    parse_rule,
    parse_template,
    to_record,
)


@pytest.mark.parametrize(
    ("template", "target"),
    [
        ("/", Target("root", None)),
        ("/me", Target("me", None)),
        ("/me/adaccounts", Target("me", "adaccounts")),
        ("/act_{id}/campaigns", Target("ad_account", "campaigns")),
        ("/act_123", Target("ad_account", None)),
        ("/{campaign}", Target("campaign", None)),
        ("/{campaign-id}/adsets", Target("campaign", "adsets")),
        ("/{ad_set_id}/ads", Target("adset", "ads")),
        ("/{id}/insights", Target("*", "insights")),
        ("/me/*", Target("me", "*")),
        ("/oauth/access_token", Target("oauth/access_token", None)),
        ("/debug_token", Target("debug_token", None)),
    ],
)
def test_a_path_template_reads_as_the_router_reads_paths(template: str, target: Target) -> None:
    assert parse_template(template) == target


@pytest.mark.parametrize("template", ["me", "/{widget}", "/a/b/c", "/campaigns"])
def test_a_template_that_is_no_graph_path_is_refused(template: str) -> None:
    with pytest.raises(FaultSpecError) as info:
        parse_template(template)
    assert info.value.field == "match.path"


def rule(**kw: object) -> Rule:
    base: dict[str, object] = {
        "id": "1",
        "match": Match(),
        "effect": Effect("drop"),
        "times": 1,
        "probability": None,
        "seed": 0,
        "starts_at": None,
        "ends_at": None,
        "created_at": 0.0,
    }
    return Rule(**{**base, **kw})  # type: ignore[arg-type]


SEEN = Seen("GET", "ad_account", "campaigns", "app1", "tok", "42")


def test_an_empty_match_matches_every_call() -> None:
    assert applies(rule(), SEEN, 0)


@pytest.mark.parametrize(
    "match",
    [
        Match(method="POST"),
        Match(target=Target("ad_account", "ads")),
        Match(target=Target("campaign", "*")),
        Match(app_id="app2"),
        Match(token="other"),
        Match(ad_account="43"),
    ],
)
def test_each_part_of_a_match_must_hold(match: Match) -> None:
    assert not applies(rule(match=match), SEEN, 0)


def test_a_window_holds_from_its_start_until_before_its_end() -> None:
    windowed = rule(starts_at=100.0, ends_at=200.0)
    assert [applies(windowed, SEEN, t) for t in (99.9, 100, 199.9, 200)] == [False, True, True, False]


@given(st.integers(), st.floats(min_value=0.01, max_value=1.0))
def test_the_draw_is_a_function_of_the_seed_and_the_count(seed: int, p: float) -> None:
    a = rule(probability=p, seed=seed, id="a")
    b = rule(probability=p, seed=seed, id="b")
    assert [draws(a, n) for n in range(20)] == [draws(b, n) for n in range(20)]


def test_a_draw_fails_about_as_often_as_its_probability() -> None:
    fired = sum(draws(rule(probability=0.25, seed=3), n) for n in range(4000))
    assert 800 < fired < 1200


def test_a_rule_round_trips_through_its_stored_form() -> None:
    parsed = parse_rule(
        {
            "match": {"method": "get", "path": "/act_{id}/campaigns", "token": "T", "ad_account": "act_9"},
            "effect": {"kind": "error", "code": 17, "latency_ms": 5},
            "probability": 0.5,
            "seed": 4,
            "window": {"end": 50},
        },
        rule_id="7",
        now=10,
        resolve_error=lambda name, code, sub: "user_limit",
        known_target=lambda method, target: True,
        fingerprint=lambda token: "fp:" + token,
    )
    assert parsed.match.token == "fp:T"
    assert parsed.match.ad_account == "9"
    assert parsed.match.method == "GET"
    assert from_record("7", to_record(parsed), 10) == parsed
    assert "fp:T" not in str(parsed.to_json())
