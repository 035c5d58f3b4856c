"""The review's timeline on the server clock: automatic decisions at the due time, and restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_world import running, settings_for
from review_world import make_applicant

from adgate.clock import SandboxClock
from adgate.services.review.submissions import Review

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000  # a Monday, 14:13 UTC
DAY = 86_400


async def test_auto_mode_decides_at_the_due_time_from_the_criteria(tmp_path: Path) -> None:
    clock = SandboxClock(frozen_at=NOW)
    settings = settings_for(tmp_path, review_mode="auto")
    async with running(settings, clock) as (services, client):
        admin = {"Authorization": f"Bearer {settings.admin_key}"}
        applicant = await make_applicant(services, client, clock, admin)
        await applicant.qualify()
        submission = await applicant.submitted()
        clock.set(submission["due_at"] - 1)
        assert (await applicant.status())["open"][0]["status"] == "submitted"
        assert await applicant.level() == "development"
        clock.set(submission["due_at"])
        status = await applicant.status()  # any review read decides what is due
        assert status["open"] == []
        assert (status["past"][0]["status"], status["past"][0]["decided_by"]) == ("approved", "auto")
        assert status["access_level"] == "basic"


async def test_auto_mode_denies_with_the_unmet_criteria_as_reasons(tmp_path: Path) -> None:
    clock = SandboxClock(frozen_at=NOW)
    settings = settings_for(tmp_path, review_mode="auto")
    async with running(settings, clock) as (services, client):
        admin = {"Authorization": f"Bearer {settings.admin_key}"}
        applicant = await make_applicant(services, client, clock, admin)
        await applicant.clear_login()
        submission = await applicant.submitted()
        clock.advance(7 * DAY)
        review = services.review
        assert isinstance(review, Review)
        assert await review.run_due() == 1  # what the background sweep runs
        past = (await applicant.status())["past"][0]
        assert past["status"] == "denied"
        assert past["id"] == submission["id"]
        assert any("at least 1000 are needed" in reason for reason in past["reasons"])
        assert past["evidence_at_decision"]["met"] is False
        assert await applicant.level() == "development"


async def test_manual_mode_leaves_a_due_submission_to_the_reviewer(tmp_path: Path) -> None:
    clock = SandboxClock(frozen_at=NOW)
    settings = settings_for(tmp_path)
    async with running(settings, clock) as (services, client):
        admin = {"Authorization": f"Bearer {settings.admin_key}"}
        applicant = await make_applicant(services, client, clock, admin)
        await applicant.qualify()
        await applicant.submitted()
        clock.advance(30 * DAY)
        assert (await applicant.status())["open"][0]["status"] == "submitted"


async def test_a_submission_survives_a_restart(tmp_path: Path) -> None:
    clock = SandboxClock(frozen_at=NOW)
    settings = settings_for(tmp_path)
    admin = {"Authorization": f"Bearer {settings.admin_key}"}
    async with running(settings, clock) as (services, client):
        applicant = await make_applicant(services, client, clock, admin)
        submission = await applicant.submitted()
        app_id = applicant.app_id
    async with running(settings, clock) as (_services, client):
        queue = (await client.get("/_review/queue", headers=admin)).json()["data"]
        assert [(s["id"], s["app_id"], s["status"]) for s in queue] == [
            (submission["id"], app_id, "submitted")
        ]
        response = await client.post(
            f"/_review/submissions/{submission['id']}/decision",
            json={"decision": "deny", "reason": "Not yet."},
            headers=admin,
        )
        assert response.json()["status"] == "denied"
