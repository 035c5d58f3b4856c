"""Password hashing with argon2id (DESIGN.md security baseline).

``argon2id`` uses argon2-cffi's defaults (RFC 9106's second recommended profile); ``fast`` keeps
the algorithm but uses the smallest cost, for test suites that create many people.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    def __init__(self, profile: str = "argon2id") -> None:
        if profile == "fast":
            self._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        else:
            self._hasher = PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
