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
from adgate.heap import Heap
from adgate.keyring import Keyring
from adgate.policy.levels import load_policy
from adgate.protocol.errors import GraphError
from adgate.services.callbacks import Callbacks
from adgate.services.context import Core
from adgate.services.dialog.passwords import Passwords
from adgate.services.faults import FaultInjector
from adgate.services.gate.access import build_access
from adgate.services.gate.pipeline import build_gate
from adgate.services.gate.router import GraphRouter
from adgate.services.gateway import Gateway, read_file
from adgate.services.registry import Services
from adgate.services.review.submissions import Review
from adgate.services.tokens.callers import Tokens
from adgate.services.tokens.tools import TokenTools
from adgate.services.world.editor import World
from adgate.settings import Settings
from adgate.store.bus import bus_for
from adgate.store.files import protect_data_dir, protect_database
from adgate.store.limiter import FailureMode, LimiterStore
from adgate.store.limiter.memory import MemoryLimiterStore
from adgate.store.limiter.redis import redis_store_from_url
from adgate.store.migrate import upgrade
from adgate.store.sql.database import SqlDatabase
from adgate.web import sandbox
from adgate.web.console.base import build_console
from adgate.web.dialog import build_dialog
from adgate.web.endpoints import images
from adgate.web.gateway import GatewayApp
from adgate.web.graph import GraphApp
from adgate.web.metrics import Metrics
from adgate.web.middleware import EdgeMiddleware
from adgate.web.pages import routes
from adgate.web.responses import error_response
from adgate.web.routes import register_graph_routes
from adgate.web.session import Sessions


def limiter_store_from_url(
    url: str | None,
    *,
    prefix: str = "adgate:rl:",
    failure_mode: FailureMode = "open",
) -> LimiterStore:
    """The rate-limit counters for ``url`` (``settings.redis_url``): ``None`` or ``memory://`` ->
    :class:`adgate.store.limiter.memory.MemoryLimiterStore` (this process only); ``redis://``,
    ``rediss://`` or ``unix://`` -> :class:`adgate.store.limiter.redis.RedisLimiterStore` owning
    its client, failing ``failure_mode`` when Redis cannot be reached."""
    if url is None or url == "memory://":
        return MemoryLimiterStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return redis_store_from_url(url, prefix=prefix, failure_mode=failure_mode)
    raise ValueError(f"unsupported rate-limit store URL {url!r}: use memory:// or redis://")


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Everything a server holds, without the HTTP layer (the pytest fixture uses this too).

    Each part is built once, here, from the parts it needs, in dependency order; nothing is
    set on :class:`Services` after it is made. The hooks run in the order listed at start-up, and in
    reverse at shutdown.
    """

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
    tokens = Tokens(core)
    world = World(core)
    faults = FaultInjector(core, router)
    callbacks = Callbacks(core, tokens.app_secret)
    limiter = limiter_store_from_url(settings.redis_url, failure_mode=settings.limiter_failure)
    access = build_access(core, limiter)
    gate = build_gate(core, tokens, faults, access)
    # The review reads the gate's usage meter (its unflushed counts count too).
    review = Review(core, access.usage, mode=settings.review_mode)
    # Other nodes' writes void this node's read cache.
    bus = bus_for(db, settings.redis_url)
    buses = [] if bus is None else [bus]
    services = Services(
        settings=settings,
        core=core,
        world=world,
        tokens=tokens,
        router=router,
        gate=gate,
        faults=faults,
        callbacks=callbacks,
        enforcer=access,
        review=review,
        start_hooks=[callbacks.start, *(b.start for b in buses), access.usage.start, review.start],
        stop_hooks=[
            callbacks.stop,
            core.passwords.close,
            *(b.stop for b in buses),
            access.aclose,
            review.stop,
        ],
        reset_hooks=[world.throttle.clear, access.reset],
    )
    register_graph_routes(router, services)
    return services


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, freeze_heap: bool = False
) -> Starlette:
    """The ASGI app. ``freeze_heap`` (``adgate serve``): once started, keep what lives long out
    of the garbage collector's full collections (:class:`adgate.heap.Heap`): they paused the event
    loop for up to half a second under load (they set the p99 of every loaded run). Not for an app
    built again and again in one process (tests)."""
    settings = (settings or Settings.from_env()).with_persisted_secrets()
    logs.configure(settings.log_level)
    services = build_services(settings, clock)
    heap = Heap()
    metrics = Metrics(services.core.db.generation, heap)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        db = services.core.db
        assert isinstance(db, SqlDatabase)
        await upgrade(db.engine)
        await services.load_clock()
        await services.follow_clock()
        await services.start()
        if freeze_heap:
            heap.start()
        try:
            yield
        finally:
            heap.stop()  # nothing to hand back if it never started
            await services.stop_following_clock()
            await services.stop()
            await db.close()

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    gateway = build_gateway(services)
    routes: list[BaseRoute] = [
        *gateway_routes(gateway),
        Route("/_health", health, methods=["GET"]),
        Route("/metrics", metrics.endpoint, methods=["GET"]),
        *images.routes(services),
        *sandbox.routes,
        *console_routes(),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_exception_envelope}
    )
    app.state.services = services
    app.state.settings = settings
    # The pages' parts, built once here: the dialog and the consoles share one session codec.
    assert settings.secret_key is not None  # with_persisted_secrets() above
    sessions = Sessions(settings.secret_key)
    app.state.dialog = build_dialog(services, sessions)
    app.state.console = build_console(services, sessions, TokenTools(services.core, services.tokens), gateway)
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


def build_gateway(services: Services) -> Gateway | None:
    """The access layer for ``ADGATE_GATEWAY_FILE``'s routes, if it is set; a bad file stops the
    start with :class:`adgate.policy.gateway.GatewayFileError` naming the line."""
    if services.settings.gateway_file is None:
        return None
    path = services.settings.gateway_file
    spec, text = read_file(path)
    return Gateway(services, spec, text, str(path))


def gateway_routes(gateway: Gateway | None) -> list[BaseRoute]:
    """The decision endpoints, when there is a gateway."""
    if gateway is None:
        return []

    return [Route("/_gateway/{rest:path}", GatewayApp(gateway))]


def console_routes() -> list[BaseRoute]:
    """HTML pages (login dialog, consoles); each area registers its own routes module."""

    return list(routes())
