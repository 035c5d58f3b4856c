"""``adgate sandbox fault …`` and the calls made to apps (``callbacks``, ``deauthorize``,
``data-deletion``, ``deliveries``, ``deliver-again``): the commands over ``/_sandbox/faults`` and the
callbacks' control API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer

from adgate.cli_control import DEFAULT_URL, DataDir, Key, Url, _admin_key, _call, _person_id, parse_duration
from adgate.policy.faults import rule_json

#: Commands added to ``adgate sandbox`` by :func:`register`.
calls = typer.Typer()
fault_cli = typer.Typer(
    help="Make chosen Graph calls fail as Graph fails (/_sandbox/faults): errors, 5xx, delays, drops.",
    no_args_is_help=True,
)


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
    window = None
    if during is not None:
        clock = httpx.get(
            url.rstrip("/") + "/_sandbox/clock",
            headers={"Authorization": f"Bearer {_admin_key(admin_key, data_dir)}"},
        )
        now = float(clock.json()["now_float"])
        window = (now, now + parse_duration(during))
    body = rule_json(
        path=path,
        method=method,
        app_id=app,
        token=token,
        ad_account=account,
        error=error,
        code=code,
        subcode=subcode,
        status=status,
        latency_ms=latency_ms,
        drop=drop,
        throttle=throttle,
        times=times,
        probability=probability,
        seed=seed,
        window=window,
    )
    _call(url, admin_key, data_dir, "POST", "/_sandbox/faults", body)


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


@calls.command("callbacks")
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


@calls.command("deauthorize")
def sb_deauthorize(
    person: str, app_id: str, url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """The person (id or e-mail) removes the app: tokens die (190/458), the Deauthorize callback and
    Webhooks fire."""
    _person_app_action(url, admin_key, data_dir, person, app_id, "deauthorize")


@calls.command("data-deletion")
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


@calls.command("deliveries")
def sb_deliveries(
    app: Annotated[str | None, typer.Option(help="Only this app's.")] = None,
    url: Url = DEFAULT_URL,
    admin_key: Key = None,
    data_dir: DataDir = None,
) -> None:
    """The calls made to apps (callbacks, Webhooks), newest first, with every try."""
    _call(url, admin_key, data_dir, "GET", "/_sandbox/deliveries" + (f"?app_id={app}" if app else ""))


@calls.command("deliver-again")
def sb_deliver_again(
    delivery_id: int, url: Url = DEFAULT_URL, admin_key: Key = None, data_dir: DataDir = None
) -> None:
    """Send a delivery again now."""
    _call(url, admin_key, data_dir, "POST", f"/_sandbox/deliveries/{delivery_id}/send")


def register(sandbox: typer.Typer) -> None:
    """Add these commands to ``adgate sandbox``."""
    sandbox.add_typer(fault_cli, name="fault")
    for command in calls.registered_commands:
        sandbox.registered_commands.append(command)
