"""Ads and their review: ``/act_<n>/ads``, ``/{adset_id}/ads``, ``/{campaign_id}/ads``, ``/{ad_id}``.

Create needs ``name``, ``adset_id`` (an ad set of the same account, not deleted or archived),
``creative`` (``{"creative_id": "…"}``, an active creative of the same account) and ``status``.

Each new ad, and each ad whose creative changes, goes into review (:mod:`adgate.policy.ad_review`):
the verdict is decided from the creative when the ad is submitted and announced when the review
time has passed on the server clock, so the status is computed lazily from
``(review_submitted_at, now)`` and needs no background job. Renaming or pausing an ad is no new
review (as in Graph, where only changes to what people see are reviewed).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adgate import ad_objects as o
from adgate import ids
from adgate.policy import ad_review
from adgate.policy.effective_status import CONFIGURED, EFFECTIVE, GONE, ON_CREATE, ad_status
from adgate.protocol.params import Params
from adgate.protocol.times import graph_time
from adgate.services.context import Core
from adgate.services.marketing.accounts import position, require_account, unsupported
from adgate.services.marketing.creatives import reviewed_text
from adgate.services.marketing.lifecycle import changeable, fetch, mark_deleted
from adgate.services.marketing.listing import Listing, Row, list_query, listing, pick
from adgate.services.marketing.validation import (
    field_error,
    json_object,
    missing,
    object_id,
    one_of,
    text,
    unchangeable,
)
from adgate.store.interfaces import Repos


def ad_json(ad: o.Ad, parents: tuple[str, str], now: int, timezone_name: str | None) -> dict[str, Any]:
    """``parents``: the configured statuses of the ad's campaign and ad set."""
    reviewing = ad_review.in_review(ad.review_submitted_at, now)
    effective = ad_status(
        ad.status,
        campaign=parents[0],
        adset=parents[1],
        in_review=reviewing,
        disapproved=ad.review_verdict == "disapproved",
    )
    return {
        "id": ad.id,
        "account_id": ad.account_id,
        "campaign_id": ad.campaign_id,
        "adset_id": ad.adset_id,
        "campaign": {"id": ad.campaign_id},
        "adset": {"id": ad.adset_id},
        "creative": {"id": ad.creative_id},
        "name": ad.name,
        "status": ad.status,
        "configured_status": ad.status,
        "effective_status": effective,
        "ad_review_feedback": None if reviewing else (dict(ad.review_feedback) or None),
        "created_time": graph_time(ad.created_at, timezone_name),
        "updated_time": graph_time(ad.updated_at, timezone_name),
    }


def _creative_id(params: Params) -> str | None:
    spec = json_object(params, "creative", required=False)
    if spec is None:
        return None
    creative_id = spec.get("creative_id")
    if not isinstance(creative_id, str | int) or not str(creative_id).isdigit():
        raise field_error(
            "creative.creative_id",
            'Param creative must be {"creative_id": "<id>"}, naming a creative of the ad account',
            title="Creative Required",
        )
    return str(creative_id)


class Ads:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def create(self, app_id: str, account_id: str, params: Params) -> dict[str, str]:
        name = text(params, "name", required=True)
        adset_id = object_id(params, "adset_id", required=True)
        creative_id = _creative_id(params)
        if creative_id is None:
            raise missing("creative", 'a creative: {"creative_id": "<id>"}')
        status = one_of(params, "status", ON_CREATE, required=True)
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            await require_account(tx, account_id, write=True)
            adset = await tx.ad_sets.get(adset_id)
            if adset is None or adset.account_id != account_id or adset.status in GONE:
                raise field_error(
                    "adset_id",
                    f"Param adset_id must be an ad set of ad account act_{account_id} that is not "
                    "deleted or archived",
                    title="Invalid Ad Set",
                )
            verdict = await self._review(tx, account_id, creative_id)
            ad = o.Ad(
                id=ids.new_id(),
                account_id=account_id,
                campaign_id=adset.campaign_id,
                adset_id=adset_id,
                creative_id=creative_id,
                app_id=app_id,
                name=name,
                status=status,
                review_submitted_at=now,
                review_verdict=verdict.verdict,
                review_feedback=verdict.feedback,
                created_at=now,
                updated_at=now,
            )
            await tx.ads.add(ad)
            await tx.nodes.add(ad.id, "ad")
        return {"id": ad.id}

    @staticmethod
    async def _review(tx: Repos, account_id: str, creative_id: str) -> ad_review.Review:
        creative = await tx.ad_creatives.get(creative_id)
        if creative is None or creative.account_id != account_id or creative.status == "DELETED":
            raise field_error(
                "creative.creative_id",
                f"Creative {creative_id} is not an active creative of ad account act_{account_id}",
                title="Invalid Creative",
            )
        return ad_review.review(reviewed_text(creative))

    async def read(self, ad_id: str, fields: list[str] | None) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            ad = await fetch(tx.ads, ad_id, "GET")
            account = await require_account(tx, ad.account_id)
            campaign = await tx.campaigns.get(ad.campaign_id)
            adset = await tx.ad_sets.get(ad.adset_id)
        parents = (campaign.status if campaign else "ACTIVE", adset.status if adset else "ACTIVE")
        return pick(ad_json(ad, parents, self.core.now(), account.timezone_name), fields)

    async def list(
        self,
        params: Params,
        *,
        account_id: str | None = None,
        campaign_id: str | None = None,
        adset_id: str | None = None,
    ) -> Listing:
        """The ads of an ad account, of one campaign or of one ad set."""
        query = list_query(params, EFFECTIVE)
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            parent: o.AdSet | o.Campaign | None = None
            if adset_id is not None:
                parent = await tx.ad_sets.get(adset_id)
            elif campaign_id is not None:
                parent = await tx.campaigns.get(campaign_id)
            if adset_id is not None or campaign_id is not None:
                if parent is None:
                    raise unsupported(adset_id or campaign_id or "", "GET")
                account_id = parent.account_id
            assert account_id is not None, "give account_id, campaign_id or adset_id"
            account = await require_account(tx, account_id)
            campaigns = {c.id: c.status for c in await tx.campaigns.for_account(account_id)}
            adsets = {s.id: s.status for s in await tx.ad_sets.for_account(account_id)}
            if adset_id is not None:
                ads = await tx.ads.for_adset(adset_id)
            elif campaign_id is not None:
                ads = await tx.ads.for_campaign(campaign_id)
            else:
                ads = await tx.ads.for_account(account_id)
        rows: list[Row] = []
        for ad in ads:
            parents = (campaigns.get(ad.campaign_id, "ACTIVE"), adsets.get(ad.adset_id, "ACTIVE"))
            rendered = ad_json(ad, parents, now, account.timezone_name)
            rows.append((position(ad), rendered["effective_status"], rendered))
        return listing(rows, query)

    async def update(self, ad_id: str, params: Params) -> dict[str, Any]:
        unchangeable(params, "adset_id", "An ad cannot move to another ad set", title="Ad Set Cannot Change")
        name = text(params, "name", required=False)
        status = one_of(params, "status", CONFIGURED, required=False)
        creative_id = _creative_id(params)
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            ad = await changeable(tx.ads, ad_id, status)
            updated = replace(ad, name=name or ad.name, status=status or ad.status, updated_at=now)
            if creative_id is not None and creative_id != ad.creative_id:
                verdict = await self._review(tx, ad.account_id, creative_id)
                updated = replace(
                    updated,
                    creative_id=creative_id,
                    review_submitted_at=now,
                    review_verdict=verdict.verdict,
                    review_feedback=verdict.feedback,
                )
            await tx.ads.update(updated, ad)
        return {"success": True}

    async def delete(self, ad_id: str) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            await mark_deleted(tx.ads, ad_id, self.core.now())
        return {"success": True}
