"""The fault rules' repository interface and its records (``adgate.policy.faults``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from adgate.policy.faults import Rule


@dataclass(frozen=True, slots=True)
class StoredRule:
    rule: Rule
    #: How many of ``rule.times`` are left (None: the rule has no count).
    remaining: int | None
    #: Calls matched so far, on every node.
    matched: int


@dataclass(frozen=True, slots=True)
class FaultEvent:
    id: int
    rule_id: str
    at: int
    method: str
    path: str
    app_id: str | None
    ad_account: str | None
    effect: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule_id": self.rule_id,
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "app_id": self.app_id,
            "ad_account": self.ad_account,
            "effect": self.effect,
        }


class FaultRepo(Protocol):
    async def add(self, rule: Rule) -> None: ...

    async def list(self) -> Sequence[StoredRule]: ...

    async def remove(self, rule_id: str) -> bool: ...

    async def clear(self) -> int: ...

    async def take(self, rule_id: str) -> tuple[int, bool] | None:
        """Count one match: ``(its 0-based number, a count was left)``, atomically on every node;
        None if the rule is gone."""
        ...

    async def record(self, event: FaultEvent) -> None: ...

    async def events(self, limit: int) -> Sequence[FaultEvent]: ...
