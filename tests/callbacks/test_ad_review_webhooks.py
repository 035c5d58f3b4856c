"""``ad_account`` Webhooks: an ad review that ends on the server clock reaches the subscribed app,
disapproved ads as ``with_issues_ad_objects``, approved ones as ``in_process_ad_objects``."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from ads_world import make_advertiser
from receiver import Receiver, receiving

from adgate.client import verify_hub_signature
from adgate.clock import SandboxClock
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


async def arrived(receiver: Receiver, count: int, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if len(receiver.received) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(receiver.received)


async def test_ended_ad_reviews_reach_the_subscribed_app_signed(
    services: Services, client: httpx.AsyncClient, clock: SandboxClock
) -> None:
    adv = await make_advertiser(services, client)
    with receiving() as receiver:
        receiver.answers["/ads"] = lambda r: (
            (200, r.query["hub.challenge"][0].encode()) if r.method == "GET" else (200, b"")
        )
        made = await client.post(
            f"/v26.0/{adv.cast.app.id}/subscriptions",
            data={
                "access_token": adv.cast.app_token,
                "object": "ad_account",
                "fields": "with_issues_ad_objects,in_process_ad_objects",
                "callback_url": f"{receiver.url}/ads",
                "verify_token": "v",
            },
        )
        assert made.json() == {"success": True}, made.text
        good = await adv.ad()
        bad_creative = await adv.creative(
            object_story_spec={
                "page_id": adv.page_id,
                "link_data": {
                    "link": "https://shop.example/",
                    "message": "Guaranteed results",
                    "name": "Spring",
                },
            }
        )
        bad = await adv.ad(creative_id=bad_creative)
        await asyncio.sleep(2.5)
        assert len(receiver.received) == 1  # only the verification: the reviews have not ended
        clock.advance(601)
        await arrived(receiver, 3)
        posts = [r for r in receiver.received if r.method == "POST"]
        by_field = {}
        for post in posts:
            assert verify_hub_signature(post.body, post.headers["X-Hub-Signature-256"], adv.cast.secret)
            body = json.loads(post.body)
            assert body["object"] == "ad_account"
            (entry,) = body["entry"]
            assert entry["id"] == adv.account_id
            (change,) = entry["changes"]
            by_field[change["field"]] = [o["id"] for o in change["value"]["objects"]]
        assert by_field == {"with_issues_ad_objects": [bad], "in_process_ad_objects": [good]}
        await asyncio.sleep(2.5)
        assert len(receiver.received) == 3  # each ended review is sent once
