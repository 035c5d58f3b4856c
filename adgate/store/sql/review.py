"""SQL repository of the access review: submissions, their audit trail, approved permissions.

Tables from migration 0004. ``open_for`` locks the app row (``FOR UPDATE`` on PostgreSQL; SQLite
runs every transaction under ``BEGIN IMMEDIATE``), so two submissions for the same feature made at
once cannot both find no open one. ``transition`` is a conditional update: a reviewer's decision
and the automatic one racing each other cannot both win.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update

from adgate.store import tables as t
from adgate.store.review import OPEN_STATUSES, AuditEntry, LoginEvidence, Submission
from adgate.store.sql.world import _Repo


def _submission(row: Any) -> Submission:
    decision = row["evidence_at_decision"]
    return Submission(
        id=row["id"],
        app_id=row["app_id"],
        feature=row["feature"],
        target_level=row["target_level"],
        status=row["status"],
        submitted_by=row["submitted_by"],
        submitted_at=int(row["submitted_at"]),
        due_at=int(row["due_at"]),
        decided_at=None if row["decided_at"] is None else int(row["decided_at"]),
        decided_by=row["decided_by"],
        reasons=tuple(json.loads(row["reasons"])),
        evidence_at_submission=json.loads(row["evidence_at_submission"]),
        evidence_at_decision=None if decision is None else json.loads(decision),
    )


def _decision_values(s: Submission) -> dict[str, Any]:
    return {
        "status": s.status,
        "decided_at": s.decided_at,
        "decided_by": s.decided_by,
        "reasons": json.dumps(list(s.reasons)),
        "evidence_at_decision": None
        if s.evidence_at_decision is None
        else json.dumps(s.evidence_at_decision),
    }


class SqlReview(_Repo):
    async def add(self, submission: Submission) -> None:
        s = submission
        await self.conn.execute(
            insert(t.review_submissions).values(
                id=s.id,
                app_id=s.app_id,
                feature=s.feature,
                target_level=s.target_level,
                submitted_by=s.submitted_by,
                submitted_at=s.submitted_at,
                due_at=s.due_at,
                evidence_at_submission=json.dumps(s.evidence_at_submission),
                **_decision_values(s),
            )
        )

    async def get(self, submission_id: str) -> Submission | None:
        row = await self._one(select(t.review_submissions).where(t.review_submissions.c.id == submission_id))
        return None if row is None else _submission(row)

    async def for_app(self, app_id: str) -> Sequence[Submission]:
        c = t.review_submissions.c
        stmt = select(t.review_submissions).where(c.app_id == app_id).order_by(c.submitted_at.desc(), c.id)
        return [_submission(row) for row in await self._all(stmt)]

    async def open_for(self, app_id: str, feature: str) -> Submission | None:
        await self.conn.execute(select(t.apps.c.id).where(t.apps.c.id == app_id).with_for_update())
        c = t.review_submissions.c
        stmt = select(t.review_submissions).where(
            c.app_id == app_id, c.feature == feature, c.status.in_(OPEN_STATUSES)
        )
        row = await self._one(stmt)
        return None if row is None else _submission(row)

    async def open_submissions(self, *, due_by: int | None = None) -> Sequence[Submission]:
        c = t.review_submissions.c
        stmt = select(t.review_submissions).where(c.status.in_(OPEN_STATUSES))
        if due_by is not None:
            stmt = stmt.where(c.due_at <= due_by)
        stmt = stmt.order_by(c.due_at, c.submitted_at, c.id)
        return [_submission(row) for row in await self._all(stmt)]

    async def transition(self, submission: Submission, from_statuses: Sequence[str]) -> bool:
        c = t.review_submissions.c
        done = await self.conn.execute(
            update(t.review_submissions)
            .where(c.id == submission.id, c.status.in_(list(from_statuses)))
            .values(**_decision_values(submission))
        )
        return bool(done.rowcount)

    async def audit(self, entry: AuditEntry) -> None:
        await self.conn.execute(
            insert(t.review_audit).values(
                submission_id=entry.submission_id,
                app_id=entry.app_id,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                detail=json.dumps(entry.detail),
            )
        )

    async def audit_trail(
        self, *, submission_id: str | None = None, app_id: str | None = None
    ) -> Sequence[AuditEntry]:
        c = t.review_audit.c
        stmt = select(t.review_audit).order_by(c.id)
        if submission_id is not None:
            stmt = stmt.where(c.submission_id == submission_id)
        if app_id is not None:
            stmt = stmt.where(c.app_id == app_id)
        return [
            AuditEntry(
                submission_id=row["submission_id"],
                app_id=row["app_id"],
                at=int(row["at"]),
                actor=row["actor"],
                action=row["action"],
                detail=json.loads(row["detail"]),
                id=int(row["id"]),
            )
            for row in await self._all(stmt)
        ]

    async def approve_permission(self, app_id: str, permission: str, now: int) -> None:
        c = t.app_permission_approvals.c
        present = await self._one(select(c.app_id).where(c.app_id == app_id, c.permission == permission))
        if present is None:
            await self.conn.execute(
                insert(t.app_permission_approvals).values(
                    app_id=app_id, permission=permission, approved_at=now
                )
            )

    async def approved_permissions(self, app_id: str) -> Sequence[str]:
        c = t.app_permission_approvals.c
        stmt = select(c.permission).where(c.app_id == app_id).order_by(c.permission)
        return [str(row["permission"]) for row in await self._all(stmt)]

    async def login_evidence(self, app_id: str) -> LoginEvidence:
        a, g, roles = t.authorizations.c, t.grants.c, t.app_roles.c
        has_role = exists().where(roles.object_id == a.app_id, roles.person_id == a.person_id)
        declined = exists().where(
            and_(g.app_id == a.app_id, g.person_id == a.person_id, g.status == "declined")
        )
        base = select(func.count()).select_from(t.authorizations)
        base = base.where(a.app_id == app_id, a.deauthorized_at.is_(None), ~has_role)
        role_free = int((await self.conn.execute(base)).scalar_one())
        clear = int((await self.conn.execute(base.where(~declined))).scalar_one())
        return LoginEvidence(role_free_logins=role_free, clear_logins=clear)
