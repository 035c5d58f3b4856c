"""The gate's memo: what the deciding steps concluded about an admitted call, until it may change.

The deciding steps' answer depends only on the token, its ``appsecret_proof``, the endpoint, the
node of the path and what the database holds, and, through :attr:`Admission.valid_until`, the
time. So an admission, once decided, is kept here on the database's terms
(:class:`adgate.store.cache.ReadCache`: void once a committed write, here or on another node,
wrote anything the steps' reads read) until its ``valid_until``, and the same call made again runs
only the ``every_call`` steps (:class:`adgate.services.gate.pipeline.PipelineGate`). Only
admissions are kept; a refusal is decided afresh each time. A step that decides on anything else
sets :attr:`Admission.memo` to False.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from adgate.services.context import Core
from adgate.services.gate.admission import Admission, Decided
from adgate.services.gate.call import Endpoint, GraphCall
from adgate.services.tokens.callers import MAX_TOKEN_LENGTH, Caller, Presented
from adgate.store.cache import ReadCache
from adgate.store.dependencies import Tag

#: Admissions the gate remembers before it starts over (least recently used dropped first).
MEMO_CAPACITY = 100_000


@dataclass(frozen=True, slots=True)
class Admitted:
    """What the deciding steps concluded about an admitted call, kept in the gate's memo."""

    presented: Presented | None
    proven: bool
    caller: Caller | None
    decided: Decided | None
    valid_until: float


class AdmissionMemo(ReadCache):
    """Admitted calls by token fingerprint, proof, endpoint and node (the steps' whole input)."""

    def __init__(self, core: Core) -> None:
        super().__init__(core.db.generation, capacity=MEMO_CAPACITY, name="admissions")
        self.core = core

    def key(self, call: GraphCall, endpoint: Endpoint) -> Hashable | None:
        raw = call.raw_token
        if not raw or len(raw) > MAX_TOKEN_LENGTH:
            return None
        # The token by a keyed fingerprint, never in clear; the endpoint lives as long as the server.
        fingerprint = self.core.keyring.fingerprint(raw)
        return fingerprint, call.params.get("appsecret_proof"), id(endpoint), call.node_id

    def recall(self, call: GraphCall, endpoint: Endpoint, key: Hashable) -> Admission | None:
        """The admission kept for ``key``, restored onto ``call``, if it still holds now."""
        found, kept = self.get(key)
        if not found or self.core.now() >= kept.valid_until:
            self.misses += 1
            return None
        self.hits += 1
        call.caller = kept.caller
        if kept.presented is not None:
            call.app_id = kept.presented.app.id  # as read_token sets it when it decides
        return Admission(call, endpoint, kept.presented, kept.proven, kept.decided, kept.valid_until)

    def keep(self, key: Hashable, admission: Admission, stamp: int | None, depends: Iterable[Tag]) -> None:
        """Remember an admission decided from reads that began at ``stamp`` and read ``depends``."""
        if not admission.memo:
            return
        kept = Admitted(
            admission.presented,
            admission.proven,
            admission.call.caller,
            admission.decided,
            admission.valid_until,
        )
        self.put(key, kept, stamp, depends)
