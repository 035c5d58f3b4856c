"""``adgate sandbox …``: the ``/_sandbox`` control API over HTTP (reset, the demo world, people,
businesses, ad accounts, pages, apps, roles, levels, passwords, log-outs, the clock, tokens), with
the admin key taken from ``--admin-key``, ``ADGATE_ADMIN_KEY`` or the data directory's secrets
file; :mod:`adgate.cli_calls` adds the Graph calls made through it."""

from __future__ import annotations

import shlex
import sys
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

sandbox = typer.Typer(
    help="Drive a running server's sandbox (the /_sandbox control API).", no_args_is_help=True
)
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
