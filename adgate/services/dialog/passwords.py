"""Password hashing with argon2id (docs/security.md), off the event loop.

``argon2id`` uses argon2-cffi's defaults (RFC 9106's second recommended profile); ``fast`` keeps
the algorithm but uses the smallest cost, for test suites that create many people.

One argon2id hash takes tens of milliseconds of CPU and 64 MiB of memory by design. Run on the
event loop it would stall every other request for that long (an unauthenticated sign-in form is
enough to do it), so hashing and verifying run on a small thread pool of their own: argon2-cffi
releases the GIL while it hashes, so the loop keeps serving. The pool's size bounds how many run at
once (and so the memory they take); further ones queue. The login throttle
(:mod:`adgate.services.dialog.login_throttle`) decides before a password is checked at all.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: At most this many hashes run at once (each takes one core and 64 MiB with the default profile).
MAX_CONCURRENT = max(1, min(4, os.cpu_count() or 1))


class Passwords:
    def __init__(self, profile: str = "argon2id", *, concurrency: int = MAX_CONCURRENT) -> None:
        if profile == "fast":
            self._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        else:
            self._hasher = PasswordHasher()
        self.concurrency = concurrency
        self._pool: ThreadPoolExecutor | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._threads(), self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(
            self._threads(), self._verify, password_hash, password
        )

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether a stored hash was made with other parameters than this profile's (cheap)."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    async def close(self) -> None:
        """Let the threads go (a later hash starts new ones)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _threads(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="adgate-argon2")
        return self._pool

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
