"""One call on its way through the gate's steps, and the shape of a step.

A :data:`Step` reads the :class:`Admission` (the call, its endpoint's declaration, what earlier
steps found out) and either returns, perhaps leaving a finding for the steps after it, or raises
the :class:`GraphError` that refuses the call. A :data:`Settler` runs after the handler, whether it
succeeded or not. The steps and their order: :mod:`adgate.services.gate.pipeline`.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adgate.policy.levels import LevelLimits
from adgate.protocol.errors import GraphError
from adgate.services.gate.call import Endpoint, GraphCall
from adgate.services.tokens.callers import Caller, Presented


@dataclass(frozen=True, slots=True)
class Decided:
    """What the access-level steps (:mod:`adgate.services.gate.access`) found out, for the steps
    after them (kept with the gate's memo of an admitted call, so immutable)."""

    limits: LevelLimits
    account_id: str | None = None
    #: The account was found in the app's list while the caller was checked: nothing to add.
    listed: bool = False


@dataclass(slots=True)
class Admission:
    """One call on its way through the steps, with what earlier steps found out."""

    call: GraphCall
    endpoint: Endpoint
    #: The token as found by ``read_token`` (None: no token needed or none given).
    presented: Presented | None = None
    #: A valid appsecret_proof came with the call.
    proven: bool = False
    #: What the access-level steps found out, for the steps after them.
    decided: Decided | None = None
    #: Until when (the sandbox clock) the decisions taken so far hold if no record changes.
    valid_until: float = math.inf
    #: False once a step has decided on something the memo key does not hold (``appsecret_time``).
    memo: bool = True

    @property
    def caller(self) -> Caller | None:
        return self.call.caller


#: A step of the gate: returns to let the call on, raises a :class:`GraphError` to refuse it.
Step = Callable[[Admission], Awaitable[None]]
#: After the handler (its error, if any): usage accounting.
Settler = Callable[[GraphCall, Endpoint | None, GraphError | None], Awaitable[None]]
