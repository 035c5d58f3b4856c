"""The one clock.

Nothing else in adgate reads the time: services receive a :class:`Clock`, and the
sandbox can move it. The sandbox clock is the system clock plus an offset, so time keeps flowing
after a jump of 60 days; the offset is persisted by the sandbox service so a restart keeps it.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the Unix epoch, as the server believes it to be."""
        ...


class SystemClock:
    """Wall-clock time, untouched."""

    def now(self) -> float:
        return time.time()


class SandboxClock:
    """Wall-clock time shifted by an offset that the sandbox can set or advance.

    ``frozen_at`` pins the clock to one instant (useful in tests that compare exact expiries);
    advancing a frozen clock moves the pinned instant.
    """

    def __init__(self, offset: float = 0.0, frozen_at: float | None = None) -> None:
        self.offset = offset
        self.frozen_at = frozen_at

    def now(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at
        return time.time() + self.offset

    def set(self, timestamp: float) -> None:
        """Make :meth:`now` return ``timestamp`` now, and flow on from there."""
        if self.frozen_at is not None:
            self.frozen_at = timestamp
        else:
            self.offset = timestamp - time.time()

    def advance(self, seconds: float) -> None:
        if self.frozen_at is not None:
            self.frozen_at += seconds
        else:
            self.offset += seconds

    def freeze(self) -> None:
        self.frozen_at = self.now()

    def unfreeze(self) -> None:
        if self.frozen_at is not None:
            self.offset = self.frozen_at - time.time()
            self.frozen_at = None
