"""The Status & Review charts as plain geometry, drawn as inline SVG by the template (no script).

Two panels over the last 30 days (seed, Basic: "at least 1000 API calls with an error rate of less
than 10% in the last 30 days"): calls per day as bars with the running total as a line against the
1000-call mark, and the error rate per day against the 10% mark.

The y-axis scales to the data, with round gridlines (1, 2 or 5 times a power of ten), so a handful
of calls is not a flat line. The mark stays on the scale once the data reaches a quarter of it;
below that, the scale would be mostly empty, so the panel says the mark is above it instead. The
x-axis labels every seventh day back from today (the same weekday), besides the days' own titles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from adgate.words import counted

WIDTH = 480
HEIGHT = 190
PAD_LEFT = 40
PAD_RIGHT = 8
PAD_TOP = 18
PAD_BOTTOM = 24
#: Below this share of the mark, the data is drawn on its own scale and the mark said to be above.
MARK_IN_VIEW = 0.25
#: Gridlines wanted (at most; round steps may give fewer).
GRIDLINES = 4
#: Days between two labelled days on the x-axis.
LABEL_EVERY = 7


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True, slots=True)
class Panel:
    bars: tuple[Bar, ...]
    line: str
    #: Where the mark's dashed line is drawn; None when it is above the scale (``above`` says so).
    mark_y: float | None
    mark_label: str
    above: str
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    first_date: str
    last_date: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_LEFT
    right: int = WIDTH - PAD_RIGHT
    bottom: int = HEIGHT - PAD_BOTTOM

    @property
    def top(self) -> int:
        return PAD_TOP


def nice_top(value: float, *, integers: bool) -> tuple[float, float]:
    """``(top, step)`` of a scale that holds ``value``: ``step`` is 1, 2 or 5 times a power of ten
    (at least 1 for counts) and ``top`` the first multiple of it at or above ``value``."""
    raw = max(value, 1e-9) / GRIDLINES
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integers:
        step = max(step, 1)
    return max(math.ceil(value / step - 1e-9), 1) * step, step


def _scale(value: float, top: float) -> float:
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    return round(HEIGHT - PAD_BOTTOM - (value / top) * inner, 1)


def _slots(count: int) -> tuple[float, float]:
    step = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(count, 1)
    return step, max(step * 0.7, 1.0)


def _y_ticks(top: float, step: float, unit: str = "") -> tuple[Tick, ...]:
    n = round(top / step)
    return tuple(Tick(_scale(i * step, top), f"{i * step:g}{unit}") for i in range(n + 1))


def _x_ticks(rows: Sequence[dict[str, Any]]) -> tuple[Tick, ...]:
    step, _width = _slots(len(rows))
    ticks = []
    for i, row in enumerate(rows):
        if (len(rows) - 1 - i) % LABEL_EVERY:
            continue
        day = date.fromisoformat(str(row["date"]))
        ticks.append(Tick(round(PAD_LEFT + i * step + step / 2, 1), f"{day:%b} {day.day}"))
    return tuple(ticks)


def calls_panel(rows: Sequence[dict[str, Any]], min_calls: int) -> Panel:
    """Bars: calls per day. Line: running total over the window. Mark: ``min_calls``."""
    running: list[int] = []
    total = 0
    for row in rows:
        total += int(row["calls"])
        running.append(total)
    highest = max([total, *(int(r["calls"]) for r in rows), 1])
    in_view = highest >= min_calls * MARK_IN_VIEW
    top, step = nice_top(max(highest, min_calls) if in_view else highest, integers=True)
    slot, width = _slots(len(rows))
    bars, points = [], []
    for i, row in enumerate(rows):
        x = PAD_LEFT + i * slot
        y = _scale(int(row["calls"]), top)
        bars.append(
            Bar(
                round(x + (slot - width) / 2, 1),
                y,
                round(width, 1),
                round(HEIGHT - PAD_BOTTOM - y, 1),
                f"{row['date']}: {counted(int(row['calls']), 'call')}, {running[i]} in the window so far",
            )
        )
        points.append(f"{round(x + slot / 2, 1)},{_scale(running[i], top)}")
    label = f"{min_calls} calls"
    return Panel(
        tuple(bars),
        " ".join(points),
        _scale(min_calls, top) if in_view else None,
        label,
        "" if in_view else f"▲ {label}: above this scale",
        _y_ticks(top, step),
        _x_ticks(rows),
        rows[0]["date"] if rows else "",
        rows[-1]["date"] if rows else "",
    )


def error_panel(rows: Sequence[dict[str, Any]], max_percent: int) -> Panel:
    """Bars: the error rate of each day with calls. Mark: ``max_percent`` (always on the scale:
    rates stop at 100%)."""
    rates = [float(r["error_rate"]) * 100 for r in rows]
    top, step = nice_top(max([max_percent * 1.5, *rates]), integers=False)
    slot, width = _slots(len(rows))
    bars = []
    for i, row in enumerate(rows):
        if not int(row["calls"]):
            continue
        x = PAD_LEFT + i * slot
        y = _scale(rates[i], top)
        bars.append(
            Bar(
                round(x + (slot - width) / 2, 1),
                y,
                round(width, 1),
                round(HEIGHT - PAD_BOTTOM - y, 1),
                f"{row['date']}: {rates[i]:.1f}% errors "
                f"({row['errors']} of {counted(int(row['calls']), 'call')})",
            )
        )
    return Panel(
        tuple(bars),
        "",
        _scale(max_percent, top),
        f"{max_percent}%",
        "",
        _y_ticks(top, step, "%"),
        _x_ticks(rows),
        rows[0]["date"] if rows else "",
        rows[-1]["date"] if rows else "",
    )
