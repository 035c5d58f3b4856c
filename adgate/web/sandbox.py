"""The sandbox control API under ``/_sandbox/``, guarded by the admin key (a Bearer token).

Thin handlers: parse, call one service, render. Every error is a Graph envelope.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adgate import records as r
from adgate.keyring import AdminKey
from adgate.protocol import json_input
from adgate.protocol.errors import GraphError
from adgate.services.registry import Services
from adgate.services.tokens.minting import Minting
from adgate.services.world.demo import seed_demo
from adgate.services.world.permissions import Permissions
from adgate.store.callbacks import AppCallbacks, Attempt, Delivery
from adgate.store.faults import StoredRule
from adgate.web.requests import bearer_token
from adgate.web.responses import GraphJSON, error_response

Body = dict[str, Any]
#: The sandbox clock stays within 0 … 9999-12-31T23:59:59Z (what dates and tokens can express),
#: and one advance is at most a hundred years.
LATEST_CLOCK = 253_402_300_799.0
MAX_ADVANCE = 100 * 366 * 86_400.0
Handler = Callable[[Request, Services, Body], Awaitable[Any]]


def public(record: Any) -> dict[str, Any]:
    """A record as JSON, without what must never leave the server (hashes, encrypted secrets)."""
    data = asdict(record)
    data.pop("password_hash", None)
    data.pop("secret_encrypted", None)
    if isinstance(record, r.App):
        data["redirect_uris"] = list(record.redirect_uris)
    return data


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        services: Services = request.app.state.services
        fbtrace_id: str = request.state.fbtrace_id
        try:
            key = bearer_token(request) or ""
            if not AdminKey(services.settings.admin_key).matches(key):
                raise GraphError.of("admin_key")
            body = await _body(request)
            result = await handler(request, services, body)
        except GraphError as exc:
            request.state.graph_error = exc
            return error_response(exc, fbtrace_id)
        return GraphJSON(result)

    return run


async def _body(request: Request) -> Body:
    if request.method in ("GET", "HEAD"):
        return dict(request.query_params)
    raw = await request.body()
    if not raw:
        return {}
    try:
        value = json_input.loads(raw)
    except json_input.JSONInputError as exc:
        raise GraphError.invalid(f"The JSON body could not be parsed: {exc}") from None
    if not isinstance(value, dict):
        raise GraphError.invalid("The JSON body must be an object")
    return value


def _str(body: Body, name: str, default: str | None = None, *, required: bool = True) -> str:
    value = body.get(name, default)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise GraphError.invalid(f"{name} is required and must be a string")
    return value


def _opt(body: Body, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise GraphError.invalid(f"{name} must be a string")
    return value or None


def _bool(body: Body, name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise GraphError.invalid(f"{name} must be true or false")
    return value


def _number(body: Body, name: str, low: float, high: float) -> float:
    """A finite number of seconds within ``[low, high]``; the error names the field."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GraphError.invalid(f"{name} must be a number of seconds")
    seconds = float(value)
    if not math.isfinite(seconds) or not low <= seconds <= high:
        raise GraphError.invalid(f"{name} must be a number of seconds from {low:.0f} to {high:.0f}")
    return seconds


# --- handlers --------------------------------------------------------------------------------
async def reset(_req: Request, s: Services, _b: Body) -> Any:
    await s.core.db.reset()
    s.forget_nodes()
    await s.on_reset()
    return {"success": True}


async def demo(req: Request, s: Services, _b: Body) -> Any:
    base_url = s.settings.public_url or str(req.base_url)
    return (await seed_demo(s.world, base_url=base_url)).to_json()


async def world(_req: Request, s: Services, _b: Body) -> Any:
    async with s.core.db.transaction() as tx:
        people = await tx.people.list()
        businesses = await tx.businesses.list()
        accounts = await tx.ad_accounts.list()
        pages = await tx.pages.list()
        apps = await tx.apps.list()
        roles: list[dict[str, Any]] = []
        for kind, repo, objects in (
            ("business", tx.business_people, businesses),
            ("ad_account", tx.ad_account_roles, accounts),
            ("page", tx.page_roles, pages),
            ("app", tx.app_roles, apps),
        ):
            for obj in objects:
                roles.extend({"kind": kind, **asdict(role)} for role in await repo.for_object(obj.id))
    return {
        "people": [public(p) for p in people],
        "businesses": [public(b) for b in businesses],
        "ad_accounts": [public(a) for a in accounts],
        "pages": [public(p) for p in pages],
        "apps": [public(a) for a in apps],
        "roles": roles,
    }


async def list_people(_req: Request, s: Services, _b: Body) -> Any:
    async with s.core.db.transaction() as tx:
        return {"data": [public(p) for p in await tx.people.list()]}


async def create_person(_req: Request, s: Services, b: Body) -> Any:
    person = await s.world.create_person(
        _str(b, "name"), _str(b, "email"), _str(b, "password"), is_reviewer=_bool(b, "is_reviewer")
    )
    return public(person)


async def change_password(req: Request, s: Services, b: Body) -> Any:
    return public(await s.world.change_password(req.path_params["id"], _str(b, "password")))


async def log_out(req: Request, s: Services, _b: Body) -> Any:
    return public(await s.world.log_out(req.path_params["id"]))


async def list_businesses(_req: Request, s: Services, _b: Body) -> Any:
    async with s.core.db.transaction() as tx:
        return {"data": [public(x) for x in await tx.businesses.list()]}


async def create_business(_req: Request, s: Services, b: Body) -> Any:
    return public(await s.world.create_business(_str(b, "name"), admin_id=_opt(b, "admin_id")))


async def list_ad_accounts(_req: Request, s: Services, _b: Body) -> Any:
    async with s.core.db.transaction() as tx:
        return {"data": [{"node": f"act_{x.id}", **public(x)} for x in await tx.ad_accounts.list()]}


async def create_ad_account(_req: Request, s: Services, b: Body) -> Any:
    account = await s.world.create_ad_account(
        _str(b, "name"),
        business_id=_opt(b, "business_id"),
        currency=_opt(b, "currency") or "USD",
        timezone_name=_opt(b, "timezone_name") or "America/Los_Angeles",
        account_id=_opt(b, "id"),
    )
    return {"node": f"act_{account.id}", **public(account)}


async def list_pages(_req: Request, s: Services, _b: Body) -> Any:
    async with s.core.db.transaction() as tx:
        return {"data": [public(x) for x in await tx.pages.list()]}


async def create_page(_req: Request, s: Services, b: Body) -> Any:
    page = await s.world.create_page(
        _str(b, "name"), category=_opt(b, "category") or "Brand", business_id=_opt(b, "business_id")
    )
    return public(page)


async def list_apps(_req: Request, s: Services, _b: Body) -> Any:
    async with s.core.db.transaction() as tx:
        return {"data": [public(x) for x in await tx.apps.list()]}


def _uris(b: Body) -> list[str] | None:
    value = b.get("redirect_uris")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise GraphError.invalid("redirect_uris must be an array of URLs")
    return value


async def create_app(_req: Request, s: Services, b: Body) -> Any:
    app, secret = await s.world.create_app(
        _str(b, "name"),
        site_url=_opt(b, "site_url"),
        redirect_uris=_uris(b) or [],
        admin_id=_opt(b, "admin_id"),
        business_id=_opt(b, "business_id"),
        mode=_opt(b, "mode") or "development",
        require_app_secret=_bool(b, "require_app_secret"),
    )
    return {**public(app), "secret": secret}


async def update_app(req: Request, s: Services, b: Body) -> Any:
    app = await s.world.update_app(
        req.path_params["id"],
        name=_opt(b, "name"),
        site_url=b.get("site_url") if isinstance(b.get("site_url"), str) else None,
        redirect_uris=_uris(b),
        mode=_opt(b, "mode"),
        require_app_secret=_bool(b, "require_app_secret") if "require_app_secret" in b else None,
    )
    return public(app)


async def set_level(req: Request, s: Services, b: Body) -> Any:
    return public(await s.world.set_access_level(req.path_params["id"], _str(b, "level")))


async def reset_secret(req: Request, s: Services, _b: Body) -> Any:
    app, secret = await s.world.reset_app_secret(req.path_params["id"])
    return {**public(app), "secret": secret}


async def assign_role(_req: Request, s: Services, b: Body) -> Any:
    role = await s.world.assign_role(
        _str(b, "kind"), _str(b, "object_id"), _str(b, "person_id"), _str(b, "role")
    )
    return {"kind": b["kind"], **asdict(role)}


async def remove_role(_req: Request, s: Services, b: Body) -> Any:
    removed = await s.world.remove_role(_str(b, "kind"), _str(b, "object_id"), _str(b, "person_id"))
    return {"success": removed}


def _scopes(b: Body) -> list[str]:
    scopes = b.get("scopes", [])
    if not isinstance(scopes, list) or not all(isinstance(x, str) for x in scopes):
        raise GraphError.invalid("scopes must be an array of permission names")
    return scopes


async def mint_token(_req: Request, s: Services, b: Body) -> Any:
    """``kind`` user (default), page or system_user; the README documents the body."""
    kind = _str(b, "kind", "user")
    minting = Minting(s.core)
    if kind == "user":
        return await minting.user_token(
            _str(b, "app_id"), _str(b, "person_id"), _scopes(b), long_lived=_bool(b, "long_lived", True)
        )
    if kind == "page":
        return await minting.page_token(
            _str(b, "app_id"),
            _str(b, "person_id"),
            _str(b, "page_id"),
            long_lived=_bool(b, "long_lived", True),
            scopes=_scopes(b),
        )
    if kind == "system_user":
        return await minting.system_user_token(
            _str(b, "app_id"),
            _str(b, "system_user_id"),
            _scopes(b),
            sixty_days=_bool(b, "set_token_expires_in_60_days"),
        )
    raise GraphError.invalid(
        f"kind must be user, page or system_user; got {kind!r} (app tokens: client_credentials)"
    )


# --- faults on demand (adgate.policy.faults) ---------------------------------------------------------
def _fault_json(stored: StoredRule) -> dict[str, Any]:
    return {**stored.rule.to_json(), "remaining": stored.remaining, "matched": stored.matched}


async def list_faults(_req: Request, s: Services, _b: Body) -> Any:
    return {"data": [_fault_json(x) for x in await s.faults.rules()]}


async def add_fault(_req: Request, s: Services, b: Body) -> Any:
    rule = await s.faults.add(b)
    return {**rule.to_json(), "remaining": rule.times, "matched": 0}


async def remove_fault(req: Request, s: Services, _b: Body) -> Any:
    rule_id = req.path_params["id"]
    if not await s.faults.remove(rule_id):
        raise GraphError.invalid(f"no fault rule {rule_id}")
    return {"success": True}


async def clear_faults(_req: Request, s: Services, _b: Body) -> Any:
    return {"success": True, "removed": await s.faults.clear()}


async def fault_events(_req: Request, s: Services, b: Body) -> Any:
    raw = b.get("limit", "100")
    if not str(raw).isdigit() or not 1 <= int(raw) <= 1000:
        raise GraphError.invalid("limit must be a whole number from 1 to 1000")
    return {"data": [e.to_json() for e in await s.faults.events(int(raw))]}


# --- callbacks and Webhooks (adgate.services.callbacks) ----------------------------------------------
def _urls_json(urls: AppCallbacks) -> dict[str, Any]:
    return {"deauthorize_url": urls.deauthorize_url, "data_deletion_url": urls.data_deletion_url}


async def get_callbacks(req: Request, s: Services, _b: Body) -> Any:
    return _urls_json(await s.callbacks.urls(req.path_params["id"]))


async def set_callbacks(req: Request, s: Services, b: Body) -> Any:
    return _urls_json(await s.callbacks.set_urls(req.path_params["id"], b))


async def deauthorize(req: Request, s: Services, b: Body) -> Any:
    await Permissions(s.core, s.callbacks).deauthorize(_str(b, "app_id"), req.path_params["id"])
    return {"success": True}


async def data_deletion(req: Request, s: Services, b: Body) -> Any:
    return {"delivery_id": await s.callbacks.request_data_deletion(_str(b, "app_id"), req.path_params["id"])}


def _delivery_json(delivery: Delivery, attempts: Sequence[Attempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "app_id": delivery.app_id,
        "kind": delivery.kind,
        "url": delivery.url,
        "status": delivery.status,
        "attempts": [a.to_json() for a in attempts],
        "next_at": delivery.next_at,
        "created_at": delivery.created_at,
        "answer": json.loads(delivery.answer) if delivery.answer else None,
    }


async def list_deliveries(_req: Request, s: Services, b: Body) -> Any:
    found = await s.callbacks.deliveries(_opt(b, "app_id"))
    return {"data": [_delivery_json(d, a) for d, a in found]}


async def send_again(req: Request, s: Services, _b: Body) -> Any:
    raw = req.path_params["id"]
    if not str(raw).isdigit():
        raise GraphError.invalid("the delivery id is a number")
    await s.callbacks.send_again(int(raw))
    return {"success": True}


async def get_clock(_req: Request, s: Services, _b: Body) -> Any:
    return _clock_json(s)


async def move_clock(_req: Request, s: Services, b: Body) -> Any:
    s.sandbox_clock()  # refuses a server on the system clock
    if "set" in b:
        timestamp = _number(b, "set", 0, LATEST_CLOCK)
        await s.move_clock(lambda clock: clock.set(timestamp))
    elif "advance" in b:
        if isinstance(b["advance"], int | float) and b["advance"] < 0:
            raise GraphError.invalid("advance must not be negative: the sandbox clock only moves forward")
        seconds = _number(b, "advance", 0, MAX_ADVANCE)
        if s.core.clock.now() + seconds > LATEST_CLOCK:
            raise GraphError.invalid(f"advance must not move the clock past {LATEST_CLOCK:.0f}")
        await s.move_clock(lambda clock: clock.advance(seconds))
    else:
        raise GraphError.invalid('give either {"set": <unix seconds>} or {"advance": <seconds>}')
    return _clock_json(s)


def _clock_json(s: Services) -> dict[str, Any]:
    now = s.core.clock.now()
    return {"now": int(now), "now_float": now, "offset": getattr(s.core.clock, "offset", 0.0)}


routes = [
    Route("/_sandbox/reset", endpoint(reset), methods=["POST"]),
    Route("/_sandbox/demo", endpoint(demo), methods=["POST"]),
    Route("/_sandbox/world", endpoint(world), methods=["GET"]),
    Route("/_sandbox/people", endpoint(list_people), methods=["GET"]),
    Route("/_sandbox/people", endpoint(create_person), methods=["POST"]),
    Route("/_sandbox/people/{id}/password", endpoint(change_password), methods=["POST"]),
    Route("/_sandbox/people/{id}/logout", endpoint(log_out), methods=["POST"]),
    Route("/_sandbox/businesses", endpoint(list_businesses), methods=["GET"]),
    Route("/_sandbox/businesses", endpoint(create_business), methods=["POST"]),
    Route("/_sandbox/ad_accounts", endpoint(list_ad_accounts), methods=["GET"]),
    Route("/_sandbox/ad_accounts", endpoint(create_ad_account), methods=["POST"]),
    Route("/_sandbox/pages", endpoint(list_pages), methods=["GET"]),
    Route("/_sandbox/pages", endpoint(create_page), methods=["POST"]),
    Route("/_sandbox/apps", endpoint(list_apps), methods=["GET"]),
    Route("/_sandbox/apps", endpoint(create_app), methods=["POST"]),
    Route("/_sandbox/apps/{id}", endpoint(update_app), methods=["PATCH", "POST"]),
    Route("/_sandbox/apps/{id}/access_level", endpoint(set_level), methods=["POST"]),
    Route("/_sandbox/apps/{id}/secret", endpoint(reset_secret), methods=["POST"]),
    Route("/_sandbox/roles", endpoint(assign_role), methods=["POST"]),
    Route("/_sandbox/roles", endpoint(remove_role), methods=["DELETE"]),
    Route("/_sandbox/tokens", endpoint(mint_token), methods=["POST"]),
    Route("/_sandbox/faults", endpoint(list_faults), methods=["GET"]),
    Route("/_sandbox/faults", endpoint(add_fault), methods=["POST"]),
    Route("/_sandbox/faults", endpoint(clear_faults), methods=["DELETE"]),
    Route("/_sandbox/faults/events", endpoint(fault_events), methods=["GET"]),
    Route("/_sandbox/faults/{id}", endpoint(remove_fault), methods=["DELETE"]),
    Route("/_sandbox/apps/{id}/callbacks", endpoint(get_callbacks), methods=["GET"]),
    Route("/_sandbox/apps/{id}/callbacks", endpoint(set_callbacks), methods=["POST"]),
    Route("/_sandbox/people/{id}/deauthorize", endpoint(deauthorize), methods=["POST"]),
    Route("/_sandbox/people/{id}/data_deletion", endpoint(data_deletion), methods=["POST"]),
    Route("/_sandbox/deliveries", endpoint(list_deliveries), methods=["GET"]),
    Route("/_sandbox/deliveries/{id}/send", endpoint(send_again), methods=["POST"]),
    Route("/_sandbox/clock", endpoint(get_clock), methods=["GET"]),
    Route("/_sandbox/clock", endpoint(move_clock), methods=["POST"]),
]
