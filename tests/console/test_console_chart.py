"""The Status & Review charts' geometry: a y-axis that fits the data, days labelled across the window."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from adgate.web.console.chart import calls_panel, error_panel, nice_top
from adgate.words import counted


def _rows(calls: list[int], errors: list[int] | None = None) -> list[dict[str, Any]]:
    first = date(2026, 11, 5)
    errs = errors or [0] * len(calls)
    return [
        {
            "date": (first + timedelta(days=i)).isoformat(),
            "calls": c,
            "errors": e,
            "error_rate": round(e / c, 4) if c else 0.0,
        }
        for i, (c, e) in enumerate(zip(calls, errs, strict=True))
    ]


@pytest.mark.parametrize(
    ("value", "integers", "expected"),
    [
        (1, True, (1, 1)),
        (4, True, (4, 1)),
        (7, True, (8, 2)),
        (1000, True, (1000, 500)),
        (1150, True, (1500, 500)),
        (15.0, False, (15.0, 5.0)),
        (52.5, False, (60.0, 20.0)),
        (0.0, True, (1, 1)),
    ],
)
def test_nice_top_rounds_up_to_a_round_step(
    value: float, integers: bool, expected: tuple[float, float]
) -> None:
    assert nice_top(value, integers=integers) == expected


def test_low_volume_fills_the_chart_and_says_the_mark_is_above() -> None:
    panel = calls_panel(_rows([0] * 29 + [4]), 1000)
    assert [t.label for t in panel.y_ticks] == ["0", "1", "2", "3", "4"]
    assert panel.mark_y is None and "1000 calls" in panel.above
    last = panel.bars[-1]
    assert last.y == panel.top  # the day's 4 calls reach the top of the scale: not a flat line
    assert last.title.endswith(": 4 calls, 4 in the window so far")


def test_the_mark_is_on_the_scale_once_the_data_nears_it() -> None:
    panel = calls_panel(_rows([20] * 15 + [0] * 15), 1000)  # 300 calls: over a quarter of the mark
    assert panel.mark_y is not None and panel.above == ""
    assert panel.y_ticks[-1].label == "1000"
    busy = calls_panel(_rows([100] * 30), 1000)  # 3000 calls: the scale grows past the mark
    assert busy.y_ticks[-1].label == "3000" and busy.mark_y is not None and busy.mark_y > busy.top


def test_days_are_labelled_across_the_window() -> None:
    panel = calls_panel(_rows([1] * 30), 1000)
    assert [t.label for t in panel.x_ticks] == ["Nov 6", "Nov 13", "Nov 20", "Nov 27", "Dec 4"]
    assert panel.bars[0].title == "2026-11-05: 1 call, 1 in the window so far"


def test_the_error_rate_scale_keeps_the_ten_percent_line() -> None:
    calm = error_panel(_rows([10] * 30), 10)
    assert calm.mark_y is not None and calm.y_ticks[-1].label == "15%"
    bad = error_panel(_rows([0] * 29 + [4], [0] * 29 + [2]), 10)
    assert bad.y_ticks[-1].label == "60%" and bad.mark_y is not None
    assert bad.bars[-1].title == "2026-12-04: 50.0% errors (2 of 4 calls)"


def test_counted_agrees_with_the_number() -> None:
    assert counted(1, "call") == "1 call"
    assert counted(0, "call") == "0 calls"
    assert counted(2, "system user") == "2 system users"
    assert counted(1, "person", "people") == "1 person"
    assert counted(3, "person", "people") == "3 people"
    assert counted(1.5, "day") == "1.5 days"
    assert counted(1.0, "hour") == "1 hour"
