"""Display-ready data for the pages and the widget (pure; French labels).

Turns engine results into plain dicts the templates render, and map points.
"""

from __future__ import annotations

import datetime as dt

from finder.domain import hours, vocab
from finder.domain.criteria import Criteria
from finder.domain.engine import Engine, Result
from finder.domain.model import Site
from finder.present import explain


def km(distance: float) -> str:
    """'850 m', '1,3 km', '24 km' (French decimal comma)."""
    if distance < 1:
        return f"{round(distance * 1000, -1):.0f} m"
    if distance < 10:
        return f"{distance:.1f} km".replace(".", ",")
    return f"{distance:.0f} km"


def site_card(engine: Engine, site: Site, now: dt.datetime) -> dict:
    structure = engine.structures[site.structure_id]
    commune = engine.geo.communes.get(site.commune)
    st = hours.status(site.opening_hours, site.closures, now)
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
        "website": site.website or structure.website,
        "accessible": site.accessible,
        "remote": "a-distance" in site.modes,
        "appointment": site.appointment,
        "levels": [vocab.label(vocab.LEVELS, lv) for lv in site.levels],
        "hours_known": st.known,
        "open_now": st.open_now,
        "today": st.today_text,
        "closure": st.closure,
        "next_opening": hours.format_when(st.next_opening, now) if st.next_opening and not st.open_now else None,
        "lat": site.lat,
        "lon": site.lon,
        "date_maj": site.date_maj,
    }


def result_cards(engine: Engine, results: list[Result], criteria: Criteria, now: dt.datetime) -> list[dict]:
    cards = []
    for rank, r in enumerate(results, 1):
        card = site_card(engine, r.site, now)
        card.update(
            rank=rank,
            distance=km(r.distance_km),
            distance_km=r.distance_km,
            in_territory=r.in_territory,
            why=explain.why(r.site, criteria, r.in_territory),
        )
        cards.append(card)
    return cards


def map_points(cards: list[dict], url_for_site) -> list[dict]:
    """Points for maps.results_map: plain text only (popups are built with textContent)."""
    return [
        {
            "lat": c["lat"],
            "lon": c["lon"],
            "name": c["name"],
            "rank": c.get("rank"),
            "url": url_for_site(c["id"]),
            "lines": [c["network"], f"{c['address']}, {c['postcode']} {c['commune']}"]
            + ([c["distance"]] if c.get("distance") else []),
        }
        for c in cards
    ]
