"""Jinja filters for French figures: 3 011 344, 12,5 km, 99,2 %."""

from __future__ import annotations

import math

from flask import Flask


def fr_int(n) -> str:
    """Thousands separated by a space (kept on one line by the .nowrap class where it matters)."""
    return f"{int(n):,}".replace(",", " ")


def fr_km(x, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{x:.{digits}f}".replace(".", ",") + " km"


def fr_pct(share, digits: int = 1) -> str:
    return f"{100 * share:.{digits}f}".replace(".", ",") + " %"


def register_filters(app: Flask) -> None:
    app.add_template_filter(fr_int, "fr_int")
    app.add_template_filter(fr_km, "fr_km")
    app.add_template_filter(fr_pct, "fr_pct")
