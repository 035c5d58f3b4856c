"""Business Manager tasks on an ad account, and the ad-account roles they make.

``POST /act_<n>/assigned_users`` takes ``tasks``, a list of the ``AdAccount.Tasks`` enum of the
official SDK (``MANAGE``, ``ADVERTISE``, ``ANALYZE``, ``DRAFT``, ``AA_ANALYZE``); the Business
Manager guide assigns ``['MANAGE', 'ADVERTISE', 'ANALYZE']`` and ``GET …/assigned_users`` lists
each user's "unpacked" tasks. adgate keeps roles, not task sets (``admin``, ``advertiser``,
``analyst``: :data:`adgate.records.AD_ACCOUNT_ROLES`), so a task list is read as the role of its
strongest task, and a role is shown as the tasks that role unpacks to:

| tasks include | role | shown as |
|---|---|---|
| ``MANAGE`` | ``admin`` | ``MANAGE, ADVERTISE, ANALYZE`` |
| ``ADVERTISE`` | ``advertiser`` | ``ADVERTISE, ANALYZE`` |
| only ``ANALYZE``, ``AA_ANALYZE`` or ``DRAFT`` | ``analyst`` | ``ANALYZE`` |

OURS: ``DRAFT`` (prepare ads without publishing them) has no counterpart among adgate's roles and
reads as ``analyst``, the role that changes nothing. No IO, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The tasks ``assigned_users`` accepts on an ad account (the SDK's ``AdAccount.Tasks``), in the
#: order ``permitted_tasks`` lists them.
AD_ACCOUNT_TASKS: tuple[str, ...] = ("MANAGE", "ADVERTISE", "ANALYZE", "DRAFT", "AA_ANALYZE")

#: What each ad-account role unpacks to.
ROLE_TASKS: dict[str, tuple[str, ...]] = {
    "admin": ("MANAGE", "ADVERTISE", "ANALYZE"),
    "advertiser": ("ADVERTISE", "ANALYZE"),
    "analyst": ("ANALYZE",),
}


def parse_tasks(raw: str) -> list[str]:
    """``tasks`` as clients send it: a JSON array (the SDK), the guide's ``['MANAGE', 'ANALYZE']``
    (single quotes) or ``MANAGE,ANALYZE``. Names are upper-cased; nothing is checked here."""
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    names = (part.strip().strip("'\"").strip() for part in text.split(","))
    return [name.upper() for name in names if name]


def unknown_tasks(tasks: Iterable[str]) -> list[str]:
    return [task for task in tasks if task not in AD_ACCOUNT_TASKS]


def role_for_tasks(tasks: Iterable[str]) -> str:
    """The ad-account role a (checked, non-empty) task list makes: its strongest task decides."""
    given = set(tasks)
    if "MANAGE" in given:
        return "admin"
    if "ADVERTISE" in given:
        return "advertiser"
    return "analyst"


def tasks_of_role(role: str) -> list[str]:
    """The tasks a role unpacks to, as ``assigned_users`` lists them."""
    return list(ROLE_TASKS.get(role, ()))
