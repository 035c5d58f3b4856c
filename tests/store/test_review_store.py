"""Contract suite for the review's store (submissions, audit, approvals): SQLite always, PostgreSQL in CI."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adgate import records as r
from adgate.store.review import AuditEntry, LoginEvidence, Submission
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000
APP = "200000000000001"
OTHER_APP = "200000000000002"
ADA, OLLY, SAM = "100000000000001", "100000000000002", "100000000000003"


def submission(
    sid: str, *, app_id: str = APP, feature: str = "ads_management_basic_access", due: int = NOW
) -> Submission:
    return Submission(
        id=sid,
        app_id=app_id,
        feature=feature,
        target_level="basic" if feature.startswith("ads_") else None,
        status="submitted",
        submitted_by=ADA,
        submitted_at=NOW,
        due_at=due,
        evidence_at_submission={"figures": {"calls": 1000}, "met": True},
    )


@pytest.fixture
async def db(db: SqlDatabase) -> SqlDatabase:
    """The shared empty database (conftest.py) with two apps and three people."""
    async with db.transaction() as tx:
        for app_id in (APP, OTHER_APP):
            await tx.apps.add(
                r.App(app_id, "App", "enc", 0, None, (), "development", "live", False, None, NOW)
            )
        for pid in (ADA, OLLY, SAM):
            await tx.people.add(r.Person(pid, "P", f"{pid}@example.com", "h", 0, 0, False, NOW))
    return db


async def test_a_submission_is_stored_with_its_evidence_and_read_back(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.review.add(submission("1"))
    async with db.transaction() as tx:
        assert await tx.review.get("1") == submission("1")
        assert await tx.review.get("2") is None


async def test_the_open_submission_of_a_feature_is_found_until_it_is_decided(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.review.add(submission("1"))
        assert (await tx.review.open_for(APP, "ads_management_basic_access")) == submission("1")
        assert await tx.review.open_for(APP, "permission:manage_pages") is None
        assert await tx.review.open_for(OTHER_APP, "ads_management_basic_access") is None
        decided = replace(
            submission("1"),
            status="denied",
            decided_at=NOW + 5,
            decided_by=ADA,
            reasons=("too few calls",),
            evidence_at_decision={"met": False},
        )
        assert await tx.review.transition(decided, ("submitted", "in_review"))
    async with db.transaction() as tx:
        assert await tx.review.open_for(APP, "ads_management_basic_access") is None
        assert await tx.review.get("1") == decided


async def test_a_transition_from_a_status_the_submission_left_does_nothing(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.review.add(submission("1"))
        approved = replace(submission("1"), status="approved", decided_at=NOW, decided_by="auto")
        assert await tx.review.transition(approved, ("submitted",))
        denied = replace(submission("1"), status="denied", decided_at=NOW, decided_by=ADA)
        assert not await tx.review.transition(denied, ("submitted", "in_review"))
        stored = await tx.review.get("1")
    assert stored is not None and stored.status == "approved"


async def test_open_submissions_come_earliest_due_first_and_can_be_cut_at_a_time(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.review.add(submission("1", due=NOW + 300))
        await tx.review.add(submission("2", app_id=OTHER_APP, due=NOW + 100))
        await tx.review.add(submission("3", feature="permission:manage_pages", due=NOW + 200))
        await tx.review.transition(replace(submission("3"), status="approved"), ("submitted",))
    async with db.transaction() as tx:
        assert [s.id for s in await tx.review.open_submissions()] == ["2", "1"]
        assert [s.id for s in await tx.review.open_submissions(due_by=NOW + 150)] == ["2"]
        assert [s.id for s in await tx.review.for_app(APP)] in (["1", "3"], ["3", "1"])


async def test_the_audit_trail_keeps_every_entry_in_order(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.review.add(submission("1"))
        await tx.review.add(submission("2", app_id=OTHER_APP))
        await tx.review.audit(AuditEntry("1", APP, NOW, ADA, "submitted", {"due_at": NOW}))
        await tx.review.audit(AuditEntry("2", OTHER_APP, NOW, ADA, "submitted"))
        await tx.review.audit(AuditEntry("1", APP, NOW + 1, "admin", "approved", {"reasons": []}))
    async with db.transaction() as tx:
        trail = await tx.review.audit_trail(submission_id="1")
        assert [(e.action, e.actor, e.detail) for e in trail] == [
            ("submitted", ADA, {"due_at": NOW}),
            ("approved", "admin", {"reasons": []}),
        ]
        assert [e.submission_id for e in await tx.review.audit_trail(app_id=OTHER_APP)] == ["2"]


async def test_approved_permissions_are_kept_once_per_app(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.review.approve_permission(APP, "manage_pages", NOW)
        await tx.review.approve_permission(APP, "manage_pages", NOW + 1)
        await tx.review.approve_permission(APP, "business_management", NOW)
    async with db.transaction() as tx:
        assert await tx.review.approved_permissions(APP) == ["business_management", "manage_pages"]
        assert await tx.review.approved_permissions(OTHER_APP) == []


async def test_login_evidence_counts_people_without_a_role_and_those_who_declined_nothing(
    db: SqlDatabase,
) -> None:
    async with db.transaction() as tx:
        await tx.app_roles.set(r.Role(APP, ADA, "administrator"))
        for pid in (ADA, OLLY, SAM):
            await tx.grants.set_authorization(r.Authorization(APP, pid, NOW, NOW, None))
            await tx.grants.set(r.Grant(APP, pid, "public_profile", "granted", NOW))
        await tx.grants.set(r.Grant(APP, SAM, "ads_read", "declined", NOW))
    async with db.transaction() as tx:
        assert await tx.review.login_evidence(APP) == LoginEvidence(role_free_logins=2, clear_logins=1)
        await tx.grants.set_authorization(r.Authorization(APP, OLLY, NOW, NOW, NOW + 1))
        assert await tx.review.login_evidence(APP) == LoginEvidence(role_free_logins=1, clear_logins=0)
        assert await tx.review.login_evidence(OTHER_APP) == LoginEvidence(0, 0)
