"""Keys derived from the server secret: digests and fingerprints are keyed, secrets round-trip."""

from __future__ import annotations

import pytest

from adgate.keyring import Keyring


def test_a_digest_is_keyed_by_the_server_secret_and_stable() -> None:
    one, other = Keyring("secret one"), Keyring("secret two")
    assert one.digest("EAAtoken") == Keyring("secret one").digest("EAAtoken")
    assert one.digest("EAAtoken") != other.digest("EAAtoken")
    assert one.digest("EAAtoken") != one.digest("EAAtoken2")
    assert len(one.digest("EAAtoken")) == 64  # hex HMAC-SHA256: what the token table stores


def test_a_fingerprint_is_keyed_and_tells_tokens_apart() -> None:
    one, other = Keyring("secret one"), Keyring("secret two")
    assert one.fingerprint("EAAtoken") == Keyring("secret one").fingerprint("EAAtoken")
    assert one.fingerprint("EAAtoken") != other.fingerprint("EAAtoken")
    assert one.fingerprint("EAAtoken") != one.fingerprint("EAAtoken ")
    assert len(one.fingerprint("EAAtoken")) == 16
    assert one.fingerprint("EAAtoken").hex() not in one.digest("EAAtoken")


def test_an_app_secret_round_trips_and_another_server_secret_cannot_read_it() -> None:
    ciphertext = Keyring("secret one").encrypt("app secret")
    assert "app secret" not in ciphertext
    assert Keyring("secret one").decrypt(ciphertext) == "app secret"
    with pytest.raises(ValueError, match="server secret key has changed"):
        Keyring("secret two").decrypt(ciphertext)
