"""Planning for field staff: "Où labelliser ?" and irreplaceable sites (``/couverture/planification``).

One answer, two analyses computed when first read: ``steps`` (greedy maximal coverage, k
communes where a new site would bring the most population within the threshold) and
``critical`` (sites whose closing would leave population beyond the threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from finder.domain import planning
from finder.service import coverage
from finder.service.catalog import Catalog
from finder.service.params import SUGGESTIONS, Parsed


@dataclass(frozen=True)
class PlanningAnswer:
    coverage: coverage.CoverageAnswer
    k: int
    weights: np.ndarray | None = None  # per commune of the analyser; None: the population

    @cached_property
    def steps(self) -> list[planning.Step]:
        cov = self.coverage
        return planning.suggest(cov.analyser, cov.criteria, cov.max_km, self.k, cov.mask, self.weights)

    @cached_property
    def critical(self) -> list[planning.Critical]:
        cov = self.coverage
        return planning.criticality(cov.analyser, cov.criteria, cov.max_km, cov.mask)


def answer(catalog: Catalog, parsed: Parsed, demand_weights=None) -> PlanningAnswer:
    """From parameters parsed by ``params.PLANNING`` (or ``params.CRITICAL``, without ``k``).

    ``demand_weights(communes)``: the observed searches per commune (``finder.service.demand.weights``),
    used when ``weight=demande`` is asked.
    """
    cov = coverage.answer(catalog, parsed)
    weights = None
    if parsed.get("weight") == "demande" and demand_weights is not None:
        weights = demand_weights(cov.analyser.communes)
    return PlanningAnswer(cov, parsed.get("k") or SUGGESTIONS.kind.default, weights)
