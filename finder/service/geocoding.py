"""Places matching a text: ``GET /api/v1/geocode``."""

from __future__ import annotations

from finder.domain.geocode import Geocoder
from finder.service.params import Parsed


def answer(geocoder: Geocoder, parsed: Parsed) -> dict:
    """From parameters parsed by ``params.GEOCODE`` (``q``, ``limit``)."""
    return {"results": [p.as_json() for p in geocoder.search(parsed["q"], parsed["limit"])]}
