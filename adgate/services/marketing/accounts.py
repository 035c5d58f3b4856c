"""Which ad account a Marketing call touches, and the ad accounts a business owns.

Every Marketing endpoint declares the ad account it touches (``Need.account``):
the ``act_<n>`` of its path, or the account of the object it names. This module answers that from
the store, so the gate can apply the caller rules, the account list and the per-account rate
limits (docs/architecture.md) before any handler runs.

``GET /{business_id}/owned_ad_accounts`` lists the ad accounts a business owns, for the
business's people and system users (anyone else: 100/33, the object "cannot be loaded due to
missing permissions"). It spans several ad accounts and is Business Manager's own edge: the
endpoint declares both, and the gate refuses it below the level that allows them.
"""

from __future__ import annotations

from typing import Any

from adgate import ad_objects as o
from adgate import ids
from adgate import records as r
from adgate.protocol.cursors import Page, PageRequest, paginate
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import Caller
from adgate.services.world.ad_accounts import pick
from adgate.store.interfaces import Repos
from adgate.store.marketing import Owned

#: Node kinds of the Marketing objects (the ``nodes`` table) → their ``Repos`` attribute.
OBJECT_REPOS: dict[str, str] = {
    "campaign": "campaigns",
    "adset": "ad_sets",
    "ad": "ads",
    "adcreative": "ad_creatives",
    "custom_audience": "custom_audiences",
    "report_run": "report_runs",
}


async def account_of(core: Core, kind: str, node_id: str | None) -> str | None:
    """The numeric ad account of ``act_<n>`` or of a Marketing object; None for anything else."""
    if node_id is None:
        return None
    if kind == "ad_account":
        return node_id
    if kind == "adimage":  # <account>:<hash>, its account in its id
        image = ids.parse_ad_image_node(node_id)
        return None if image is None else image[0]
    repo_name = OBJECT_REPOS.get(kind)
    if repo_name is None:
        return None

    async def load(tx: Repos) -> str | None:
        repo: Owned = getattr(tx, repo_name)
        return await repo.account_of(node_id)

    # A read on every gated call to an object node (the gate's Need.account): through the read
    # cache, never a write transaction; an object never changes ad account.
    return await core.db.cached(("object_account", kind, node_id), load)


async def require_account(tx: Repos, account_id: str, *, write: bool = False) -> r.AdAccount:
    """The ad account, or Graph's 100/33 answer for an object that does not exist."""
    account = await tx.ad_accounts.get(account_id)
    if account is None:
        raise GraphError.of(
            "unsupported_post" if write else "unsupported_get", node=ids.ad_account_node(account_id)
        )
    return account


def unsupported(node_id: str, method: str) -> GraphError:
    return GraphError.unsupported(method, node_id)


async def owned_ad_accounts(
    core: Core, caller: Caller, business_id: str, fields: list[str] | None, request: PageRequest
) -> tuple[Page[r.AdAccount], list[dict[str, Any]]]:
    async with core.db.transaction() as tx:
        if await tx.businesses.get(business_id) is None:
            raise GraphError.of("unsupported_get", node=business_id)
        member = caller.system_user is not None and caller.system_user.business_id == business_id
        if not member and caller.person is not None:
            member = await tx.business_people.get(business_id, caller.person.id) is not None
        if not member:
            raise GraphError.of("unsupported_get", node=business_id)
        accounts = list(await tx.ad_accounts.list(business_id=business_id))
    accounts.sort(key=lambda a: (a.created_at, a.id), reverse=True)
    page = paginate(accounts, lambda a: (a.created_at, a.id), request, descending=True)
    return page, [pick(a, fields) for a in page.items]


def position(item: o.Campaign | o.AdSet | o.Ad | o.AdCreative | o.CustomAudience) -> tuple[int, str]:
    """Where an object sits in its list (newest first; ids break ties)."""
    return item.created_at, item.id
