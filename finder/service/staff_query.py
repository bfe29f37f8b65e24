"""Input of the field-staff tools (coverage, planning, bilan), on top of finder.query.

Same conventions as finder.query: ``args`` has ``getlist``; errors name the field in French.
For coverage, ``department`` restricts the *communes* analysed, never the sites: a commune
near a border may be served from the next département.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.domain.criteria import Criteria
from finder.service import query

DEFAULT_MAX_KM = 20.0
SUGGEST_MAX = 20
DEFAULT_SUGGEST = 5


@dataclass(frozen=True)
class CoverageQuery:
    criteria: Criteria
    max_km: float
    department: str | None

    def filters_json(self) -> dict:
        out = self.criteria.as_json()
        if self.department:
            out["department"] = self.department
        return out


class NonBlank:
    """args without blank values: an HTML form sends every empty field (``network=``)."""

    def __init__(self, args):
        self.args = args

    def getlist(self, name: str) -> list[str]:
        return [v for v in self.args.getlist(name) if v.strip()]


def parse_coverage(args, departments) -> CoverageQuery:
    """Profile filters (as for nearest), ``max_km`` (default 20) and an optional ``department``.

    Blank values count as absent.
    """
    args = NonBlank(args)
    criteria = query.parse_criteria(args)  # no site département filter here
    department = query.parse_code(args, "department", departments)
    max_km = query.parse_max_km(args)
    return CoverageQuery(criteria, DEFAULT_MAX_KM if max_km is None else max_km, department)


def parse_k(args) -> int:
    return query.parse_int(args, "k", 1, SUGGEST_MAX, DEFAULT_SUGGEST)


def parse_year(args, years: list[int], name: str = "annee") -> int:
    """A year of the activity table; the latest one (2023 on the demo) by default."""
    if not years:
        return 0
    value = query.parse_int(args, name, min(years), max(years))
    return max(years) if value is None else value
