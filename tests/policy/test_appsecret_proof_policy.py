"""appsecret_proof as a pure check (docs/graph-facts.md §8)."""

from __future__ import annotations

import hashlib
import hmac

from adgate.policy.appsecret_proof import check_proof, make_proof

NOW = 1_790_000_000


def verdict(**changes: object) -> str | None:
    args: dict[str, object] = {
        "secret": "s3cret",
        "token": "TOKEN",
        "proof": make_proof("s3cret", "TOKEN"),
        "proof_time": None,
        "required": False,
        "now": NOW,
    }
    args.update(changes)
    result = check_proof(**args)  # type: ignore[arg-type]
    return None if result is None else result.reason


def test_the_proof_is_the_hex_hmac_sha256_of_the_token_keyed_by_the_secret() -> None:
    assert make_proof("APPSECRET", "TOKEN") == hmac.new(b"APPSECRET", b"TOKEN", hashlib.sha256).hexdigest()


def test_a_proof_is_verified_when_sent_and_required_only_when_asked() -> None:
    assert verdict() is None
    assert verdict(proof=make_proof("other", "TOKEN")) == "proof_invalid"
    assert verdict(proof=None) is None
    assert verdict(proof=None, required=True) == "proof_required"


def test_the_timed_variant_signs_token_and_time_and_lasts_five_minutes() -> None:
    stamp = NOW - 300
    good = make_proof("s3cret", "TOKEN", stamp)
    assert good == hmac.new(b"s3cret", f"TOKEN|{stamp}".encode(), hashlib.sha256).hexdigest()
    assert verdict(proof=good, proof_time=str(stamp)) is None
    old = NOW - 301
    assert verdict(proof=make_proof("s3cret", "TOKEN", old), proof_time=str(old)) == "proof_time_invalid"
    assert verdict(proof=good, proof_time="yesterday") == "proof_time_invalid"
    assert verdict(proof=make_proof("s3cret", "TOKEN"), proof_time=str(stamp)) == "proof_invalid"
