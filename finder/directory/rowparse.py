"""One import row turned into site and structure fields, every problem of the row reported.

A ``RowParser`` is made once per file: it finds each column's place in the header once and keeps,
for the columns whose cells repeat (codes, hours, structures, communes…), the outcome of each
distinct cell as written (``FileChecks.outcome``: its value, or the warnings and error it deserves).
A cell's warnings and error are reported again on every line holding it, with that line's number,
in the order the row is read (site columns, the checks across them, structure columns, position).
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.directory import checks, columns, positions
from finder.directory.cellchecks import FileChecks, Flagged, Options
from finder.directory.checks import Problem
from finder.directory.report import Report
from finder.domain import vocab
from finder.domain.geography import Geography


@dataclass(slots=True)
class Draft:
    line: int
    site: dict
    structure: dict
    raw_structure: tuple[str, ...] = ()
    ok: bool = True
    needs_geocoding: bool = False


# (column, check: a FileChecks attribute or a function of the cell, default when empty, required, repeated):
# a column of repeated cells keeps each distinct cell's outcome for the next line holding it.
SITE_FIELDS = {
    "id": ("id", "identifier", None, True, False),
    "structure_id": ("structure_id", "identifier", None, True, True),
    "name": ("nom", "name", None, True, False),
    "address": ("adresse", "address", None, True, False),
    "postcode": ("code_postal", "postcode", None, True, True),
    "commune": ("code_insee", "insee", None, True, True),
    "phone": ("telephone", checks.phone, None, False, True),
    "email": ("courriel", checks.email, None, False, False),
    "website": ("site_web", checks.url, None, False, True),
    "opening_hours": ("horaires_accueil", checks.hours, None, False, True),
    "accessible": ("accessible_pmr", checks.boolean, None, False, True),
    "modes": ("modes_accueil", "modes", ("en-presentiel",), False, True),
    "appointment": ("sur_rendez_vous", checks.boolean, False, False, True),
    "levels": ("niveaux_service", "levels", (1,), False, True),
    "age_min": ("age_min", "age", None, False, True),
    "age_max": ("age_max", "age", None, False, True),
    "statuses": ("publics", "statuses", (), False, True),
    "qualifications": ("niveaux_qualification", "qualifications", (), False, True),
    "languages": ("langues", "languages", (), False, True),
    "description": ("description", "description", "", False, True),
    "date_maj": ("date_maj", "date_maj", None, True, True),
    "closures": ("fermetures", "closures", (), False, True),
}  # fmt: skip
SITE_KEYS = tuple(SITE_FIELDS)
STRUCTURE_FIELDS = (  # in the order structure_fields reads them
    ("structure_reseau", "network", None, True, True),
    ("structure_cercle", "cercle", None, False, True),
    ("structure_departement", "department", None, False, True),
    ("structure_nom", "name", None, True, True),
    ("structure_site_web", checks.url, None, False, True),
    ("structure_zone_eligibilite", "territory", None, False, True),
)  # fmt: skip
COORDINATES = (("latitude", checks.number, None, False, False), ("longitude", checks.number, None, False, False))
SOURCE = (("source_coordonnees", "position_source", None, False, True),)
MISSING = {"structure_id": ("missing_structure", "Lieu sans structure : « structure_id » est vide.")}
_UNSEEN = object()


class RowParser:
    """Parses the rows of one file (``parse``), reporting to ``report``."""

    def __init__(
        self,
        header: list[str],
        geo: Geography,
        options: Options,
        report: Report,
        coordinates: dict[int, tuple[float, float]] | None = None,
        placed: dict[int, tuple[str, float, float]] | None = None,
    ):
        self.index = {}
        for i, name in enumerate(header):
            self.index[name] = i  # a duplicate column stopped at the header
        self.geo = geo
        self.options = options
        self.report = report
        self.checks = FileChecks(geo, options)
        self.site = [self._entry(*f) for f in SITE_FIELDS.values()]
        self.structure = [self._entry(*f) for f in STRUCTURE_FIELDS]
        self.coordinates_entries = [self._entry(*f) for f in COORDINATES]
        self.source = [self._entry(*f) for f in SOURCE]
        self.structure_at = [self.index.get(name, -1) for name in columns.STRUCTURE_COLUMNS]
        self.coordinates = coordinates or {}  # line -> (lat, lon) when both cells are numbers
        self.placed = placed or {}  # line -> (insee, lat, lon) known to lie inside that commune
        self.slugs: dict[str, str] = {}
        self.line, self.cells, self.ok = 0, [], True

    def _entry(self, column: str, check, default, required: bool, memo: bool) -> tuple:
        """(column, its index or -1, check, default, (code, message) when required, outcomes by cell or None)."""
        check = getattr(self.checks, check) if isinstance(check, str) else check
        missing = MISSING.get(column, ("required", f"Champ obligatoire vide : « {column} »."))
        return column, self.index.get(column, -1), check, default, missing if required else None, {} if memo else None

    # -- reporting helpers -------------------------------------------------------------
    def raw(self, name: str) -> str:
        i = self.index.get(name, -1)
        return self.cells[i].strip() if i >= 0 else ""

    def error(self, name: str | None, code: str, message: str, value="") -> None:
        self.report.error(self.line, name, code, message, value)
        self.ok = False

    def warning(self, name: str | None, code: str, message: str, value="") -> None:
        self.report.warning(self.line, name, code, message, value)

    def values(self, entries: list[tuple]) -> list:
        """The checked values of the entries' cells (empty: default, or an error when required), the
        warnings and errors of each cell reported in the entries' order."""
        cells, out = self.cells, []
        for entry in entries:
            at, known = entry[1], entry[5]
            cell = cells[at] if at >= 0 else ""
            result = _UNSEEN if known is None else known.get(cell, _UNSEEN)
            if result is _UNSEEN:
                result = self.resolve(entry, cell)
            if type(result) is Flagged:
                result = self.flagged(entry, cell, result)
            out.append(result)
        return out

    def resolve(self, entry: tuple, cell: str):
        """The outcome of a cell (kept for the next line holding it, in a column of repeated cells)."""
        _, _, check, default, missing, known = entry
        raw = cell.strip()
        if raw:
            result = self.checks.outcome(check, raw)
        else:
            result = Flagged(None, (), missing) if missing else default
        if known is not None:
            known[cell] = result
        return result

    def flagged(self, entry: tuple, cell: str, result: Flagged):
        """Report a flagged outcome on this line: its warnings, then its error (the value is then the default)."""
        for warning in result.warnings:
            self.warning(*warning)
        if result.problem:
            self.error(entry[0], *result.problem, cell.strip())
            return entry[3]
        return result.value

    # -- the row ---------------------------------------------------------------------------
    def parse(self, line: int, cells: list[str]) -> Draft:
        self.line, self.cells, self.ok = line, cells, True
        site = self.site_fields()
        structure = self.structure_fields(site["commune"])
        raw_structure = tuple([cells[i].strip() if i >= 0 else "" for i in self.structure_at])
        draft = Draft(line, site, structure, raw_structure)
        self.position(draft)
        draft.ok = self.ok
        return draft

    def site_fields(self) -> dict:
        site = dict(zip(SITE_KEYS, self.values(self.site)))
        self.cross_checks(site)
        self.hours_advice(site["opening_hours"])
        return site

    def structure_fields(self, commune: str | None) -> dict:
        network, cercle, department, name, website, territory = self.values(self.structure)
        if cercle is None and network:
            cercle = vocab.NETWORKS_BY_CODE[network].cercle
        if department is None and commune in self.geo.communes:
            department = self.geo.communes[commune].department
        return {
            "id": self.raw("structure_id") or None,
            "name": name,
            "network": network,
            "cercle": cercle,
            "department": department,
            "website": website,
            "territory": territory,
        }

    def slug(self, text: str) -> str:
        known = self.slugs.get(text)
        if known is None:
            known = self.slugs[text] = checks.slug(text)
        return known

    def cross_checks(self, site: dict) -> None:
        if site["age_min"] is not None and site["age_max"] is not None and site["age_min"] > site["age_max"]:
            self.error("age_max", "age_range", f"Âge maximum {site['age_max']} inférieur à l'âge minimum.")
        commune = self.geo.communes.get(site["commune"] or "")
        if commune is None:
            return
        if site["postcode"] and site["postcode"] not in commune.postcodes:
            self.error(
                "code_postal",
                "postcode_mismatch",
                f"Le code postal {site['postcode']} n'appartient pas à {commune.name} ({commune.insee}) : "
                f"{', '.join(commune.postcodes)} attendu.",
                site["postcode"],
            )
        name = self.raw("commune")
        if name and self.slug(name) != self.slug(commune.name):
            self.warning(
                "commune", "commune_name", f"Nom « {name} » différent de celui du code INSEE : {commune.name}.", name
            )

    def hours_advice(self, expression: str | None) -> None:
        """Warnings (not errors) on valid hours: overridden rules, cancelled exceptions, holidays unstated."""
        for code, message in checks.hours_warnings(expression) if expression else ():
            self.warning("horaires_accueil", code, message, expression)

    def position(self, draft: Draft) -> None:
        both = self.coordinates.get(self.line)  # else a cell empty or not a number: reported as such
        lat, lon = both if both is not None else self.values(self.coordinates_entries)
        (source,) = self.values(self.source)
        given = bool(self.raw("latitude")), bool(self.raw("longitude"))
        if given == (False, False):
            draft.needs_geocoding = True
            return
        if given != (True, True):
            self.error("longitude" if given[0] else "latitude", "required", "Latitude et longitude vont ensemble.")
            return
        draft.site.update(lat=lat, lon=lon, position_source=source)
        insee = draft.site["commune"]
        if lat is None or lon is None or insee is None:
            return
        try:
            if self.placed.get(self.line) != (insee, lat, lon):  # else inside the commune: nothing to say
                positions.check(self.geo, insee, lat, lon, self.options.tolerance_m)
        except Problem as p:
            self.error("latitude", p.code, p.message, f"{self.raw('latitude')} ; {self.raw('longitude')}")
        if source == "commune":
            self.warning("source_coordonnees", "approximate_position", "Position approximative : centre de la commune.")
