"""``adgate-client``: the app-side checks as a command for cron.

::

    adgate-client init-db --db sqlite:///app.db
    adgate-client check --db sqlite:///app.db --app-id 123 --graph http://127.0.0.1:8765 \\
        --redirect-uri https://app.example/callback --smtp-host localhost --smtp-from ops@app.example

Secrets come from the environment rather than the command line (which other local users can see):
``ADGATE_CLIENT_KEY`` (the Fernet key of the token store), ``ADGATE_CLIENT_APP_SECRET``,
``ADGATE_CLIENT_STATE_KEY`` (signs re-ask links) and ``ADGATE_CLIENT_SMTP_PASSWORD``. Tokens are
never printed. The exit status is 0 when the run completed (dead tokens are a finding, not a
failure), 2 for a configuration problem.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import create_engine, inspect

from adgate.client.checker import WARN_BEFORE, CheckReport, TokenChecker
from adgate.client.config import API_VERSION, GRAPH_URL, GraphConfig
from adgate.client.http import GraphClient
from adgate.client.login import LoginFlow
from adgate.client.reask import Reasker, SmtpMailer
from adgate.client.state import StateSigner
from adgate.client.store import TokenStore, create_tables, generate_key, tokens

app = typer.Typer(
    help="adgate.client: check stored Graph tokens and ask people to log in again.", no_args_is_help=True
)

Db = Annotated[str, typer.Option("--db", help="SQLAlchemy URL of the app's database.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"configuration error: {message}", err=True)
    return typer.Exit(2)


@app.command("init-db")
def init_db(db: Db) -> None:
    """Create the token table in the app's database (idempotent)."""
    create_tables(create_engine(db))
    typer.echo(f"table {tokens.name} ready")


@app.command("generate-key")
def generate_key_command() -> None:
    """Print a fresh Fernet key for ADGATE_CLIENT_KEY."""
    typer.echo(generate_key())


@app.command()
def check(
    db: Db,
    app_id: Annotated[str, typer.Option("--app-id", help="The app's id.")],
    app_secret: Annotated[
        str, typer.Option("--app-secret", envvar="ADGATE_CLIENT_APP_SECRET", help="The app secret.")
    ],
    key: Annotated[
        str, typer.Option("--key", envvar="ADGATE_CLIENT_KEY", help="Fernet key of the token store.")
    ],
    graph: Annotated[
        str, typer.Option("--graph", help="Graph base URL (an adgate server, or real Graph).")
    ] = GRAPH_URL,
    dialog: Annotated[
        str | None, typer.Option("--dialog", help="Login dialog base URL (default: by --graph).")
    ] = None,
    api_version: Annotated[str, typer.Option("--api-version")] = API_VERSION,
    warn_days: Annotated[
        float, typer.Option("--warn-days", help="Warn this many days before expiry.")
    ] = WARN_BEFORE / 86400,
    require_scope: Annotated[
        list[str] | None, typer.Option("--require-scope", help="A permission a user token must still hold.")
    ] = None,
    include_dead: Annotated[
        bool, typer.Option("--include-dead", help="Check dead tokens again too.")
    ] = False,
    no_batch: Annotated[bool, typer.Option("--no-batch", help="One debug_token call per token.")] = False,
    redirect_uri: Annotated[
        str | None, typer.Option("--redirect-uri", help="Where re-ask links come back.")
    ] = None,
    state_key: Annotated[
        str | None, typer.Option("--state-key", envvar="ADGATE_CLIENT_STATE_KEY", help="Signs re-ask links.")
    ] = None,
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="A permission re-ask links ask for.")
    ] = None,
    app_name: Annotated[str, typer.Option("--app-name", help="The app's name, for e-mails.")] = "our app",
    renotify_days: Annotated[
        float | None, typer.Option("--renotify-days", help="Remind after N days.")
    ] = None,
    smtp_host: Annotated[
        str | None, typer.Option("--smtp-host", help="Send re-ask e-mails through this server.")
    ] = None,
    smtp_port: Annotated[int, typer.Option("--smtp-port")] = 25,
    smtp_from: Annotated[str, typer.Option("--smtp-from")] = "adgate-client@localhost",
    smtp_user: Annotated[str | None, typer.Option("--smtp-user")] = None,
    smtp_password: Annotated[
        str | None, typer.Option("--smtp-password", envvar="ADGATE_CLIENT_SMTP_PASSWORD")
    ] = None,
    smtp_starttls: Annotated[bool, typer.Option("--smtp-starttls")] = False,
    smtp_ssl: Annotated[bool, typer.Option("--smtp-ssl")] = False,
) -> None:
    """Check every stored token through debug_token; e-mail a re-ask link for dead or expiring ones."""
    if smtp_host is not None and (redirect_uri is None or state_key is None):
        raise _fail("--smtp-host needs --redirect-uri and --state-key (or ADGATE_CLIENT_STATE_KEY)")
    try:
        config = GraphConfig(app_id, app_secret, api_version, graph_url=graph, dialog_url=dialog)
        engine = create_engine(db)
        store = TokenStore(engine, key)
        signer = StateSigner(state_key) if state_key is not None else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not inspect(engine).has_table(tokens.name):
        raise _fail(
            f"no {tokens.name} table in {engine.url.render_as_string(hide_password=True)}; run init-db"
        )
    with GraphClient(config) as client:
        checker = TokenChecker(
            store,
            client,
            warn_before=int(warn_days * 86400),
            required_scopes=require_scope or (),
            batch=not no_batch,
        )
        report = checker.check_all(include_dead=include_dead)
        _print(report)
        if smtp_host is not None and redirect_uri is not None and signer is not None:
            mailer = SmtpMailer(
                smtp_host,
                smtp_port,
                smtp_from,
                username=smtp_user,
                password=smtp_password,
                starttls=smtp_starttls,
                use_ssl=smtp_ssl,
            )
            flow = LoginFlow(client, redirect_uri, signer, scopes=scope or ())
            renotify = int(renotify_days * 86400) if renotify_days is not None else None
            reasker = Reasker(store, flow, mailer, app_name=app_name, renotify_after=renotify)
            sent = reasker.run()
            pending = len(reasker.pending())
            typer.echo(
                f"re-ask e-mails sent: {len(sent)}" + (f" ({pending} not delivered)" if pending else "")
            )


def _print(report: CheckReport) -> None:
    for result in report.results:
        t = result.token
        who = f"page {t.page_id}" if t.kind == "page" else f"person {t.person_id}"
        if result.outcome == "dead":
            typer.echo(
                f"token {t.id} ({t.kind}, {who}): DEAD {t.dead_code}/{t.dead_subcode} {t.dead_message or ''}"
            )
        elif result.outcome == "expiring":
            typer.echo(f"token {t.id} ({t.kind}, {who}): expiring")
        elif result.outcome == "failed":
            typer.echo(f"token {t.id} ({t.kind}, {who}): check failed, kept as {t.status}: {result.error}")
    typer.echo(report.summary())


def main() -> None:
    app()
