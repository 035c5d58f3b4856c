"""SQL repository of the fault rules (tables from migration 0006).

``take`` is one conditional ``UPDATE``: two nodes matching the last of a rule's ``times`` at once
cannot both fire it, and the match counter that seeds probability rules is the same on every node.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update

from adgate.policy.faults import Rule, from_record, to_record
from adgate.store import tables as t
from adgate.store.faults import FaultEvent, StoredRule
from adgate.store.sql.world import _Repo


def _stored(row: Any) -> StoredRule:
    rule = from_record(row["id"], json.loads(row["spec"]), float(row["created_at"]))
    return StoredRule(rule, row["remaining"], int(row["matched"]))


class SqlFaults(_Repo):
    async def add(self, rule: Rule) -> None:
        await self.conn.execute(
            insert(t.fault_rules).values(
                id=rule.id,
                spec=json.dumps(to_record(rule)),
                remaining=rule.times,
                matched=0,
                created_at=int(rule.created_at),
            )
        )

    async def list(self) -> Sequence[StoredRule]:
        rows = await self._all(select(t.fault_rules).order_by(t.fault_rules.c.created_at, t.fault_rules.c.id))
        return [_stored(row) for row in rows]

    async def remove(self, rule_id: str) -> bool:
        done = await self.conn.execute(delete(t.fault_rules).where(t.fault_rules.c.id == rule_id))
        return bool(done.rowcount)

    async def clear(self) -> int:
        done = await self.conn.execute(delete(t.fault_rules))
        return int(done.rowcount or 0)

    async def take(self, rule_id: str) -> tuple[int, bool] | None:
        c = t.fault_rules.c
        row = await self._one(select(c.remaining, c.matched).where(c.id == rule_id).with_for_update())
        if row is None:
            return None
        remaining, nth = row["remaining"], int(row["matched"])
        left = remaining is None or remaining > 0
        values: dict[str, Any] = {"matched": c.matched + 1}
        if remaining is not None and remaining > 0:
            values["remaining"] = c.remaining - 1
        await self.conn.execute(update(t.fault_rules).where(c.id == rule_id).values(**values))
        return nth, left

    async def record(self, event: FaultEvent) -> None:
        e = event
        await self.conn.execute(
            insert(t.fault_events).values(
                rule_id=e.rule_id,
                at=e.at,
                method=e.method,
                path=e.path,
                app_id=e.app_id,
                ad_account=e.ad_account,
                effect=e.effect,
            )
        )

    async def events(self, limit: int) -> Sequence[FaultEvent]:
        c = t.fault_events.c
        rows = await self._all(select(t.fault_events).order_by(c.id.desc()).limit(limit))
        return [
            FaultEvent(
                int(r["id"]),
                r["rule_id"],
                int(r["at"]),
                r["method"],
                r["path"],
                r["app_id"],
                r["ad_account"],
                r["effect"],
            )
            for r in rows
        ]
