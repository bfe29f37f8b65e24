"""Horizontal bar charts of the bilan, laid out for SVG: labels wrapped (never cut), bars sorted.

A chart is plain data (the template ``_chart.svg`` draws it, inline in the page or as a file to
download); the table next to it on the page gives the same figures.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

WIDTH = 760
LABEL_WIDTH = 330  # the labels' column, right-aligned at this x
BAR_MAX = 330  # longest bar
LINE = 16  # px per label line
CHARS = 42  # characters per label line at 13 px
PAD = 8


@dataclass(frozen=True)
class Bar:
    lines: tuple[str, ...]  # the label, wrapped
    value: int
    y: int  # top of the row
    height: int  # the row's height
    width: float  # the bar's length

    @property
    def label(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True)
class Chart:
    name: str  # file name and element ids: "reseaux"
    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int = LABEL_WIDTH


def wrap(label: str) -> tuple[str, ...]:
    """A label over as many lines as it needs (words kept whole)."""
    return tuple(textwrap.wrap(label, CHARS, break_long_words=False, break_on_hyphens=False)) or ("",)


def bar_chart(name: str, title: str, items: list[tuple[str, int]], ordered: bool = False) -> Chart:
    """Bars for (label, value) items, largest first unless the items are ``ordered`` (age bands…)."""
    if not ordered:
        items = sorted(items, key=lambda kv: -kv[1])
    top = max((v for _, v in items), default=0) or 1
    bars, y = [], 0
    for label, value in items:
        lines = wrap(label)
        height = max(26, LINE * len(lines) + PAD)
        bars.append(Bar(lines, value, y, height, round(BAR_MAX * value / top, 1)))
        y += height
    return Chart(name, title, tuple(bars), WIDTH, y + 4)
