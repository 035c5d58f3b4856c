"""The garbage collector of a long-running server: full collections that scan only what is new.

CPython's full collection walks every container object alive. A busy server keeps hundreds of
thousands of them in its caches (a read cache entry, its tags, the records it holds, the gate's
memo), and each full collection stopped the event loop for 0.1 to 0.5 s: the p99 of every loaded
run. :class:`Heap` keeps the collector off what has lived through a full collection:

- at start, everything alive (modules, the app, its pools, compiled statements) is moved out of
  its reach with :func:`gc.freeze`;
- after every full collection, what survived it is frozen too, so the next one walks only what
  was made since (a few milliseconds);
- every ``thaw_every`` seconds the frozen objects are handed back (:func:`gc.unfreeze`): the next
  full collection walks everything once, and frees the reference cycles that died while frozen
  (a frozen object freed by its reference count is freed at once; only cycles wait for this).

The cost: one long full collection every ``thaw_every`` seconds instead of one every few seconds
under load, and cyclic garbage held up to that long.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

#: Seconds between two full collections that walk everything.
THAW_EVERY = 600.0


class Heap:
    def __init__(
        self, *, thaw_every: float = THAW_EVERY, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.thaw_every = thaw_every
        self._monotonic = monotonic
        self._thawed_at = 0.0
        self._started = False
        #: Full collections followed by a thaw.
        self.thaws = 0
        #: Collections and the seconds they took, by generation (0, 1, 2), since start: ``/metrics``.
        self.counts = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._began = 0.0

    def start(self) -> None:
        """Collect, freeze what is alive, and freeze the survivors of every full collection."""
        if self._started:
            return
        self._started = True
        gc.collect()
        gc.freeze()
        self._thawed_at = self._monotonic()
        gc.callbacks.append(self._after)

    @property
    def running(self) -> bool:
        return self._started

    @property
    def collections(self) -> int:
        """Full collections seen since start."""
        return self.counts[2]

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        gc.callbacks.remove(self._after)
        gc.unfreeze()

    def _after(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
            return
        generation = info["generation"]
        self.counts[generation] += 1
        self.seconds[generation] += time.perf_counter() - self._began
        if generation != 2:
            return
        now = self._monotonic()
        if now - self._thawed_at >= self.thaw_every:
            # The next full collection walks everything once (and frees the cycles that died frozen).
            gc.unfreeze()
            self._thawed_at = now
            self.thaws += 1
        else:
            # The survivors (the younger generations are empty after a full collection).
            gc.freeze()
