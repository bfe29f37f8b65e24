"""The checks of an import file's cells, bound once per file to its context (geography, today's date).

Every check is a function of the cell alone once the file is known: the same cell always gives the
same value, the same warnings and the same error, whatever its line. ``FileChecks.outcome`` runs a
check and returns its value, or a ``Flagged`` outcome holding what the report must hear (warnings
raised while checking, then the problem) so that it can be reported again, with its own line
number, on every line where the cell occurs (the row parser keeps one outcome per distinct cell).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from finder.directory import checks, columns
from finder.directory.checks import Problem
from finder.domain import vocab
from finder.domain.geography import Geography

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
FOUR_DIGITS = re.compile(r"\d{4}")
FIVE_DIGITS = re.compile(r"\d{5}")
ONE_DIGIT = re.compile(r"\d")
CLOSURE = re.compile(r"(\S+)\s*/\s*(\S+)(?:\s+(.*))?", flags=re.S)
NETWORK_LABELS = {n.code: n.label for n in vocab.NETWORKS}
STATUS_LABELS = {t.code: t.label for t in vocab.STATUSES}
QUALIFICATION_LABELS = {t.code: t.label for t in vocab.QUALIFICATIONS}
MODE_LABELS = {t.code: t.label for t in vocab.MODES}
LANGUAGE_LABELS = {t.code: t.label for t in vocab.LANGUAGES}
LEVELS = {t.code for t in vocab.LEVELS}


@dataclass(frozen=True)
class Options:
    today: dt.date
    tolerance_m: float = 500.0


class Flagged:
    """A check's outcome the report must hear about: the warnings raised while checking, as
    (field, code, message, value), then the problem as (code, message), or None with the value."""

    __slots__ = ("value", "warnings", "problem")

    def __init__(self, value, warnings: tuple[tuple[str, str, str, str], ...], problem: tuple[str, str] | None):
        self.value = value
        self.warnings = warnings
        self.problem = problem


@dataclass
class Territories:
    """Commune codes by EPCI and by département, to expand a territory."""

    by_epci: dict[str, list[str]] = field(default_factory=dict)
    by_department: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, geo: Geography) -> Territories:
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


class FileChecks:
    """The checks needing the file's context; ``outcome`` runs any check (these or ``checks``' own)."""

    def __init__(self, geo: Geography, options: Options):
        self.geo = geo
        self.options = options
        self._territories: Territories | None = None  # built for the first territory cell
        self._warned: list[tuple[str, str, str, str]] = []

    def outcome(self, check, raw: str):
        """The check's value, or a Flagged outcome when it warned or raised a Problem."""
        self._warned.clear()
        try:
            value, problem = check(raw), None
        except Problem as p:
            value, problem = None, (p.code, p.message)
        if problem is None and not self._warned:
            return value
        return Flagged(value, tuple(self._warned), problem)

    def warn(self, name: str, code: str, message: str, value: str) -> None:
        self._warned.append((name, code, message, value))

    # -- the checks ------------------------------------------------------------------------------
    def identifier(self, raw: str) -> str:
        if not ID.fullmatch(raw):
            raise Problem(
                "invalid_id", f"Identifiant invalide « {raw} » : lettres, chiffres, « - », « _ », « . », « : »."
            )
        return raw

    def padded(self, name: str, raw: str) -> str:
        if FOUR_DIGITS.fullmatch(raw):
            self.warn(name, "leading_zero", f"« {raw} » complété en « 0{raw} » (zéro initial perdu).", raw)
            return "0" + raw
        return raw

    def postcode(self, raw: str) -> str:
        value = self.padded("code_postal", raw)
        if not FIVE_DIGITS.fullmatch(value):
            raise Problem("invalid_postcode", f"Code postal invalide « {raw} » : 5 chiffres attendus.")
        return value

    def insee(self, raw: str) -> str:
        value = self.padded("code_insee", raw.upper())
        if value not in self.geo.communes:
            raise Problem("unknown_commune", f"Code INSEE « {raw} » inconnu en {self.geo.name}.")
        return value

    def department(self, raw: str) -> str:
        value = self.padded("structure_departement", raw) if len(raw) == 1 else raw
        value = "0" + value if ONE_DIGIT.fullmatch(value) else value
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
            self.warn("date_maj", "stale", f"Informations non vérifiées depuis plus d'un an ({value}).", raw)
        return value

    def closures(self, raw: str) -> tuple[dict, ...]:
        out = []
        for part in raw.split(columns.CLOSURE_SEPARATOR):
            part = part.strip()
            if not part:
                continue
            m = CLOSURE.fullmatch(part)
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
        if self._territories is None:
            self._territories = Territories.of(self.geo)
        return self._territories.expand(raw, self.geo)

    # -- checks of the vocabularies and plain values --------------------------------------------
    @staticmethod
    def name(raw: str) -> str:
        return checks.text(raw, 200)

    @staticmethod
    def address(raw: str) -> str:
        return checks.text(raw, 300)

    @staticmethod
    def description(raw: str) -> str:
        return checks.text(raw, 2000, multiline=True)

    @staticmethod
    def age(raw: str) -> int:
        return checks.integer(raw, 0, 120)

    @staticmethod
    def cercle(raw: str) -> int:
        return checks.integer(raw, 1, 3)

    @staticmethod
    def network(raw: str) -> str:
        return checks.code(raw, vocab.NETWORK_CODES, NETWORK_LABELS)

    @staticmethod
    def modes(raw: str) -> tuple[str, ...]:
        return checks.codes(raw, vocab.MODE_CODES, MODE_LABELS)

    @staticmethod
    def statuses(raw: str) -> tuple[str, ...]:
        return checks.codes(raw, vocab.STATUS_CODES, STATUS_LABELS)

    @staticmethod
    def qualifications(raw: str) -> tuple[str, ...]:
        return checks.codes(raw, vocab.QUALIFICATION_CODES, QUALIFICATION_LABELS)

    @staticmethod
    def languages(raw: str) -> tuple[str, ...]:
        return checks.codes(raw, vocab.LANGUAGE_CODES, LANGUAGE_LABELS)

    @staticmethod
    def position_source(raw: str) -> str:
        return checks.code(raw, {"ban", "commune"})
