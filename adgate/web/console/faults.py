"""The faults console, ``/console/faults``: the sandbox's fault rules and the failures they injected.

Guarded like the sandbox console (the admin key, once per browser session). The form builds the
same rule as ``POST /_sandbox/faults`` (``adgate.policy.faults``), so a rule that is malformed or
could never match is refused here with the same message naming the field.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.policy.faults import EFFECT_KINDS, METHODS
from adgate.protocol.errors import GraphError
from adgate.web.console.base import Ctx, message_of, page, when

NO_AUTH = "console/sandbox_unlock.html"


def _int(ctx: Ctx, name: str) -> int | None:
    raw = ctx.field(name).strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise GraphError.invalid(f"{name}: must be a whole number; got {raw!r}") from None


def _float(ctx: Ctx, name: str) -> float | None:
    raw = ctx.field(name).strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise GraphError.invalid(f"{name}: must be a number; got {raw!r}") from None


def rule_from_form(ctx: Ctx) -> dict[str, Any]:
    match = {k: ctx.field(k).strip() for k in ("method", "path", "app_id", "ad_account")}
    effect: dict[str, Any] = {"kind": ctx.field("kind")}
    if ctx.field("error").strip():
        effect["error"] = ctx.field("error").strip()
    for name in ("code", "subcode", "status", "latency_ms"):
        value = _int(ctx, name)
        if value is not None:
            effect[name] = value
    rule: dict[str, Any] = {"match": {k: v for k, v in match.items() if v}, "effect": effect}
    times, probability, minutes = _int(ctx, "times"), _float(ctx, "probability"), _float(ctx, "minutes")
    if times is not None:
        rule["times"] = times
    if probability is not None:
        rule["probability"] = probability
        rule["seed"] = _int(ctx, "seed") or 0
    if minutes is not None:
        now = ctx.services.core.clock.now()
        rule["window"] = {"start": now, "end": now + minutes * 60}
    return rule


async def _render(ctx: Ctx, status: int = 200, **extra: Any) -> Response:
    if not await ctx.is_admin():
        return ctx.render(NO_AUTH, 403 if status == 200 and ctx.request.method == "POST" else status, **extra)
    faults = ctx.services.faults
    now = ctx.now
    return ctx.render(
        "console/faults.html",
        status,
        rules=[
            {**s.rule.to_json(), "remaining": s.remaining, "matched": s.matched} for s in await faults.rules()
        ],
        events=[{**e.to_json(), "when": when(e.at, now)} for e in await faults.events(50)],
        methods=METHODS,
        kinds=EFFECT_KINDS,
        **extra,
    )


@page(signed_in=False)
async def show(ctx: Ctx) -> Response:
    return await _render(ctx)


@page(post=True, signed_in=False)
async def add(ctx: Ctx) -> Response:
    if not await ctx.is_admin():
        return ctx.render(NO_AUTH, 403, error="Enter the admin key first.")
    try:
        rule = await ctx.services.faults.add(rule_from_form(ctx))
    except GraphError as exc:
        return await _render(ctx, 400, error=message_of(exc))
    return await _render(ctx, notice=f"Rule {rule.id} added: it applies from the next call, on every node.")


@page(post=True, signed_in=False)
async def remove(ctx: Ctx) -> Response:
    if not await ctx.is_admin():
        return ctx.render(NO_AUTH, 403, error="Enter the admin key first.")
    rule_id = str(ctx.request.path_params["id"])
    removed = await ctx.services.faults.remove(rule_id)
    return await _render(ctx, notice=f"Rule {rule_id} removed." if removed else f"No rule {rule_id}.")


def routes() -> list[BaseRoute]:
    return [
        Route("/console/faults", show, methods=["GET"]),
        Route("/console/faults/add", add, methods=["POST"]),
        Route("/console/faults/{id}/remove", remove, methods=["POST"]),
    ]
