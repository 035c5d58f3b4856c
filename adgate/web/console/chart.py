"""The Status & Review charts as plain geometry, drawn as inline SVG by the template (no script).

Two panels over the last 30 days (seed, Basic: "at least 1000 API calls with an error rate of less
than 10% in the last 30 days"): calls per day as bars with the running total as a line against the
1000-call mark, and the error rate per day against the 10% mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 600
HEIGHT = 180
PAD_LEFT = 44
PAD_RIGHT = 8
PAD_TOP = 10
PAD_BOTTOM = 22


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True, slots=True)
class Panel:
    bars: tuple[Bar, ...]
    line: str
    mark_y: float
    mark_label: str
    top_label: str
    first_date: str
    last_date: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_LEFT
    right: int = WIDTH - PAD_RIGHT
    bottom: int = HEIGHT - PAD_BOTTOM


def _scale(value: float, top: float) -> float:
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    return round(HEIGHT - PAD_BOTTOM - (value / top) * inner if top else HEIGHT - PAD_BOTTOM, 1)


def _slots(count: int) -> tuple[float, float]:
    step = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(count, 1)
    return step, max(step * 0.7, 1.0)


def calls_panel(rows: Sequence[dict[str, Any]], min_calls: int) -> Panel:
    """Bars: calls per day. Line: running total over the window. Mark: ``min_calls``."""
    running: list[int] = []
    total = 0
    for row in rows:
        total += int(row["calls"])
        running.append(total)
    top = max(min_calls * 1.15, total * 1.05, max((int(r["calls"]) for r in rows), default=0) * 1.05, 1)
    step, width = _slots(len(rows))
    bars, points = [], []
    for i, row in enumerate(rows):
        x = PAD_LEFT + i * step
        y = _scale(int(row["calls"]), top)
        bars.append(
            Bar(
                round(x + (step - width) / 2, 1),
                y,
                round(width, 1),
                round(HEIGHT - PAD_BOTTOM - y, 1),
                f"{row['date']}: {row['calls']} calls, {running[i]} in the window so far",
            )
        )
        points.append(f"{round(x + step / 2, 1)},{_scale(running[i], top)}")
    return Panel(
        tuple(bars),
        " ".join(points),
        _scale(min_calls, top),
        f"{min_calls} calls",
        f"{int(top)}",
        rows[0]["date"] if rows else "",
        rows[-1]["date"] if rows else "",
    )


def error_panel(rows: Sequence[dict[str, Any]], max_percent: int) -> Panel:
    """Bars: the error rate of each day with calls. Mark: ``max_percent``."""
    rates = [float(r["error_rate"]) * 100 for r in rows]
    top = max(max_percent * 1.5, max(rates, default=0) * 1.05, 1)
    step, width = _slots(len(rows))
    bars = []
    for i, row in enumerate(rows):
        if not int(row["calls"]):
            continue
        x = PAD_LEFT + i * step
        y = _scale(rates[i], top)
        bars.append(
            Bar(
                round(x + (step - width) / 2, 1),
                y,
                round(width, 1),
                round(HEIGHT - PAD_BOTTOM - y, 1),
                f"{row['date']}: {rates[i]:.1f}% errors ({row['errors']} of {row['calls']} calls)",
            )
        )
    return Panel(
        tuple(bars),
        "",
        _scale(max_percent, top),
        f"{max_percent}%",
        f"{top:.0f}%",
        rows[0]["date"] if rows else "",
        rows[-1]["date"] if rows else "",
    )
