"""What every token-using endpoint reads first: the caller the gate admitted."""

from __future__ import annotations

from adgate.protocol.errors import GraphError
from adgate.services.gate.call import GraphCall
from adgate.services.tokens.callers import Caller


def caller_of(call: GraphCall) -> Caller:
    """The gate's :class:`Caller` (endpoints declared ``auth="token"`` always have one)."""
    caller = call.caller
    if caller is None:
        raise GraphError.of("no_token")
    return caller
