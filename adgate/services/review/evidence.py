"""The review criteria's figures, read from what the server recorded.

Seed, "Basic": calls and error rate "in the last 30 days" (the usage meter's daily counts,
including the counts not yet flushed to the database, so a criterion never lags the calls), ads
that "pass ad review and do not contain bad creatives" (:func:`ad_review_counts`), and a clear login
flow (authorizations and grants of people without a role on the app). The rules themselves are in
:mod:`adgate.policy.review`; this module only gathers their inputs and renders the evidence kept
with a submission.
"""

from __future__ import annotations

from typing import Any

from adgate.policy import review as rules
from adgate.services.context import Core
from adgate.services.gate.usage import UsageMeter
from adgate.services.marketing.counts import ad_review_counts


async def figures(core: Core, usage: UsageMeter, app_id: str) -> tuple[rules.Figures, dict[str, Any]]:
    """The app's figures now, and the window they cover."""
    daily = await usage.daily(app_id, rules.WINDOW_DAYS)  # raises not_found for an unknown app
    totals = daily["totals"]
    approved, disapproved, pending = await ad_review_counts(core, app_id)
    async with core.db.transaction() as tx:
        logins = await tx.review.login_evidence(app_id)
    found = rules.Figures(
        calls=int(totals["calls"]),
        errors=int(totals["errors"]),
        ads_approved=approved,
        ads_disapproved=disapproved,
        ads_pending=pending,
        role_free_logins=logins.role_free_logins,
        clear_logins=logins.clear_logins,
    )
    rows = daily["data"]
    window = {"days": rules.WINDOW_DAYS, "first_date": rows[0]["date"], "last_date": rows[-1]["date"]}
    return found, window


def render(kind: rules.FeatureKind, found: rules.Figures, window: dict[str, Any], now: int) -> dict[str, Any]:
    """The evidence kept with a submission (at submission and at decision) and shown in status."""
    criteria = rules.criteria_for(kind, found)
    return {
        "computed_at": now,
        "window": window,
        "figures": found.to_json(),
        "criteria": [c.to_json() for c in criteria],
        "met": rules.all_met(criteria),
        "unmet_reasons": rules.unmet_reasons(criteria),
    }


async def evidence(core: Core, usage: UsageMeter, app_id: str, kind: rules.FeatureKind) -> dict[str, Any]:
    found, window = await figures(core, usage, app_id)
    return render(kind, found, window, core.now())
