"""The ``adgate`` command: run the server, migrate, and drive the sandbox.

``adgate sandbox …`` mirrors the ``/_sandbox`` control API over HTTP, with the admin key taken
from ``--admin-key``, ``ADGATE_ADMIN_KEY`` or the data directory's secrets file.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.markup import escape

from adgate.settings import SECRETS_FILE, Settings, SettingsError

app = typer.Typer(help="adgate: a sandbox of the Graph / Marketing API access layer.", no_args_is_help=True)
sandbox = typer.Typer(
    help="Drive a running server's sandbox (the /_sandbox control API).", no_args_is_help=True
)
app.add_typer(sandbox, name="sandbox")
review = typer.Typer(
    help="Apply for an access level or a permission, and decide (the review JSON API).", no_args_is_help=True
)
app.add_typer(review, name="review")
ca_cli = typer.Typer(
    help="The local CA that `serve --intercept` presents for Graph's hosts.", no_args_is_help=True
)
app.add_typer(ca_cli, name="ca")
console = Console()
errors = Console(stderr=True)
DEFAULT_URL = "http://127.0.0.1:8765"

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Where data and secrets live (ADGATE_DATA_DIR).")
]


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
        application = create_app(settings)
    except GatewayFileError as exc:
        console.print(f"[red]gateway file error:[/red] {exc}")
        raise typer.Exit(2) from None
    services = application.state.services
    base_url = settings.public_url or ""
    if demo:

        async def show_demo() -> None:
            from adgate.services.demo import seed_demo

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
Url = Annotated[str, typer.Option("--url", envvar="ADGATE_URL", help="The server's base URL.")]
Key = Annotated[str | None, typer.Option("--admin-key", envvar="ADGATE_ADMIN_KEY", help="The admin key.")]


def _admin_key(key: str | None, data_dir: Path | None) -> str:
    if key:
        return key
    path = (data_dir or Path(os.environ.get("ADGATE_DATA_DIR", ".adgate"))) / SECRETS_FILE
    try:
        return str(json.loads(path.read_text())["admin_key"])
    except (OSError, ValueError, KeyError):
        errors.print(f"[red]no admin key:[/red] none in {path}; pass --admin-key or set ADGATE_ADMIN_KEY")
        raise typer.Exit(2) from None


def _request(
    url: str, key: str | None, data_dir: Path | None, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {_admin_key(key, data_dir)}"}
    try:
        response = httpx.request(method, url.rstrip("/") + path, json=body, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        errors.print(f"[red]cannot reach {url}:[/red] {exc}")
        raise typer.Exit(1) from None
    try:
        payload = response.json()
    except ValueError:
        payload = {"raw": response.text}
    return response.status_code, payload


def _call(url: str, key: str | None, data_dir: Path | None, method: str, path: str, body: Any = None) -> None:
    status, payload = _request(url, key, data_dir, method, path, body)
    console.print_json(data=payload)
    if status >= 400:
        raise typer.Exit(1)


def _fetch(url: str, key: str | None, data_dir: Path | None, method: str, path: str, body: Any = None) -> Any:
    """The answer's JSON; a refusal goes to stderr (its envelope) and exits 1."""
    status, payload = _request(url, key, data_dir, method, path, body)
    if status >= 400:
        errors.print_json(data=payload)
        raise typer.Exit(1)
    return payload


def _person_id(url: str, key: str | None, data_dir: Path | None, person: str) -> str:
    """A person named by id, or by e-mail (looked up in the sandbox)."""
    if "@" not in person:
        return person
    people = _fetch(url, key, data_dir, "GET", "/_sandbox/people")["data"]
    for candidate in people:
        if str(candidate.get("email", "")).lower() == person.strip().lower():
            return str(candidate["id"])
    errors.print(f"[red]no person with e-mail {person}[/red] (adgate sandbox world lists everyone)")
    raise typer.Exit(1)


fault_cli = typer.Typer(
    help="Make chosen Graph calls fail as Graph fails (/_sandbox/faults): errors, 5xx, delays, drops.",
    no_args_is_help=True,
)
sandbox.add_typer(fault_cli, name="fault")


@fault_cli.command("add")
def fault_add(
    path: Annotated[
        str | None, typer.Option(help="Path template, e.g. /act_{id}/campaigns or /{campaign}.")
    ] = None,
    method: Annotated[str | None, typer.Option(help="GET, POST or DELETE (default: any).")] = None,
    app: Annotated[str | None, typer.Option(help="Only calls of this app id.")] = None,
    token: Annotated[str | None, typer.Option(help="Only calls with this access token.")] = None,
    account: Annotated[str | None, typer.Option(help="Only calls on this ad account (act_<n>).")] = None,
    error: Annotated[
        str | None, typer.Option(help="A Graph error by catalog name, e.g. token_expired.")
    ] = None,
    code: Annotated[int | None, typer.Option(help="A Graph error by code, e.g. 17, 613, 80004, 190.")] = None,
    subcode: Annotated[int | None, typer.Option(help="With --code, e.g. 2446079 or 463.")] = None,
    status: Annotated[int | None, typer.Option(help="An HTTP 5xx with no body.")] = None,
    latency_ms: Annotated[
        int, typer.Option(help="Added latency (alone: a slow call; else before it fails).")
    ] = 0,
    drop: Annotated[bool, typer.Option("--drop", help="Drop the connection mid-answer.")] = False,
    throttle: Annotated[bool, typer.Option("--throttle", help="Throttled, usage headers at 100%.")] = False,
    times: Annotated[int | None, typer.Option(help="Fail the next N matching calls.")] = None,
    probability: Annotated[
        float | None, typer.Option(help="Fail each matching call with this chance.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of --probability: the same run fails the same calls.")] = 0,
    during: Annotated[
        str | None, typer.Option("--for", help="Fail every matching call for this long: 10m, 2h.")
    ] = None,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Add a fault rule; it applies on every node and survives a restart."""
    if error is not None or code is not None:
        effect: dict[str, Any] = {"kind": "error", "error": error, "code": code, "subcode": subcode}
    elif status is not None:
        effect = {"kind": "http_status", "status": status}
    elif drop:
        effect = {"kind": "drop"}
    elif throttle:
        effect = {"kind": "throttle"}
    else:
        effect = {"kind": "latency"}
    effect = {k: v for k, v in effect.items() if v is not None}
    if latency_ms:
        effect["latency_ms"] = latency_ms
    match = {"path": path, "method": method, "app_id": app, "token": token, "ad_account": account}
    body: dict[str, Any] = {
        "match": {k: v for k, v in match.items() if v is not None},
        "effect": effect,
        "times": times,
        "probability": probability,
        "seed": seed,
    }
    if during is not None:
        clock = httpx.get(
            url.rstrip("/") + "/_sandbox/clock",
            headers={"Authorization": f"Bearer {_admin_key(admin_key, data_dir)}"},
        )
        now = float(clock.json()["now_float"])
        body["window"] = {"start": now, "end": now + parse_duration(during)}
    _call(
        url, admin_key, data_dir, "POST", "/_sandbox/faults", {k: v for k, v in body.items() if v is not None}
    )


@fault_cli.command("list")
def fault_list(url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None) -> None:
    """The rules, with how many calls each matched and how many of its --times are left."""
    _call(url, admin_key, data_dir, "GET", "/_sandbox/faults")


@fault_cli.command("events")
def fault_events(
    limit: int = 100, url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """Every failure injected, newest first: which rule, when, which call."""
    _call(url, admin_key, data_dir, "GET", f"/_sandbox/faults/events?limit={limit}")


@fault_cli.command("remove")
def fault_remove(
    rule_id: str, url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """Remove one rule."""
    _call(url, admin_key, data_dir, "DELETE", f"/_sandbox/faults/{rule_id}")


@fault_cli.command("clear")
def fault_clear(url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None) -> None:
    """Remove every rule."""
    _call(url, admin_key, data_dir, "DELETE", "/_sandbox/faults")


@sandbox.command("callbacks")
def sb_callbacks(
    app_id: str,
    deauthorize_url: Annotated[
        str | None, typer.Option(help="Deauthorize Callback URL ('' clears it).")
    ] = None,
    data_deletion_url: Annotated[
        str | None, typer.Option(help="Data Deletion Request URL ('' clears it).")
    ] = None,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Show or set where the app is told that a person removed it or asked for their data's deletion."""
    body = {"deauthorize_url": deauthorize_url, "data_deletion_url": data_deletion_url}
    body = {k: v for k, v in body.items() if v is not None}
    method = "POST" if body else "GET"
    _call(url, admin_key, data_dir, method, f"/_sandbox/apps/{app_id}/callbacks", body or None)


@sandbox.command("deauthorize")
def sb_deauthorize(
    person: str, app_id: str, url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """The person (id or e-mail) removes the app: tokens die (190/458), the Deauthorize callback and
    Webhooks fire."""
    _person_app_action(url, admin_key, data_dir, person, app_id, "deauthorize")


@sandbox.command("data-deletion")
def sb_data_deletion(
    person: str, app_id: str, url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """The person (id or e-mail) asks the app to delete their data: its Data Deletion URL is called."""
    _person_app_action(url, admin_key, data_dir, person, app_id, "data_deletion")


def _person_app_action(
    url: str, key: str | None, data_dir: Path | None, person: str, app_id: str, action: str
) -> None:
    person_id = _person_id(url, key, data_dir, person)
    _call(url, key, data_dir, "POST", f"/_sandbox/people/{person_id}/{action}", {"app_id": app_id})


@sandbox.command("deliveries")
def sb_deliveries(
    app: Annotated[str | None, typer.Option(help="Only this app's.")] = None,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """The calls made to apps (callbacks, Webhooks), newest first, with every try."""
    _call(url, admin_key, data_dir, "GET", "/_sandbox/deliveries" + (f"?app_id={app}" if app else ""))


@sandbox.command("deliver-again")
def sb_deliver_again(
    delivery_id: int, url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """Send a delivery again now."""
    _call(url, admin_key, data_dir, "POST", f"/_sandbox/deliveries/{delivery_id}/send")


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


# --- review subcommands -----------------------------------------------------------------------
Token = Annotated[
    str | None,
    typer.Option("--token", envvar="ADGATE_TOKEN", help="A user access token instead of the admin key."),
]


@review.command("submit")
def rv_submit(
    app_id: str,
    feature: Annotated[
        str, typer.Argument(help="ads_management_basic_access, …_standard_access, permission:NAME")
    ],
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only the submission's id: ID=$(adgate review submit …)"),
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Submit an app for the next access level or a permission."""
    path, body = f"/_apps/{app_id}/review/submissions", {"feature": feature}
    if quiet:
        print(_fetch(url, token or admin_key, data_dir, "POST", path, body)["id"])
        return
    _call(url, token or admin_key, data_dir, "POST", path, body)


@review.command("status")
def rv_status(
    app_id: str,
    url: Url = DEFAULT_URL,
    token: Token = None,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """The app's level, the next level's criteria with their figures now, and its submissions."""
    _call(url, token or admin_key, data_dir, "GET", f"/_apps/{app_id}/review")


@review.command("queue")
def rv_queue(
    url: Url = DEFAULT_URL, token: Token = None, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """Open submissions, earliest due first (reviewers)."""
    _call(url, token or admin_key, data_dir, "GET", "/_review/queue")


@review.command("show")
def rv_show(
    submission_id: str,
    url: Url = DEFAULT_URL,
    token: Token = None,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """One submission with its evidence and audit trail (opening it puts it in review)."""
    _call(url, token or admin_key, data_dir, "GET", f"/_review/submissions/{submission_id}")


@review.command("decide")
def rv_decide(
    submission_id: str,
    decision: Annotated[str, typer.Argument(help="approve or deny")],
    reason: Annotated[list[str] | None, typer.Option("--reason", help="Why (repeatable).")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """Approve or deny a submission; a denial lists its reasons and every unmet criterion."""
    body = {"decision": decision, "reasons": list(reason or [])}
    _call(url, token or admin_key, data_dir, "POST", f"/_review/submissions/{submission_id}/decision", body)


def parse_duration(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    try:
        if text and text[-1] in units:
            return float(text[:-1]) * units[text[-1]]
        return float(text)
    except ValueError:
        raise typer.BadParameter(f"not a duration: {text!r} (use seconds or 90m, 36h, 60d)") from None


@ca_cli.command("path")
def ca_path(data_dir: DataDir = None) -> None:
    """Print the CA certificate's path (made on first use), for REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS."""
    from adgate.intercept.ca import ensure_ca

    print(ensure_ca(_settings(data_dir).data_dir).cert_path.resolve())


def main() -> None:
    app()
