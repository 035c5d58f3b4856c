"""Every Graph endpoint module registers itself here, in one list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adgate.services.gate.router import GraphRouter
from adgate.web.endpoints import (
    ad_accounts,
    ads,
    adsets,
    audiences,
    batch,
    businesses,
    campaigns,
    creatives,
    debug,
    images,
    insights,
    me,
    oauth,
    pages,
    root,
    subscriptions,
    system_users,
    targeting,
)

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register_graph_routes(router: GraphRouter, services: Services) -> None:
    for module in (root, oauth, debug, me, pages, system_users, subscriptions):
        module.register(router, services)

    ad_accounts.register(router, services)

    for marketing in (
        campaigns,
        adsets,
        ads,
        creatives,
        images,
        audiences,
        insights,
        batch,
        businesses,
        targeting,
    ):
        marketing.register(router, services)
