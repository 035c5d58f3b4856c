"""What the Marketing endpoints share: their declarations for the gate, and how a list is rendered.

Declarations (the gate decides, no handler re-checks):

| endpoints | product | write |
|---|---|---|
| reads of campaigns, ad sets, ads, creatives | ``ads_read`` (``ads_read`` or ``ads_management``) | no |
| creates, updates, deletes of those | ``ads_management`` | yes |
| insights, report runs (``POST …/insights`` too) | ``ads_insights`` (either permission) | no |
| custom audiences, read or written | ``audiences`` (``ads_management``) | POST/DELETE |

Every one names the ad account it touches (:func:`object_account`), so the per-account rules,
account list and rate limits apply. ``POST …/insights`` is declared a read: it asks a question
and changes nothing an advertiser sees (OURS; it costs a read's score point).

A list's ``paging.next`` / ``paging.previous`` repeat the call with ``after`` / ``before``, on
the server's public URL (``ADGATE_PUBLIC_URL``, else the request's host), and keep every
parameter the call came with — ``access_token`` included when it came in the query, as Graph's
own ``next`` links do, so a client that follows them as they are keeps working.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from adgate.protocol.cursors import encode_position, page_json
from adgate.services.gate.call import GraphCall, Need
from adgate.services.marketing.accounts import account_of
from adgate.services.marketing.listing import Listing


async def object_account(call: GraphCall) -> str | None:
    """The numeric ad account of the ``act_<n>`` path, or of the Marketing object it names."""
    return await account_of(call.services.core, call.node_kind, call.node_id)


READ = Need(product="ads_read", account=object_account)
WRITE = Need(product="ads_management", write=True, account=object_account)
INSIGHTS = Need(product="ads_insights", account=object_account)
AUDIENCES_READ = Need(product="audiences", account=object_account)
AUDIENCES_WRITE = Need(product="audiences", write=True, account=object_account)


def base_url(call: GraphCall) -> str:
    configured = call.services.settings.public_url
    if configured:
        return configured.rstrip("/")
    scheme = call.headers.get("x-forwarded-proto", "http").split(",", 1)[0].strip() or "http"
    return f"{scheme}://{call.headers.get('host', 'localhost')}"


def _link(call: GraphCall, cursor_name: str, cursor: str) -> str:
    params = {k: v for k, v in call.params.items() if k not in ("after", "before", "method")}
    params[cursor_name] = cursor
    version = f"/{call.version}" if call.version else ""
    return f"{base_url(call)}{version}{call.path}?{urlencode(params)}"


def render_list(call: GraphCall, listing: Listing) -> dict[str, Any]:
    page = listing.page
    next_url = _link(call, "after", encode_position(page.after)) if page.after is not None else None
    previous_url = _link(call, "before", encode_position(page.before)) if page.before is not None else None
    return page_json(
        page, listing.data, next_url=next_url, previous_url=previous_url, summary=listing.summary
    )
