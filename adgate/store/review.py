"""Records and the storage interface of the access review (migration 0004).

Seed, "Apply for Basic" and "Standard": submissions for a feature, the reviewer's decision with
reasons, and (seed: manage_pages "needs a separate app review") the permissions an app passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

SubmissionStatus = Literal["submitted", "in_review", "approved", "denied"]
OPEN_STATUSES: tuple[SubmissionStatus, ...] = ("submitted", "in_review")


@dataclass(frozen=True, slots=True)
class Submission:
    id: str
    app_id: str
    #: ``ads_management_basic_access``, ``ads_management_standard_access`` or ``permission:<name>``.
    feature: str
    #: The access level an approval moves the app to; ``None`` for a permission review.
    target_level: str | None
    status: SubmissionStatus
    #: ``admin`` (the admin key), a person id, or ``auto``.
    submitted_by: str
    submitted_at: int
    due_at: int
    decided_at: int | None = None
    decided_by: str | None = None
    reasons: tuple[str, ...] = ()
    evidence_at_submission: dict[str, Any] = field(default_factory=dict)
    evidence_at_decision: dict[str, Any] | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class AuditEntry:
    submission_id: str
    app_id: str
    at: int
    actor: str
    #: ``submitted``, ``in_review``, ``approved``, ``denied``, ``level_changed``, ``permission_approved``.
    action: str
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True, slots=True)
class LoginEvidence:
    """People without a role on the app who authorized it; those who declined nothing asked."""

    role_free_logins: int
    clear_logins: int


class ReviewRepo(Protocol):
    async def add(self, submission: Submission) -> None: ...
    async def get(self, submission_id: str) -> Submission | None: ...
    async def for_app(self, app_id: str) -> Sequence[Submission]:
        """Every submission of the app, newest first."""
        ...

    async def open_for(self, app_id: str, feature: str) -> Submission | None:
        """The open submission of the app for ``feature``, locking the app row (one at a time)."""
        ...

    async def open_submissions(self, *, due_by: int | None = None) -> Sequence[Submission]:
        """Every open submission (those due by ``due_by``, if given), earliest due first."""
        ...

    async def transition(self, submission: Submission, from_statuses: Sequence[str]) -> bool:
        """Store ``submission``'s status and decision if the stored status is one of
        ``from_statuses``; False when another decision came first."""
        ...

    async def audit(self, entry: AuditEntry) -> None: ...
    async def audit_trail(
        self, *, submission_id: str | None = None, app_id: str | None = None
    ) -> Sequence[AuditEntry]:
        """Oldest first."""
        ...

    async def approve_permission(self, app_id: str, permission: str, now: int) -> None: ...
    async def approved_permissions(self, app_id: str) -> Sequence[str]: ...
    async def login_evidence(self, app_id: str) -> LoginEvidence: ...
