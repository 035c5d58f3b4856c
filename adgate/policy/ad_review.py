"""Ad review: deterministic rules that approve or disapprove an ad's creative.

The seed's Basic criteria ask that "the app's ads pass ad review with no bad creatives"; Meta's real
review is a mix of machines and people and is not published. adgate's review is a short list of
documented rules over the creative's text and link, so that a test can make an ad pass or fail on
purpose. Pure functions: no IO, no clock; ``now`` and the submission time are parameters.

Timeline (server clock): an ad is ``PENDING_REVIEW`` for :data:`REVIEW_SECONDS` after it is created
or its creative is changed; then it takes its verdict: its own status (``ACTIVE``/``PAUSED``) when
approved, ``DISAPPROVED`` with ``ad_review_feedback`` otherwise.

Rules (each failing rule adds one entry to ``ad_review_feedback["global"]``, keyed by the policy
name, as Graph's ``{"global": {"<policy>": "<explanation>"}}``):

| rule | disapproved when |
|---|---|
| Landing page | the creative has no destination link |
| Landing page security | the link is not ``https://`` |
| Unrealistic outcomes | the text claims guaranteed results, income or returns |
| Personal health | the text promises fast weight loss or a miracle cure |
| Misleading claims | the text promises free money or getting rich quickly |
| Personal attributes | the text asserts a personal attribute ("are you overweight") |
| Grammar and profanity | the title is all capitals (4+ letters), or any text has ``!!!`` |

Text is the creative's title, body and description (link headline, message, description in an
``object_story_spec``), compared case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adgate.ad_objects import ReviewVerdict

#: How long a new or edited ad stays PENDING_REVIEW on the server clock (OURS: 10 minutes).
REVIEW_SECONDS = 600

#: Policy name → phrases that break it (matched as lower-case substrings).
FORBIDDEN_PHRASES: dict[str, tuple[str, ...]] = {
    "Unrealistic outcomes": (
        "guaranteed results",
        "guaranteed income",
        "guaranteed returns",
        "results guaranteed",
    ),
    "Personal health": ("lose weight fast", "miracle cure", "burn fat overnight"),
    "Misleading claims": ("free money", "get rich quick"),
    "Personal attributes": ("are you overweight", "are you in debt", "are you depressed"),
}

EXPLANATIONS: dict[str, str] = {
    "Landing page": "Your ad doesn't link to a landing page. Add a destination link.",
    "Landing page security": "Your ad's destination link must use https://.",
    "Unrealistic outcomes": "Ads must not promise guaranteed or unrealistic outcomes.",
    "Personal health": "Ads must not make claims about fast weight loss or miracle cures.",
    "Misleading claims": "Ads must not contain misleading or deceptive claims.",
    "Personal attributes": "Ads must not assert or imply personal attributes of the people who see them.",
    "Grammar and profanity": "Ads must not use excessive capitalization or punctuation.",
}


@dataclass(frozen=True, slots=True)
class CreativeText:
    """What the review reads from a creative."""

    title: str | None = None
    body: str | None = None
    description: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    verdict: ReviewVerdict
    #: Policy name → explanation, in rule order; empty when approved.
    violations: dict[str, str]

    @property
    def feedback(self) -> dict[str, Any]:
        """Graph's ``ad_review_feedback`` shape."""
        return {"global": dict(self.violations)} if self.violations else {}


def review(text: CreativeText) -> Review:
    """The verdict for a creative: approved unless one of the rules above fails."""
    broken: list[str] = []
    link = (text.link or "").strip()
    if not link:
        broken.append("Landing page")
    elif not link.lower().startswith("https://"):
        broken.append("Landing page security")
    words = " ".join(part for part in (text.title, text.body, text.description) if part).lower()
    for policy, phrases in FORBIDDEN_PHRASES.items():
        if any(phrase in words for phrase in phrases):
            broken.append(policy)
    if _shouting(text.title) or "!!!" in words:
        broken.append("Grammar and profanity")
    violations = {name: EXPLANATIONS[name] for name in broken}
    return Review("disapproved" if violations else "approved", violations)


def _shouting(title: str | None) -> bool:
    letters = [ch for ch in title or "" if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def in_review(submitted_at: int, now: int) -> bool:
    """Still PENDING_REVIEW at ``now``."""
    return now < submitted_at + REVIEW_SECONDS


def decided_by(now: int) -> int:
    """The latest submission time whose review has ended at ``now``."""
    return now - REVIEW_SECONDS


def decided_at(submitted_at: int) -> int:
    """The first instant at which a review submitted at ``submitted_at`` has ended."""
    return submitted_at + REVIEW_SECONDS


def creative_text(
    *,
    title: str | None,
    body: str | None,
    link_url: str | None,
    object_story_spec: Any,
) -> CreativeText:
    """The reviewed text of a creative: its flat fields, or its ``object_story_spec.link_data``."""
    description: str | None = None
    spec = object_story_spec if isinstance(object_story_spec, dict) else {}
    link_data = spec.get("link_data")
    if isinstance(link_data, dict):
        title = title or _str(link_data.get("name"))
        body = body or _str(link_data.get("message"))
        description = _str(link_data.get("description"))
        link_url = link_url or _str(link_data.get("link"))
        cta = link_data.get("call_to_action")
        if not link_url and isinstance(cta, dict) and isinstance(cta.get("value"), dict):
            link_url = _str(cta["value"].get("link"))
    video_data = spec.get("video_data")
    if isinstance(video_data, dict):
        title = title or _str(video_data.get("title"))
        body = body or _str(video_data.get("message"))
        cta = video_data.get("call_to_action")
        if not link_url and isinstance(cta, dict) and isinstance(cta.get("value"), dict):
            link_url = _str(cta["value"].get("link"))
    return CreativeText(title=title, body=body, description=description, link=link_url)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
