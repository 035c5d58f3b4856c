"""Asking the person again when a token died or is about to (seed, "Store Token": "your app should
be written to expect that and have a flow to re-request permission from the user … For example,
your app could email instructions to the user").

For every dead or expiring token not yet notified, :class:`Reasker` builds a re-authorization link
— the login dialog URL, with ``auth_type=rerequest`` when permissions were taken back and
``auth_type=reauthorize`` when data access ran out — and hands a :class:`Notice` to a delivery
function: :class:`SmtpMailer` (an e-mail saying which token, why in plain words, and what to
click) or any callable the app provides. A notice is sent once per status; a failed delivery is
retried on the next run.

The link comes back to the app's redirect URI; :meth:`Reasker.complete` takes that callback,
checks the state (bound to the stored token), exchanges the code, makes sure the person who logged
in is the one the token belonged to, and puts the fresh tokens in place of the dead ones.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

from adgate.client.errors import ClientError, plain_reason
from adgate.client.login import Denied, Login, LoginFlow
from adgate.client.state import REASK, StateError
from adgate.client.store import DEAD, EXPIRING, StoredToken, TokenStore

log = logging.getLogger("adgate.client")

#: Death reasons that mean permissions were taken back: ask for them again explicitly.
_REREQUEST_SUBCODES = frozenset({458})


class ReaskError(ClientError):
    """A re-ask callback that cannot renew the token (unknown token, another person, lost Page)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """One request to the person to log in again."""

    token: StoredToken
    #: The dialog URL to open.
    link: str = field(repr=False)
    #: Why, in plain words ("your password was changed …", "it expires on 2026-05-01").
    reason: str
    app_name: str
    provider: str = "Facebook"
    #: Until when the link's state is accepted.
    link_expires_at: int | None = None

    @property
    def dead(self) -> bool:
        return self.token.status == DEAD

    @property
    def what(self) -> str:
        """Which token, in words."""
        t = self.token
        name = f' "{t.label}"' if t.label else ""
        if t.kind == "page":
            return f"the access to your Page {t.page_id}{name} (token #{t.id})"
        return f"the access to your {self.provider} account{name} (token #{t.id})"


Deliver = Callable[[Notice], None]


@dataclass(frozen=True, slots=True)
class Renewed:
    login: Login
    tokens: list[StoredToken]


def _date(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


class Reasker:
    def __init__(
        self,
        store: TokenStore,
        flow: LoginFlow,
        deliver: Deliver,
        *,
        app_name: str = "our app",
        provider: str = "Facebook",
        renotify_after: int | None = None,
    ) -> None:
        self.store = store
        self.flow = flow
        self.deliver = deliver
        self.app_name = app_name
        self.provider = provider
        #: Send a notice again after this many seconds without a fresh login (None: once).
        self.renotify_after = renotify_after

    # --- links and notices ----------------------------------------------------------------------
    def auth_type_for(self, stored: StoredToken) -> str | None:
        if stored.status == DEAD and stored.dead_subcode == 493:
            return "reauthorize"
        if (
            stored.status == EXPIRING
            and stored.data_access_expires_at
            and (stored.expires_at is None or stored.data_access_expires_at <= stored.expires_at)
        ):
            return "reauthorize"
        code = stored.dead_code
        if stored.status == DEAD and (
            stored.dead_subcode in _REREQUEST_SUBCODES
            or code == 10
            or (code is not None and 200 <= code <= 299)
        ):
            return "rerequest"
        return None

    def link_for(self, stored: StoredToken) -> str:
        """The dialog URL that renews ``stored``: its scopes (and the app's), state bound to it."""
        scopes = tuple(
            dict.fromkeys((*self.flow.scopes, *(s for s in stored.scopes if s != "public_profile")))
        )
        state = self.flow.states.issue_reask(str(stored.id))
        return self.flow.dialog_url(state, scopes, self.auth_type_for(stored))

    def reason_for(self, stored: StoredToken) -> str:
        if stored.status == DEAD:
            return plain_reason(stored.dead_code, stored.dead_subcode)
        ends = [
            (t, w)
            for t, w in ((stored.expires_at, "it"), (stored.data_access_expires_at, "access to your data"))
            if t
        ]
        if not ends:
            return "it will stop working soon"
        when, what = min(ends)
        return f"{what} expires on {_date(when)}"

    def notice_for(self, stored: StoredToken) -> Notice:
        link_ends = int(self.store.now()) + self.flow.states.reask_max_age
        return Notice(
            stored, self.link_for(stored), self.reason_for(stored), self.app_name, self.provider, link_ends
        )

    def pending(self) -> list[StoredToken]:
        """Dead or expiring tokens whose person has not been asked (or not for a while)."""
        now = self.store.now()
        due = []
        for t in self.store.find(statuses=(DEAD, EXPIRING)):
            if t.notified_at is None or (
                self.renotify_after is not None and now - t.notified_at >= self.renotify_after
            ):
                due.append(t)
        return due

    def run(self) -> list[Notice]:
        """Deliver a notice for every pending token; returns the ones delivered."""
        sent: list[Notice] = []
        for stored in self.pending():
            notice = self.notice_for(stored)
            try:
                self.deliver(notice)
            except Exception as exc:  # any delivery failure: keep it pending, try next run
                log.warning(
                    "token %s: re-ask notice not delivered (%s: %s)", stored.id, type(exc).__name__, exc
                )
                continue
            self.store.mark_notified(stored.id)
            sent.append(notice)
        return sent

    # --- the link comes back ----------------------------------------------------------------------
    def complete(self, callback: str | Mapping[str, str]) -> Renewed | Denied:
        """Finish a re-ask login: renew the token the link was for (and the person's other dead ones)."""
        result = self.flow.parse_callback(callback, "")
        if result.state.purpose != REASK:
            raise StateError("not a re-ask callback")
        if not result.state.subject.isdigit():
            raise StateError("the re-ask state names no token")
        stored = self.store.get(int(result.state.subject))
        if stored is None:
            raise ReaskError("the token this link was for is no longer stored")
        if isinstance(result, Denied):
            return result
        if stored.status not in (DEAD, EXPIRING):
            # A reloaded callback page: exchanging the code again would replay it, and Graph
            # answers a replayed code by revoking the tokens it issued (RFC 6749 §10.5).
            raise ReaskError("this link was already used: the token was renewed and is left as it is")
        login = self.flow.finish(result)
        if stored.person_id is not None and stored.person_id != login.person_id:
            raise ReaskError("the link was for another person's token; log in as that person")
        renewed = self._renew(stored, login)
        if stored.id not in {t.id for t in renewed}:
            raise ReaskError(f"you no longer have access to Page {stored.page_id}")
        return Renewed(login, renewed)

    def _renew(self, stored: StoredToken, login: Login) -> list[StoredToken]:
        person = login.person_id
        targets = {stored.id: stored}
        for other in self.store.find(statuses=(DEAD, EXPIRING), person_id=person):
            if other.app_id == stored.app_id:
                targets.setdefault(other.id, other)
        renewed: list[StoredToken] = []
        pages = None
        for t in targets.values():
            if t.kind == "user":
                renewed.append(
                    self.store.replace(
                        t.id,
                        login.token,
                        scopes=login.scopes,
                        expires_at=login.expires_at,
                        data_access_expires_at=login.data_access_expires_at,
                    )
                )
            elif t.kind == "page":
                pages = pages if pages is not None else {p.id: p for p in self.flow.pages(login.token)}
                page = pages.get(t.page_id or "")
                if page is not None:
                    info = self.flow.inspect(page.access_token)
                    renewed.append(
                        self.store.replace(
                            t.id,
                            page.access_token,
                            scopes=info.scopes,
                            expires_at=info.expires_at,
                            data_access_expires_at=info.data_access_expires_at,
                        )
                    )
        return renewed


# --- e-mail --------------------------------------------------------------------------------------
def compose_email(notice: Notice, sender: str) -> EmailMessage:
    """The message to the person: which token, why in plain words, what to click."""
    t = notice.token
    if t.contact_email is None:
        raise ValueError(f"token {t.id} has no contact e-mail address")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = t.contact_email
    if notice.dead:
        message["Subject"] = f"Action needed: {notice.app_name} lost access to your {notice.provider} account"
        opening = [
            f"{notice.app_name} can no longer use {notice.what}, because {notice.reason}.",
            f"Until you log in again, {notice.app_name} cannot work for you.",
        ]
    else:
        message["Subject"] = f"{notice.app_name}: your {notice.provider} access expires soon"
        opening = [f"{notice.app_name} will soon lose {notice.what}: {notice.reason}."]
    valid_for = ""
    if notice.link_expires_at is not None:
        valid_for = f" until {_date(notice.link_expires_at)}"
    paragraphs = [
        "Hello,",
        *opening,
        f"To fix this, open the link below, log in to {notice.provider} and click Allow (or Continue):",
    ]
    closing = [
        f"The link works{valid_for}, for your own {notice.provider} account only. "
        "If you did not expect this message, you can ignore it.",
    ]
    if t.dead_code is not None:
        sub = f", subcode {t.dead_subcode}" if t.dead_subcode is not None else ""
        closing.append(f"Technical details: error code {t.dead_code}{sub}. {t.dead_message or ''}".strip())
    body = "\n\n".join(
        [*(textwrap.fill(p, 72) for p in paragraphs), notice.link, *(textwrap.fill(p, 72) for p in closing)]
    )
    message.set_content(body + "\n")
    return message


@dataclass(frozen=True, slots=True)
class SmtpMailer:
    """Delivers notices by e-mail (stdlib smtplib): plain SMTP, STARTTLS or SMTPS."""

    host: str
    port: int = 25
    sender: str = "adgate-client@localhost"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 30.0

    def __call__(self, notice: Notice) -> None:
        self.send(compose_email(notice, self.sender))

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls and not self.use_ssl:
                smtp.starttls(context=context)
            if self.username is not None:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
