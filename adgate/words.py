"""Words for numbers, as people write them: ``1 call``, ``2 calls``, ``0 calls``."""

from __future__ import annotations


def counted(n: float, one: str, many: str | None = None) -> str:
    """``n`` with the noun agreeing: ``counted(1, "call")`` is ``1 call``; ``many`` defaults to
    ``one + "s"`` (give it for other plurals: ``counted(2, "person", "people")``). A float is
    written short: ``counted(1.5, "day")`` is ``1.5 days``."""
    number = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{number} {one if n == 1 else (many or one + 's')}"
