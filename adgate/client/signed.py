"""What Meta sends to the app: signed requests and Webhooks signatures, checked.

- :func:`parse_signed_request`: the ``signed_request`` of the Deauthorize and Data Deletion Request
  callbacks (two base64url parts joined by a dot: the HMAC-SHA256 of the second under the app
  secret, and the JSON payload), https://developers.facebook.com/docs/games/gamesonfacebook/login#parsingsr.
- :func:`verify_hub_signature`: ``X-Hub-Signature-256`` of a Webhooks delivery.
- :class:`DeauthorizeHandler`: the Deauthorize callback's whole job, marking the person's stored
  tokens for the app dead (190/458, "the user has not authorized the application"), so the app
  stops using them and asks again (:class:`adgate.client.Reasker`) if the person comes back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from adgate.client.errors import ClientError
from adgate.client.store import DEAD, StoredToken, TokenStore

#: How Graph reports a token whose person removed the app (code 190, subcode 458).
DEAUTHORIZED = (190, 458, "The user has not authorized application (the Deauthorize callback said so).")


class SignedRequestError(ClientError):
    """The signed request is malformed, not signed by this app's secret, or too old."""


def _unb64(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise SignedRequestError("not base64url") from None


def parse_signed_request(
    signed_request: str, app_secret: str, *, now: float | None = None, max_age: int | None = None
) -> dict[str, Any]:
    """The payload, once its signature checks out (constant-time) under ``app_secret``."""
    signature_part, dot, payload_part = signed_request.strip().partition(".")
    if not dot or not signature_part or not payload_part:
        raise SignedRequestError("a signed request is two base64url parts joined by a dot")
    expected = hmac.new(app_secret.encode(), payload_part.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(_unb64(signature_part), expected):
        raise SignedRequestError("the signature does not match this app's secret")
    try:
        payload = json.loads(_unb64(payload_part))
    except ValueError:
        raise SignedRequestError("the payload is not JSON") from None
    if not isinstance(payload, dict) or str(payload.get("algorithm", "")).upper() != "HMAC-SHA256":
        raise SignedRequestError("the payload must say algorithm HMAC-SHA256")
    if max_age is not None and now is not None:
        issued = payload.get("issued_at")
        if not isinstance(issued, int) or now - issued > max_age:
            raise SignedRequestError("the signed request is too old")
    return payload


def verify_hub_signature(body: bytes, header: str | None, app_secret: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex>`` over the raw body, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256="), expected)


@dataclass
class DeauthorizeHandler:
    """The Deauthorize Callback URL's handler: ``handler(request_body)`` with the form body as
    received (``signed_request=…``) or its fields; returns the tokens it marked dead."""

    store: TokenStore
    app_id: str
    app_secret: str

    def __call__(self, body: bytes | str | Mapping[str, str]) -> list[StoredToken]:
        if isinstance(body, Mapping):
            signed = body.get("signed_request")
        else:
            text = body.decode("latin-1") if isinstance(body, bytes) else body
            found = parse_qs(text).get("signed_request")
            signed = found[0] if found else None
        if not signed:
            raise SignedRequestError("no signed_request in the callback")
        payload = parse_signed_request(signed, self.app_secret)
        user_id = payload.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise SignedRequestError("the payload names no user_id")
        code, subcode, message = DEAUTHORIZED
        marked = []
        for stored in self.store.find(person_id=user_id):
            if stored.app_id == self.app_id and stored.status != DEAD:
                marked.append(self.store.record_dead(stored.id, code=code, subcode=subcode, message=message))
        return marked
