"""Display-ready data for the pages and the widget (pure; French labels).

Turns engine results into plain dicts the templates render, and map points.
"""

from __future__ import annotations

import datetime as dt

from finder.domain import hours, vocab
from finder.domain.criteria import Criteria
from finder.domain.engine import Engine, Origin, Result
from finder.domain.model import Site
from finder.present import explain
from finder.text import N_, first_letter, join


def km(distance: float) -> str:
    """'850 m', '1,3 km', '24 km' (French decimal comma)."""
    if distance < 1:
        return f"{round(distance * 1000, -1):.0f} m"
    if distance < 10:
        return f"{distance:.1f} km".replace(".", ",")
    return f"{distance:.0f} km"


def state_class(st: hours.Status) -> str:
    """The CSS modifier of a status headline: open, closed, call (holiday: call first) or unknown."""
    if st.closure or (st.known and not st.call_first and not st.open_now):
        return "closed"
    if st.call_first:
        return "call"
    return "open" if st.open_now else "unknown"


def iso_in_words(iso: str | None) -> str:
    """'2026-03-22' -> '22 mars 2026' ('' for None)."""
    return hours.format_date(dt.date.fromisoformat(iso)) if iso else ""


def directions_url(template: str, to: tuple[float, float], start: tuple[float, float] | None = None) -> str:
    """A directions link from the configured template: ``{from}`` and ``{to}`` become « lat,lon »
    (comma URL-encoded; ``{from}`` empty without a start). Positions are (lat, lon)."""

    def point(p):
        return f"{p[0]:.5f}%2C{p[1]:.5f}" if p else ""

    return template.replace("{from}", point(start)).replace("{to}", point(to))


def site_card(engine: Engine, site: Site, now: dt.datetime) -> dict:
    structure = engine.structures[site.structure_id]
    commune = engine.geo.communes.get(site.commune)
    st = hours.status(site.opening_hours, site.closures, now)
    website = site.website or structure.website
    return {
        "id": site.id,
        "name": site.name,
        "structure": structure.name,
        "network": vocab.NETWORKS_BY_CODE[structure.network].label
        if structure.network in vocab.NETWORKS_BY_CODE
        else structure.network,
        "network_code": structure.network,
        "address": site.address,
        "postcode": site.postcode,
        "commune": commune.name if commune else site.commune,
        "phone": site.phone,
        "email": site.email,
        "website": website,
        "accessible": site.accessible,
        "remote": "a-distance" in site.modes,
        "languages": join(", ", [explain.language_name(x) for x in site.languages if x != "fr"]),
        "appointment": site.appointment,
        "appointment_how": explain.appointment(site, website),
        "who": explain.who(site),
        "levels": [vocab.label(vocab.LEVELS, lv) for lv in site.levels],
        "level_codes": sorted(site.levels),
        "hours_known": st.known,
        "open_now": st.open_now,
        "headline": st.headline,  # « Ouvert maintenant », « Jour férié : appelez avant »…
        "state": state_class(st),
        "call_first": st.call_first,
        "holiday": st.holiday,
        "today": st.today_text,
        "closure": st.closure,
        "closure_until": iso_in_words(st.closure.end) if st.closure else "",
        "next_opening": hours.format_when(st.next_opening, now) if st.next_opening and not st.open_now else None,
        "lat": site.lat,
        "lon": site.lon,
        "date_maj": site.date_maj,
    }


def result_cards(
    engine: Engine,
    results: list[Result],
    criteria: Criteria,
    now: dt.datetime,
    origin: Origin | None = None,
    directions: str | None = None,
    origin_name: str = "",
) -> list[dict]:
    """Cards of ranked results; ``directions``: the link template (``directions_url``) from ``origin``."""
    cards = []
    commune = origin.commune.name if origin and origin.commune else None
    for rank, r in enumerate(results, 1):
        card = site_card(engine, r.site, now)
        network = engine.structures[r.site.structure_id].network
        card.update(
            rank=rank,
            distance=km(r.distance_km),
            distance_km=r.distance_km,
            in_territory=r.in_territory,
            competent=r.competent,
            yours=explain.yours(network) if r.competent else None,
            sector=explain.sector(r.in_territory, commune),
            why=explain.why(r.site, criteria),
        )
        if directions and origin:
            card["directions"] = directions_url(directions, (r.site.lat, r.site.lon), (origin.lat, origin.lon))
            card["directions_from"] = origin_name
        cards.append(card)
    return cards


def _marker_title(card: dict) -> str:
    """« 1. Mission locale Aurillac – siège — 2,3 km »: a marker named after its place and distance."""
    rank = f"{card['rank']}. " if card.get("rank") else ""
    distance = [" — ", card["distance"]] if card.get("distance") else []
    return join("", [rank, card["name"], *distance])


def map_points(cards: list[dict], url_for_site) -> list[dict]:
    """Points for maps.results_map: plain text only (popups are built with textContent)."""
    return [
        {
            "lat": c["lat"],
            "lon": c["lon"],
            "name": c["name"],
            "title": _marker_title(c),
            "rank": c.get("rank"),
            "url": url_for_site(c["id"]),
            "lines": [c["network"], f"{c['address']}, {c['postcode']} {c['commune']}"]
            + ([c["distance"]] if c.get("distance") else []),
        }
        for c in cards
    ]


def usual_hours(expression: str | None, start: dt.date) -> list[str]:
    """An opening_hours expression in French lines, days with the same hours grouped:
    « Du lundi au vendredi : 8 h 30 – 12 h 30 », « Samedi et dimanche : fermé », dated
    exceptions, then public holidays. Empty when the hours are unknown or invalid."""
    described = hours.describe(expression, start)
    if described is None:
        return []
    groups: dict[str, list[int]] = {}
    for day in described.days:
        groups.setdefault(day.text, []).append(day.weekday)
    closed = groups.pop(hours.CLOSED, None)  # days closed said last
    lines = [N_("%(days)s : %(hours)s", days=hours.weekdays_text(days), hours=text) for text, days in groups.items()]
    if closed:
        lines.append(N_("%(days)s : %(hours)s", days=hours.weekdays_text(closed), hours=hours.CLOSED))
    lines += list(described.exceptions) + [described.holidays]
    return [first_letter(line, "upper") for line in lines]
