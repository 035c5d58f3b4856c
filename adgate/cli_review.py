"""``adgate review …``: apply for an access level or a permission, and decide, over the review JSON
API (``/_apps/{app}/review``, ``/_review/…``) with the admin key or a person's token."""

from __future__ import annotations

from typing import Annotated

import typer

from adgate.cli_control import DEFAULT_URL, DataDir, Key, Url, _call, _fetch

review = typer.Typer(
    help="Apply for an access level or a permission, and decide (the review JSON API).", no_args_is_help=True
)

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
