"""The client's one place that reads the time or waits.

Everything in :mod:`adgate.client` takes a ``now`` function (unix seconds) and, where it waits, a
``sleep`` function, defaulting to the two below. Tests pass their own: a frozen ``now`` to check
expiry windows exactly, a recording ``sleep`` to check back-off without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Returns the current unix time in seconds.
Now = Callable[[], float]
#: Waits the given number of seconds.
Sleep = Callable[[float], None]


def system_now() -> float:
    """The wall clock."""
    return time.time()


def system_sleep(seconds: float) -> None:
    """Really wait."""
    time.sleep(seconds)
