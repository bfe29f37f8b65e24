"""The annual SPRO bilan: structures and sites by réseau and département, by cercle; people
received by genre, tranche d'âge and provenance; professionals trained.

Every figure is computed from two inputs: the served directory (networks, cercles,
départements, sites) and an activity table with one row per structure and year (CSV,
columns ``COLUMNS``). A structure belongs to the bilan of a year when it has a row for
that year; its sites are those of the served directory.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from finder.domain import vocab
from finder.domain.geography import Geography
from finder.domain.model import Directory
from finder.errors import FinderError, InvalidParameter

GENDERS = (("women", "Femmes"), ("men", "Hommes"), ("gender_unknown", "Non renseigné"))
AGES = (
    ("age_under_16", "Moins de 16 ans"),
    ("age_16_25", "16 à 25 ans"),
    ("age_26_44", "26 à 44 ans"),
    ("age_45_over", "45 ans et plus"),
    ("age_unknown", "Non renseigné"),
)
PROVENANCES = (
    ("from_epci", "Même intercommunalité que la structure"),
    ("from_department", "Reste du département"),
    ("from_region", "Reste de la région"),
    ("from_outside", "Hors région"),
    ("from_unknown", "Non renseignée"),
)
BREAKDOWNS = {"genre": GENDERS, "age": AGES, "provenance": PROVENANCES}
COUNTS = ("people", *(k for group in BREAKDOWNS.values() for k, _ in group), "professionals_trained")
COLUMNS = ("structure_id", "year", *COUNTS)
UNKNOWN = "?"  # network or département of a structure absent from the directory
UNKNOWN_LABEL = "Non renseigné"


class ActivityError(FinderError):
    status = 503
    code = "activity_unavailable"


@dataclass(frozen=True)
class ActivityRow:
    structure_id: str
    year: int
    counts: dict[str, int]


@dataclass(frozen=True)
class Activity:
    rows: tuple[ActivityRow, ...]

    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})

    def of_year(self, year: int) -> list[ActivityRow]:
        return [r for r in self.rows if r.year == year]


def load_activity(path: Path | str) -> Activity:
    """Read and check the activity CSV: known columns, counts >= 0 that add up, one row per structure and year."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ActivityError(f"Tableau d'activité {path.name} : colonnes manquantes : {', '.join(missing)}.")
            rows = [_row(raw, n) for n, raw in enumerate(reader, start=2)]
    except OSError as err:
        raise ActivityError(f"Tableau d'activité illisible : {path} ({err.strerror}).") from None
    seen: set[tuple[str, int]] = set()
    for r in rows:
        if (r.structure_id, r.year) in seen:
            raise ActivityError(f"Tableau d'activité : {r.structure_id} apparaît deux fois pour {r.year}.")
        seen.add((r.structure_id, r.year))
    return Activity(tuple(rows))


def _row(raw: dict, line: int) -> ActivityRow:
    try:
        counts = {c: int(raw[c]) for c in COUNTS}
        year = int(raw["year"])
    except (TypeError, ValueError):
        raise ActivityError(f"Tableau d'activité, ligne {line} : nombre entier attendu.") from None
    if any(v < 0 for v in counts.values()):
        raise ActivityError(f"Tableau d'activité, ligne {line} : nombre négatif.")
    for name, group in BREAKDOWNS.items():
        if sum(counts[k] for k, _ in group) != counts["people"]:
            raise ActivityError(f"Tableau d'activité, ligne {line} : la répartition par {name} ne fait pas le total.")
    return ActivityRow(raw["structure_id"].strip(), year, counts)


@dataclass(frozen=True)
class Table:
    """A small table of counts with French labels; rows and columns as (code, label).

    ``kind`` says which totals make sense: "cross" (one unit in every cell: row totals too),
    "summary" (columns of different units: column totals only), "shares" (one count per row:
    each row's share of the total).
    """

    title: str
    rows: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    cells: tuple[tuple[int, ...], ...]
    kind: str = "cross"

    def row_totals(self) -> list[int]:
        return [sum(r) for r in self.cells]

    def column_totals(self) -> list[int]:
        return [sum(col) for col in zip(*self.cells)] if self.cells else [0] * len(self.columns)

    def total(self) -> int:
        return sum(self.row_totals())

    def shares(self) -> list[float]:
        """Each row's share of the total (0–1), for "shares" tables."""
        total = self.total()
        return [(sum(r) / total if total else 0.0) for r in self.cells]


@dataclass(frozen=True)
class Bilan:
    year: int
    structures: int
    sites: int
    people: int
    professionals: int
    structures_by_network: Table  # réseau × département
    sites_by_network: Table  # réseau × département (site's commune)
    by_cercle: Table  # cercle × (structures, lieux, personnes, professionnels)
    by_network: Table  # réseau × (structures, lieux, personnes, professionnels)
    breakdowns: tuple[Table, ...]  # genre, âge, provenance: label × personnes
    people_by_department: Table  # département of the structure × personnes


SUMMARY_COLUMNS = (
    ("structures", "Structures"),
    ("sites", "Lieux d'accueil"),
    ("people", "Personnes accueillies"),
    ("professionals", "Professionnels formés"),
)


def compute(directory: Directory, geo: Geography, activity: Activity, year: int) -> Bilan:
    """The bilan of ``year`` from the served directory and the activity table."""
    if year not in activity.years():
        raise InvalidParameter(
            f"Aucune activité n'est connue pour l'année {year}.",
            field="annee",
            allowed=[str(y) for y in activity.years()],
        )
    rows = activity.of_year(year)
    by_id = {r.structure_id: r for r in rows}
    structs = {sid: directory.structures.get(sid) for sid in by_id}
    sites = [s for s in directory.sites if s.structure_id in by_id]
    network = {sid: s.network if s else UNKNOWN for sid, s in structs.items()}
    cercle = {sid: str(s.cercle) if s else UNKNOWN for sid, s in structs.items()}
    deps = tuple(sorted(geo.departments.items()))
    return Bilan(
        year=year,
        structures=len(rows),
        sites=len(sites),
        people=sum(r.counts["people"] for r in rows),
        professionals=sum(r.counts["professionals_trained"] for r in rows),
        structures_by_network=_cross(
            "Structures par réseau et département",
            [(network[sid], s.department if s else UNKNOWN) for sid, s in structs.items()],
            deps,
        ),
        sites_by_network=_cross(
            "Lieux d'accueil par réseau et département",
            [(network[s.structure_id], _site_department(geo, s.commune)) for s in sites],
            deps,
        ),
        by_cercle=_summary("Structures, lieux et activité par cercle", _cercle_labels(), cercle, by_id, sites),
        by_network=_summary("Structures, lieux et activité par réseau", _network_labels(), network, by_id, sites),
        breakdowns=tuple(_breakdown(name, group, rows) for name, group in BREAKDOWNS.items()),
        people_by_department=_people_by_department(rows, structs, deps),
    )


def _site_department(geo: Geography, insee: str) -> str:
    commune = geo.communes.get(insee)
    return commune.department if commune else UNKNOWN


def _network_labels() -> list[tuple[str, str]]:
    return [(n.code, n.label) for n in vocab.NETWORKS]


def _cercle_labels() -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in vocab.CERCLES.items()]


def _with_unknown(labels: list[tuple[str, str]], used) -> tuple[tuple[str, str], ...]:
    if UNKNOWN in used:
        labels = [*labels, (UNKNOWN, UNKNOWN_LABEL)]
    return tuple(labels)


def _cross(title: str, pairs: list[tuple[str, str]], deps) -> Table:
    rows = _with_unknown(_network_labels(), {a for a, _ in pairs})
    cols = _with_unknown(list(deps), {b for _, b in pairs})
    index = {(a, b): 0 for a, _ in rows for b, _ in cols}
    for pair in pairs:
        index[pair] += 1
    cells = tuple(tuple(index[(a, b)] for b, _ in cols) for a, _ in rows)
    return Table(title, rows, cols, cells)


def _summary(title: str, labels, key_of: dict[str, str], by_id: dict, sites) -> Table:
    rows = _with_unknown(labels, set(key_of.values()))
    acc = {code: [0, 0, 0, 0] for code, _ in rows}
    for sid, key in key_of.items():
        acc[key][0] += 1
        acc[key][2] += by_id[sid].counts["people"]
        acc[key][3] += by_id[sid].counts["professionals_trained"]
    for s in sites:
        acc[key_of[s.structure_id]][1] += 1
    return Table(title, rows, SUMMARY_COLUMNS, tuple(tuple(acc[code]) for code, _ in rows), kind="summary")


def _breakdown(name: str, group, rows: list[ActivityRow]) -> Table:
    titles = {
        "genre": "Personnes accueillies par genre",
        "age": "Personnes accueillies par tranche d'âge",
        "provenance": "Personnes accueillies par provenance",
    }
    cells = tuple((sum(r.counts[k] for r in rows),) for k, _ in group)
    return Table(titles[name], tuple(group), (("people", "Personnes accueillies"),), cells, kind="shares")


def _people_by_department(rows: list[ActivityRow], structs: dict, deps) -> Table:
    """People received by the département of the structure that received them."""
    labels = _with_unknown(list(deps), {s.department if s else UNKNOWN for s in structs.values()})
    acc = dict.fromkeys((code for code, _ in labels), 0)
    for r in rows:
        s = structs.get(r.structure_id)
        acc[s.department if s and s.department in acc else UNKNOWN] += r.counts["people"]
    cells = tuple((acc[code],) for code, _ in labels)
    title = "Personnes accueillies par département (de la structure)"
    return Table(title, labels, (("people", "Personnes accueillies"),), cells, kind="shares")
