"""The OAuth state: bound to the app's session, signed, fresh (RFC 6749 §10.12)."""

from __future__ import annotations

import pytest

from adgate.client import StateError, StateSigner

KEY = "a state key the app keeps secret"


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_state_verifies_for_its_own_session_and_carries_its_subject() -> None:
    signer = StateSigner(KEY)
    state = signer.issue("session-1", subject="/after-login")
    found = signer.verify(state, "session-1")
    assert (found.purpose, found.subject) == ("login", "/after-login")


def test_two_states_for_one_session_differ() -> None:
    signer = StateSigner(KEY)
    assert signer.issue("session-1") != signer.issue("session-1")


@pytest.mark.parametrize(
    "forge",
    [
        lambda s: s,  # right state, wrong session: the login CSRF case
        lambda s: s[:-2] + ("AA" if not s.endswith("AA") else "BB"),
        lambda s: s.replace(".login.", ".reask."),
        lambda s: "",
        lambda s: "garbage",
    ],
)
def test_a_state_for_another_session_or_altered_is_refused(forge: object) -> None:
    signer = StateSigner(KEY)
    state = signer.issue("session-1")
    with pytest.raises(StateError):
        signer.verify(forge(state), "session-2")  # type: ignore[operator]


def test_a_state_from_another_key_is_refused() -> None:
    state = StateSigner("another key, another app!").issue("session-1")
    with pytest.raises(StateError):
        StateSigner(KEY).verify(state, "session-1")


def test_an_old_state_is_refused() -> None:
    clock = Clock()
    signer = StateSigner(KEY, now=clock, max_age=600)
    state = signer.issue("session-1")
    clock.now += 601
    with pytest.raises(StateError, match="too long"):
        signer.verify(state, "session-1")


def test_a_reask_state_needs_no_session_but_a_login_state_does() -> None:
    clock = Clock()
    signer = StateSigner(KEY, now=clock)
    reask = signer.issue_reask("42")
    clock.now += 3 * 86400  # e-mails are read days later
    found = signer.verify(reask, "")
    assert (found.purpose, found.subject) == ("reask", "42")
    assert signer.verify(reask, "whatever session the browser has").subject == "42"
    with pytest.raises(ValueError):
        signer.issue("")
    with pytest.raises(StateError):
        signer.verify(signer.issue("session-1"), "")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        StateSigner("short")
