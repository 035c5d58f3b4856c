"""``adgate-client``: the cron command, against a live adgate server and a real SMTP server."""

from __future__ import annotations

from pathlib import Path

from client_world import CALLBACK, STATE_KEY, Browser, Mailbox, Sandbox
from sqlalchemy import create_engine
from typer.testing import CliRunner

from adgate.client import GraphClient, GraphConfig, Login, LoginFlow, StateSigner, TokenStore, generate_key
from adgate.client.cli import app
from adgate.testing.server import LiveServer, free_port

runner = CliRunner()


def test_init_db_then_check_finds_the_dead_token_and_mails_the_person(
    server: LiveServer, sandbox: Sandbox, browser: Browser, mailbox: Mailbox, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'cron.db'}"
    key = generate_key()
    result = runner.invoke(app, ["init-db", "--db", db])
    assert result.exit_code == 0, result.output

    ada = sandbox.person("Ada Admin", "ada-cli@example.com")
    registered = sandbox.app("Ads Helper", ada)
    engine = create_engine(db)
    store = TokenStore(engine, key)
    with GraphClient(GraphConfig.for_adgate(server.url, registered.id, registered.secret)) as graph:
        flow = LoginFlow(graph, CALLBACK, StateSigner(STATE_KEY), scopes=("ads_read",))
        login = flow.complete(browser.authorize(flow.login_url("s"), ada), "s")
        assert isinstance(login, Login)
        stored = login.save_to(store, registered.id, contact_email=ada.email)
    sandbox.change_password(ada, "another password entirely")

    env = {
        "ADGATE_CLIENT_KEY": key,
        "ADGATE_CLIENT_APP_SECRET": registered.secret,
        "ADGATE_CLIENT_STATE_KEY": STATE_KEY,
    }
    args = ["check", "--db", db, "--app-id", registered.id, "--graph", server.url]
    mail = ["--redirect-uri", CALLBACK, "--smtp-host", "127.0.0.1", "--smtp-port", str(mailbox.port)]
    result = runner.invoke(
        app, [*args, *mail, "--smtp-from", "ops@app.example", "--app-name", "Ads Helper"], env=env
    )
    assert result.exit_code == 0, result.output
    assert f"token {stored.id} (user, person {ada.id}): DEAD 190/460" in result.output
    assert "checked 1: 0 valid, 0 expiring, 1 dead, 0 failed" in result.output
    assert "re-ask e-mails sent: 1" in result.output
    assert login.token not in result.output
    [message] = mailbox.messages
    assert message["To"] == ada.email
    [link] = mailbox.links(message)
    assert link.startswith(f"{server.url}/v26.0/dialog/oauth?")

    # The next cron run finds nothing new to say.
    again = runner.invoke(app, [*args, *mail], env=env)
    assert again.exit_code == 0, again.output
    assert "re-ask e-mails sent: 0" in again.output
    assert len(mailbox.messages) == 1
    engine.dispose()


def test_a_check_against_an_unreachable_server_keeps_the_tokens(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cron.db'}"
    key = generate_key()
    engine = create_engine(db)
    store = TokenStore(engine, key)
    store.create_all()
    stored = store.save("TOKEN", app_id="1234", person_id="555")
    closed = f"http://127.0.0.1:{free_port()}"
    env = {"ADGATE_CLIENT_KEY": key, "ADGATE_CLIENT_APP_SECRET": "s3cret"}
    result = runner.invoke(app, ["check", "--db", db, "--app-id", "1234", "--graph", closed], env=env)
    assert result.exit_code == 0, result.output
    assert "check failed, kept as valid" in result.output
    assert store.get(stored.id).status == "valid"  # type: ignore[union-attr]
    assert store.reveal(stored.id) == "TOKEN"
    engine.dispose()


def test_configuration_problems_exit_with_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    env = {"ADGATE_CLIENT_KEY": generate_key(), "ADGATE_CLIENT_APP_SECRET": "s3cret"}
    no_table = runner.invoke(app, ["check", "--db", db, "--app-id", "1"], env=env)
    assert no_table.exit_code == 2
    assert "run init-db" in no_table.output
    bad_key = runner.invoke(
        app, ["check", "--db", db, "--app-id", "1"], env={**env, "ADGATE_CLIENT_KEY": "x"}
    )
    assert bad_key.exit_code == 2
    no_redirect = runner.invoke(
        app, ["check", "--db", db, "--app-id", "1", "--smtp-host", "localhost"], env=env
    )
    assert no_redirect.exit_code == 2
    assert "--redirect-uri" in no_redirect.output


def test_generate_key_prints_a_usable_key(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate-key"])
    assert result.exit_code == 0
    TokenStore(create_engine("sqlite://"), result.output.strip())
