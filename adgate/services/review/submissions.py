"""The access review: submissions, the reviewer's decision, the timeline.

Seed, "Apply for Basic": "apply for basic access through your app's 'Status and Review' panel.
Submit an application for the 'Ads Management Basic Access' Feature." "Standard": "You get this
level only after acceptance to the basic level, you cannot skip levels … Facebook responds with an
approval or denial, and information if your app is not qualified for standard access. A denial does
not revoke basic access." "Time to review": about 3 business days, about two weeks.

Choices where the seed is silent (README parity table):

- A submission is ``submitted`` until a reviewer opens it (or decides it), then ``in_review``, then
  ``approved`` or ``denied``; both steps go into the audit trail, with who and when.
- ``ADGATE_REVIEW_MODE=manual`` (default): a reviewer decides. ``auto``: at its due time a
  submission is decided from the criteria as they stand then (approved when all are met, denied
  with the unmet ones as reasons). Due submissions are decided lazily on every review API read and
  by a background sweep every :data:`SWEEP_SECONDS`; due means due on the *server* clock. A
  reviewer may still decide earlier in ``auto`` mode.
- A denial always says why: the reviewer's reasons plus every criterion not met; a denial with
  neither is refused. An approval moves the app to the target level in the same transaction, so the
  next Graph call sees the new level's limits.
- Who: the admin key (actor ``admin``) or a person (actor: their id); ``auto`` for the sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from adgate import ids
from adgate.policy import review as rules
from adgate.policy.levels import LevelLimits
from adgate.policy.permissions import PERMISSIONS
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.gate.usage import UsageMeter
from adgate.services.review.evidence import evidence
from adgate.store.interfaces import Repos
from adgate.store.review import OPEN_STATUSES, AuditEntry, Submission

logger = logging.getLogger("adgate.services.review")

SWEEP_SECONDS = 30.0
MAX_REASONS = 20
MAX_REASON_CHARS = 1000
AUTO = "auto"
DECISIONS = {"approve": "approved", "deny": "denied"}


def iso(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=UTC).isoformat()


def feature_title(feature: str) -> str:
    parsed = rules.parse_feature(feature)
    if parsed is None:
        return feature
    kind, name = parsed
    return f"Ads Management {name.title()} Access" if kind == "access" else f"Permission {name}"


def submission_json(s: Submission) -> dict[str, Any]:
    return {
        **asdict(s),
        "reasons": list(s.reasons),
        "title": feature_title(s.feature),
        "submitted_time": iso(s.submitted_at),
        "due_time": iso(s.due_at),
        "decided_time": iso(s.decided_at),
    }


def audit_json(e: AuditEntry) -> dict[str, Any]:
    return {**asdict(e), "time": iso(e.at)}


def review_time(limits: LevelLimits) -> dict[str, Any]:
    return {"days": limits.review_days, "business_days": limits.review_business_days}


def clean_reasons(reasons: Sequence[str]) -> list[str]:
    cleaned = [str(x).strip() for x in reasons if str(x).strip()]
    if len(cleaned) > MAX_REASONS or any(len(x) > MAX_REASON_CHARS for x in cleaned):
        raise GraphError.invalid(
            f"give at most {MAX_REASONS} reasons of at most {MAX_REASON_CHARS} characters"
        )
    return cleaned


class Review:
    def __init__(self, core: Core, usage: UsageMeter, *, mode: str = "manual") -> None:
        self.core = core
        self.usage = usage
        self.mode = mode
        self._task: asyncio.Task[None] | None = None

    # --- the developer's side -------------------------------------------------------------------
    async def submit(self, app_id: str, feature: str, actor: str) -> Submission:
        """A new submission for the next access level or a permission; refused with a Graph error
        when it would skip a level, when one is already open for the feature, or when approved."""
        await self.settle()
        feature = (feature or "").strip()
        parsed = rules.parse_feature(feature)
        if parsed is None:
            raise GraphError.invalid(
                "feature must be ads_management_<level>_access (for example "
                f"ads_management_basic_access) or permission:<name>; got {feature!r}"
            )
        kind, name = parsed
        async with self.core.db.transaction() as tx:
            app = await tx.apps.get(app_id)
            approved = await tx.review.approved_permissions(app_id)
        if app is None:
            raise GraphError.of("not_found", node=app_id)
        policy = self.core.policy
        if kind == "access":
            if not policy.is_level(name) or policy.rank(name) == 0:
                levels = ", ".join(rules.access_feature(x) for x in policy.order[1:])
                raise GraphError.invalid(f"no access level {name!r} to apply for; features: {levels}")
            if policy.rank(name) <= policy.rank(app.access_level):
                raise GraphError.of("review_already_approved", app_id=app_id, feature=feature)
            allowed = policy.next_level(app.access_level)
            if name != allowed:
                wanted = rules.access_feature(allowed) if allowed else "nothing"
                raise GraphError.of("review_skip", app_id=app_id, level=app.access_level, allowed=wanted)
            limits = policy.limits_for(name)
            days, business = limits.review_days, limits.review_business_days
        else:
            if name not in PERMISSIONS:
                raise GraphError.invalid(f"unknown permission {name!r}; known: {', '.join(PERMISSIONS)}")
            if not rules.needs_review(name):
                raise GraphError.invalid(f"{name} is a standard permission: it needs no review")
            if name in rules.MARKETING_PERMISSIONS:
                first = rules.access_feature(policy.order[1])
                raise GraphError.invalid(f"{name} comes with Marketing API access: apply for {first}")
            if name in approved:
                raise GraphError.of("review_already_approved", app_id=app_id, feature=feature)
            days, business = rules.PERMISSION_REVIEW_DAYS, rules.PERMISSION_REVIEW_BUSINESS_DAYS
        proof = await evidence(self.core, self.usage, app_id, kind)
        now = self.core.now()
        submission = Submission(
            id=ids.new_id(),
            app_id=app_id,
            feature=feature,
            target_level=name if kind == "access" else None,
            status="submitted",
            submitted_by=actor,
            submitted_at=now,
            due_at=rules.due_at(now, days, business),
            evidence_at_submission=proof,
        )
        async with self.core.db.transaction() as tx:
            open_one = await tx.review.open_for(app_id, feature)
            if open_one is not None:
                raise GraphError.of("review_open", app_id=app_id, submission_id=open_one.id, feature=feature)
            await tx.review.add(submission)
            await self._audit(tx, submission, actor, "submitted", {"due_at": submission.due_at})
        return submission

    async def status(self, app_id: str) -> dict[str, Any]:
        """The 'Status and Review' panel: the level and what it allows, the next level, its criteria
        with the figures computed now, open and past submissions, and the permission review."""
        await self.settle()
        async with self.core.db.transaction() as tx:
            app = await tx.apps.get(app_id)
            if app is None:
                raise GraphError.of("not_found", node=app_id)
            submissions = await tx.review.for_app(app_id)
            approved = await tx.review.approved_permissions(app_id)
        policy = self.core.policy
        limits = policy.limits_for(app.access_level)
        nxt = policy.next_level(app.access_level)
        next_feature = rules.access_feature(nxt) if nxt else None
        open_ones = [s for s in submissions if s.is_open]
        marketing = policy.rank(app.access_level) > 0
        return {
            "app_id": app_id,
            "mode": app.mode,
            "access_level": app.access_level,
            "level": {"name": app.access_level, **asdict(limits)},
            "next_level": nxt,
            "next_feature": next_feature,
            "next_level_review": review_time(policy.limits_for(nxt)) if nxt else None,
            "criteria": await evidence(self.core, self.usage, app_id, "access") if nxt else None,
            "can_submit": nxt is not None and all(s.feature != next_feature for s in open_ones),
            "review_mode": self.mode,
            "open": [submission_json(s) for s in open_ones],
            "past": [submission_json(s) for s in submissions if not s.is_open],
            "permissions": {
                "no_review": sorted(rules.NO_REVIEW_PERMISSIONS),
                "with_access": sorted(rules.MARKETING_PERMISSIONS) if marketing else [],
                "approved": list(approved),
                "needs_review": sorted(
                    p
                    for p in PERMISSIONS
                    if rules.needs_review(p)
                    and p not in approved
                    and not (marketing and p in rules.MARKETING_PERMISSIONS)
                ),
            },
        }

    async def criteria(self, app_id: str, feature: str | None = None) -> dict[str, Any]:
        """The criteria with their figures now, for ``feature`` (default: the next access level)."""
        parsed = rules.parse_feature(feature) if feature else ("access", "")
        if parsed is None:
            raise GraphError.invalid(
                f"feature must be ads_management_<level>_access or permission:<name>; got {feature!r}"
            )
        return {"app_id": app_id, **await evidence(self.core, self.usage, app_id, parsed[0])}

    async def history(self, app_id: str) -> dict[str, Any]:
        """Every submission of the app and its audit trail."""
        await self.settle()
        async with self.core.db.transaction() as tx:
            if await tx.apps.get(app_id) is None:
                raise GraphError.of("not_found", node=app_id)
            submissions = await tx.review.for_app(app_id)
            trail = await tx.review.audit_trail(app_id=app_id)
        return {
            "data": [submission_json(s) for s in submissions],
            "audit": [audit_json(e) for e in trail],
        }

    # --- the reviewer's side --------------------------------------------------------------------
    async def queue(self) -> dict[str, Any]:
        """Open submissions, earliest due first."""
        await self.settle()
        async with self.core.db.transaction() as tx:
            submissions = await tx.review.open_submissions()
        return {"data": [submission_json(s) for s in submissions]}

    async def open(self, submission_id: str, actor: str) -> dict[str, Any]:
        """One submission with its evidence (then and now) and audit trail; a reviewer opening a
        ``submitted`` one puts it ``in_review``."""
        await self.settle()
        submission = await self._get(submission_id)
        if submission.status == "submitted":
            async with self.core.db.transaction() as tx:
                submission = await self._to_review(tx, submission, actor)
        return await self._detail(submission)

    async def decide(
        self, submission_id: str, decision: str, reasons: Sequence[str], actor: str
    ) -> dict[str, Any]:
        """Approve or deny (with reasons). Approval changes the access level at once."""
        status = DECISIONS.get((decision or "").strip().lower())
        if status is None:
            raise GraphError.invalid(f"decision must be approve or deny; got {decision!r}")
        given = clean_reasons(reasons)
        await self.settle()
        submission = await self._get(submission_id)
        if not submission.is_open:
            raise GraphError.of("review_decided", submission_id=submission_id, status=submission.status)
        done = await self._decide(submission, status, given, actor)
        return await self._detail(done)

    async def run_due(self) -> int:
        """``auto`` mode: decide every submission due by now from the criteria. Returns how many."""
        async with self.core.db.transaction() as tx:
            due = await tx.review.open_submissions(due_by=self.core.now())
        decided = 0
        for submission in due:
            kind = self._kind(submission)
            proof = await evidence(self.core, self.usage, submission.app_id, kind)
            status = "approved" if proof["met"] else "denied"
            try:
                await self._decide(submission, status, [], AUTO, proof=proof)
                decided += 1
            except GraphError as exc:  # a reviewer decided first
                logger.info("automatic review of %s skipped: %s", submission.id, exc.message)
        return decided

    async def settle(self) -> None:
        if self.mode == AUTO:
            await self.run_due()

    # --- the background sweep -------------------------------------------------------------------
    async def start(self) -> None:
        if self.mode == AUTO and self._task is None:
            self._task = asyncio.create_task(self._sweep(), name="adgate-review-sweep")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.run_due()
            except Exception:
                logger.exception("review sweep failed; the next one tries again")

    # --- inside ---------------------------------------------------------------------------------
    def _kind(self, submission: Submission) -> rules.FeatureKind:
        return "access" if submission.target_level is not None else "permission"

    async def _get(self, submission_id: str) -> Submission:
        async with self.core.db.transaction() as tx:
            submission = await tx.review.get(submission_id)
        if submission is None:
            raise GraphError.of("not_found", node=submission_id)
        return submission

    async def _detail(self, submission: Submission) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            trail = await tx.review.audit_trail(submission_id=submission.id)
            app = await tx.apps.get(submission.app_id)
        now = None
        if submission.is_open:
            now = await evidence(self.core, self.usage, submission.app_id, self._kind(submission))
        return {
            **submission_json(submission),
            "access_level": app.access_level if app else None,
            "evidence_now": now,
            "audit": [audit_json(e) for e in trail],
        }

    async def _decide(
        self,
        submission: Submission,
        status: str,
        given: list[str],
        actor: str,
        *,
        proof: dict[str, Any] | None = None,
    ) -> Submission:
        kind = self._kind(submission)
        proof = proof or await evidence(self.core, self.usage, submission.app_id, kind)
        reasons = list(given)
        if status == "denied":
            reasons += [x for x in proof["unmet_reasons"] if x not in reasons]
            if not reasons:
                raise GraphError.invalid("a denial must say why: give a reason (every criterion is met)")
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            if submission.status == "submitted":
                submission = await self._to_review(tx, submission, actor)
            final = replace(
                submission,
                status=status,  # type: ignore[arg-type]
                decided_at=now,
                decided_by=actor,
                reasons=tuple(reasons),
                evidence_at_decision=proof,
            )
            if not await tx.review.transition(final, OPEN_STATUSES):
                current = await tx.review.get(submission.id)
                raise GraphError.of(
                    "review_decided",
                    submission_id=submission.id,
                    status=current.status if current else "gone",
                )
            await self._audit(tx, final, actor, status, {"reasons": reasons, "criteria_met": proof["met"]})
            if status == "approved":
                await self._grant(tx, final, actor, now)
        return final

    async def _grant(self, tx: Repos, submission: Submission, actor: str, now: int) -> None:
        """What an approval changes, in the deciding transaction."""
        if submission.target_level is None:
            permission = submission.feature.removeprefix(rules.PERMISSION_PREFIX)
            await tx.review.approve_permission(submission.app_id, permission, now)
            await self._audit(tx, submission, actor, "permission_approved", {"permission": permission})
            return
        app = await tx.apps.get(submission.app_id)
        policy = self.core.policy
        if app is None or policy.rank(submission.target_level) <= policy.rank(app.access_level):
            return  # already there (the sandbox may have set the level meanwhile)
        await tx.apps.update(replace(app, access_level=submission.target_level))
        await self._audit(
            tx, submission, actor, "level_changed", {"from": app.access_level, "to": submission.target_level}
        )

    async def _to_review(self, tx: Repos, submission: Submission, actor: str) -> Submission:
        moved = replace(submission, status="in_review")
        if await tx.review.transition(moved, ("submitted",)):
            await self._audit(tx, moved, actor, "in_review", {})
            return moved
        current = await tx.review.get(submission.id)
        return current or moved

    async def _audit(self, tx: Repos, s: Submission, actor: str, action: str, detail: dict[str, Any]) -> None:
        await tx.review.audit(
            AuditEntry(
                submission_id=s.id,
                app_id=s.app_id,
                at=self.core.now(),
                actor=actor,
                action=action,
                detail={"feature": s.feature, **detail},
            )
        )
