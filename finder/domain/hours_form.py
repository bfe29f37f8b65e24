"""A week of opening hours as a form (two slots a day) ↔ an OpenStreetMap ``opening_hours`` text,
and that text described in French words.

``from_form`` writes ``Mo-Fr 08:30-12:30,13:30-17:30; Sa 09:00-12:00; PH off`` from the
grid (consecutive days with the same slots grouped); ``to_form`` reads an expression back
into the grid when a plain week says it all (``simple``), else the form keeps the
expression as typed. ``describe`` gives « Du lundi au vendredi : 8 h 30 – 12 h 30 et
13 h 30 – 17 h 30 ; samedi : 9 h – 12 h ; fermé les jours fériés. » (a small renderer of
this form's own; the citizen pages have their own week table).
"""

from __future__ import annotations

import datetime as dt
import re

from finder.domain import hours

CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
SLOTS = 2
REFERENCE_MONDAY = dt.date(2026, 1, 12)  # a week without public holidays
SAMPLE_MONDAYS = tuple(dt.date(2026, m, 1) + dt.timedelta(days=(7 - dt.date(2026, m, 1).weekday()) % 7)
                       for m in (2, 3, 6, 9, 10, 11))  # fmt: skip
HOLIDAY, PLAIN_DAY = dt.date(2026, 7, 14), dt.date(2026, 7, 7)  # two Tuesdays: Fête nationale, and a week before
TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def field(day: str, slot: int, edge: str) -> str:
    """Form field name: ``h_Mo_1_start``."""
    return f"h_{day}_{slot}_{edge}"


def _week(expression: str, monday: dt.date) -> list[tuple]:
    return [tuple(intervals) for _, _, intervals in hours.week(expression, monday)]


def to_form(expression: str | None) -> dict:
    """The grid of an expression: ``{field: "HH:MM", "ph_off": bool, "simple": bool}``."""
    out: dict = {"ph_off": False, "simple": True}
    if not expression or not hours.is_valid(expression):
        out["simple"] = not expression
        return out
    week = _week(expression, REFERENCE_MONDAY)
    for code, intervals in zip(CODES, week):
        if len(intervals) > SLOTS:
            out["simple"] = False
        for slot, (start, end) in enumerate(intervals[:SLOTS], 1):
            out[field(code, slot, "start")], out[field(code, slot, "end")] = start, end
    out["ph_off"] = _closed_on_holidays(expression)
    rebuilt = from_form(out)[0] if out["simple"] else None
    if rebuilt is None or any(_week(rebuilt, m) != _week(expression, m) for m in SAMPLE_MONDAYS):
        out["simple"] = False
    return out


def _closed_on_holidays(expression: str) -> bool:
    oh = hours.parse(expression)
    return bool(hours.day_intervals(oh, PLAIN_DAY)) and not hours.day_intervals(oh, HOLIDAY)


def _minutes(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def from_form(values) -> tuple[str | None, dict[str, str]]:
    """(expression, errors by field): the grid as OSM text; "" when every day is empty."""
    errors: dict[str, str] = {}
    days: list[tuple[str, ...]] = []
    for code, name in zip(CODES, NAMES):
        slots, last_end = [], -1
        for slot in range(1, SLOTS + 1):
            start = (values.get(field(code, slot, "start")) or "").strip()
            end = (values.get(field(code, slot, "end")) or "").strip()
            if not start and not end:
                continue
            key = field(code, slot, "start")
            if not (TIME.fullmatch(start) and TIME.fullmatch(end)):
                errors[key] = f"{name.capitalize()} : heures attendues au format HH:MM (par exemple 08:30 et 12:00)."
                continue
            if _minutes(start) >= _minutes(end):
                errors[key] = f"{name.capitalize()} : l'heure de fin doit suivre l'heure de début."
                continue
            if _minutes(start) < last_end:
                errors[key] = f"{name.capitalize()} : la seconde plage doit commencer après la fin de la première."
                continue
            last_end = _minutes(end)
            slots.append(f"{start}-{end}")
        days.append(tuple(slots))
    if errors:
        return None, errors
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, slots in enumerate(days):
        if slots:
            groups.setdefault(slots, []).append(i)
    rules = [f"{_days_text(indices)} {','.join(slots)}" for slots, indices in groups.items()]
    if not rules:
        return "", {}
    if values.get("ph_off") in (True, "1", "on", "oui", "true"):
        rules.append("PH off")
    return "; ".join(rules), {}


def _days_text(indices: list[int]) -> str:
    """``Mo-Fr``, ``Tu,Th``, ``Mo-We,Fr``: days with the same slots, runs of three or more as ranges."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{CODES[run[0]]}-{CODES[run[-1]]}")
        else:
            parts.extend(CODES[i] for i in run)
    return ",".join(parts)


def equivalent(a: str | None, b: str | None) -> bool:
    """Whether two expressions open at the same times over the sample weeks and on a public holiday."""
    if (a or "") == (b or ""):
        return True
    if not (a and b and hours.is_valid(a) and hours.is_valid(b)):
        return False
    weeks = (REFERENCE_MONDAY, *SAMPLE_MONDAYS)
    same_weeks = all(_week(a, m) == _week(b, m) for m in weeks)
    return same_weeks and _closed_on_holidays(a) == _closed_on_holidays(b)


def _clock(text: str) -> str:
    h, m = text.split(":")
    return f"{int(h)} h" + (f" {m}" if m != "00" else "")


def describe(expression: str | None) -> str:
    """The week of an expression in French words."""
    if not expression:
        return "Horaires non renseignés."
    if not hours.is_valid(expression):
        return "Horaires illisibles : la syntaxe OpenStreetMap n'est pas respectée."
    week = _week(expression, REFERENCE_MONDAY)
    parts = []
    i = 0
    while i < 7:
        j = i
        while j + 1 < 7 and week[j + 1] == week[i]:
            j += 1
        if week[i]:
            when = NAMES[i] if i == j else f"du {NAMES[i]} au {NAMES[j]}" if j > i + 1 else f"{NAMES[i]} et {NAMES[j]}"
            slots = " et ".join(f"{_clock(a)} – {_clock(b)}" for a, b in week[i])
            parts.append(f"{when} : {slots}")
        i = j + 1
    if not parts:
        text = "Fermé toute la semaine"
    else:
        text = " ; ".join(parts)
        closed = [NAMES[k] for k in range(7) if not week[k]]
        if closed:
            text += " ; fermé le " + ", ".join(closed[:-1]) + (" et le " if len(closed) > 1 else "") + closed[-1]
    if _closed_on_holidays(expression):
        text += " ; fermé les jours fériés"
    if not to_form(expression)["simple"]:
        text += " (semaine type : d'autres règles s'appliquent certaines semaines)"
    return text[0].upper() + text[1:] + "."
