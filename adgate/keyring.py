"""Keys derived from the server secret: token digests and app-secret encryption.

docs/security.md: tokens are stored only as keyed digests (HMAC-SHA256), never in
clear; app secrets are encrypted at rest. Both keys are derived from ``ADGATE_SECRET_KEY`` with
HKDF so that one secret is all an operator has to keep.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive_key(secret: str, purpose: str) -> bytes:
    """The one way a key is made from the server secret: HKDF-SHA256, 32 bytes, one ``purpose``
    per use, so that no two uses ever share a key."""
    info = purpose.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"adgate/v1", info=info).derive(secret.encode())


class AdminKey:
    """The operator's admin key (``ADGATE_ADMIN_KEY``), checked in one place: an unset key matches
    nothing, and the comparison takes the same time whatever the guess."""

    def __init__(self, key: str | None) -> None:
        self._key = (key or "").encode()

    def matches(self, given: str | None) -> bool:
        return bool(self._key) and hmac.compare_digest((given or "").strip().encode(), self._key)


class Keyring:
    def __init__(self, secret_key: str) -> None:
        self._secret = secret_key
        self._digest_key = self.derive("token-digest")
        self._fernet = Fernet(base64.urlsafe_b64encode(self.derive("app-secret-encryption")))
        self._token_fernet = Fernet(base64.urlsafe_b64encode(self.derive("system-user-token-sealing")))

    def derive(self, purpose: str) -> bytes:
        """A key of the server secret for ``purpose`` alone (:func:`derive_key`)."""
        return derive_key(self._secret, purpose)

    def digest(self, token: str) -> str:
        """The keyed digest a token is stored and looked up by."""
        return hmac.digest(self._digest_key, token.encode(), "sha256").hex()

    def fingerprint(self, token: str) -> bytes:
        """A keyed 128-bit fingerprint of a token, for keys of in-memory memos: cheaper than
        :meth:`digest` (BLAKE2b is keyed natively, HMAC costs two hashes and a setup), and never
        stored, so it can change with any release."""
        return hashlib.blake2b(token.encode(), digest_size=16, key=self._digest_key).digest()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:  # a different ADGATE_SECRET_KEY than the one that wrote it
            raise ValueError("cannot decrypt: the server secret key has changed") from exc

    def seal_token(self, token: str) -> str:
        """A system-user token encrypted for storage (``fetch_only`` hands it out again), under a key
        of its own: a leaked app-secret key opens no token, nor the other way round."""
        return self._token_fernet.encrypt(token.encode()).decode()

    def unseal_token(self, sealed: str) -> str:
        try:
            return self._token_fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot unseal: the server secret key has changed") from exc
