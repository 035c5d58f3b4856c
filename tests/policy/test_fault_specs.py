"""A fault rule's JSON form (adgate/policy/faults.py): every malformed or never-matching rule is
refused naming the field at fault, and the CLI's flat choices build the form parse_rule reads."""

from __future__ import annotations

import math
from typing import Any

import pytest

from adgate.policy.faults import Effect, FaultSpecError, Target, draws, parse_rule, rule_json


def parse(data: Any, *, known: bool = True, now: float = 10) -> Any:
    return parse_rule(
        data,
        rule_id="1",
        now=now,
        resolve_error=lambda name, code, sub: "user_limit",
        known_target=lambda method, target: known,
        fingerprint=lambda token: "fp:" + token,
    )


DROP = {"kind": "drop"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([], "rule"),
        ({"effect": DROP, "times": 1, "when": 1}, "when"),
        ({"match": ["method"], "effect": DROP, "times": 1}, "match"),
        ({"match": {"host": "x"}, "effect": DROP, "times": 1}, "match.host"),
        ({"match": {"method": "PUT"}, "effect": DROP, "times": 1}, "match.method"),
        ({"match": {"method": 1}, "effect": DROP, "times": 1}, "match.method"),
        ({"match": {"ad_account": "act_x1"}, "effect": DROP, "times": 1}, "match.ad_account"),
        ({"effect": "drop", "times": 1}, "effect"),
        ({"effect": {"kind": "explode"}, "times": 1}, "effect.kind"),
        ({"effect": {"kind": "drop", "latency_ms": -1}, "times": 1}, "effect.latency_ms"),
        ({"effect": {"kind": "drop", "latency_ms": 120_001}, "times": 1}, "effect.latency_ms"),
        ({"effect": {"kind": "drop", "latency_ms": True}, "times": 1}, "effect.latency_ms"),
        ({"effect": {"kind": "latency"}, "times": 1}, "effect.latency_ms"),
        ({"effect": {"kind": "http_status"}, "times": 1}, "effect.status"),
        ({"effect": {"kind": "http_status", "status": 404}, "times": 1}, "effect.status"),
        ({"effect": DROP, "times": 0}, "times"),
        ({"effect": DROP, "probability": 0}, "probability"),
        ({"effect": DROP, "probability": 1.5}, "probability"),
        ({"effect": DROP, "probability": math.nan}, "probability"),
        ({"effect": DROP, "probability": "0.5"}, "probability"),
        ({"effect": DROP, "window": [0, 1], "times": 1}, "window"),
        ({"effect": DROP, "window": {"end": 10}}, "window.end"),
        ({"effect": DROP, "window": {"start": 30, "end": 20}}, "window.end"),
        ({"effect": DROP, "window": {"start": math.inf, "end": 20}}, "window.start"),
        ({"effect": DROP}, "times"),
    ],
)
def test_a_malformed_rule_names_the_field_at_fault(data: Any, field: str) -> None:
    with pytest.raises(FaultSpecError) as caught:
        parse(data)
    assert caught.value.field == field


def test_a_rule_on_a_path_no_endpoint_answers_is_refused() -> None:
    with pytest.raises(FaultSpecError, match="no GET endpoint answers at /me/things") as caught:
        parse({"match": {"method": "get", "path": "/me/things"}, "effect": DROP, "times": 1}, known=False)
    assert caught.value.field == "match.path"
    with pytest.raises(FaultSpecError, match="no Graph endpoint answers"):
        parse({"match": {"path": "/me/things"}, "effect": DROP, "times": 1}, known=False)


def test_an_http_status_effect_keeps_its_status() -> None:
    parsed = parse({"effect": {"kind": "http_status", "status": 503}, "window": {"start": 0, "end": 60}})
    assert parsed.effect == Effect("http_status", status=503)
    assert parsed.effect.to_json() == {"kind": "http_status", "status": 503}
    assert (parsed.starts_at, parsed.ends_at, parsed.times) == (0.0, 60.0, None)


def test_a_rule_without_probability_fires_on_every_match() -> None:
    counted = parse({"effect": DROP, "times": 3})
    assert counted.probability is None
    assert all(draws(counted, n) for n in range(5))


@pytest.mark.parametrize(
    ("choices", "effect"),
    [
        ({"error": "user_limit"}, {"kind": "error", "error": "user_limit"}),
        ({"code": 17, "subcode": 2446079}, {"kind": "error", "code": 17, "subcode": 2446079}),
        ({"status": 502}, {"kind": "http_status", "status": 502}),
        ({"drop": True}, {"kind": "drop"}),
        ({"throttle": True}, {"kind": "throttle"}),
        ({"latency_ms": 250}, {"kind": "latency", "latency_ms": 250}),
        ({"drop": True, "latency_ms": 5}, {"kind": "drop", "latency_ms": 5}),
    ],
)
def test_flat_choices_make_one_effect(choices: dict[str, Any], effect: dict[str, Any]) -> None:
    assert rule_json(times=1, **choices)["effect"] == effect


def test_rule_json_leaves_out_what_is_not_given_and_parses_back() -> None:
    body = rule_json(path="/me/adaccounts", method="GET", drop=True, window=(5.0, 50.0), seed=3)
    assert body == {
        "match": {"path": "/me/adaccounts", "method": "GET"},
        "effect": {"kind": "drop"},
        "seed": 3,
        "window": {"start": 5.0, "end": 50.0},
    }
    parsed = parse(body)
    assert parsed.match.target == Target("me", "adaccounts")
    assert parsed.ends_at == 50.0
    assert rule_json(code=4, times=2, probability=0.5, token="T", app_id="1", ad_account="act_2")[
        "match"
    ] == {
        "app_id": "1",
        "token": "T",
        "ad_account": "act_2",
    }
