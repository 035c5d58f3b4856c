"""Throttling repeated failed logins in the dialog (RFC 6819 §4.4.3.6, §5.1.4.2.3: online guessing).

Two sliding windows on the server clock, both of :data:`WINDOW_SECONDS`:

- per e-mail address: :data:`MAX_PER_EMAIL` failures lock that address;
- per client (the peer address of the connection): :data:`MAX_PER_CLIENT` failures lock the client.

While locked, the password is not even checked (so a guess cannot succeed, and costs nothing), and
the lock lasts until enough failures have left the window. A successful login clears the e-mail's
record, not the client's (one person's success must not launder a guesser's many attempts).

The counters live in process memory, bounded to :data:`MAX_KEYS` entries (least recently failed
forgotten first). With several server nodes each keeps its own, so the limits apply per node; a
restart or a sandbox reset forgets them. Both are documented choices (README parity table).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass

WINDOW_SECONDS = 15 * 60
MAX_PER_EMAIL = 5
MAX_PER_CLIENT = 20
MAX_KEYS = 100_000


@dataclass(frozen=True, slots=True)
class Lock:
    """A refusal: who is locked and for how many more seconds."""

    key: str
    retry_after: int


class LoginThrottle:
    def __init__(
        self,
        *,
        window: int = WINDOW_SECONDS,
        max_per_email: int = MAX_PER_EMAIL,
        max_per_client: int = MAX_PER_CLIENT,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.window = window
        self.limits = {"email": max_per_email, "client": max_per_client}
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[int]] = OrderedDict()

    @staticmethod
    def _keys(email: str, client: str | None) -> list[tuple[str, str]]:
        keys = [("email", "email:" + email.strip().lower())]
        if client:
            keys.append(("client", "client:" + client))
        return keys

    def locked(self, email: str, client: str | None, now: int) -> Lock | None:
        """The lock in force for this e-mail or this client, if any."""
        for kind, key in self._keys(email, client):
            failures = self._recent(key, now)
            limit = self.limits[kind]
            if len(failures) >= limit:
                # Unlocked when the limit-th most recent failure leaves the window.
                pivot = failures[-limit]
                return Lock(key=kind, retry_after=max(1, pivot + self.window - now))
        return None

    def failed(self, email: str, client: str | None, now: int) -> None:
        for _kind, key in self._keys(email, client):
            failures = self._recent(key, now)
            failures.append(now)
            self._failures[key] = failures
            self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, email: str) -> None:
        self._failures.pop("email:" + email.strip().lower(), None)

    def clear(self) -> None:
        self._failures.clear()

    def _recent(self, key: str, now: int) -> deque[int]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures
