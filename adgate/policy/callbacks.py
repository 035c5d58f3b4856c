"""The calls Meta makes *to* an app, as data: signed requests, Webhooks signatures and payloads,
callback URLs, and the retry schedule.

- ``signed_request`` (the Deauthorize and Data Deletion Request callbacks): two base64url parts
  without padding joined by a dot, the HMAC-SHA256 of the payload part under the app secret, then
  the JSON payload ``{"algorithm": "HMAC-SHA256", "issued_at": …, "user_id": …}``
  (https://developers.facebook.com/docs/games/gamesonfacebook/login#parsingsr).
- Webhooks (https://developers.facebook.com/docs/graph-api/webhooks/getting-started): a JSON body
  ``{"object": …, "entry": [{"id", "time", "changes": [{"field", "value"}]}]}`` signed in
  ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under the app secret>`` (and the
  older ``X-Hub-Signature: sha1=…``); a subscription is verified first with a ``GET`` carrying
  ``hub.mode=subscribe``, ``hub.challenge`` and ``hub.verify_token``, answered with the challenge.
- The Data Deletion Request callback's answer must be JSON ``{"url": …, "confirmation_code": …}``
  (https://developers.facebook.com/docs/development/create-an-app/app-dashboard/data-deletion-callback).

No IO and no clock reads: ``now`` is a parameter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: Tries of one delivery in all, and the wait before each retry (seconds on the server clock).
RETRY_WAITS = (5, 30, 120, 600, 1800)
MAX_ATTEMPTS = len(RETRY_WAITS) + 1
#: What an attempt keeps of the answer's body.
EXCERPT_CHARS = 500
#: Webhooks objects adgate can produce events for, and their fields.
OBJECTS: dict[str, tuple[str, ...]] = {
    "permissions": ("*",),  # any permission name: a change of that permission
    "ad_account": ("with_issues_ad_objects", "in_process_ad_objects"),
}


class CallbackError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed_request(payload: Mapping[str, Any], secret: str) -> str:
    body = _b64(json.dumps(dict(payload), separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{_b64(signature)}.{body}"


def deauthorize_payload(user_id: str, now: int) -> dict[str, Any]:
    return {"algorithm": "HMAC-SHA256", "issued_at": now, "user_id": user_id}


def hub_signatures(body: bytes, secret: str) -> dict[str, str]:
    key = secret.encode()
    return {
        "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
        "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
    }


def webhook_body(obj: str, entries: Iterable[Mapping[str, Any]]) -> bytes:
    return json.dumps({"object": obj, "entry": list(entries)}, separators=(",", ":")).encode()


def permission_entry(user_id: str, changes: Mapping[str, str], now: int) -> dict[str, Any]:
    """One ``permissions`` entry: each permission and its verb (``granted`` / ``revoked``)."""
    return {
        "id": user_id,
        "uid": user_id,
        "time": now,
        "changes": [{"field": p, "value": {"verb": verb}} for p, verb in changes.items()],
    }


def ad_account_entry(account_id: str, field: str, ad_ids: Iterable[str], now: int) -> dict[str, Any]:
    """One ``ad_account`` entry for an ad review outcome (``with_issues_ad_objects``: disapproved)."""
    objects = [{"id": ad_id, "level": "AD"} for ad_id in ad_ids]
    return {
        "id": account_id,
        "time": now,
        "changes": [{"field": field, "value": {"id": account_id, "objects": objects}}],
    }


def check_url(url: Any, field: str) -> str:
    """An absolute http(s) URL with a host, at most 1024 characters."""
    if not isinstance(url, str) or not url.strip():
        raise CallbackError(field, "must be an http:// or https:// URL")
    text: str = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackError(field, f"must be an http:// or https:// URL with a host; got {text[:80]!r}")
    if len(text) > 1024 or any(c in text for c in "\r\n\t "):
        raise CallbackError(field, "must be at most 1024 characters, without spaces")
    return text


def check_fields(obj: str, fields: Iterable[str]) -> tuple[str, ...]:
    allowed = OBJECTS.get(obj)
    if allowed is None:
        raise CallbackError("object", f"must be one of {', '.join(OBJECTS)}; got {obj[:40]!r}")
    chosen = tuple(dict.fromkeys(f.strip() for f in fields if f.strip()))
    if not chosen:
        raise CallbackError("fields", "name at least one field to subscribe to")
    if "*" not in allowed:
        unknown = [f for f in chosen if f not in allowed]
        if unknown:
            raise CallbackError("fields", f"{unknown[0]!r} is not a field of {obj}; use {', '.join(allowed)}")
    return chosen


def retry_wait(attempts: int) -> int | None:
    """Seconds to wait after ``attempts`` failed tries, or None: give up."""
    return RETRY_WAITS[attempts - 1] if 1 <= attempts <= len(RETRY_WAITS) else None


@dataclass(frozen=True, slots=True)
class DeletionAnswer:
    url: str
    confirmation_code: str


def deletion_answer(body: bytes) -> DeletionAnswer:
    """The app's answer to a Data Deletion Request callback, or CallbackError saying what is wrong."""
    try:
        data = json.loads(body)
    except ValueError:
        raise CallbackError("answer", 'must be JSON: {"url": …, "confirmation_code": …}') from None
    if not isinstance(data, dict):
        raise CallbackError("answer", "must be a JSON object with url and confirmation_code")
    code = data.get("confirmation_code")
    if not isinstance(code, str) or not code.strip():
        raise CallbackError("confirmation_code", "must be a non-empty string")
    return DeletionAnswer(check_url(data.get("url"), "url"), code.strip()[:200])
