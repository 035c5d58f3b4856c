"""The access review over its JSON API (seed, "Basic", "Standard", "Apply for Basic", "Time to review")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from helpers import error_of, short_lived_token
from review_world import BASIC, STANDARD, Applicant, make_applicant

from adgate.clock import SandboxClock
from adgate.policy.review import due_at
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio

DAY = 86_400


@pytest.fixture
async def applicant(
    services: Services, client: httpx.AsyncClient, clock: SandboxClock, admin_headers: dict[str, str]
) -> Applicant:
    return await make_applicant(services, client, clock, admin_headers)


def criteria_of(body: dict[str, Any]) -> dict[str, bool]:
    return {c["name"]: c["met"] for c in body["criteria"]}


# --- status and criteria ------------------------------------------------------------------------
async def test_status_shows_the_level_what_it_allows_and_the_next_levels_criteria(
    applicant: Applicant,
) -> None:
    status = await applicant.status()
    assert (status["access_level"], status["next_level"], status["next_feature"]) == (
        "development",
        "basic",
        BASIC,
    )
    assert status["level"]["account_list_max"] == 5
    assert status["next_level_review"] == {"days": 3, "business_days": True}
    assert criteria_of(status["criteria"]) == {
        "api_calls": False,
        "error_rate": False,  # no calls yet: no error rate to judge
        "ad_review": False,
        "login_flow": False,
    }
    assert status["can_submit"] and status["open"] == [] and status["past"] == []


async def test_recorded_usage_ads_and_logins_meet_the_criteria(applicant: Applicant) -> None:
    await applicant.qualify()
    status = await applicant.status()
    assert status["criteria"]["met"], status["criteria"]
    figures = status["criteria"]["figures"]
    assert figures["calls"] >= 1000 and figures["ads_approved"] == 1 and figures["clear_logins"] == 1


async def test_real_graph_calls_feed_the_criteria_before_they_are_flushed(applicant: Applicant) -> None:
    before = (await applicant.status())["criteria"]["figures"]
    for _ in range(3):
        assert (await applicant.adv.get(applicant.adv.act)).status_code == 200
    bad = await applicant.adv.get(f"{applicant.adv.act}/campaigns", limit="not a number")
    assert bad.status_code == 400
    after = (await applicant.status())["criteria"]["figures"]
    assert after["calls"] - before["calls"] == 4
    assert after["errors"] - before["errors"] == 1


async def test_the_30_day_window_slides_on_the_server_clock(applicant: Applicant) -> None:
    await applicant.add_calls(1000)
    base = (await applicant.status())["criteria"]["figures"]["calls"]
    applicant.clock.advance(29 * DAY)
    assert (await applicant.status())["criteria"]["figures"]["calls"] == base
    applicant.clock.advance(2 * DAY)  # day 31: those calls no longer count
    assert (await applicant.status())["criteria"]["figures"]["calls"] == base - 1000


async def test_a_disapproved_creative_fails_the_ad_criterion(applicant: Applicant) -> None:
    await applicant.approved_ad()
    await applicant.approved_ad(
        object_story_spec={
            "page_id": applicant.adv.page_id,
            "link_data": {"link": "http://insecure.example/", "message": "Hi", "name": "Hi"},
        }
    )
    body = (await applicant.status())["criteria"]
    assert not criteria_of(body)["ad_review"]
    assert "1 of the app's ads was disapproved" in " ".join(body["unmet_reasons"])


# --- submissions --------------------------------------------------------------------------------
async def test_a_submission_keeps_the_criteria_as_evidence_and_is_due_in_3_business_days(
    applicant: Applicant,
) -> None:
    await applicant.qualify()
    submission = await applicant.submitted()
    now = applicant.services.core.now()
    assert (submission["feature"], submission["target_level"], submission["status"]) == (
        BASIC,
        "basic",
        "submitted",
    )
    assert submission["title"] == "Ads Management Basic Access"
    assert submission["due_at"] == due_at(now, 3, True)
    assert submission["evidence_at_submission"]["met"] is True
    assert submission["submitted_by"] == "admin"


async def test_skipping_a_level_is_refused(applicant: Applicant) -> None:
    response = await applicant.submit(STANDARD)
    error = error_of(response)
    assert (response.status_code, error["code"]) == (400, 100)
    assert "can apply only for ads_management_basic_access" in str(error["message"])
    assert "cannot be skipped" in str(error["message"])


async def test_an_app_applies_for_standard_only_from_basic(
    services: Services, client: httpx.AsyncClient, clock: SandboxClock, admin_headers: dict[str, str]
) -> None:
    applicant = await make_applicant(services, client, clock, admin_headers, level="basic")
    assert (await applicant.submit(BASIC)).status_code == 409  # already there
    submission = await applicant.submitted(STANDARD)
    assert submission["due_at"] == services.core.now() + 14 * DAY


async def test_one_open_submission_per_feature(applicant: Applicant) -> None:
    first = await applicant.submitted()
    response = await applicant.submit()
    assert response.status_code == 409
    assert first["id"] in str(error_of(response)["message"])


async def test_a_developer_of_the_app_submits_with_their_user_token(applicant: Applicant) -> None:
    adv = applicant.adv
    response = await applicant.submit(BASIC, Authorization=f"Bearer {adv.token}")
    assert response.status_code == 200, response.text
    assert response.json()["submitted_by"] == adv.cast.admin.id


async def test_a_person_without_a_role_cannot_submit(applicant: Applicant) -> None:
    cast = applicant.adv.cast
    token = await short_lived_token(applicant.services, cast, cast.other, ("ads_read",))
    response = await applicant.submit(BASIC, Authorization=f"Bearer {token}")
    assert response.status_code == 403


# --- decisions ----------------------------------------------------------------------------------
async def test_approval_changes_the_level_at_once_so_a_sixth_ad_account_works(applicant: Applicant) -> None:
    adv, world = applicant.adv, applicant.services.world
    accounts = [adv.account_id]
    for n in range(5):
        account = await world.create_ad_account(f"Extra {n}")
        await world.assign_role("ad_account", account.id, adv.cast.admin.id, "admin")
        accounts.append(account.id)
    for account_id in accounts[:5]:
        assert (await adv.get(f"act_{account_id}")).status_code == 200
    assert error_of(await adv.get(f"act_{accounts[5]}"))["code"] == 10

    await applicant.qualify()
    submission = await applicant.submitted()
    response = await applicant.decide(submission["id"], "approve")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["access_level"]) == ("approved", "basic")
    assert (await adv.get(f"act_{accounts[5]}")).status_code == 200


async def test_a_denial_says_why(applicant: Applicant) -> None:
    submission = await applicant.submitted()
    response = await applicant.decide(submission["id"], "deny", "The login flow does not say what it asks.")
    body = response.json()
    assert body["status"] == "denied"
    assert body["reasons"][0] == "The login flow does not say what it asks."
    assert any("at least 1000 are needed" in reason for reason in body["reasons"])
    assert await applicant.level() == "development"
    past = (await applicant.status())["past"]
    assert [p["reasons"] for p in past] == [body["reasons"]]


async def test_a_denied_standard_request_keeps_basic(
    services: Services, client: httpx.AsyncClient, clock: SandboxClock, admin_headers: dict[str, str]
) -> None:
    applicant = await make_applicant(services, client, clock, admin_headers, level="basic")
    submission = await applicant.submitted(STANDARD)
    response = await applicant.decide(submission["id"], "deny", "Business case unclear.")
    assert response.json()["status"] == "denied"
    assert await applicant.level() == "basic"


async def test_a_denial_with_no_reason_and_every_criterion_met_is_refused(applicant: Applicant) -> None:
    await applicant.qualify()
    submission = await applicant.submitted()
    response = await applicant.decide(submission["id"], "deny")
    assert response.status_code == 400
    assert "a denial must say why" in str(error_of(response)["message"])


async def test_a_decision_is_final(applicant: Applicant) -> None:
    await applicant.qualify()
    submission = await applicant.submitted()
    assert (await applicant.decide(submission["id"], "approve")).status_code == 200
    response = await applicant.decide(submission["id"], "deny", "changed my mind")
    assert response.status_code == 409
    assert await applicant.level() == "basic"


async def test_the_audit_trail_records_every_transition_and_decision(applicant: Applicant) -> None:
    await applicant.qualify()
    submission = await applicant.submitted()
    opened = await applicant.client.get(
        f"/_review/submissions/{submission['id']}", headers=applicant.admin_headers
    )
    assert opened.json()["status"] == "in_review"
    assert opened.json()["evidence_now"]["met"] is True
    await applicant.decide(submission["id"], "approve", "Looks good.")
    history = await applicant.client.get(
        f"/_apps/{applicant.app_id}/review/submissions", headers=applicant.admin_headers
    )
    trail = [(e["action"], e["actor"]) for e in history.json()["audit"]]
    assert trail == [
        ("submitted", "admin"),
        ("in_review", "admin"),
        ("approved", "admin"),
        ("level_changed", "admin"),
    ]
    assert history.json()["audit"][-1]["detail"] == {"feature": BASIC, "from": "development", "to": "basic"}


async def test_the_queue_lists_open_submissions_earliest_due_first(applicant: Applicant) -> None:
    submission = await applicant.submitted()
    queue = await applicant.client.get("/_review/queue", headers=applicant.admin_headers)
    assert [s["id"] for s in queue.json()["data"]] == [submission["id"]]
    await applicant.decide(submission["id"], "deny", "no")
    queue = await applicant.client.get("/_review/queue", headers=applicant.admin_headers)
    assert queue.json()["data"] == []


async def test_a_person_with_the_reviewer_role_decides_and_others_may_not(applicant: Applicant) -> None:
    services, cast = applicant.services, applicant.adv.cast
    submission = await applicant.submitted()
    reviewer = await services.world.create_person(
        "Rita Reviewer", "rita@example.com", "correct horse battery", is_reviewer=True
    )
    rita = await short_lived_token(services, cast, reviewer, ())
    path = f"/_review/submissions/{submission['id']}"
    assert (await applicant.client.get(path)).status_code == 401
    denied = await applicant.client.get(path, headers={"Authorization": f"Bearer {applicant.adv.token}"})
    assert (denied.status_code, error_of(denied)["code"]) == (403, 200)
    response = await applicant.client.post(
        f"{path}/decision",
        json={"decision": "deny", "reason": "Too few calls, for now."},
        headers={"Authorization": f"Bearer {rita}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["decided_by"] == reviewer.id


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/_apps/{app}/review/submissions", {}, 400),
        ("POST", "/_apps/{app}/review/submissions", {"feature": "gold"}, 400),
        ("POST", "/_apps/{app}/review/submissions", {"feature": "ads_management_platinum_access"}, 400),
        ("POST", "/_apps/{app}/review/submissions", {"feature": "permission:nope"}, 400),
        ("POST", "/_apps/{app}/review/submissions", {"feature": "permission:email"}, 400),
        ("POST", "/_apps/{app}/review/submissions", {"feature": "permission:ads_read"}, 400),
        ("POST", "/_apps/999/review/submissions", {"feature": BASIC}, 404),
        ("GET", "/_apps/999/review", None, 404),
        ("GET", "/_apps/{app}/review/criteria?feature=x", None, 400),
        ("GET", "/_review/submissions/12345", None, 404),
        ("POST", "/_review/submissions/12345/decision", {"decision": "approve"}, 404),
        ("POST", "/_review/submissions/{sub}/decision", {"decision": "maybe"}, 400),
        ("POST", "/_review/submissions/{sub}/decision", {}, 400),
        ("POST", "/_review/submissions/{sub}/decision", {"decision": "deny", "reasons": "[1, 2]"}, 400),
        ("POST", "/_review/submissions/{sub}/decision", {"decision": "deny", "reasons": "{not json"}, 400),
        ("POST", "/_review/submissions/{sub}/decision", {"decision": "deny", "reasons": ["x" * 2000]}, 400),
    ],
)
async def test_bad_input_gets_a_graph_envelope_never_a_500(
    applicant: Applicant, method: str, path: str, body: dict[str, Any] | None, status: int
) -> None:
    submission = await applicant.submitted()
    url = path.format(app=applicant.app_id, sub=submission["id"])
    response = await applicant.client.request(method, url, json=body, headers=applicant.admin_headers)
    assert response.status_code == status, response.text
    assert error_of(response)["message"]


async def test_a_new_app_starts_at_development_whatever_its_owners_other_apps_have(
    services: Services, client: httpx.AsyncClient, clock: SandboxClock, admin_headers: dict[str, str]
) -> None:
    applicant = await make_applicant(services, client, clock, admin_headers, level="standard")
    assert (await applicant.status())["next_level"] is None
    assert error_of(await applicant.submit(STANDARD))["code"] == 100
    second, _secret = await services.world.create_app("Second", admin_id=applicant.adv.cast.admin.id)
    status = (await client.get(f"/_apps/{second.id}/review", headers=admin_headers)).json()
    assert (status["access_level"], status["next_feature"]) == ("development", BASIC)
