"""Re-asking: the link, the e-mail's words, one notice per status, and delivery failures retried."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from client_world import Mailbox

from adgate.client import (
    GraphClient,
    GraphConfig,
    LoginFlow,
    Notice,
    Reasker,
    SmtpMailer,
    StateSigner,
    StoredToken,
    TokenStore,
    compose_email,
)

NOW = 1_790_000_000
DAY = 86400
KEY = "a state key the app keeps secret"


@pytest.fixture
def flow() -> Iterator[LoginFlow]:
    with GraphClient(GraphConfig("1234", "APPSECRET")) as graph:
        yield LoginFlow(graph, "https://app.example/callback", StateSigner(KEY), scopes=("ads_management",))


@pytest.fixture
def frozen(store: TokenStore) -> TokenStore:
    store.now = lambda: float(NOW)
    return store


def dead(store: TokenStore, code: int, subcode: int | None, message: str = "", **kw: object) -> StoredToken:
    saved = store.save(
        f"TOKEN-{code}-{subcode}",
        app_id="1234",
        person_id=f"p{code}{subcode}",
        scopes=["ads_read", "public_profile"],
        contact_email="ada@example.com",
        **kw,  # type: ignore[arg-type]
    )
    return store.record_dead(saved.id, code=code, subcode=subcode, message=message)


def params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


@pytest.mark.parametrize(
    ("code", "subcode", "words", "auth_type"),
    [
        (190, 460, "your password was changed", None),
        (190, 463, "it expired", None),
        (190, 467, "you logged out", None),
        (190, 458, "you removed the app or took back the permissions", "rerequest"),
        (190, 493, "you have not used the app for 90 days", "reauthorize"),
        (200, None, "a permission the app needs was taken back", "rerequest"),
        (190, None, "no longer accepts it", None),
    ],
)
def test_the_email_says_which_token_why_in_plain_words_and_what_to_click(
    frozen: TokenStore, flow: LoginFlow, code: int, subcode: int | None, words: str, auth_type: str | None
) -> None:
    token = dead(frozen, code, subcode, "Error validating access token", label="Ada's ads")
    notice = Reasker(frozen, flow, lambda _n: None, app_name="Ads Helper").notice_for(token)
    message = compose_email(notice, "ops@app.example")
    text = " ".join(message.get_content().split())
    assert message["To"] == "ada@example.com"
    assert message["From"] == "ops@app.example"
    assert message["Subject"] == "Action needed: Ads Helper lost access to your Facebook account"
    assert words in text
    assert f'"Ada\'s ads" (token #{token.id})' in text
    assert "click Allow" in text
    assert notice.link in text
    assert "TOKEN-" not in text  # the token itself is never mailed
    assert f"error code {code}" in text
    link = params(notice.link)
    assert urlsplit(notice.link).netloc == "www.facebook.com"
    assert link["scope"] == "ads_management,ads_read"
    assert link.get("auth_type") == auth_type
    assert flow.states.verify(link["state"], "").subject == str(token.id)


def test_an_expiring_token_gets_a_warning_with_the_date(frozen: TokenStore, flow: LoginFlow) -> None:
    saved = frozen.save("T", app_id="1234", person_id="1", contact_email="ada@example.com")
    expiring = frozen.record_valid(saved.id, status="expiring", expires_at=NOW + 3 * DAY)
    notice = Reasker(frozen, flow, lambda _n: None, app_name="Ads Helper").notice_for(expiring)
    message = compose_email(notice, "ops@app.example")
    assert message["Subject"] == "Ads Helper: your Facebook access expires soon"
    assert "it expires on 2026-09-24" in " ".join(message.get_content().split())
    assert "auth_type" not in params(notice.link)


def test_one_notice_per_status_and_failed_deliveries_are_retried(frozen: TokenStore, flow: LoginFlow) -> None:
    token = dead(frozen, 190, 460)
    delivered: list[Notice] = []
    failing = True

    def deliver(notice: Notice) -> None:
        if failing:
            raise ConnectionRefusedError("the mail server is down")
        delivered.append(notice)

    reasker = Reasker(frozen, flow, deliver)
    assert reasker.run() == []
    assert [t.id for t in reasker.pending()] == [token.id]
    failing = False
    assert [n.token.id for n in reasker.run()] == [token.id]
    assert reasker.run() == []
    assert reasker.pending() == []
    # A token that is renewed and dies again is a new story: it is announced again.
    frozen.replace(token.id, "FRESH")
    frozen.record_dead(token.id, code=190, subcode=467, message="logged out")
    assert [n.reason for n in reasker.run()] == ["you logged out, or the access was revoked"]


def test_a_reminder_goes_out_after_renotify_after(frozen: TokenStore, flow: LoginFlow) -> None:
    dead(frozen, 190, 460)
    reasker = Reasker(frozen, flow, lambda _n: None, renotify_after=3 * DAY)
    assert len(reasker.run()) == 1
    frozen.now = lambda: float(NOW + 3 * DAY)
    assert len(reasker.run()) == 1


def test_the_mailer_delivers_through_a_real_smtp_server(
    frozen: TokenStore, flow: LoginFlow, mailbox: Mailbox
) -> None:
    token = dead(frozen, 190, 460)
    reasker = Reasker(frozen, flow, SmtpMailer("127.0.0.1", mailbox.port, "ops@app.example"))
    assert len(reasker.run()) == 1
    [message] = mailbox.messages
    assert message["To"] == "ada@example.com"
    [link] = mailbox.links(message)
    assert params(link)["client_id"] == "1234"
    assert flow.states.verify(params(link)["state"], "").subject == str(token.id)


def test_a_token_without_an_address_stays_pending_for_the_mailer(frozen: TokenStore, flow: LoginFlow) -> None:
    saved = frozen.save("T", app_id="1234", person_id="1")
    frozen.record_dead(saved.id, code=190, subcode=460, message="")
    reasker = Reasker(frozen, flow, SmtpMailer("127.0.0.1", 1, "ops@app.example"))
    assert reasker.run() == []
    assert [t.id for t in reasker.pending()] == [saved.id]
