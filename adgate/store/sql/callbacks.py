"""SQL repository of the calls adgate makes to apps (tables from migration 0007).

``claim`` is a conditional update: of two nodes polling the same due delivery, one sends it. A
claimed delivery's ``next_at`` moves forward by a lease, so one whose node died mid-send is due
again when the lease ends: a delivery is sent at least once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select, update

from adgate.store import tables as t
from adgate.store.callbacks import AppCallbacks, Attempt, Delivery, Subscription
from adgate.store.sql.world import _Repo

DUE = ("pending", "sending")


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=int(row["id"]),
        app_id=row["app_id"],
        kind=row["kind"],
        url=row["url"],
        content_type=row["content_type"],
        body=row["body"],
        status=row["status"],
        attempts=int(row["attempts"]),
        next_at=int(row["next_at"]),
        created_at=int(row["created_at"]),
        answer=row["answer"],
    )


def _subscription(row: Any) -> Subscription:
    return Subscription(
        row["app_id"],
        row["object"],
        row["callback_url"],
        tuple(json.loads(row["fields"])),
        int(row["created_at"]),
    )


class SqlCallbacks(_Repo):
    async def urls(self, app_id: str) -> AppCallbacks:
        row = await self._one(select(t.app_callbacks).where(t.app_callbacks.c.app_id == app_id))
        if row is None:
            return AppCallbacks(app_id, None, None)
        return AppCallbacks(app_id, row["deauthorize_url"], row["data_deletion_url"])

    async def set_urls(self, urls: AppCallbacks) -> None:
        c = t.app_callbacks.c
        values = {"deauthorize_url": urls.deauthorize_url, "data_deletion_url": urls.data_deletion_url}
        done = await self.conn.execute(
            update(t.app_callbacks).where(c.app_id == urls.app_id).values(**values)
        )
        if done.rowcount == 0:
            await self.conn.execute(insert(t.app_callbacks).values(app_id=urls.app_id, **values))

    async def subscriptions(self, app_id: str) -> Sequence[Subscription]:
        c = t.webhook_subscriptions.c
        rows = await self._all(select(t.webhook_subscriptions).where(c.app_id == app_id).order_by(c.object))
        return [_subscription(r) for r in rows]

    async def subscribe(self, subscription: Subscription) -> None:
        s = subscription
        c = t.webhook_subscriptions.c
        await self.conn.execute(
            delete(t.webhook_subscriptions).where(c.app_id == s.app_id, c.object == s.object)
        )
        await self.conn.execute(
            insert(t.webhook_subscriptions).values(
                app_id=s.app_id,
                object=s.object,
                callback_url=s.callback_url,
                fields=json.dumps(list(s.fields)),
                created_at=s.created_at,
            )
        )

    async def unsubscribe(self, app_id: str, obj: str | None) -> int:
        c = t.webhook_subscriptions.c
        stmt = delete(t.webhook_subscriptions).where(c.app_id == app_id)
        if obj is not None:
            stmt = stmt.where(c.object == obj)
        return int((await self.conn.execute(stmt)).rowcount or 0)

    async def subscribers(self, obj: str) -> Sequence[Subscription]:
        c = t.webhook_subscriptions.c
        return [
            _subscription(r) for r in await self._all(select(t.webhook_subscriptions).where(c.object == obj))
        ]

    async def enqueue(self, delivery: Delivery) -> int:
        d = delivery
        done = await self.conn.execute(
            insert(t.deliveries)
            .values(
                app_id=d.app_id,
                kind=d.kind,
                url=d.url,
                content_type=d.content_type,
                body=d.body,
                status="pending",
                attempts=0,
                next_at=d.next_at,
                created_at=d.created_at,
                answer=None,
            )
            .returning(t.deliveries.c.id)
        )
        return int(done.scalar_one())

    async def due(self, now: int, limit: int) -> Sequence[int]:
        c = t.deliveries.c
        stmt = select(c.id).where(c.status.in_(DUE), c.next_at <= now).order_by(c.next_at, c.id).limit(limit)
        return [int(r["id"]) for r in await self._all(stmt)]

    async def claim(self, delivery_id: int, now: int, lease: int) -> Delivery | None:
        c = t.deliveries.c
        done = await self.conn.execute(
            update(t.deliveries)
            .where(c.id == delivery_id, c.status.in_(DUE), c.next_at <= now)
            .values(status="sending", attempts=c.attempts + 1, next_at=now + lease)
        )
        if done.rowcount != 1:
            return None
        return await self.get(delivery_id)

    async def finish(self, delivery_id: int, *, status: str, next_at: int, answer: str | None) -> None:
        c = t.deliveries.c
        values: dict[str, Any] = {"status": status, "next_at": next_at}
        if answer is not None:
            values["answer"] = answer
        await self.conn.execute(update(t.deliveries).where(c.id == delivery_id).values(**values))

    async def record(self, attempt: Attempt) -> None:
        a = attempt
        await self.conn.execute(
            insert(t.delivery_attempts).values(
                delivery_id=a.delivery_id,
                at=a.at,
                status=a.status,
                latency_ms=a.latency_ms,
                excerpt=a.excerpt,
                error=a.error,
            )
        )

    async def get(self, delivery_id: int) -> Delivery | None:
        row = await self._one(select(t.deliveries).where(t.deliveries.c.id == delivery_id))
        return None if row is None else _delivery(row)

    async def list(self, app_id: str | None, limit: int) -> Sequence[Delivery]:
        c = t.deliveries.c
        stmt = select(t.deliveries).order_by(c.id.desc()).limit(limit)
        if app_id is not None:
            stmt = stmt.where(c.app_id == app_id)
        return [_delivery(r) for r in await self._all(stmt)]

    async def attempts(self, delivery_id: int) -> Sequence[Attempt]:
        c = t.delivery_attempts.c
        rows = await self._all(select(t.delivery_attempts).where(c.delivery_id == delivery_id).order_by(c.id))
        return [
            Attempt(
                int(r["delivery_id"]),
                int(r["at"]),
                r["status"],
                int(r["latency_ms"]),
                r["excerpt"],
                r["error"],
            )
            for r in rows
        ]

    async def reviews_ended(
        self, since: int, until: int, review_seconds: int
    ) -> Sequence[tuple[str, str, str, str]]:
        """``(app_id, account_id, ad_id, verdict)`` of ads made by an app with an ``ad_account``
        subscription whose review ended in ``(since, until]``."""
        a, s = t.ads.c, t.webhook_subscriptions.c
        stmt = (
            select(a.app_id, a.account_id, a.id, a.review_verdict)
            .join(t.webhook_subscriptions, (s.app_id == a.app_id) & (s.object == "ad_account"))
            .where(
                a.review_submitted_at > since - review_seconds,
                a.review_submitted_at <= until - review_seconds,
            )
            .order_by(a.app_id, a.account_id, a.id)
        )
        return [(r["app_id"], r["account_id"], r["id"], r["review_verdict"]) for r in await self._all(stmt)]

    async def move_mark(self, key: str, expected: str | None, new: str) -> bool:
        """Set the ``meta`` row ``key`` to ``new`` if it still holds ``expected`` (None: absent)."""
        c = t.meta.c
        if expected is None:
            exists = await self._one(select(c.key).where(c.key == key))
            if exists is not None:
                return False
            await self.conn.execute(insert(t.meta).values(key=key, value=new))
            return True
        done = await self.conn.execute(
            update(t.meta).where(c.key == key, c.value == expected).values(value=new)
        )
        return done.rowcount == 1

    async def again(self, delivery_id: int, now: int) -> bool:
        c = t.deliveries.c
        done = await self.conn.execute(
            update(t.deliveries)
            .where(
                c.id == delivery_id, or_(c.status == "delivered", c.status == "failed", c.status == "pending")
            )
            .values(status="pending", attempts=0, next_at=now)
        )
        return bool(done.rowcount)
