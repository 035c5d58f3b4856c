"""Status & Review, and the reviewer's queue (seed, "Apply for Basic", "Standard", "Limits").

| route | what |
|---|---|
| ``GET /console/apps/{id}/review`` | level and the Limits table (this app's column marked), criteria |
|  | for the next level with today's figures, the 30-day chart, submit, history |
| ``POST /console/apps/{id}/review`` | submit for the next level (administrators and developers) |
| ``GET /console/review`` | the reviewer's queue: open submissions, earliest due first |
| ``GET /console/review/{sid}`` | one submission with its evidence (opening it puts it in review) |
| ``POST /console/review/{sid}`` | approve or deny, with a reason |

Decisions are :class:`adgate.services.review.submissions.Review`'s; these pages only show and ask.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.policy import review as rules
from adgate.policy.access import CALLING_APP_ROLES
from adgate.policy.levels import LevelLimits
from adgate.protocol.errors import GraphError
from adgate.services.review.submissions import Review
from adgate.services.world.dashboard import MyApp
from adgate.store.review import OPEN_STATUSES
from adgate.web.console.base import Ctx, message_of, page
from adgate.web.console.chart import calls_panel, error_panel
from adgate.words import counted

LIMIT_LABELS = ("Account Limits", "Rate Limits", "Business Manager", "System User", "Page Creation")


def _review(ctx: Ctx) -> Review:
    return ctx.services.review


def _cell(label: str, lim: LevelLimits) -> str:
    if label == "Account Limits":
        n = lim.account_list_max
        if n is None:
            return "Unlimited ad accounts"
        return f"Up to {counted(n, 'ad account')} in the account list"
    if label == "Rate Limits":
        return f"{lim.rate_limit_tier.capitalize()} rate limits per ad account"
    if label == "Business Manager":
        if lim.business_manager == "full":
            return "Access to all Business Manager APIs"
        return "Limited: no managing ad accounts, user permissions or Pages"
    if label == "System User":
        return (
            f"{counted(lim.system_users, 'system user')} and "
            f"{counted(lim.admin_system_users, 'admin system user')}"
        )
    return "Can create pages through the API" if lim.page_creation else "Cannot create pages through the API"


def limits_table(ctx: Ctx) -> list[tuple[str, list[str]]]:
    """The seed's Limits table, read from the policy in force (a preset file changes it)."""
    policy = ctx.services.core.policy
    return [(label, [_cell(label, policy.limits_for(x)) for x in policy.order]) for label in LIMIT_LABELS]


async def _status(ctx: Ctx, mine: MyApp, status: int = 200, **extra: Any) -> Response:
    review = _review(ctx)
    state = await review.status(mine.app.id)
    history = await review.history(mine.app.id)
    enforcer = ctx.services.enforcer
    rows = (await enforcer.usage.daily(mine.app.id, rules.WINDOW_DAYS))["data"]
    policy = ctx.services.core.policy
    return ctx.render(
        "console/review.html",
        status,
        mine=mine,
        app=mine.app,
        tab="review",
        state=state,
        history=history["data"],
        levels=[policy.limits_for(x) for x in policy.order],
        order=policy.order,
        table=limits_table(ctx),
        open_statuses=OPEN_STATUSES,
        calls=calls_panel(rows, rules.MIN_CALLS),
        errors=error_panel(rows, rules.MAX_ERROR_PERCENT),
        **extra,
    )


@page()
async def show(ctx: Ctx) -> Response:
    mine = await ctx.console.dashboard.app_for(ctx.me.id, str(ctx.request.path_params["app_id"]))
    return await _status(ctx, mine)


@page(post=True)
async def submit(ctx: Ctx) -> Response:
    mine = await ctx.console.dashboard.app_for(ctx.me.id, str(ctx.request.path_params["app_id"]))
    try:
        await ctx.console.dashboard.app_for(ctx.me.id, mine.app.id, CALLING_APP_ROLES)
        done = await _review(ctx).submit(mine.app.id, ctx.field("feature"), ctx.me.id)
    except GraphError as exc:
        return await _status(ctx, mine, 400, error=message_of(exc))
    mine = await ctx.console.dashboard.app_for(ctx.me.id, mine.app.id)
    return await _status(ctx, mine, notice=f"Submitted for {done.feature.replace('_', ' ')}.")


def _reviewer(ctx: Ctx) -> Response | None:
    if not ctx.me.is_reviewer:
        return ctx.render(
            "console/problem.html",
            403,
            title="Reviewers only",
            message="The review queue is open to people with the reviewer role.",
        )
    return None


@page()
async def queue(ctx: Ctx) -> Response:
    refused = _reviewer(ctx)
    if refused:
        return refused
    found = await _review(ctx).queue()
    names = await _app_names(ctx, {s["app_id"] for s in found["data"]})
    return ctx.render("console/queue.html", submissions=found["data"], names=names)


async def _app_names(ctx: Ctx, app_ids: set[str]) -> dict[str, str]:
    """The apps' names, for pages that list submissions (a reviewer knows apps by name)."""
    names: dict[str, str] = {}
    async with ctx.services.core.db.read() as tx:
        for app_id in sorted(app_ids):
            app = await tx.apps.get(app_id)
            if app is not None:
                names[app_id] = app.name
    return names


async def _detail(ctx: Ctx, status: int = 200, **extra: Any) -> Response:
    detail = await _review(ctx).open(str(ctx.request.path_params["sid"]), ctx.me.id)
    extra.setdefault("reason", "")
    names = await _app_names(ctx, {detail["app_id"]})
    return ctx.render(
        "console/submission.html",
        status,
        s=detail,
        app_name=names.get(detail["app_id"], detail["app_id"]),
        who=await _people_names(ctx, {detail["submitted_by"], detail["decided_by"] or ""}),
        open_statuses=OPEN_STATUSES,
        **extra,
    )


async def _people_names(ctx: Ctx, actors: set[str]) -> dict[str, str]:
    """Who submitted or decided, by name; an actor that is no person ("admin", "auto") as it is."""
    names = {actor: actor for actor in actors}
    async with ctx.services.core.db.read() as tx:
        for actor in sorted(actors):
            person = await tx.people.get(actor) if actor.isdigit() else None
            if person is not None:
                names[actor] = person.name
    return names


@page()
async def submission(ctx: Ctx) -> Response:
    return _reviewer(ctx) or await _detail(ctx)


@page(post=True)
async def decide(ctx: Ctx) -> Response:
    refused = _reviewer(ctx)
    if refused:
        return refused
    reason = ctx.field("reason")
    decision = ctx.field("decision")
    try:
        if decision == "deny" and not reason.strip():
            raise GraphError.invalid("Give the reason for a denial: the app is told why.")
        await _review(ctx).decide(str(ctx.request.path_params["sid"]), decision, [reason], ctx.me.id)
    except GraphError as exc:
        return await _detail(ctx, 400, reason=reason, error=message_of(exc))
    return await _detail(ctx, notice="Decided." if decision != "approve" else "Approved: the level changed.")


def routes() -> list[BaseRoute]:
    return [
        Route("/console/apps/{app_id}/review", show, methods=["GET"]),
        Route("/console/apps/{app_id}/review", submit, methods=["POST"]),
        Route("/console/review", queue, methods=["GET"]),
        Route("/console/review/{sid}", submission, methods=["GET"]),
        Route("/console/review/{sid}", decide, methods=["POST"]),
    ]
