"""Ad creatives: ``/act_<n>/adcreatives`` and ``/{creative_id}``.

A creative is given either as an ``object_story_spec`` (a JSON object with ``page_id`` — a Page
adgate knows — and ``link_data`` with a ``link``, or ``video_data`` with a ``video_id``), or with
flat fields: ``body`` and ``link_url``, optionally ``title``, ``image_url`` and
``call_to_action_type``. ``name`` is optional (Graph names it after the creation time). The text
and link are what ad review reads (:mod:`adgate.policy.ad_review`).

As in Graph, a creative cannot be edited after creation except for its ``name`` and ``status``
(ACTIVE or DELETED); a new look is a new creative, and an ad changes creative with ``creative``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adgate import ad_objects as o
from adgate import ids
from adgate.policy.ad_review import CreativeText, creative_text
from adgate.policy.effective_status import CREATIVE_STATUSES
from adgate.protocol.params import Params
from adgate.protocol.times import graph_time
from adgate.services.context import Core
from adgate.services.marketing.accounts import position, require_account
from adgate.services.marketing.lifecycle import changeable, fetch, mark_deleted
from adgate.services.marketing.listing import Listing, Row, list_query, listing, pick
from adgate.services.marketing.validation import field_error, json_object, one_of, text

CALL_TO_ACTION_TYPES = (
    "LEARN_MORE",
    "SHOP_NOW",
    "SIGN_UP",
    "SUBSCRIBE",
    "DOWNLOAD",
    "INSTALL_MOBILE_APP",
    "USE_APP",
    "BOOK_TRAVEL",
    "CONTACT_US",
    "APPLY_NOW",
    "GET_OFFER",
    "GET_QUOTE",
    "ORDER_NOW",
    "BUY_NOW",
    "WATCH_MORE",
    "SEE_MORE",
    "MESSAGE_PAGE",
    "LIKE_PAGE",
    "OPEN_LINK",
    "DONATE_NOW",
    "NO_BUTTON",
)
CREATIVE_FIELDS = ("object_story_spec", "title", "body", "link_url", "image_url", "call_to_action_type")
MAX_TEXT = 2000


def creative_json(creative: o.AdCreative, timezone_name: str | None) -> dict[str, Any]:
    return {
        "id": creative.id,
        "account_id": creative.account_id,
        "name": creative.name,
        "status": creative.status,
        "title": creative.title,
        "body": creative.body,
        "link_url": creative.link_url,
        "image_url": creative.image_url,
        "call_to_action_type": creative.call_to_action_type,
        "object_story_spec": dict(creative.object_story_spec) if creative.object_story_spec else None,
        "object_type": "SHARE",
        "created_time": graph_time(creative.created_at, timezone_name),
    }


def reviewed_text(creative: o.AdCreative) -> CreativeText:
    return creative_text(
        title=creative.title,
        body=creative.body,
        link_url=creative.link_url,
        object_story_spec=creative.object_story_spec,
    )


def _story_spec(spec: dict[str, Any]) -> None:
    page_id = spec.get("page_id")
    if not isinstance(page_id, str | int) or not str(page_id).isdigit():
        raise field_error(
            "object_story_spec.page_id",
            "object_story_spec needs the page_id of the Page the ad runs for",
            title="Page Required",
        )
    link_data, video_data = spec.get("link_data"), spec.get("video_data")
    if not isinstance(link_data, dict) and not isinstance(video_data, dict):
        raise field_error(
            "object_story_spec",
            "object_story_spec needs link_data (with a link) or video_data (with a video_id)",
            title="Missing Story",
        )
    if isinstance(link_data, dict) and not isinstance(link_data.get("link"), str):
        raise field_error(
            "object_story_spec.link_data.link",
            "object_story_spec.link_data needs a link: the page people go to",
            title="Link Required",
        )
    if isinstance(video_data, dict) and not str(video_data.get("video_id", "")).isdigit():
        raise field_error(
            "object_story_spec.video_data.video_id", "video_data needs a video_id", title="Video Required"
        )
    for data in (link_data, video_data):
        cta = data.get("call_to_action") if isinstance(data, dict) else None
        if cta is not None and (not isinstance(cta, dict) or cta.get("type") not in CALL_TO_ACTION_TYPES):
            raise field_error(
                "object_story_spec.call_to_action.type",
                f"call_to_action.type must be one of {{{', '.join(CALL_TO_ACTION_TYPES)}}}",
                title="Invalid Call To Action",
            )


class Creatives:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def create(self, app_id: str, account_id: str, params: Params) -> dict[str, str]:
        spec = json_object(params, "object_story_spec", required=False)
        fields = {name: text(params, name, required=False, max_len=MAX_TEXT) for name in ("title", "body")}
        link_url = text(params, "link_url", required=False, max_len=MAX_TEXT)
        image_url = text(params, "image_url", required=False, max_len=MAX_TEXT)
        cta = one_of(params, "call_to_action_type", CALL_TO_ACTION_TYPES, required=False)
        if spec is not None:
            _story_spec(spec)
        elif fields["body"] is None or link_url is None:
            raise field_error(
                "object_story_spec",
                "A creative needs an object_story_spec, or a body and a link_url",
                title="Creative Content Required",
                user_msg="Give the ad's text and the page it links to (body and link_url), or an "
                "object_story_spec.",
            )
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            await require_account(tx, account_id, write=True)
            if spec is not None and await tx.pages.get(str(spec["page_id"])) is None:
                raise field_error(
                    "object_story_spec.page_id",
                    f"Page {spec['page_id']} does not exist",
                    title="Invalid Page",
                )
            creative = o.AdCreative(
                id=ids.new_id(),
                account_id=account_id,
                app_id=app_id,
                name=text(params, "name", required=False) or f"Creative {graph_time(now)}",
                status="ACTIVE",
                title=fields["title"],
                body=fields["body"],
                link_url=link_url,
                image_url=image_url,
                call_to_action_type=cta,
                object_story_spec=spec,
                created_at=now,
                updated_at=now,
            )
            await tx.ad_creatives.add(creative)
            await tx.nodes.add(creative.id, "adcreative")
        return {"id": creative.id}

    async def read(self, creative_id: str, fields: list[str] | None) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            creative = await fetch(tx.ad_creatives, creative_id, "GET")
            account = await require_account(tx, creative.account_id)
        return pick(creative_json(creative, account.timezone_name), fields)

    async def list(self, account_id: str, params: Params) -> Listing:
        query = list_query(params, CREATIVE_STATUSES)
        async with self.core.db.transaction() as tx:
            account = await require_account(tx, account_id)
            creatives = await tx.ad_creatives.for_account(account_id)
        rows: list[Row] = [
            (position(c), c.status, creative_json(c, account.timezone_name)) for c in creatives
        ]
        return listing(rows, query)

    async def for_ad(self, ad_id: str, params: Params) -> Listing:
        """``GET /{ad_id}/adcreatives``: the ad's creative, as a list of one (Graph's shape)."""
        query = list_query(params, CREATIVE_STATUSES)
        async with self.core.db.transaction() as tx:
            ad = await fetch(tx.ads, ad_id, "GET")
            account = await require_account(tx, ad.account_id)
            creative = await tx.ad_creatives.get(ad.creative_id)
        rows: list[Row] = []
        if creative is not None:
            rows.append((position(creative), creative.status, creative_json(creative, account.timezone_name)))
        return listing(rows, query)

    async def update(self, creative_id: str, params: Params) -> dict[str, Any]:
        frozen = [name for name in CREATIVE_FIELDS if params.get(name) is not None]
        if frozen:
            raise field_error(
                frozen[0],
                f"{frozen[0]} of a creative cannot be changed after creation: only name and status can",
                title="Creative Cannot Be Edited",
                user_msg="Make a new creative and give it to the ad instead.",
            )
        name = text(params, "name", required=False)
        status = one_of(params, "status", ("ACTIVE", "DELETED"), required=False)
        async with self.core.db.transaction() as tx:
            creative = await changeable(tx.ad_creatives, creative_id, status)
            await tx.ad_creatives.update(
                replace(
                    creative,
                    name=name or creative.name,
                    status=status or creative.status,
                    updated_at=self.core.now(),
                ),
                creative,
            )
        return {"success": True}

    async def delete(self, creative_id: str) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            await mark_deleted(tx.ad_creatives, creative_id, self.core.now())
        return {"success": True}
