"""Business Manager tasks on an ad account and the roles they make (adgate/policy/tasks.py)."""

from __future__ import annotations

import pytest

from adgate.policy import tasks


@pytest.mark.parametrize(
    "raw",
    [
        '["MANAGE", "ANALYZE"]',
        "['MANAGE', 'ANALYZE']",
        "MANAGE,ANALYZE",
        " manage , analyze ",
        "[MANAGE,ANALYZE,]",
    ],
)
def test_tasks_are_read_in_every_form_clients_send(raw: str) -> None:
    assert tasks.parse_tasks(raw) == ["MANAGE", "ANALYZE"]


def test_an_empty_task_list_reads_as_no_tasks() -> None:
    assert tasks.parse_tasks("[]") == []
    assert tasks.parse_tasks("  ") == []


def test_unknown_tasks_are_named_in_order() -> None:
    assert tasks.unknown_tasks(["MANAGE", "PUBLISH", "DRAFT", "EDIT"]) == ["PUBLISH", "EDIT"]
    assert tasks.unknown_tasks(tasks.AD_ACCOUNT_TASKS) == []


@pytest.mark.parametrize(
    ("given", "role"),
    [
        (["ANALYZE", "MANAGE"], "admin"),
        (["ADVERTISE", "ANALYZE"], "advertiser"),
        (["ANALYZE"], "analyst"),
        (["AA_ANALYZE"], "analyst"),
        (["DRAFT"], "analyst"),
    ],
)
def test_the_strongest_task_decides_the_role(given: list[str], role: str) -> None:
    assert tasks.role_for_tasks(given) == role


def test_a_role_unpacks_to_its_tasks_and_reads_back_as_itself() -> None:
    for role in tasks.ROLE_TASKS:
        assert tasks.role_for_tasks(tasks.tasks_of_role(role)) == role
    assert tasks.tasks_of_role("admin") == ["MANAGE", "ADVERTISE", "ANALYZE"]
    assert tasks.tasks_of_role("owner") == []
