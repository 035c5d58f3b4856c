"""Access levels as data (adgate/policy/levels.py): the default table, its order, and a policy file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adgate.policy.levels import BASIC, DEFAULT_POLICY, DEVELOPMENT, STANDARD, load_policy, policy_from_json


def test_every_app_starts_at_development_and_climbs_without_skipping() -> None:
    assert DEFAULT_POLICY.default_level == DEVELOPMENT
    assert [DEFAULT_POLICY.rank(level) for level in (DEVELOPMENT, BASIC, STANDARD)] == [0, 1, 2]
    assert DEFAULT_POLICY.next_level(DEVELOPMENT) == BASIC
    assert DEFAULT_POLICY.next_level(STANDARD) is None


def test_an_unknown_level_is_not_a_level_and_has_no_limits() -> None:
    assert DEFAULT_POLICY.is_level(BASIC)
    assert not DEFAULT_POLICY.is_level("premium")
    with pytest.raises(
        ValueError, match="unknown access level 'premium'; known: development, basic, standard"
    ):
        DEFAULT_POLICY.limits_for("premium")


def test_the_policy_round_trips_through_its_json_form() -> None:
    data = json.loads(json.dumps(DEFAULT_POLICY.to_json()))
    assert data["order"] == [DEVELOPMENT, BASIC, STANDARD]
    assert data["levels"][BASIC]["account_list_max"] == 25
    assert policy_from_json(data) == DEFAULT_POLICY


def test_no_file_means_the_default_policy(tmp_path: Path) -> None:
    assert load_policy(None) is DEFAULT_POLICY
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(DEFAULT_POLICY.to_json()))
    assert load_policy(path) == DEFAULT_POLICY


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "cannot load policy file"),
        ('{"levels": {}}', "invalid policy file: 'order'"),
        ('{"order": ["x"], "levels": {}}', "invalid policy file: 'x'"),
        ('{"order": ["x"], "levels": {"x": {"title": "X"}}}', "invalid policy file"),
        ('{"order": [], "levels": {}}', "'order' names no level"),
    ],
)
def test_a_broken_policy_file_is_refused_with_its_path(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "policy.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=why) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


def test_a_missing_policy_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot load policy file"):
        load_policy(tmp_path / "absent.json")
