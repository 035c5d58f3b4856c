"""The ``adgate`` command: run the server (``serve``), migrate, and the local CA of ``--intercept``.

Its groups live beside it: ``adgate sandbox …`` (:mod:`adgate.cli_sandbox`, the ``/_sandbox``
control API over HTTP, and :mod:`adgate.cli_calls`) and ``adgate review …``
(:mod:`adgate.cli_review`); what they share (the URL, the admin key, printing) is
:mod:`adgate.cli_control`.
"""

from __future__ import annotations

import asyncio
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from adgate.cli_control import DEFAULT_URL, DataDir, console
from adgate.cli_review import review
from adgate.cli_sandbox import sandbox
from adgate.settings import SECRETS_FILE, Settings, SettingsError

app = typer.Typer(help="adgate: a sandbox of the Graph / Marketing API access layer.", no_args_is_help=True)
app.add_typer(sandbox, name="sandbox")
app.add_typer(review, name="review")
ca_cli = typer.Typer(
    help="The local CA that `serve --intercept` presents for Graph's hosts.", no_args_is_help=True
)
app.add_typer(ca_cli, name="ca")


class EventLoop(StrEnum):
    """``adgate serve --loop``."""

    asyncio = "asyncio"
    uvloop = "uvloop"


def _settings(data_dir: Path | None) -> Settings:
    try:
        return Settings.from_env(data_dir=data_dir) if data_dir else Settings.from_env()
    except SettingsError as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    data_dir: DataDir = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed (once) and print a demo world.")] = False,
    intercept: Annotated[
        bool,
        typer.Option(
            "--intercept",
            help="Also answer as graph.facebook.com and www.facebook.com through an HTTP proxy "
            "(HTTPS_PROXY=http://HOST:INTERCEPT_PORT; trust the CA `adgate ca path` prints).",
        ),
    ] = False,
    intercept_port: Annotated[int, typer.Option(help="Port of the --intercept proxy.")] = 8766,
    loop: Annotated[
        EventLoop,
        typer.Option(
            envvar="ADGATE_LOOP",
            help="Event loop: asyncio's own answers every connection in turn under load; uvloop is "
            "faster on tiny requests but lets some wait up to a second (docs/operations.md).",
        ),
    ] = EventLoop.asyncio,
) -> None:
    """Run the Graph server, the login dialog, the consoles and the sandbox API."""
    import uvicorn

    from adgate.app import create_app
    from adgate.policy.gateway import GatewayFileError

    settings = _settings(data_dir)
    if settings.public_url is None:
        from dataclasses import replace

        settings = replace(settings, public_url=f"http://{host}:{port}")
    key_source = admin_key_source(settings)
    try:
        application = create_app(settings, freeze_heap=True)
    except GatewayFileError as exc:
        console.print(f"[red]gateway file error:[/red] {exc}")
        raise typer.Exit(2) from None
    services = application.state.services
    base_url = settings.public_url or ""
    if demo:

        async def show_demo() -> None:
            from adgate.services.world.demo import seed_demo

            world = await seed_demo(services.world, base_url=base_url)
            print_demo(world.to_json(), base_url, services.settings.admin_key or "", key_source)

        services.start_hooks.append(show_demo)
    else:
        _line("adgate", f"{base_url}   (Graph, login dialog, /console, /_sandbox)")
        _line("Admin key", f"{key_source}   (Bearer token for {base_url}/_sandbox/...)")
    if intercept:
        _intercept(services, settings.data_dir, host, port, intercept_port)
    uvicorn.run(
        application,
        host=host,
        port=port,
        access_log=False,  # uvicorn's access log prints query strings, and tokens travel there
        log_config=None,
        server_header=False,
        proxy_headers=False,
        loop=loop.value,
    )


def admin_key_source(settings: Settings) -> str:
    """Where the admin key comes from, for the line ``adgate serve`` prints (never the key itself)."""
    if settings.admin_key:
        return "given by ADGATE_ADMIN_KEY"
    path = (settings.data_dir / SECRETS_FILE).resolve()
    return f"kept in {path} (the adgate sandbox commands read it there; ADGATE_ADMIN_KEY overrides it)"


def _line(label: str, value: str) -> None:
    """One ``label value`` line, never cut or wrapped by the terminal's width; plain when piped."""
    if sys.stdout.isatty():
        console.print(f"[bold]{label:<15}[/bold] {escape(value)}", soft_wrap=True, highlight=False)
    else:
        print(f"{label:<15} {value}", flush=True)


def _command_name() -> str:
    """How this ``adgate`` was started (``.venv/bin/adgate`` from scripts/demo), for the hints."""
    invoked = sys.argv[0] if sys.argv else ""
    return invoked if Path(invoked).name == "adgate" else "adgate"


#: Listening on every interface: the proxy relays to the loopback instead.
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::"})  # noqa: S104 (compared against, never bound)


def _intercept(services: Any, data_dir: Path, host: str, port: int, proxy_port: int) -> None:
    """Start the interception proxy with the server, relaying to this server's own listener."""
    from adgate.intercept.ca import HOSTS, ensure_ca, issue_leaf
    from adgate.intercept.proxy import InterceptProxy, server_context

    ca = ensure_ca(data_dir)
    proxy = InterceptProxy(
        ("127.0.0.1" if host in WILDCARD_HOSTS else host, port), server_context(*issue_leaf(ca))
    )

    async def start() -> None:
        await proxy.start(host, proxy_port)
        print(f"Intercepting {', '.join(HOSTS)} on http://{host}:{proxy.port}", flush=True)
        print(
            f"  HTTPS_PROXY=http://{host}:{proxy.port}  and trust the CA {ca.cert_path.resolve()}", flush=True
        )

    services.start_hooks.append(start)
    services.stop_hooks.append(proxy.stop)


def print_demo(world: dict[str, Any], base_url: str, admin_key: str, key_source: str) -> None:
    app_info = world["app"]
    accounts = ", ".join(f"{a['id']} ({a['name']})" for a in world["ad_accounts"])
    redirect = app_info.get("redirect_uri") or ""
    login = (
        f"{base_url}/v26.0/dialog/oauth?client_id={app_info['id']}"
        f"&redirect_uri={redirect}&scope=ads_management,ads_read&state=demo"
    )
    business = world["business"]
    url_option = "" if base_url == DEFAULT_URL else f" --url {base_url}"
    adgate = _command_name()
    lines = [
        ("Graph base URL", f"{base_url}   (SDK: FacebookSession.GRAPH = '{base_url}')"),
        ("Admin key", f"{admin_key}   (Bearer token for {base_url}/_sandbox/...)"),
        ("", key_source),
        ("Demo app", f"{app_info['name']}: id {app_info['id']}, level {app_info['access_level']}"),
        ("App secret", app_info["secret"]),
        ("App token", f"{app_info['id']}|{app_info['secret']}"),
        ("Redirect URIs", ", ".join(app_info.get("redirect_uris") or [])),
        ("Business", f"{business.get('name')} ({business.get('id')})"),
        ("System users", ", ".join(f"{u['id']} ({u['name']}, {u['role']})" for u in world["system_users"])),
        ("Ad accounts", accounts),
        ("Pages", ", ".join(f"{p['id']} ({p['name']})" for p in world["pages"])),
        ("Login dialog", login + "   (redirects to localhost:8000, where your app would listen)"),
        ("Consoles", f"{base_url}/console   (sign in as a demo person)"),
        ("Try", f"curl -s -H 'Authorization: Bearer {admin_key}' {base_url}/_sandbox/world"),
        (
            "Token",
            f"{adgate} sandbox token {world['people'][0]['email']} {app_info['id']} --scopes ads_management"
            + url_option,
        ),
    ]
    if sys.stdout.isatty():
        console.rule("adgate demo world")
    for label, value in lines:
        _line(label, value)
    _line("Demo people", "e-mail, password, id: sign in at /console or in the login dialog")
    for person in world["people"]:
        _line(
            "",
            f"{person['email']}  {person['password']}  {person['id']}  {person['name']}, {person['about']}",
        )
    _line("Shell variables", f'eval "$({adgate} sandbox demo --env{url_option})"   (README.md, Quick start)')


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Bring the database schema up to date (the server also does this when it starts)."""
    from adgate.store.migrate import current, upgrade
    from adgate.store.sql.database import SqlDatabase

    settings = _settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def run() -> str | None:
        db = SqlDatabase(settings.database_url)
        try:
            await upgrade(db.engine)
            return await current(db.engine)
        finally:
            await db.close()

    revision = asyncio.run(run())
    console.print(f"database at revision [bold]{revision}[/bold]")


@ca_cli.command("path")
def ca_path(data_dir: DataDir = None) -> None:
    """Print the CA certificate's path (made on first use), for REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS."""
    from adgate.intercept.ca import ensure_ca

    print(ensure_ca(_settings(data_dir).data_dir).cert_path.resolve())


def main() -> None:
    app()
