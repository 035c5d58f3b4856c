"""PKCE: Proof Key for Code Exchange (RFC 7636), checked at the token endpoint.

- §4.1: ``code_verifier`` is 43 to 128 characters of ``[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"``.
- §4.6: ``S256`` compares ``BASE64URL(SHA256(ASCII(code_verifier)))`` with the stored challenge,
  ``plain`` compares the verifier itself.
- RFC 9700 §2.1.1 / §4.8.2: a ``code_verifier`` sent for a code that had no challenge is refused,
  so an attacker cannot downgrade a PKCE flow.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

METHODS: tuple[str, ...] = ("S256", "plain")
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(challenge: str | None, method: str | None, verifier: str | None) -> bool:
    """True when the exchange may go on as far as PKCE is concerned."""
    if challenge is None:
        return verifier is None
    if verifier is None or not _VERIFIER.match(verifier):
        return False
    computed = s256(verifier) if (method or "plain") == "S256" else verifier
    return hmac.compare_digest(computed.encode(), challenge.encode())
