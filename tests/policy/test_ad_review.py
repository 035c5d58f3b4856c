"""Ad review: deterministic rules over a creative's text and link, on the server clock."""

from __future__ import annotations

import pytest

from adgate.policy.ad_review import REVIEW_SECONDS, CreativeText, creative_text, decided_by, in_review, review

GOOD = CreativeText(title="Spring is here", body="Fresh styles for spring", link="https://shop.example/")


def test_a_plain_creative_with_an_https_link_is_approved() -> None:
    result = review(GOOD)
    assert result.verdict == "approved"
    assert result.feedback == {}


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        (CreativeText(body="Buy now"), "Landing page"),
        (CreativeText(body="Buy now", link="http://shop.example/"), "Landing page security"),
        (CreativeText(body="Guaranteed results in a week", link=GOOD.link), "Unrealistic outcomes"),
        (CreativeText(title="Lose weight FAST", link=GOOD.link), "Personal health"),
        (CreativeText(body="100% free money for everyone", link=GOOD.link), "Misleading claims"),
        (CreativeText(body="Are you overweight? Try this", link=GOOD.link), "Personal attributes"),
        (CreativeText(title="BUY NOW", link=GOOD.link), "Grammar and profanity"),
        (CreativeText(body="Amazing!!!", link=GOOD.link), "Grammar and profanity"),
    ],
)
def test_each_rule_disapproves_with_its_policy_in_the_feedback(text: CreativeText, policy: str) -> None:
    result = review(text)
    assert result.verdict == "disapproved"
    assert policy in result.feedback["global"]
    assert result.feedback["global"][policy]


def test_several_broken_rules_are_all_reported_in_rule_order() -> None:
    result = review(CreativeText(title="MIRACLE CURE", body="guaranteed results", link="http://x.example"))
    assert list(result.violations) == [
        "Landing page security",
        "Unrealistic outcomes",
        "Personal health",
        "Grammar and profanity",
    ]


def test_short_capitals_such_as_an_acronym_are_not_shouting() -> None:
    assert review(CreativeText(title="NYC deals", link=GOOD.link)).verdict == "approved"
    assert review(CreativeText(title="USA", link=GOOD.link)).verdict == "approved"


def test_the_review_is_pending_for_the_review_time_then_decided() -> None:
    submitted = 1_000_000
    assert in_review(submitted, submitted)
    assert in_review(submitted, submitted + REVIEW_SECONDS - 1)
    assert not in_review(submitted, submitted + REVIEW_SECONDS)
    assert decided_by(submitted + REVIEW_SECONDS) == submitted


def test_the_reviewed_text_comes_from_flat_fields_or_the_story_spec() -> None:
    spec = {
        "page_id": "1",
        "link_data": {"link": "https://a.example", "message": "Body", "name": "Title", "description": "D"},
    }
    assert creative_text(title=None, body=None, link_url=None, object_story_spec=spec) == CreativeText(
        title="Title", body="Body", description="D", link="https://a.example"
    )
    video = {
        "page_id": "1",
        "video_data": {
            "video_id": "5",
            "title": "T",
            "message": "M",
            "call_to_action": {"type": "LEARN_MORE", "value": {"link": "https://v.example"}},
        },
    }
    assert (
        creative_text(title=None, body=None, link_url=None, object_story_spec=video).link
        == "https://v.example"
    )
    flat = creative_text(title="T", body="B", link_url="https://f.example", object_story_spec=None)
    assert flat == CreativeText(title="T", body="B", link="https://f.example")
