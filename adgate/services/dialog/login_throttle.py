"""Throttling repeated failed sign-ins (RFC 6819 §4.4.3.6, §5.1.4.2.3: online guessing).

One throttle for every place a password is checked: the login dialog, the console's sign-in and
the console's "enter your password again" (:meth:`adgate.services.world.editor.World.sign_in`). Two
sliding windows on the server clock, both of :data:`WINDOW_SECONDS`:

- per e-mail address: :data:`MAX_PER_EMAIL` failures lock that address;
- per client (the peer address of the connection): :data:`MAX_PER_CLIENT` failures lock the client.

While locked, the password is not even checked (so a guess cannot succeed, and costs nothing), and
the lock lasts until enough failures have left the window. A successful sign-in clears the
e-mail's record, not the client's (one person's success must not launder a guesser's many attempts).

The failures are rows of the database (``login_failures``), so every node sharing the database
shares the limits, and a restart keeps them; a sandbox reset forgets them. Keys are stored as
keyed digests (no e-mail address or client address in clear), and rows older than the window are
deleted at each failure, so the table holds at most one window of failures. No cached read depends
on these rows, so writing them voids no cache (``invalidates=False``): a guesser cannot churn the
read caches of every node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adgate.keyring import Keyring
from adgate.store.interfaces import Database

WINDOW_SECONDS = 15 * 60
MAX_PER_EMAIL = 5
MAX_PER_CLIENT = 20


@dataclass(frozen=True, slots=True)
class Lock:
    """A refusal: who is locked and for how many more seconds."""

    key: str
    retry_after: int


def lock_for(kind: str, failures: Sequence[int], limit: int, window: int, now: int) -> Lock | None:
    """The lock that ``failures`` (times inside the window, oldest first) put on a key, if any."""
    if len(failures) < limit:
        return None
    # Unlocked when the limit-th most recent failure leaves the window.
    pivot = failures[-limit]
    return Lock(key=kind, retry_after=max(1, pivot + window - now))


class LoginThrottle:
    def __init__(
        self,
        db: Database,
        keyring: Keyring,
        *,
        window: int = WINDOW_SECONDS,
        max_per_email: int = MAX_PER_EMAIL,
        max_per_client: int = MAX_PER_CLIENT,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.window = window
        self.limits = {"email": max_per_email, "client": max_per_client}

    def _key(self, kind: str, value: str) -> str:
        return f"{kind}:{self.keyring.digest(f'login-throttle/{kind}/{value}')}"

    def _keys(self, email: str, client: str | None) -> list[tuple[str, str]]:
        keys = [("email", self._key("email", email.strip().lower()))]
        if client:
            keys.append(("client", self._key("client", client)))
        return keys

    async def locked(self, email: str, client: str | None, now: int) -> Lock | None:
        """The lock in force for this e-mail or this client, if any."""
        keys = self._keys(email, client)
        async with self.db.read() as tx:
            recent = await tx.login_failures.since([key for _, key in keys], now - self.window)
        for kind, key in keys:
            lock = lock_for(kind, recent[key], self.limits[kind], self.window, now)
            if lock is not None:
                return lock
        return None

    async def failed(self, email: str, client: str | None, now: int) -> None:
        async with self.db.transaction(invalidates=False) as tx:
            await tx.login_failures.prune(now - self.window)
            await tx.login_failures.add([key for _, key in self._keys(email, client)], now)

    async def succeeded(self, email: str) -> None:
        async with self.db.transaction(invalidates=False) as tx:
            await tx.login_failures.forget(self._key("email", email.strip().lower()))

    async def clear(self) -> None:
        async with self.db.transaction(invalidates=False) as tx:
            await tx.login_failures.clear()
