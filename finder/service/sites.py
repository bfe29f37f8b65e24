"""The sites collection, page by page, and one site, as GeoJSON (``GET /api/v1/sites``, ``/api/v1/sites/{id}``)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from finder.service.catalog import Catalog
from finder.service.params import PAGE_SIZE_DEFAULT, PAGE_SIZE_WHOLE, Parsed


def matching(catalog: Catalog, parsed: Parsed) -> np.ndarray:
    """Positions of the sites matching the profile and inside ``bbox`` (edges included), in index order."""
    index = catalog.engine.index
    positions = index.positions(parsed.criteria)
    bbox = parsed.get("bbox")
    if bbox is not None:
        minlon, minlat, maxlon, maxlat = bbox
        lats, lons = index.lats[positions], index.lons[positions]
        positions = positions[(lons >= minlon) & (lons <= maxlon) & (lats >= minlat) & (lats <= maxlat)]
    return positions


def default_page_size(directory_size: int) -> int:
    """The page size when none is asked: a regional directory whole (so that clients written before
    pagination still read it in one call), a larger one in pages of under 1 MB."""
    return PAGE_SIZE_WHOLE if directory_size <= PAGE_SIZE_WHOLE else PAGE_SIZE_DEFAULT


def collection(catalog: Catalog, parsed: Parsed, link: Callable[[int], str]) -> bytes:
    """One page of the sites matching the parsed parameters (``params.SITES``).

    ``total`` counts every matching site, ``next`` is ``link(page + 1)`` (an absolute URL keeping
    the other parameters) or null on the last page; a page past the end has no features."""
    positions = matching(catalog, parsed)
    page = parsed["page"]
    size = parsed.get("page_size") or default_page_size(catalog.engine.index.size)
    start = (page - 1) * size
    total = len(positions)
    extra: dict = {}
    criteria = parsed.criteria
    if criteria.values or criteria.territory_only or parsed.get("bbox") is not None:
        extra["filters"] = criteria.as_json()
        if parsed.get("bbox") is not None:
            extra["filters"]["bbox"] = list(parsed["bbox"])
    extra.update(total=total, page=page, page_size=size, next=link(page + 1) if start + size < total else None)
    return catalog.features.collection(positions[start : start + size], extra)


def feature(catalog: Catalog, site_id: str) -> bytes:
    """One site (NotFound, 404, when the id is unknown)."""
    return catalog.features.feature(catalog.engine.position(site_id))
