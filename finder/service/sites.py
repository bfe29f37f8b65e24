"""The sites collection and one site, as GeoJSON (``GET /api/v1/sites``, ``/api/v1/sites/{id}``)."""

from __future__ import annotations

from finder.service.catalog import Catalog
from finder.service.params import Parsed


def collection(catalog: Catalog, parsed: Parsed) -> bytes:
    """Every site matching the parsed profile (``params.SITES``)."""
    criteria = parsed.criteria
    positions = catalog.engine.index.positions(criteria)
    extra = {"filters": criteria.as_json()} if criteria.values or criteria.territory_only else None
    return catalog.features.collection(positions, extra)


def feature(catalog: Catalog, site_id: str) -> bytes:
    """One site (NotFound, 404, when the id is unknown)."""
    return catalog.features.feature(catalog.engine.position(site_id))
