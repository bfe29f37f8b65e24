"""« Où labelliser ? » for field staff: each suggestion's reasoning in plain words, a CSV and a map.

A suggestion (finder.domain.planning.Step) is a commune where a new site, open to the profile, would
bring the most people within the threshold once the earlier suggestions are made. Points are (lat, lon)
for Folium; the CSV opens as is in a French spreadsheet (finder.directory.spreadsheet).
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.directory.spreadsheet import csv_text, decimal
from finder.domain.coverage import Communes
from finder.domain.geography import Commune
from finder.domain.model import Site
from finder.domain.planning import Step
from finder.present import coverage_map, maps

CSV_HEADER = (
    "Étape",
    "Code INSEE",
    "Commune",
    "Département",
    "EPCI",
    "Population de la commune",
    "Population gagnée",
    "Communes gagnées",
    "Part de la population couverte après (%)",
    "Raison",
)


def fr_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def fr_pct(share: float) -> str:
    return f"{100 * share:.1f}".replace(".", ",") + "\u00a0%"


def fr_km(km: float) -> str:
    return f"{km:g}".replace(".", ",") + "\u00a0km"


@dataclass(frozen=True)
class Suggestion:
    rank: int
    step: Step
    commune: Commune
    department: str  # its name
    epci: str | None  # its name
    reason: str


def reason(rank: int, step: Step, commune: Commune, department: str, max_km: float) -> str:
    """Why this commune, in plain words: « Un lieu à Saint-Flour (Cantal) mettrait 6 543 habitants de
    12 communes de plus à moins de 20 km d'un lieu adapté ; la couverture passerait à 93,4 %. »"""
    n = step.communes_gained
    communes = f"{n} commune{'s' if n > 1 else ''}"
    after = "" if rank == 1 else ", en plus des suggestions précédentes (leurs habitants ne sont pas comptés deux fois)"
    return (
        f"Un lieu à {commune.name} ({department}) mettrait {fr_int(step.gained)} habitants de {communes} de plus "
        f"à moins de {fr_km(max_km)} d'un lieu adapté{after} ; la couverture passerait à {fr_pct(step.share_covered)}."
    )


def suggestions(steps: list[Step], communes: Communes, department_name, max_km: float) -> list[Suggestion]:
    out = []
    for rank, step in enumerate(steps, 1):
        c = communes.items[step.commune]
        dep = department_name(c.department)
        out.append(Suggestion(rank, step, c, dep, communes.epci_name(c.epci), reason(rank, step, c, dep, max_km)))
    return out


def to_csv(items: list[Suggestion]) -> str:
    rows = [
        [
            s.rank,
            s.commune.insee,
            s.commune.name,
            s.department,
            s.epci or "",
            s.commune.population,
            s.step.gained,
            s.step.communes_gained,
            decimal(100 * s.step.share_covered, 1),
            s.reason,
        ]
        for s in items
    ]
    return csv_text(rows, CSV_HEADER)


def suggestions_map(
    items: list[Suggestion], sites: list[Site], tiles: tuple[str, str], site_url, site_lines=None
) -> maps.RenderedMap:
    """The suggested communes as numbered markers over the sites that already match."""
    points = [
        {
            "lat": s.commune.ref_lat,
            "lon": s.commune.ref_lon,
            "name": f"{s.commune.name} — suggestion {s.rank}",
            "title": f"Suggestion {s.rank} : {s.commune.name}, {fr_int(s.step.gained)} habitants de plus",
            "rank": s.rank,
            "kind": "suggestion",
            "lines": [s.reason],
        }
        for s in items
    ]
    everything = [(p["lat"], p["lon"]) for p in points] + [(s.lat, s.lon) for s in sites]
    m = maps.base_map(everything[0] if everything else (45.7, 4.6), 8, *tiles)
    m.options["prefer_canvas"] = True
    coverage_map.sites_layer(sites, site_url, site_lines).add_to(m)
    if points:
        maps.points_layer(points, "Communes suggérées").add_to(m)
        lats, lons = [p["lat"] for p in points], [p["lon"] for p in points]
        if len(points) > 1:
            m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30))
    return maps.render(m)
