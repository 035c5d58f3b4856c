"""The composition root: ``create_app(settings)`` wires stores, services and the clock.

Only this module picks implementations; everything else receives them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adgate import logs
from adgate.clock import Clock, SandboxClock
from adgate.keyring import Keyring
from adgate.policy.levels import load_policy
from adgate.protocol.errors import GraphError
from adgate.services.callbacks import Callbacks
from adgate.services.context import Core
from adgate.services.faults import FaultInjector
from adgate.services.passwords import Passwords
from adgate.services.registry import Services
from adgate.services.tokens import Tokens
from adgate.services.world import World
from adgate.settings import Settings
from adgate.store.bus import bus_for
from adgate.store.files import protect_data_dir, protect_database
from adgate.store.migrate import upgrade
from adgate.store.sql.database import SqlDatabase
from adgate.web import sandbox
from adgate.web.graph import GraphApp, GraphRouter
from adgate.web.metrics import Metrics
from adgate.web.middleware import EdgeMiddleware
from adgate.web.responses import error_response


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Everything a server holds, without the HTTP layer (the pytest fixture uses this too)."""
    from adgate.services.review_access import build_review
    from adgate.web.gate import build_gate
    from adgate.web.routes import register_graph_routes

    assert settings.secret_key, "call Settings.with_persisted_secrets() first"
    protect_data_dir(settings.data_dir)
    protect_database(settings.database_url)
    db = SqlDatabase(settings.database_url, caching=settings.read_cache)
    core = Core(
        db=db,
        clock=clock or SandboxClock(),
        keyring=Keyring(settings.secret_key),
        policy=load_policy(settings.policy_file),
        passwords=Passwords(settings.password_hashing),
    )
    router = GraphRouter()
    services = Services(
        settings=settings,
        core=core,
        world=World(core),
        router=router,
        gate=None,  # type: ignore[arg-type]
        faults=FaultInjector(core, router),
        callbacks=Callbacks(core, Tokens(core).app_secret),
    )
    services.start_hooks.append(services.callbacks.start)
    services.stop_hooks.append(services.callbacks.stop)
    services.stop_hooks.append(core.passwords.close)
    services.reset_hooks.append(services.world.throttle.clear)
    # Other nodes' writes void this node's read cache: started first, stopped last.
    bus = bus_for(db, settings.redis_url)
    if bus is not None:
        services.start_hooks.append(bus.start)
        services.stop_hooks.append(bus.stop)
    services.gate = build_gate(services)
    register_graph_routes(router, services)
    services.review = build_review(services)
    return services


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Starlette:
    settings = (settings or Settings.from_env()).with_persisted_secrets()
    logs.configure(settings.log_level)
    services = build_services(settings, clock)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        db = services.core.db
        assert isinstance(db, SqlDatabase)
        await upgrade(db.engine)
        await services.load_clock()
        await services.follow_clock()
        await services.start()
        try:
            yield
        finally:
            await services.stop_following_clock()
            await services.stop()
            await db.close()

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    routes: list[BaseRoute] = [
        *gateway_routes(services),
        Route("/_health", health, methods=["GET"]),
        Route("/metrics", metrics.endpoint, methods=["GET"]),
        *sandbox.routes,
        *console_routes(),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_exception_envelope}
    )
    app.state.services = services
    app.state.settings = settings
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=settings.max_body_bytes,
        metrics=metrics,
        graph=GraphApp(services),
        health=True,  # the route above, answered by the edge without the framework
    )
    return app


async def http_exception_envelope(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (no such page, wrong method) as Graph envelopes."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = GraphError.of("method_not_allowed", method=request.method, path=request.url.path)
    else:
        error = GraphError.of("not_found", node=request.url.path)
    request.state.graph_error = error
    return error_response(error, request.state.fbtrace_id)


def gateway_routes(services: Services) -> list[BaseRoute]:
    """The decision endpoints when ``ADGATE_GATEWAY_FILE`` names protected routes; a bad file stops
    the start with :class:`adgate.policy.gateway.GatewayFileError` naming the line."""
    if services.settings.gateway_file is None:
        return []
    from adgate.services.gateway import Gateway, read_file
    from adgate.web.gateway import GatewayApp

    path = services.settings.gateway_file
    spec, text = read_file(path)
    services.gateway = Gateway(services, spec, text, str(path))
    return [Route("/_gateway/{rest:path}", GatewayApp(services.gateway))]


def console_routes() -> list[BaseRoute]:
    """HTML pages (login dialog, consoles); each area registers its own routes module."""
    from adgate.web.pages import routes

    return list(routes())
