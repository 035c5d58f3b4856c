"""What every token-using endpoint reads first: the caller the gate admitted, and a clean path."""

from __future__ import annotations

from adgate.protocol.errors import GraphError
from adgate.services.gate.call import GraphCall
from adgate.services.tokens.callers import Caller


def caller_of(call: GraphCall) -> Caller:
    """The gate's :class:`Caller` (endpoints declared ``auth="token"`` always have one)."""
    caller = call.caller
    if not isinstance(caller, Caller):
        raise GraphError.of("no_token")
    return caller


def no_rest(call: GraphCall) -> None:
    """Refuse path segments past the edge (``/me/accounts/x``) with Graph's unknown-path error."""
    if call.rest:
        raise GraphError.of("unknown_path", path=call.path)
