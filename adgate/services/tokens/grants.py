"""Recording what a person allowed an app: grants and the (re)authorization.

The dialog writes this on Allow; the sandbox's token minting writes the same, so a minted token
behaves exactly like one that came through the dialog (docs/graph-facts.md §2, §6).
"""

from __future__ import annotations

from collections.abc import Mapping

from adgate import records as r
from adgate.store.interfaces import Repos


async def record_authorization(
    tx: Repos, app_id: str, person_id: str, writes: Mapping[str, r.GrantStatus], now: int
) -> None:
    """Store each permission's new status and (re)authorize the app, renewing data access."""
    current = await tx.grants.authorization(app_id, person_id)
    if current is not None and current.deauthorized_at is not None:
        # A fresh authorization after DELETE /me/permissions: old rows must not come back.
        await tx.grants.remove(app_id, person_id)
    for name, status in writes.items():
        await tx.grants.set(r.Grant(app_id, person_id, name, status, now))
    authorized_at = now if current is None or current.deauthorized_at is not None else current.authorized_at
    await tx.grants.set_authorization(
        r.Authorization(app_id, person_id, authorized_at, last_active_at=now, deauthorized_at=None)
    )
