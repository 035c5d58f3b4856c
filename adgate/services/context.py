"""What every service is built from: the database, the clock, the keyring, the policy."""

from __future__ import annotations

from dataclasses import dataclass

from adgate.clock import Clock
from adgate.keyring import Keyring
from adgate.policy.levels import Policy
from adgate.services.dialog.passwords import Passwords
from adgate.services.tokens.issuer import Issuer
from adgate.store.interfaces import Database


@dataclass(frozen=True, slots=True)
class Core:
    db: Database
    clock: Clock
    keyring: Keyring
    policy: Policy
    passwords: Passwords

    @property
    def issuer(self) -> Issuer:
        return Issuer(self.keyring)

    def now(self) -> int:
        return int(self.clock.now())
