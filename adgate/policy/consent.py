"""What the consent page asks for, and what a decision leaves granted (docs/graph-facts.md §1.1).

Pure functions over plain data. The rules:

- ``public_profile`` (:data:`DEFAULT_PERMISSIONS`) is always granted and never asked.
- A permission the person already granted is not asked again: Graph shows only new ones.
- A permission the person declined is not asked again unless ``auth_type=rerequest``.
- ``auth_type=reauthorize`` (renew data access) asks for every requested permission again.
- After a de-authorization (``DELETE /me/permissions``) nothing earlier counts: everything is new.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from adgate.policy.permissions import DEFAULT_PERMISSIONS
from adgate.records import GrantStatus


@dataclass(frozen=True, slots=True)
class ConsentPlan:
    #: Shown on the consent page, each with a checkbox.
    asked: tuple[str, ...]
    #: Requested and already granted: not shown, stay granted.
    kept: tuple[str, ...]
    #: Requested and declined earlier, not re-asked: stay declined.
    still_declined: tuple[str, ...]


def plan(requested: Iterable[str], earlier: Mapping[str, str], auth_type: str | None) -> ConsentPlan:
    """``earlier`` maps permission → ``"granted"`` or ``"declined"`` for an active authorization."""
    asked: list[str] = []
    kept: list[str] = []
    still_declined: list[str] = []
    for name in requested:
        if name in DEFAULT_PERMISSIONS:
            continue
        status = earlier.get(name)
        if status == "granted" and auth_type != "reauthorize":
            kept.append(name)
        elif status == "declined" and auth_type not in ("rerequest", "reauthorize"):
            still_declined.append(name)
        else:
            asked.append(name)
    return ConsentPlan(tuple(asked), tuple(kept), tuple(still_declined))


def decide(
    plan: ConsentPlan, checked: Iterable[str], earlier: Mapping[str, str]
) -> tuple[dict[str, GrantStatus], tuple[str, ...]]:
    """The grant rows to write, and every permission granted afterwards (sorted).

    Only permissions the page asked for can change: a checkbox value that was not asked for is
    ignored (hidden fields and checkboxes come from the browser and are never trusted).
    """
    chosen = set(checked)
    writes: dict[str, GrantStatus] = {name: "granted" for name in DEFAULT_PERMISSIONS}
    for name in plan.asked:
        writes[name] = "granted" if name in chosen else "declined"
    after: dict[str, str] = {**earlier, **writes}
    granted = tuple(sorted(name for name, status in after.items() if status == "granted"))
    return writes, granted
