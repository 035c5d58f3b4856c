"""What the read, update and delete of every Marketing object share: finding it, the rules on
changing it, and marking it DELETED.

An id the repository does not know gets Graph's 100/33 answer for the method. DELETED and ARCHIVED
objects take only the changes :func:`check_changeable` allows. Deleting keeps the object with the
status DELETED; deleting it again succeeds and changes nothing (OURS, where Graph is silent).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol, TypeVar

from adgate.ad_objects import Ad, AdCreative, AdSet, Campaign, CustomAudience
from adgate.services.marketing.accounts import unsupported
from adgate.services.marketing.validation import check_changeable
from adgate.store.marketing import ObjectRepo

T_co = TypeVar("T_co", covariant=True)
#: The objects with a configured ``status`` that an update or a delete changes.
Changeable = TypeVar("Changeable", Campaign, AdSet, Ad, AdCreative, CustomAudience)


class Found(Protocol[T_co]):
    async def get(self, object_id: str, /) -> T_co | None: ...


async def fetch(repo: Found[T_co], object_id: str, method: str) -> T_co:
    """The object, or Graph's 100/33 answer for ``method`` when there is none."""
    found = await repo.get(object_id)
    if found is None:
        raise unsupported(object_id, method)
    return found


async def changeable(repo: ObjectRepo[Changeable], object_id: str, status: str | None = None) -> Changeable:
    """The object a POST changes (to the configured ``status``, if the call sets one)."""
    found = await fetch(repo, object_id, "POST")
    check_changeable(found.status, object_id, status)
    return found


async def mark_deleted(repo: ObjectRepo[Changeable], object_id: str, now: int) -> Changeable | None:
    """Mark the object DELETED and return it; None when it was deleted already."""
    found = await fetch(repo, object_id, "DELETE")
    if found.status == "DELETED":
        return None
    deleted = replace(found, status="DELETED", updated_at=now)
    await repo.update(deleted, found)
    return deleted
