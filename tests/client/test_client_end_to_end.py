"""The seed's "Store Token" story against a real running adgate server, end to end.

Log in through the HTML dialog, store the token, the person changes their password, the checker
finds the token dead with 190/460, an e-mail with a working link arrives at a real SMTP server,
the person follows it through the dialog again, and the app has a fresh, valid token.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from client_world import CALLBACK, Browser, Mailbox, Sandbox

from adgate.client import (
    Denied,
    GraphClient,
    GraphConfig,
    Login,
    LoginFlow,
    PasswordChanged,
    Reasker,
    ReaskError,
    Renewed,
    SmtpMailer,
    StateError,
    StateSigner,
    TokenChecker,
    TokenStore,
)
from adgate.testing.server import LiveServer

SCOPES = ("ads_management", "pages_show_list")


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_a_password_change_kills_the_token_and_the_emailed_link_brings_a_fresh_one(
    server: LiveServer,
    sandbox: Sandbox,
    browser: Browser,
    mailbox: Mailbox,
    store: TokenStore,
    signer: StateSigner,
) -> None:
    ada = sandbox.person("Ada Admin", "ada@example.com")
    app = sandbox.app("Ads Helper", ada)
    bakery = sandbox.page("Ada's Bakery", ada)
    config = GraphConfig.for_adgate(server.url, app.id, app.secret)
    assert config.dialog_endpoint == f"{server.url}/v26.0/dialog/oauth"

    with GraphClient(config) as graph:
        flow = LoginFlow(graph, CALLBACK, signer, scopes=SCOPES)

        # The person logs in through the dialog; the app handles the callback.
        url = flow.login_url("session-of-ada")
        assert url.startswith(f"{server.url}/v26.0/dialog/oauth?")
        location = browser.authorize(url, ada)
        assert location.startswith(CALLBACK + "?")
        login = flow.complete(location, "session-of-ada")
        assert isinstance(login, Login)
        assert login.person_id == ada.id
        assert set(SCOPES) <= set(login.scopes)
        assert login.missing == ()
        assert login.expires_at is not None
        user = login.save_to(store, app.id, contact_email=ada.email, label="Ada's ads")
        pages = flow.pages(login.token)
        assert [p.id for p in pages] == [bakery]
        page = store.save(pages[0].access_token, app_id=app.id, kind="page", person_id=ada.id, page_id=bakery)

        # The stored token works for calls.
        assert graph.get("me", token=store.reveal(user.id))["id"] == ada.id

        checker = TokenChecker(store, graph)
        first = checker.check_all()
        assert [r.outcome for r in first.results] == ["valid", "valid"]
        assert store.get(page.id).expires_at is None  # type: ignore[union-attr]  # a page token from a long-lived token never expires

        # The person changes their password: every token they had dies with 190/460.
        ada = sandbox.change_password(ada, "a brand new password")
        with pytest.raises(PasswordChanged) as raised:
            graph.get("me", token=store.reveal(user.id))
        assert (raised.value.code, raised.value.subcode) == (190, 460)

        requests: list[str] = []
        watched = httpx.Client(
            event_hooks={"request": [lambda r: requests.append(f"{r.method} {r.url.path}")]}
        )
        with watched, GraphClient(config, http=watched) as watched_graph:
            report = TokenChecker(store, watched_graph).check_all()
        assert [r.outcome for r in report.results] == ["dead", "dead"]
        assert requests == ["POST /v26.0/"]  # both tokens in one batch request: the server runs batches
        dead = store.get(user.id)
        assert dead is not None
        assert (dead.status, dead.dead_code, dead.dead_subcode) == ("dead", 190, 460)
        assert "password" in (dead.dead_message or "")

        # The re-asker e-mails the person, through a real SMTP server.
        reasker = Reasker(
            store, flow, SmtpMailer("127.0.0.1", mailbox.port, "ops@app.example"), app_name="Ads Helper"
        )
        sent = reasker.run()
        assert sorted(n.token.id for n in sent) == [user.id]  # the page row has no contact address
        assert len(mailbox.messages) == 1
        mail = mailbox.messages[0]
        assert mail["To"] == "ada@example.com"
        assert "Ads Helper" in mail["Subject"]
        text = " ".join(mail.get_body(preferencelist=("plain",)).get_content().split())
        assert "your password was changed" in text
        assert "Ada's ads" in text
        assert "error code 190, subcode 460" in text
        assert "click Allow" in text
        [link] = mailbox.links(mail)
        assert link.startswith(f"{server.url}/v26.0/dialog/oauth?")
        assert reasker.run() == []  # one notice per death, not one per cron run

        # The person follows the link in a fresh browser and logs in again.
        assert flow.is_reask(link.replace(config.dialog_endpoint, CALLBACK))
        other_browser = Browser()
        try:
            location = other_browser.authorize(link, ada)
        finally:
            other_browser.close()
        assert LoginFlow.is_reask(location)
        renewed = reasker.complete(location)
        assert isinstance(renewed, Renewed)
        assert {t.id for t in renewed.tokens} == {user.id, page.id}

        fresh = store.get(user.id)
        assert fresh is not None
        assert fresh.status == "valid"
        assert (fresh.dead_code, fresh.dead_subcode, fresh.notified_at) == (None, None, None)
        assert store.reveal(user.id) != login.token
        assert graph.get("me", token=store.reveal(user.id))["id"] == ada.id
        assert [r.outcome for r in checker.check_all().results] == ["valid", "valid"]

        # A reloaded callback page is refused before the code is replayed (a replay would revoke
        # the fresh token): the renewed token stays valid.
        renewed_token = store.reveal(user.id)
        with pytest.raises(ReaskError, match="already used"):
            reasker.complete(location)
        assert store.reveal(user.id) == renewed_token
        assert [r.outcome for r in checker.check_all().results] == ["valid", "valid"]


def test_a_denied_login_is_a_typed_result_and_a_foreign_state_is_refused(
    server: LiveServer, sandbox: Sandbox, browser: Browser, signer: StateSigner
) -> None:
    ada = sandbox.person("Ada Admin", "ada2@example.com")
    app = sandbox.app("Ads Helper", ada)
    with GraphClient(GraphConfig.for_adgate(server.url, app.id, app.secret)) as graph:
        flow = LoginFlow(graph, CALLBACK, signer, scopes=SCOPES)
        location = browser.authorize(flow.login_url("session-a"), ada, cancel=True)
        assert query(location)["error"] == "access_denied"
        result = flow.complete(location, "session-a")
        assert isinstance(result, Denied)
        assert (result.error, result.reason) == ("access_denied", "user_denied")

        # A callback made for another browser session (login CSRF) is refused before any exchange.
        location = browser.authorize(flow.login_url("session-a"), ada)
        with pytest.raises(StateError):
            flow.complete(location, "session-b")


def test_a_declined_permission_is_reported_and_asked_again_with_rerequest(
    server: LiveServer, sandbox: Sandbox, browser: Browser, signer: StateSigner
) -> None:
    ada = sandbox.person("Ada Admin", "ada3@example.com")
    app = sandbox.app("Ads Helper", ada)
    with GraphClient(GraphConfig.for_adgate(server.url, app.id, app.secret)) as graph:
        flow = LoginFlow(graph, CALLBACK, signer, scopes=SCOPES)
        login = flow.complete(browser.authorize(flow.login_url("s"), ada, decline=("ads_management",)), "s")
        assert isinstance(login, Login)
        assert login.missing == ("ads_management",)

        again = flow.login_url("s", scopes=login.missing, rerequest=True)
        assert query(again)["auth_type"] == "rerequest"
        login = flow.complete(browser.authorize(again, ada), "s")
        assert isinstance(login, Login)
        assert "ads_management" in login.scopes


def test_a_reask_link_renews_only_for_the_person_whose_token_died(
    server: LiveServer, sandbox: Sandbox, browser: Browser, store: TokenStore, signer: StateSigner
) -> None:
    ada = sandbox.person("Ada Admin", "ada4@example.com")
    eve = sandbox.person("Eve Else", "eve4@example.com")
    app = sandbox.app("Ads Helper", ada)
    sandbox.post("roles", {"kind": "app", "object_id": app.id, "person_id": eve.id, "role": "tester"})
    with GraphClient(GraphConfig.for_adgate(server.url, app.id, app.secret)) as graph:
        flow = LoginFlow(graph, CALLBACK, signer, scopes=("ads_read",))
        login = flow.complete(browser.authorize(flow.login_url("s"), ada), "s")
        assert isinstance(login, Login)
        stored = login.save_to(store, app.id, contact_email=ada.email)
        sandbox.change_password(ada, "ada's second password")
        TokenChecker(store, graph).check_all()
        notices: list[str] = []
        reasker = Reasker(store, flow, lambda n: notices.append(n.link))
        assert len(reasker.run()) == 1

        eves_browser = Browser()
        try:
            location = eves_browser.authorize(notices[0], eve)
        finally:
            eves_browser.close()
        with pytest.raises(ReaskError, match="another person"):
            reasker.complete(location)
        still = store.get(stored.id)
        assert still is not None and still.status == "dead"
        assert store.reveal(stored.id) == login.token
