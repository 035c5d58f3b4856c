"""appsecret_proof: proof that a server call comes from someone who holds the app secret (docs/graph-facts.md
§8).

``appsecret_proof = hex(HMAC-SHA256(key=app_secret, msg=access_token))``, exactly what the official
Python SDK sends (docs/graph-facts.md §12.2). The time-stamped variant signs ``access_token|unix_time``
and sends ``appsecret_time``; it is accepted for five minutes either side of the server clock (the
facts say proofs "expire after 5 minutes"; the allowance for a client clock running ahead is ours).
Pure: the secret and ``now`` are parameters; every comparison is constant-time.
"""

from __future__ import annotations

import hmac

from adgate.policy.tokens import PROOF_TIME_WINDOW_SECONDS
from adgate.policy.validity import Invalid


def make_proof(secret: str, token: str, proof_time: int | None = None) -> str:
    message = token if proof_time is None else f"{token}|{proof_time}"
    return hmac.digest(secret.encode(), message.encode(), "sha256").hex()


def check_proof(
    *,
    secret: str,
    token: str,
    proof: str | None,
    proof_time: str | None,
    required: bool,
    now: int,
) -> Invalid | None:
    """``None`` when the call may go on; otherwise the catalog entry that refuses it.

    A proof is verified whenever one is sent, and required when ``required`` (the app's
    "Require App Secret" setting, or an endpoint that always needs one).
    """
    if not proof:
        # An appsecret_time without its proof is a proof missing, whatever the app requires.
        return Invalid("proof_required") if required or proof_time else None
    stamp: int | None = None
    if proof_time:
        try:
            stamp = int(proof_time)
        except ValueError:
            return Invalid("proof_time_invalid", {"detail": "appsecret_time must be a Unix time in seconds"})
        if abs(now - stamp) > PROOF_TIME_WINDOW_SECONDS:
            minutes = PROOF_TIME_WINDOW_SECONDS // 60
            return Invalid("proof_time_invalid", {"detail": f"it is more than {minutes} minutes off"})
    expected = make_proof(secret, token, stamp)
    if not hmac.compare_digest(expected.encode(), proof.strip().lower().encode()):
        return Invalid("proof_invalid")
    return None
