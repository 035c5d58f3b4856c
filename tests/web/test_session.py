"""The dialog's signed session cookie and CSRF tokens (RFC 6749 §10.12)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from adgate.records import Person
from adgate.web.session import COOKIE_NAME, Session, Sessions

PERSON = Person("100000000000001", "Ada", "ada@example.com", "h", 3, 7, False, 0)


def request_with(cookie: str) -> Request:
    return Request({"type": "http", "headers": [(b"cookie", f"{COOKIE_NAME}={cookie}".encode())]})


def cookie_of(sessions: Sessions, session: Session) -> str:
    response = Response()
    sessions.write(response, session, secure=True)
    header = response.headers["set-cookie"]
    assert "Secure" in header
    return header.split(";", 1)[0].split("=", 1)[1]


def test_a_written_session_reads_back() -> None:
    sessions = Sessions("k" * 32)
    session = sessions.for_person(PERSON, 1_790_000_000)
    assert sessions.read(request_with(cookie_of(sessions, session))) == session
    visitor = session.visitor()
    assert visitor is not None
    assert (visitor.password_epoch, visitor.session_epoch) == (3, 7)


def test_a_cookie_signed_with_another_secret_is_ignored() -> None:
    ours, theirs = Sessions("k" * 32), Sessions("other secret")
    forged = cookie_of(theirs, theirs.for_person(PERSON, 0))
    assert ours.read(request_with(forged)) is None


def test_garbage_cookies_are_ignored() -> None:
    sessions = Sessions("k" * 32)
    for value in ("", "v1", "v1..", "v2.a.b", "v1.!!!.???", "x" * 5000):
        assert sessions.read(request_with(value)) is None


def test_csrf_tokens_are_bound_to_the_session_id() -> None:
    sessions = Sessions("k" * 32)
    one, two = sessions.anonymous(), sessions.anonymous()
    assert sessions.csrf_valid(one, sessions.csrf_token(one))
    assert not sessions.csrf_valid(two, sessions.csrf_token(one))
    assert not sessions.csrf_valid(None, sessions.csrf_token(one))
    assert not sessions.csrf_valid(one, "")
    assert not sessions.csrf_valid(one, "é")
