"""``GET /me`` (and ``GET /{user-id}`` with that person's own token): the person, Page or system
user a token speaks for (docs/graph-facts.md §2, §6).

A user token's ``/me`` is its person, as Graph's User node
(https://developers.facebook.com/docs/graph-api/reference/user/): ``id``, ``name`` by default;
``first_name``, ``last_name``, ``middle_name``, ``short_name``, ``name_format`` and ``picture``
under ``public_profile`` (every login has it); ``email`` when ``email`` was granted. The name parts
are our choice: adgate keeps one name, so the first word is the first name, the last word the last
name and any words between the middle name. A User field adgate keeps no data for (``birthday``,
``gender``, …) is left out, as Graph leaves out a field the token may not read; a field the User
node does not have is Graph's code 100 "Tried accessing nonexisting field". A page token's
``/me`` is its Page, a system-user token's is the system user. An app token has no ``/me``: Graph
answers 2500 "An active access token must be used to query information about the current user."
"""

from __future__ import annotations

from typing import Any

from adgate import records as r
from adgate.protocol.errors import GraphError
from adgate.protocol.params import select_fields
from adgate.services.context import Core
from adgate.services.tokens.callers import Caller

DEFAULT_FIELDS: tuple[str, ...] = ("id", "name")

#: The User node's fields adgate answers.
USER_FIELDS = frozenset(
    {"id", "name", "first_name", "last_name", "middle_name", "short_name", "name_format", "picture", "email"}
)
#: User fields Graph has that adgate holds no data for: omitted, never an error.
USER_FIELDS_WITHOUT_DATA = frozenset(
    [
        "about",
        "age_range",
        "birthday",
        "favorite_athletes",
        "favorite_teams",
        "gender",
        "hometown",
        "id_for_avatars",
        "inspirational_people",
        "install_type",
        "installed",
        "is_guest_user",
        "languages",
        "link",
        "location",
        "meeting_for",
        "payment_pricepoints",
        "quotes",
        "shared_login_upgrade_required_by",
        "significant_other",
        "sports",
        "supports_donate_button_in_live_video",
        "token_for_business",
        "video_upload_limits",
        "friends",
        "likes",
        "photos",
        "posts",
        "videos",
        "accounts",
        "adaccounts",
        "businesses",
        "permissions",
    ]
)
SYSTEM_USER_FIELDS = frozenset({"id", "name", "role"})

#: Picture size Graph gives by default (``type=small``… are accepted and give the same picture).
PICTURE_SIZE = 50


def name_parts(name: str) -> dict[str, str]:
    words = name.split()
    if not words:
        return {}
    parts = {"first_name": words[0], "short_name": words[0]}
    if len(words) > 1:
        parts["last_name"] = words[-1]
    if len(words) > 2:
        parts["middle_name"] = " ".join(words[1:-1])
    parts["name_format"] = "{first} {last}" if len(words) > 1 else "{first}"
    return parts


def _check_fields(fields: list[str] | None, known: frozenset[str], node_type: str) -> None:
    for field in fields or ():
        base = field.split("{", 1)[0].split(".", 1)[0].strip()
        if base not in known:
            raise GraphError.of("nonexisting_field", field=base[:64], node_type=node_type)


def user_node(person: r.Person, caller: Caller, fields: list[str] | None, picture_url: str) -> dict[str, Any]:
    _check_fields(fields, USER_FIELDS | USER_FIELDS_WITHOUT_DATA, "User")
    picture = {
        "data": {"height": PICTURE_SIZE, "is_silhouette": True, "url": picture_url, "width": PICTURE_SIZE}
    }
    obj: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        **name_parts(person.name),
        "picture": picture,
    }
    if caller.has_any("email"):
        obj["email"] = person.email
    return select_fields(obj, fields, DEFAULT_FIELDS)


class Profiles:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def me(self, caller: Caller, fields: list[str] | None, picture_url: str) -> dict[str, Any]:
        if caller.kind == "user" and caller.person is not None:
            return user_node(caller.person, caller, fields, picture_url)
        if caller.kind == "system_user" and caller.system_user is not None:
            user = caller.system_user
            _check_fields(fields, SYSTEM_USER_FIELDS, "SystemUser")
            return select_fields(
                {"id": user.id, "name": user.name, "role": user.role}, fields, DEFAULT_FIELDS
            )
        if caller.kind == "page" and caller.page_id is not None:
            async with self.core.db.transaction() as tx:
                page = await tx.pages.get(caller.page_id)
            if page is None:
                raise GraphError.of("not_found", node=caller.page_id)
            obj = {"id": page.id, "name": page.name, "category": page.category}
            return select_fields(obj, fields, DEFAULT_FIELDS)
        raise GraphError.of("no_token")
