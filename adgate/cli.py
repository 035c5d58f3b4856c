"""The ``adgate`` command: run the server, migrate, and drive the sandbox.

``adgate sandbox …`` mirrors the ``/_sandbox`` control API over HTTP, with the admin key taken
from ``--admin-key``, ``ADGATE_ADMIN_KEY`` or the data directory's secrets file.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from adgate import cli_calls
from adgate.cli_control import (
    DEFAULT_URL,
    DataDir,
    Key,
    Url,
    _admin_key,
    _call,
    _fetch,
    _person_id,
    console,
    parse_duration,
)
from adgate.cli_review import review
from adgate.settings import SECRETS_FILE, Settings, SettingsError

app = typer.Typer(help="adgate: a sandbox of the Graph / Marketing API access layer.", no_args_is_help=True)
sandbox = typer.Typer(
    help="Drive a running server's sandbox (the /_sandbox control API).", no_args_is_help=True
)
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


# --- sandbox subcommands ----------------------------------------------------------------------
cli_calls.register(sandbox)


@sandbox.command("reset")
def sb_reset(url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None) -> None:
    """Delete everything in the sandbox."""
    _call(url, admin_key, data_dir, "POST", "/_sandbox/reset")


@sandbox.command("demo")
def sb_demo(
    env: Annotated[
        bool,
        typer.Option(
            "--env",
            help='Print the demo\'s URL, keys and ids as shell exports: eval "$(adgate sandbox demo --env)".',
        ),
    ] = False,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Seed the demo world (once) and print it."""
    if not env:
        _call(url, admin_key, data_dir, "POST", "/_sandbox/demo")
        return
    world = _fetch(url, admin_key, data_dir, "POST", "/_sandbox/demo")
    for name, value in demo_variables(world, url.rstrip("/"), _admin_key(admin_key, data_dir)):
        print(f"export {name}={shlex.quote(value)}")


def demo_variables(world: dict[str, Any], url: str, admin_key: str) -> list[tuple[str, str]]:
    """The shell variables the README's walkthrough uses, from the demo world's JSON."""
    app_info = world["app"]
    variables = [
        ("ADGATE_URL", url),
        ("ADMIN_KEY", admin_key),
        ("APP_ID", app_info["id"]),
        ("APP_SECRET", app_info["secret"]),
        ("BUSINESS_ID", world["business"]["id"]),
        ("AD_ACCOUNT_ID", world["ad_accounts"][0]["id"]),
        ("PAGE_ID", world["pages"][0]["id"]),
    ]
    if world.get("system_users"):
        variables.append(("SYSTEM_USER_ID", world["system_users"][0]["id"]))
    for person in world["people"]:
        variables.append((f"{person['name'].split()[0].upper()}_ID", person["id"]))
    return variables


@sandbox.command("world")
def sb_world(url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None) -> None:
    """Show every person, business, ad account, page, app and role."""
    _call(url, admin_key, data_dir, "GET", "/_sandbox/world")


@sandbox.command("person")
def sb_person(
    name: str,
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    reviewer: bool = False,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Create a person."""
    body = {"name": name, "email": email, "password": password, "is_reviewer": reviewer}
    _call(url, admin_key, data_dir, "POST", "/_sandbox/people", body)


@sandbox.command("business")
def sb_business(
    name: str,
    admin_id: str | None = None,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Create a business, optionally with an admin."""
    _call(url, admin_key, data_dir, "POST", "/_sandbox/businesses", {"name": name, "admin_id": admin_id})


@sandbox.command("ad-account")
def sb_ad_account(
    name: str,
    business_id: str | None = None,
    currency: str = "USD",
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Create an ad account."""
    body = {"name": name, "business_id": business_id, "currency": currency}
    _call(url, admin_key, data_dir, "POST", "/_sandbox/ad_accounts", body)


@sandbox.command("page")
def sb_page(
    name: str,
    category: str = "Brand",
    business_id: str | None = None,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Create a page."""
    body = {"name": name, "category": category, "business_id": business_id}
    _call(url, admin_key, data_dir, "POST", "/_sandbox/pages", body)


@sandbox.command("app")
def sb_app(
    name: str,
    admin_id: str | None = None,
    site_url: str | None = None,
    redirect_uri: Annotated[list[str] | None, typer.Option(help="Repeat for several.")] = None,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Create an app (it starts at Development, whatever its owner's other apps have)."""
    body = {"name": name, "admin_id": admin_id, "site_url": site_url, "redirect_uris": redirect_uri or []}
    _call(url, admin_key, data_dir, "POST", "/_sandbox/apps", body)


@sandbox.command("role")
def sb_role(
    kind: Annotated[str, typer.Argument(help="business, ad_account, page or app")],
    object_id: str,
    person_id: str,
    role: str,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Give a person (an id or an e-mail) a role on a business, ad account, page or app."""
    person_id = _person_id(url, admin_key, data_dir, person_id)
    body = {"kind": kind, "object_id": object_id, "person_id": person_id, "role": role}
    _call(url, admin_key, data_dir, "POST", "/_sandbox/roles", body)


@sandbox.command("level")
def sb_level(
    app_id: str,
    level: str,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Set an app's access level directly (skipping review)."""
    _call(url, admin_key, data_dir, "POST", f"/_sandbox/apps/{app_id}/access_level", {"level": level})


@sandbox.command("password")
def sb_password(
    person_id: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Change a person's password (PERSON_ID: an id or an e-mail): their tokens die with 190/460."""
    person_id = _person_id(url, admin_key, data_dir, person_id)
    _call(url, admin_key, data_dir, "POST", f"/_sandbox/people/{person_id}/password", {"password": password})


@sandbox.command("logout")
def sb_logout(
    person_id: str, url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """Log a person out everywhere (PERSON_ID: an id or an e-mail): their tokens die with 190/467."""
    person_id = _person_id(url, admin_key, data_dir, person_id)
    _call(url, admin_key, data_dir, "POST", f"/_sandbox/people/{person_id}/logout")


@sandbox.command("clock")
def sb_clock(
    advance: Annotated[str | None, typer.Option(help="e.g. 3600, 90m, 36h, 60d")] = None,
    set_to: Annotated[int | None, typer.Option("--set", help="Unix seconds.")] = None,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Show the sandbox clock, or move it forward."""
    if advance is None and set_to is None:
        _call(url, admin_key, data_dir, "GET", "/_sandbox/clock")
        return
    body: dict[str, Any] = (
        {"set": set_to} if set_to is not None else {"advance": parse_duration(advance or "0")}
    )
    _call(url, admin_key, data_dir, "POST", "/_sandbox/clock", body)


@sandbox.command("token")
def sb_token(
    person: Annotated[
        str,
        typer.Argument(
            metavar="PERSON", help="The person's e-mail or id (with --system-user: the system user's id)."
        ),
    ],
    app_id: Annotated[str, typer.Argument(metavar="APP", help="The app's id.")],
    scopes: Annotated[
        list[str] | None,
        typer.Option("--scopes", help="Permissions to grant, comma-separated (repeatable): ads_management,…"),
    ] = None,
    short: Annotated[
        bool,
        typer.Option("--short", help="A short-lived (2 h) user token instead of a long-lived (60-day) one."),
    ] = False,
    page: Annotated[
        str | None,
        typer.Option(
            "--page", metavar="PAGE", help="A page token for this page (the person needs a role on it)."
        ),
    ] = None,
    system_user: Annotated[
        bool,
        typer.Option("--system-user", help="A system user's token (never expires); installs the app for it."),
    ] = False,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Mint an access token, recording the grant as the login dialog does (POST /_sandbox/tokens).

    Prints the token; when stdout is not a terminal, only the token:
    TOKEN=$(adgate sandbox token alice@demo.adgate.test APP_ID --scopes ads_management)
    """
    wanted = [name.strip() for item in scopes or [] for name in item.split(",") if name.strip()]
    body: dict[str, Any] = {"app_id": app_id, "scopes": wanted, "long_lived": not short}
    if system_user:
        if page is not None or short:
            raise typer.BadParameter("--system-user tokens have no --page and are never short-lived")
        body.update(kind="system_user", system_user_id=person)
        del body["long_lived"]
        kind = "system-user token"
    else:
        body["person_id"] = _person_id(url, admin_key, data_dir, person)
        kind = ("short-lived " if short else "long-lived ") + ("page token" if page else "user token")
        if page is not None:
            body.update(kind="page", page_id=page)
    minted = _fetch(url, admin_key, data_dir, "POST", "/_sandbox/tokens", body)
    token = str(minted["access_token"])
    if not sys.stdout.isatty():
        print(token)
        return
    print(token)
    left = minted.get("expires_in")
    lasts = "never expires" if left is None else f"expires in {_duration(int(left))}"
    granted = ", ".join(wanted) if wanted else "public_profile only"
    console.print(
        f"[dim]{escape(f'{kind}, {lasts}; scopes: {granted}')}[/dim]", soft_wrap=True, highlight=False
    )


def _duration(seconds: int) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds} seconds"


@ca_cli.command("path")
def ca_path(data_dir: DataDir = None) -> None:
    """Print the CA certificate's path (made on first use), for REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS."""
    from adgate.intercept.ca import ensure_ca

    print(ensure_ca(_settings(data_dir).data_dir).cert_path.resolve())


def main() -> None:
    app()
