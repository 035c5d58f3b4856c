"""The login throttle: sliding windows per e-mail and per client (RFC 6819 §4.4.3.6), in the database."""

from __future__ import annotations

import pytest

from adgate.services.dialog.login_throttle import (
    MAX_PER_CLIENT,
    MAX_PER_EMAIL,
    WINDOW_SECONDS,
    LoginThrottle,
    lock_for,
)
from adgate.services.registry import Services
from adgate.store.tables import login_failures

pytestmark = pytest.mark.anyio
T0 = 1_790_000_000


@pytest.fixture
def throttle(services: Services) -> LoginThrottle:
    return LoginThrottle(services.core.db, services.core.keyring)


def test_the_lock_lasts_until_the_limit_th_latest_failure_leaves_the_window() -> None:
    assert lock_for("email", [T0, T0 + 5], 3, 900, T0 + 10) is None
    lock = lock_for("email", [T0, T0 + 5, T0 + 7], 3, 900, T0 + 10)
    assert lock is not None and (lock.key, lock.retry_after) == ("email", 890)


async def test_an_email_is_locked_after_its_limit_of_failures_and_unlocked_when_they_age_out(
    throttle: LoginThrottle,
) -> None:
    for i in range(MAX_PER_EMAIL):
        assert await throttle.locked("a@example.com", "10.0.0.1", T0 + i) is None
        await throttle.failed("a@example.com", "10.0.0.1", T0 + i)
    lock = await throttle.locked("A@Example.com ", "10.0.0.9", T0 + 10)  # the e-mail, however written
    assert lock is not None
    assert (lock.key, lock.retry_after) == ("email", WINDOW_SECONDS - 10)
    assert await throttle.locked("b@example.com", "10.0.0.9", T0 + 10) is None
    assert await throttle.locked("a@example.com", None, T0 + WINDOW_SECONDS) is None


async def test_a_client_is_locked_after_its_limit_of_failures_whatever_the_emails(
    throttle: LoginThrottle,
) -> None:
    for i in range(MAX_PER_CLIENT):
        await throttle.failed(f"p{i}@example.com", "10.0.0.1", T0)
    lock = await throttle.locked("new@example.com", "10.0.0.1", T0 + 1)
    assert lock is not None
    assert lock.key == "client"
    assert await throttle.locked("new@example.com", "10.0.0.2", T0 + 1) is None


async def test_a_success_clears_the_email_but_not_the_client(services: Services) -> None:
    throttle = LoginThrottle(services.core.db, services.core.keyring, max_per_email=2, max_per_client=3)
    await throttle.failed("a@example.com", "10.0.0.1", T0)
    await throttle.failed("a@example.com", "10.0.0.1", T0)
    await throttle.succeeded("a@example.com")
    assert await throttle.locked("a@example.com", "10.0.0.2", T0) is None
    await throttle.failed("b@example.com", "10.0.0.1", T0)
    assert await throttle.locked("c@example.com", "10.0.0.1", T0) is not None


async def test_the_table_keeps_one_window_and_no_address_in_clear(
    services: Services, throttle: LoginThrottle
) -> None:
    for i in range(30):
        await throttle.failed(f"p{i}@example.com", "10.0.0.1", T0 + i * 60)
    async with services.core.db.read() as tx:
        recent = await tx.login_failures.since([], 0)
    assert recent == {}
    db = services.core.db
    async with db.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = (await conn.execute(login_failures.select())).mappings().all()
    assert rows and all(row["failed_at"] > T0 + 29 * 60 - WINDOW_SECONDS for row in rows)
    assert not any("example.com" in row["key"] or "10.0.0.1" in row["key"] for row in rows)


async def test_clear_forgets_everything(services: Services) -> None:
    throttle = LoginThrottle(services.core.db, services.core.keyring, max_per_email=1)
    await throttle.failed("a@example.com", None, T0)
    assert await throttle.locked("a@example.com", None, T0) is not None
    await throttle.clear()
    assert await throttle.locked("a@example.com", None, T0) is None
