"""Coverage of a profile over the region's communes: ``GET /api/v1/coverage``, its exports, the page.

``department`` restricts the *communes* analysed, never the sites: a commune near a border may
be served from the next département. The page's map of one département shows the matching sites
located in it and the nearest site of each of its communes (wherever it lies); a territory of more
than MAP_MAX_COMMUNES communes (all of France) is mapped one département at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from finder.domain import coverage as coverage_mod
from finder.domain.coverage import Analyser, Coverage
from finder.domain.criteria import Criteria
from finder.present import coverage_export
from finder.service.catalog import Catalog
from finder.service.params import Parsed

MAP_MAX_COMMUNES = 6000  # the largest region (Grand Est) has about 5,100; all of France about 35,000


@dataclass(frozen=True)
class CoverageAnswer:
    catalog: Catalog
    criteria: Criteria
    max_km: float
    department: str | None

    @cached_property
    def analyser(self) -> Analyser:
        return coverage_mod.analyser(self.catalog.engine)

    @cached_property
    def coverage(self) -> Coverage:
        return self.analyser.coverage(self.criteria, self.max_km)

    @cached_property
    def mask(self) -> np.ndarray:
        """The communes analysed (all, or those of ``department``)."""
        return self.analyser.communes.mask(self.department)

    @property
    def mappable(self) -> bool:
        """Whether the page draws its communes: one département, or a whole territory small enough."""
        return self.department is not None or len(self.mask) <= MAP_MAX_COMMUNES

    def map_positions(self) -> np.ndarray:
        """Index positions of the sites to draw: every matching site for a whole territory; for one
        département, those located in it and the nearest one of each of its communes."""
        index = self.catalog.engine.index
        positions = index.positions(self.criteria.replace(territory_only=False))
        if self.department is None:
            return positions
        deps = index.departments
        inside = positions[deps.codes[positions] == deps.code(self.department)]
        nearest = self.coverage.site_pos[self.mask]
        return np.union1d(inside, nearest[nearest >= 0])

    def filters_json(self) -> dict:
        out = self.criteria.as_json()
        if self.department:
            out["department"] = self.department
        return out

    def head(self) -> dict:
        return {"filters": self.filters_json(), "max_km": self.max_km, "dataset": self.catalog.dataset_json()}

    def json(self) -> str:
        return coverage_export.api_json(self.coverage, self.catalog.engine.sites, self.mask, self.head())

    def csv(self, progress=None) -> str:
        return coverage_export.to_csv(self.coverage, self.catalog.engine.sites, self.mask, progress)

    def geojson(self, progress=None) -> str:
        engine = self.catalog.engine
        return coverage_export.to_geojson(
            self.coverage, engine.sites, self.mask, engine.geo.polygons, self.head(), progress
        )

    def filename(self, extension: str) -> str:
        name = f"couverture-{self.department or 'region'}-{self.max_km:g}km".replace(".", "_")
        return f"{name}.{extension}"


def answer(catalog: Catalog, parsed: Parsed) -> CoverageAnswer:
    """From parameters parsed by ``params.COVERAGE`` (or ``params.PLANNING``)."""
    return CoverageAnswer(catalog, parsed.criteria, parsed["max_km"], parsed["department"])
