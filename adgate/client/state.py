"""The OAuth ``state`` parameter, bound to the app's session (RFC 6749 §10.12; RFC 9700 §4.7).

A state is signed, not stored: ``s1.<purpose>.<subject>.<issued>.<nonce>.<mac>`` where ``mac`` is
HMAC-SHA256 under the app's key over every other part **and the session id**, which never leaves
the app. A callback whose state was made for another browser session, was tampered with, or is
older than ``max_age`` is refused with :class:`StateError` before any code is exchanged: a
forged callback (login CSRF) cannot get the app to store an attacker's token for the victim.

Re-ask links are the one exception: the e-mail is opened in a browser that may have no session
with the app, so they are bound to the stored token they renew (``subject``) instead of a session,
and the re-ask callback only accepts a login by the same person (:mod:`adgate.client.reask`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from adgate.client.clock import Now, system_now
from adgate.client.errors import ClientError

VERSION = "s1"
LOGIN = "login"
REASK = "reask"
_PURPOSE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class StateError(ClientError):
    """The callback's state is missing, forged, for another session, or too old."""


@dataclass(frozen=True, slots=True)
class State:
    purpose: str
    #: What the app asked to carry through the login (e.g. the stored token id of a re-ask).
    subject: str
    issued_at: int


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class StateSigner:
    def __init__(
        self,
        key: str | bytes,
        *,
        now: Now = system_now,
        max_age: int = 3600,
        reask_max_age: int = 14 * 86400,
    ) -> None:
        raw = key.encode() if isinstance(key, str) else key
        if len(raw) < 16:
            raise ValueError("the state key must be at least 16 bytes of secret")
        self._key = raw
        self.now = now
        self.max_age = max_age
        self.reask_max_age = reask_max_age

    def _mac(self, parts: list[str], session_id: str) -> str:
        message = "\x00".join([*parts, session_id]).encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())

    def issue(self, session_id: str, *, purpose: str = LOGIN, subject: str = "") -> str:
        """A state for a login started in the browser session ``session_id``."""
        if not session_id and purpose != REASK:
            raise ValueError("a login state must be bound to a session id")
        if not _PURPOSE.match(purpose):
            raise ValueError(f"bad purpose {purpose!r}")
        parts = [VERSION, purpose, _b64(subject.encode()), str(int(self.now())), secrets.token_urlsafe(12)]
        return ".".join([*parts, self._mac(parts, session_id)])

    def issue_reask(self, subject: str) -> str:
        """A state for an e-mailed re-ask link: bound to ``subject``, not to a browser session."""
        return self.issue("", purpose=REASK, subject=subject)

    def verify(self, state: str | None, session_id: str) -> State:
        """The state's content if it is genuine, for this session, and fresh; else StateError."""
        if not state:
            raise StateError("the callback carries no state")
        parts = state.split(".")
        if len(parts) != 6 or parts[0] != VERSION:
            raise StateError("the state was not made by this app")
        *signed, mac = parts
        purpose = signed[1]
        bound_to = "" if purpose == REASK else session_id
        if purpose != REASK and not session_id:
            raise StateError("no session to check the state against")
        if not hmac.compare_digest(mac.encode(), self._mac(signed, bound_to).encode()):
            raise StateError("the state does not belong to this session (or was altered)")
        try:
            subject = _unb64(signed[2]).decode()
            issued = int(signed[3])
        except (ValueError, UnicodeDecodeError):
            raise StateError("the state is malformed") from None
        max_age = self.reask_max_age if purpose == REASK else self.max_age
        age = self.now() - issued
        if age > max_age or age < -300:
            raise StateError("the login took too long; start again")
        return State(purpose, subject, issued)
