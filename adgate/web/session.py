"""The dialog's browser session and its CSRF tokens (RFC 6749 §10.12, RFC 9700 §4.7, RFC 6819 §5.3).

A session is a signed cookie, ``adgate_session`` — HttpOnly, SameSite=Lax, Path=/, Secure on
https — holding a random session id and, once the person has logged in, their id, the two epochs
of their record and the time the password was entered. The signature is HMAC-SHA256 with a key
derived (HKDF) from the server secret for this purpose alone. A signature cannot be taken back,
so a signed-in session is good only while the server keeps its row
(:mod:`adgate.services.dialog.browser_sessions`): a log-out, a password change or a log-out everywhere
deletes it, on every node at once. The service also compares the epochs with the person's record
on every use, and checks the session's age on the server clock.

Every form carries a CSRF token: HMAC-SHA256 of the session id under a second derived key. A
login starts a new session id (so a session id planted before login is worthless: session
fixation) and the forms shown after it carry the new token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from adgate.keyring import derive_key
from adgate.records import Person
from adgate.services.dialog.authorize import Visitor
from adgate.services.dialog.browser_sessions import SESSION_SECONDS

COOKIE_NAME = "adgate_session"
CSRF_FIELD = "fb_dtsg"  # the name Graph's own forms give their CSRF token
_VERSION = "v1"
_MAX_COOKIE = 4096


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    person_id: str | None = None
    password_epoch: int = 0
    session_epoch: int = 0
    authenticated_at: int = 0

    def visitor(self) -> Visitor | None:
        if self.person_id is None:
            return None
        return Visitor(
            self.person_id, self.password_epoch, self.session_epoch, self.authenticated_at, self.sid
        )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    def __init__(self, secret_key: str) -> None:
        self._sign_key = derive_key(secret_key, "dialog-session-cookie")
        self._csrf_key = derive_key(secret_key, "dialog-csrf")

    # --- sessions -------------------------------------------------------------------------------
    @staticmethod
    def anonymous() -> Session:
        return Session(sid=secrets.token_urlsafe(18))

    @staticmethod
    def for_person(person: Person, authenticated_at: int) -> Session:
        """A new session (a new id) for a person who has just entered their password."""
        return Session(
            sid=secrets.token_urlsafe(18),
            person_id=person.id,
            password_epoch=person.password_epoch,
            session_epoch=person.session_epoch,
            authenticated_at=authenticated_at,
        )

    def read(self, request: Request) -> Session | None:
        """The request's session, if its cookie is present and its signature is ours."""
        value = request.cookies.get(COOKIE_NAME, "")
        if not value or len(value) > _MAX_COOKIE:
            return None
        version, _, rest = value.partition(".")
        body, _, signature = rest.partition(".")
        if version != _VERSION or not body or not signature:
            return None
        expected = _b64(self._sign(body))
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return None
        try:
            data: Any = json.loads(_unb64(body))
            return Session(
                sid=_str(data["sid"]),
                person_id=_str(data["p"]) if data.get("p") is not None else None,
                password_epoch=_int(data.get("pe", 0)),
                session_epoch=_int(data.get("se", 0)),
                authenticated_at=_int(data.get("at", 0)),
            )
        except (ValueError, KeyError, TypeError):
            return None  # signed by us, so never expected; refuse rather than fail

    def write(self, response: Response, session: Session, *, secure: bool) -> None:
        data = {
            "sid": session.sid,
            "p": session.person_id,
            "pe": session.password_epoch,
            "se": session.session_epoch,
            "at": session.authenticated_at,
        }
        body = _b64(json.dumps(data, separators=(",", ":")).encode())
        value = f"{_VERSION}.{body}.{_b64(self._sign(body))}"
        response.set_cookie(
            COOKIE_NAME,
            value,
            # A login lasts SESSION_SECONDS (checked again on the server clock); an anonymous
            # session, which only carries the CSRF binding, ends with the browser.
            max_age=SESSION_SECONDS if session.person_id else None,
            path="/",
            secure=secure,
            httponly=True,
            samesite="lax",
        )

    def _sign(self, body: str) -> bytes:
        return hmac.new(self._sign_key, f"{_VERSION}.{body}".encode(), hashlib.sha256).digest()

    # --- CSRF -----------------------------------------------------------------------------------
    def csrf_token(self, session: Session) -> str:
        return _b64(hmac.new(self._csrf_key, b"csrf\x00" + session.sid.encode(), hashlib.sha256).digest())

    def csrf_valid(self, session: Session | None, token: str | None) -> bool:
        """Constant-time check that ``token`` was made for this session."""
        if session is None or not token:
            return False
        return hmac.compare_digest(self.csrf_token(session).encode(), token.encode())


def _str(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("not a string")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return value
