"""Validation of an import table, line by line and field by field, before anything is stored.

``validate_table`` returns one Draft per data row (its site and structure fields, the
position possibly missing) and a Report of errors (blocking) and warnings (publishable).
Cross-line checks: duplicate ids, structures described differently on two lines.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from finder.directory import checks, columns, positions
from finder.directory.checks import Problem
from finder.directory.report import Report
from finder.directory.tablefile import Table
from finder.domain import vocab
from finder.domain.geography import Geography

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
NETWORK_LABELS = {n.code: n.label for n in vocab.NETWORKS}
STATUS_LABELS = {t.code: t.label for t in vocab.STATUSES}
QUALIFICATION_LABELS = {t.code: t.label for t in vocab.QUALIFICATIONS}
MODE_LABELS = {t.code: t.label for t in vocab.MODES}
LANGUAGE_LABELS = {t.code: t.label for t in vocab.LANGUAGES}
LEVELS = {t.code for t in vocab.LEVELS}


# Columns whose check is a pure function of the cell (no warning, no other column): each distinct
# cell is checked once per file. Cells repeat (a structure on many lines, the same hours, publics).
MEMO_COLUMNS = (
    "telephone", "site_web", "horaires_accueil", "accessible_pmr", "modes_accueil", "sur_rendez_vous",
    "niveaux_service", "age_min", "age_max", "publics", "niveaux_qualification", "langues", "description",
    "fermetures", "structure_nom", "structure_reseau", "structure_cercle", "structure_site_web",
    "source_coordonnees",
)  # fmt: skip
_MISSING = object()


def _outcome(check, raw: str):
    """The check's value, or the Problem it raised (kept, not raised again: its message is reported)."""
    try:
        return check(raw)
    except Problem as p:
        return p


@dataclass(frozen=True)
class Options:
    today: dt.date
    tolerance_m: float = 500.0


@dataclass
class Draft:
    line: int
    site: dict
    structure: dict
    raw_structure: tuple[str, ...] = ()
    ok: bool = True
    needs_geocoding: bool = False


@dataclass
class _Territories:
    """Commune codes by EPCI and by département, to expand a territory."""

    by_epci: dict[str, list[str]] = field(default_factory=dict)
    by_department: dict[str, list[str]] = field(default_factory=dict)
    parsed: dict[str, tuple[str, ...] | Problem] = field(default_factory=dict)  # cell -> result, per file

    @classmethod
    def of(cls, geo: Geography) -> _Territories:
        t = cls()
        for c in sorted(geo.communes.values(), key=lambda c: c.insee):
            if c.kind == "ARM":
                continue
            if c.epci:
                t.by_epci.setdefault(c.epci, []).append(c.insee)
            t.by_department.setdefault(c.department, []).append(c.insee)
        return t

    def expand(self, raw: str, geo: Geography) -> tuple[str, ...]:
        """Commune codes of a territory cell; EPCI and départements are replaced by their communes."""
        out: dict[str, None] = {}
        unknown = []
        for code in (c.strip().upper() for c in raw.split(columns.LIST_SEPARATOR)):
            if not code:
                continue
            expanded = [code] if code in geo.communes else self.by_epci.get(code) or self.by_department.get(code)
            if not expanded:
                unknown.append(code)
            else:
                out.update(dict.fromkeys(expanded))
        if unknown:
            raise Problem(
                "unknown_territory",
                f"Codes inconnus en {geo.name} : {', '.join(unknown[:5])}"
                + (f" et {len(unknown) - 5} autre(s)" if len(unknown) > 5 else "")
                + " (codes INSEE de communes, SIREN d'EPCI ou départements attendus).",
            )
        return tuple(out)


def check_header(header: list[str], report: Report) -> bool:
    """Report duplicate, missing and unknown columns; False when the file cannot be read further."""
    fatal = False
    seen: set[str] = set()
    for name in header:
        if name in seen:
            report.error(1, name, "duplicate_column", f"Colonne « {name} » en double.", name)
            fatal = True
        seen.add(name)
    for name in header:
        if name and name not in columns.BY_NAME:
            hint = difflib.get_close_matches(name.lower(), columns.NAMES, n=1, cutoff=0.6)
            tail = f" Vouliez-vous dire « {hint[0]} » ?" if hint else " Elle est ignorée."
            report.warning(1, name, "unknown_column", f"Colonne inconnue « {name} ».{tail}", name)
    for name in columns.REQUIRED:
        if name not in seen:
            report.error(1, name, "missing_column", f"Colonne obligatoire absente : « {name} ».")
            fatal = True
    if ("latitude" in seen) != ("longitude" in seen):
        report.error(1, "latitude", "missing_column", "Les colonnes latitude et longitude vont ensemble.")
        fatal = True
    return not fatal


def validate_table(table: Table, geo: Geography, options: Options, progress=None) -> tuple[list[Draft], Report]:
    """Check every row; ``progress(done, total)`` is called every 1,000 rows."""
    report = Report(rows=len(table.rows))
    report.facts.update(format=table.kind, encoding=table.encoding, separator=table.separator)
    if not check_header(table.header, report):
        return [], report
    if not table.rows:
        report.error(0, None, "no_rows", "Le fichier ne contient aucune ligne de données.")
        return [], report
    for line in table.ragged:
        report.error(line, None, "extra_cells", "Cette ligne a plus de valeurs que l'en-tête n'a de colonnes.")
    territories = _Territories.of(geo)
    memo: dict[str, dict] = {name: {} for name in MEMO_COLUMNS}
    names = list(table.header)
    placed = _placed(table, geo)
    drafts = []
    for n, (line, cells) in enumerate(table.rows, 1):
        values = dict(zip(names, [c.strip() for c in cells]))  # (a duplicate column stopped at the header)
        drafts.append(RowParser(line, values, geo, options, report, territories, memo, placed).parse())
        if progress and (n % 1000 == 0 or n == len(table.rows)):
            progress(n, len(table.rows))
    _check_duplicates(drafts, report)
    _check_structures(drafts, report)
    return drafts, report


def _placed(table: Table, geo: Geography) -> dict[int, tuple[str, float, float]]:
    """Lines whose position lies inside the commune their code_insee names, found for the whole file in
    one vectorised call: line -> (insee, lat, lon). Each row's own check then needs no geometry when it
    reads the same three values (any other row, or any difference, gets the full ``positions.check``)."""
    index = {name: i for i, name in enumerate(table.header)}
    if not {"code_insee", "latitude", "longitude"} <= index.keys():
        return {}
    at_insee, at_lat, at_lon = index["code_insee"], index["latitude"], index["longitude"]
    candidates = []
    for line, cells in table.rows:
        try:
            lat, lon = checks.number(cells[at_lat]), checks.number(cells[at_lon])
        except Problem:
            continue
        candidates.append((line, cells[at_insee].strip().upper(), lat, lon))
    points = [(insee, lat, lon) for _, insee, lat, lon in candidates]
    hits = positions.inside(geo, points)
    return {line: point for (line, *_), point, hit in zip(candidates, points, hits) if hit}


def _check_duplicates(drafts: list[Draft], report: Report) -> None:
    first: dict[str, int] = {}
    for d in drafts:
        sid = d.site.get("id")
        if not sid:
            continue
        if sid in first:
            report.error(d.line, "id", "duplicate_id", f"Identifiant « {sid} » déjà utilisé ligne {first[sid]}.", sid)
            d.ok = False
        else:
            first[sid] = d.line


def _check_structures(drafts: list[Draft], report: Report) -> None:
    first: dict[str, Draft] = {}
    for d in drafts:
        sid = d.structure.get("id")
        if not sid:
            continue
        ref = first.setdefault(sid, d)
        if ref is d:
            continue
        for name, mine, theirs in zip(columns.STRUCTURE_COLUMNS, d.raw_structure, ref.raw_structure):
            if mine != theirs:
                report.error(
                    d.line,
                    name,
                    "structure_mismatch",
                    f"La structure « {sid} » est décrite autrement qu'à la ligne {ref.line} : « {mine} » ici, "
                    f"« {theirs} » ligne {ref.line}.",
                    mine,
                )
                d.ok = False
        d.structure = ref.structure


class RowParser:
    """Turns one row into site and structure fields, reporting every problem of the row."""

    def __init__(
        self,
        line,
        values,
        geo: Geography,
        options: Options,
        report: Report,
        territories: _Territories,
        memo: dict[str, dict] | None = None,
        placed: dict[int, tuple[str, float, float]] | None = None,
    ):
        self.line = line
        self.values = values  # column name -> cell, stripped
        self.geo = geo
        self.options = options
        self.report = report
        self.territories = territories
        self.memo = {} if memo is None else memo  # column -> {cell: value or Problem}, for MEMO_COLUMNS
        self.placed = placed or {}  # line -> (insee, lat, lon) known to lie inside that commune
        self.ok = True

    # -- reporting helpers -------------------------------------------------------------
    def raw(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str | None, code: str, message: str, value="") -> None:
        self.report.error(self.line, name, code, message, value)
        self.ok = False

    def warning(self, name: str | None, code: str, message: str, value="") -> None:
        self.report.warning(self.line, name, code, message, value)

    def get(self, name: str, check, default=None, required: bool = False):
        """Run ``check`` on the cell (empty: default, or an error when required)."""
        raw = self.values.get(name, "")
        if raw == "":
            if required:
                self.error(name, "required", f"Champ obligatoire vide : « {name} ».")
            return default
        known = self.memo.get(name)
        if known is None:
            result = _outcome(check, raw)
        else:
            result = known.get(raw, _MISSING)
            if result is _MISSING:
                result = known[raw] = _outcome(check, raw)
        if isinstance(result, Problem):
            self.error(name, result.code, result.message, raw)
            return default
        return result

    # -- the row ---------------------------------------------------------------------------
    def parse(self) -> Draft:
        site = self.site_fields()
        structure = self.structure_fields(site.get("commune"))
        raw_structure = tuple(self.raw(n) for n in columns.STRUCTURE_COLUMNS)
        draft = Draft(self.line, site, structure, raw_structure)
        self.position(draft)
        draft.ok = self.ok
        return draft

    def site_fields(self) -> dict:
        g = self.get
        site = {
            "id": g("id", self.identifier, required=True),
            "structure_id": self.structure_id(),
            "name": g("nom", lambda r: checks.text(r, 200), required=True),
            "address": g("adresse", lambda r: checks.text(r, 300), required=True),
            "postcode": g("code_postal", self.postcode, required=True),
            "commune": g("code_insee", self.insee, required=True),
            "phone": g("telephone", checks.phone),
            "email": g("courriel", checks.email),
            "website": g("site_web", checks.url),
            "opening_hours": g("horaires_accueil", checks.hours),
            "accessible": g("accessible_pmr", checks.boolean),
            "modes": g("modes_accueil", lambda r: checks.codes(r, vocab.MODE_CODES, MODE_LABELS), ("en-presentiel",)),
            "appointment": bool(g("sur_rendez_vous", checks.boolean, False)),
            "levels": g("niveaux_service", self.levels, (1,)),
            "age_min": g("age_min", lambda r: checks.integer(r, 0, 120)),
            "age_max": g("age_max", lambda r: checks.integer(r, 0, 120)),
            "statuses": g("publics", lambda r: checks.codes(r, vocab.STATUS_CODES, STATUS_LABELS), ()),
            "qualifications": g(
                "niveaux_qualification", lambda r: checks.codes(r, vocab.QUALIFICATION_CODES, QUALIFICATION_LABELS), ()
            ),
            "languages": g("langues", lambda r: checks.codes(r, vocab.LANGUAGE_CODES, LANGUAGE_LABELS), ()),
            "description": g("description", lambda r: checks.text(r, 2000, multiline=True), ""),
            "date_maj": g("date_maj", self.date_maj, required=True),
            "closures": g("fermetures", self.closures, ()),
        }
        self.cross_checks(site)
        self.hours_advice(site.get("opening_hours"))
        return site

    def structure_fields(self, commune: str | None) -> dict:
        g = self.get
        network = g("structure_reseau", lambda r: checks.code(r, vocab.NETWORK_CODES, NETWORK_LABELS), required=True)
        cercle = g("structure_cercle", lambda r: checks.integer(r, 1, 3))
        if cercle is None and network:
            cercle = vocab.NETWORKS_BY_CODE[network].cercle
        department = g("structure_departement", self.department)
        if department is None and commune in self.geo.communes:
            department = self.geo.communes[commune].department
        return {
            "id": self.raw("structure_id") or None,
            "name": g("structure_nom", lambda r: checks.text(r, 200), required=True),
            "network": network,
            "cercle": cercle,
            "department": department,
            "website": g("structure_site_web", checks.url),
            "territory": g("structure_zone_eligibilite", self.territory),
        }

    # -- field checks needing context ------------------------------------------------------
    def identifier(self, raw: str) -> str:
        if not ID.fullmatch(raw):
            raise Problem(
                "invalid_id", f"Identifiant invalide « {raw} » : lettres, chiffres, « - », « _ », « . », « : »."
            )
        return raw

    def structure_id(self) -> str | None:
        raw = self.raw("structure_id")
        if not raw:
            self.error("structure_id", "missing_structure", "Lieu sans structure : « structure_id » est vide.")
            return None
        try:
            return self.identifier(raw)
        except Problem as p:
            self.error("structure_id", p.code, p.message, raw)
            return None

    def padded(self, name: str, raw: str) -> str:
        if re.fullmatch(r"\d{4}", raw):
            self.warning(name, "leading_zero", f"« {raw} » complété en « 0{raw} » (zéro initial perdu).", raw)
            return "0" + raw
        return raw

    def postcode(self, raw: str) -> str:
        value = self.padded("code_postal", raw)
        if not re.fullmatch(r"\d{5}", value):
            raise Problem("invalid_postcode", f"Code postal invalide « {raw} » : 5 chiffres attendus.")
        return value

    def insee(self, raw: str) -> str:
        value = self.padded("code_insee", raw.upper())
        if value not in self.geo.communes:
            raise Problem("unknown_commune", f"Code INSEE « {raw} » inconnu en {self.geo.name}.")
        return value

    def department(self, raw: str) -> str:
        value = self.padded("structure_departement", raw) if len(raw) == 1 else raw
        value = "0" + value if re.fullmatch(r"\d", value) else value
        if value not in self.geo.departments:
            raise Problem(
                "unknown_department",
                f"Département « {raw} » hors {self.geo.name} : {', '.join(sorted(self.geo.departments))}.",
            )
        return value

    def levels(self, raw: str) -> tuple[int, ...]:
        return tuple(int(x) for x in checks.codes(raw, LEVELS))

    def date_maj(self, raw: str) -> str:
        value = checks.date(raw)
        day = dt.date.fromisoformat(value)
        if day > self.options.today:
            raise Problem("future_date", f"Date de vérification dans le futur : {value}.")
        if (self.options.today - day).days > 365:
            self.warning("date_maj", "stale", f"Informations non vérifiées depuis plus d'un an ({value}).", raw)
        return value

    def closures(self, raw: str) -> tuple[dict, ...]:
        out = []
        for part in raw.split(columns.CLOSURE_SEPARATOR):
            part = part.strip()
            if not part:
                continue
            m = re.fullmatch(r"(\S+)\s*/\s*(\S+)(?:\s+(.*))?", part, flags=re.S)
            if not m:
                raise Problem(
                    "invalid_closure", f"Fermeture illisible « {part} » : attendu « AAAA-MM-JJ/AAAA-MM-JJ motif »."
                )
            start, end = checks.date(m[1]), checks.date(m[2])
            if end < start:
                raise Problem("invalid_closure", f"Fermeture « {part} » : la fin précède le début.")
            out.append({"start": start, "end": end, "reason": checks.text(m[3] or "", 200)})
        return tuple(out)

    def territory(self, raw: str) -> tuple[str, ...]:
        cached = self.territories.parsed.get(raw)
        if cached is None:
            try:
                cached = self.territories.expand(raw, self.geo)
            except Problem as p:
                cached = p
            self.territories.parsed[raw] = cached
        if isinstance(cached, Problem):
            raise cached
        return cached

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
        if name and checks.slug(name) != checks.slug(commune.name):
            self.warning(
                "commune", "commune_name", f"Nom « {name} » différent de celui du code INSEE : {commune.name}.", name
            )

    def hours_advice(self, expression: str | None) -> None:
        """Warnings (not errors) on valid hours: overridden rules, cancelled exceptions, holidays unstated."""
        for code, message in checks.hours_warnings(expression) if expression else ():
            self.warning("horaires_accueil", code, message, expression)

    def position(self, draft: Draft) -> None:
        lat = self.get("latitude", checks.number)
        lon = self.get("longitude", checks.number)
        given = bool(self.raw("latitude")), bool(self.raw("longitude"))
        source = self.get("source_coordonnees", lambda r: checks.code(r, {"ban", "commune"}))
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
