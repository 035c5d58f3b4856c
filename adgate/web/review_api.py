"""JSON API of the access review: the developer's side and the reviewer's side.

Seed, "Apply for Basic" ('Status and Review' panel, a submission for the 'Ads Management Basic
Access' feature) and "Standard" (an approval or a denial, with why). Every error is a Graph
envelope; nothing here decides anything (:class:`adgate.services.review.submissions.Review` does).

| method | path | does | who |
|---|---|---|---|
| GET | ``/_apps/{app_id}/review`` | status: level, limits, next level, criteria now, submissions | manager |
| GET | ``/_apps/{app_id}/review/criteria`` (``feature``) | the criteria with their figures now | manager |
| GET | ``/_apps/{app_id}/review/submissions`` | every submission and the audit trail | manager |
| POST | ``/_apps/{app_id}/review/submissions`` with ``feature`` | submit | manager |
| GET | ``/_review/queue`` | open submissions, earliest due first | reviewer |
| GET | ``/_review/submissions/{id}`` | one submission, evidence then and now, audit (opens it) | reviewer |
| POST | ``/_review/submissions/{id}/decision``: ``decision``, ``reason``/``reasons`` | decide | reviewer |

A manager is the admin key or a user token of one of the app's administrators or developers; a
reviewer is the admin key or a user token of a person with the reviewer role. Tokens go as a
Bearer token or ``access_token``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params
from adgate.services.registry import Services
from adgate.services.review.access import manager_actor, reviewer_actor
from adgate.services.review.submissions import Review, submission_json
from adgate.web.requests import bearer_token, read_params
from adgate.web.responses import GraphJSON, error_response

#: (the review service, the caller's actor, the request's path parameters, its other parameters)
Handler = Callable[[Review, str, dict[str, str], Params], Awaitable[Any]]


def endpoint(handler: Handler, *, reviewer: bool) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        services: Services = request.app.state.services
        try:
            review = services.review
            params = await read_params(request)
            raw = bearer_token(request) or params.get_str("access_token")
            key = services.settings.admin_key
            path = dict(request.path_params)
            if reviewer:
                actor = await reviewer_actor(services.tokens, raw, key)
            else:
                actor = await manager_actor(services.core, services.tokens, path["app_id"], raw, key)
            result = await handler(review, actor, path, params.without("access_token"))
        except GraphError as exc:
            request.state.graph_error = exc
            return error_response(exc, request.state.fbtrace_id)
        return GraphJSON(result)

    return run


async def status(review: Review, _actor: str, path: dict[str, str], _params: Params) -> Any:
    return await review.status(path["app_id"])


async def criteria(review: Review, _actor: str, path: dict[str, str], params: Params) -> Any:
    return await review.criteria(path["app_id"], params.get_str("feature"))


async def history(review: Review, _actor: str, path: dict[str, str], _params: Params) -> Any:
    return await review.history(path["app_id"])


async def submit(review: Review, actor: str, path: dict[str, str], params: Params) -> Any:
    submission = await review.submit(path["app_id"], params.require("feature"), actor)
    return submission_json(submission)


async def queue(review: Review, _actor: str, _path: dict[str, str], _params: Params) -> Any:
    return await review.queue()


async def one(review: Review, actor: str, path: dict[str, str], _params: Params) -> Any:
    return await review.open(path["id"], actor)


async def decide(review: Review, actor: str, path: dict[str, str], params: Params) -> Any:
    return await review.decide(path["id"], params.require("decision"), reasons_of(params), actor)


def reasons_of(params: Params) -> list[str]:
    """``reasons`` as a JSON array of strings, and/or one ``reason`` (which may contain commas)."""
    reasons: list[str] = []
    if params.get_str("reasons") is not None:
        value = params.get_json("reasons")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise GraphError.invalid("reasons must be a JSON array of strings")
        reasons.extend(value)
    single = params.get_str("reason")
    if single:
        reasons.append(single)
    return reasons


routes = [
    Route("/_apps/{app_id}/review", endpoint(status, reviewer=False), methods=["GET"]),
    Route("/_apps/{app_id}/review/criteria", endpoint(criteria, reviewer=False), methods=["GET"]),
    Route("/_apps/{app_id}/review/submissions", endpoint(history, reviewer=False), methods=["GET"]),
    Route("/_apps/{app_id}/review/submissions", endpoint(submit, reviewer=False), methods=["POST"]),
    Route("/_review/queue", endpoint(queue, reviewer=True), methods=["GET"]),
    Route("/_review/submissions/{id}", endpoint(one, reviewer=True), methods=["GET"]),
    Route("/_review/submissions/{id}/decision", endpoint(decide, reviewer=True), methods=["POST"]),
]
