"""PKCE verification (RFC 7636 §4.6; RFC 9700 §4.8.2)."""

from __future__ import annotations

from adgate.protocol.pkce import s256, verifier_matches

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def test_s256_matches_the_rfc_7636_appendix_b_example() -> None:
    assert s256(VERIFIER) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_a_verifier_must_match_its_challenge() -> None:
    assert verifier_matches(s256(VERIFIER), "S256", VERIFIER)
    assert not verifier_matches(s256(VERIFIER), "S256", VERIFIER[:-1] + "Y")
    assert verifier_matches(VERIFIER, "plain", VERIFIER)
    assert not verifier_matches(s256(VERIFIER), "S256", None)


def test_a_verifier_of_the_wrong_shape_is_refused() -> None:
    short = "abc"
    assert not verifier_matches(short, "plain", short)


def test_a_verifier_for_a_code_without_a_challenge_is_refused() -> None:
    assert verifier_matches(None, None, None)
    assert not verifier_matches(None, None, VERIFIER)
