"""The dialog's login throttle: sliding windows per e-mail and per client (RFC 6819 §4.4.3.6)."""

from __future__ import annotations

from adgate.services.login_throttle import MAX_PER_CLIENT, MAX_PER_EMAIL, WINDOW_SECONDS, LoginThrottle

T0 = 1_790_000_000


def test_an_email_is_locked_after_its_limit_of_failures_and_unlocked_when_they_age_out() -> None:
    throttle = LoginThrottle()
    for i in range(MAX_PER_EMAIL):
        assert throttle.locked("a@example.com", "10.0.0.1", T0 + i) is None
        throttle.failed("a@example.com", "10.0.0.1", T0 + i)
    lock = throttle.locked("A@Example.com ", "10.0.0.9", T0 + 10)  # the e-mail, however written
    assert lock is not None
    assert (lock.key, lock.retry_after) == ("email", WINDOW_SECONDS - 10)
    assert throttle.locked("b@example.com", "10.0.0.9", T0 + 10) is None
    assert throttle.locked("a@example.com", None, T0 + WINDOW_SECONDS) is None


def test_a_client_is_locked_after_its_limit_of_failures_whatever_the_emails() -> None:
    throttle = LoginThrottle()
    for i in range(MAX_PER_CLIENT):
        throttle.failed(f"p{i}@example.com", "10.0.0.1", T0)
    lock = throttle.locked("new@example.com", "10.0.0.1", T0 + 1)
    assert lock is not None
    assert lock.key == "client"
    assert throttle.locked("new@example.com", "10.0.0.2", T0 + 1) is None


def test_a_success_clears_the_email_but_not_the_client() -> None:
    throttle = LoginThrottle(max_per_email=2, max_per_client=3)
    throttle.failed("a@example.com", "10.0.0.1", T0)
    throttle.failed("a@example.com", "10.0.0.1", T0)
    throttle.succeeded("a@example.com")
    assert throttle.locked("a@example.com", "10.0.0.2", T0) is None
    throttle.failed("b@example.com", "10.0.0.1", T0)
    assert throttle.locked("c@example.com", "10.0.0.1", T0) is not None


def test_memory_is_bounded() -> None:
    throttle = LoginThrottle(max_keys=10)
    for i in range(100):
        throttle.failed(f"p{i}@example.com", None, T0)
    assert len(throttle._failures) <= 10


def test_clear_forgets_everything() -> None:
    throttle = LoginThrottle(max_per_email=1)
    throttle.failed("a@example.com", None, T0)
    throttle.clear()
    assert throttle.locked("a@example.com", None, T0) is None
