"""Planning for field staff: "Où labelliser ?" and irreplaceable sites (``/couverture/planification``).

One answer, two analyses computed when first read: ``steps`` (greedy maximal coverage, k
communes where a new site would bring the most population within the threshold) and
``critical`` (sites whose closing would leave population beyond the threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from finder.domain import planning
from finder.service import coverage
from finder.service.catalog import Catalog
from finder.service.params import SUGGESTIONS, Parsed


@dataclass(frozen=True)
class PlanningAnswer:
    coverage: coverage.CoverageAnswer
    k: int

    @cached_property
    def steps(self) -> list[planning.Step]:
        cov = self.coverage
        return planning.suggest(cov.analyser, cov.criteria, cov.max_km, self.k, cov.mask)

    @cached_property
    def critical(self) -> list[planning.Critical]:
        cov = self.coverage
        return planning.criticality(cov.analyser, cov.criteria, cov.max_km, cov.mask)


def answer(catalog: Catalog, parsed: Parsed) -> PlanningAnswer:
    """From parameters parsed by ``params.PLANNING`` (or ``params.CRITICAL``, without ``k``)."""
    return PlanningAnswer(coverage.answer(catalog, parsed), parsed.get("k") or SUGGESTIONS.kind.default)
