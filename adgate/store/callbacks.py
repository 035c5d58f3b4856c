"""The calls adgate makes to apps: the repository interface and its records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class AppCallbacks:
    app_id: str
    deauthorize_url: str | None
    data_deletion_url: str | None


@dataclass(frozen=True, slots=True)
class Subscription:
    app_id: str
    object: str
    callback_url: str
    fields: tuple[str, ...]
    created_at: int

    def wants(self, field: str) -> bool:
        return field in self.fields or "*" in self.fields


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    app_id: str
    kind: str  # deauthorize | data_deletion | webhook
    url: str
    content_type: str
    body: str
    status: str  # pending | sending | delivered | failed
    attempts: int
    next_at: int
    created_at: int
    answer: str | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    delivery_id: int
    at: int
    status: int | None
    latency_ms: int
    excerpt: str
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "excerpt": self.excerpt,
            "error": self.error,
        }


class CallbackRepo(Protocol):
    async def urls(self, app_id: str) -> AppCallbacks: ...

    async def set_urls(self, urls: AppCallbacks) -> None: ...

    async def subscriptions(self, app_id: str) -> Sequence[Subscription]: ...

    async def subscribe(self, subscription: Subscription) -> None: ...

    async def unsubscribe(self, app_id: str, obj: str | None) -> int: ...

    async def subscribers(self, obj: str) -> Sequence[Subscription]: ...

    async def enqueue(self, delivery: Delivery) -> int: ...

    async def due(self, now: int, limit: int) -> Sequence[int]: ...

    async def claim(self, delivery_id: int, now: int, lease: int) -> Delivery | None:
        """Take a due delivery for one try (one node wins); None if another node has it."""
        ...

    async def finish(self, delivery_id: int, *, status: str, next_at: int, answer: str | None) -> None: ...

    async def record(self, attempt: Attempt) -> None: ...

    async def get(self, delivery_id: int) -> Delivery | None: ...

    async def list(self, app_id: str | None, limit: int) -> Sequence[Delivery]: ...

    async def attempts(self, delivery_id: int) -> Sequence[Attempt]: ...

    async def reviews_ended(
        self, since: int, until: int, review_seconds: int
    ) -> Sequence[tuple[str, str, str, str]]:
        """Ads whose review ended in ``(since, until]``, made by apps subscribed to ``ad_account``."""
        ...

    async def move_mark(self, key: str, expected: str | None, new: str) -> bool:
        """A conditional update of a ``meta`` row: one of several nodes moves it."""
        ...

    async def again(self, delivery_id: int, now: int) -> bool:
        """Queue a delivery for another round of tries, now."""
        ...
