"""GeoJSON (RFC 7946) rendering of sites: geometry [lon, lat], properties as the API serves them."""

from __future__ import annotations

import json

from finder.domain.geography import Geography
from finder.domain.model import Site, Structure
from finder.domain.vocab import NETWORKS_BY_CODE


def site_properties(site: Site, structure: Structure, geo: Geography) -> dict:
    commune = geo.communes.get(site.commune)
    network = NETWORKS_BY_CODE.get(structure.network)
    return {
        "id": site.id,
        "name": site.name,
        "structure": {
            "id": structure.id,
            "name": structure.name,
            "network": structure.network,
            "network_label": network.label if network else structure.network,
            "cercle": structure.cercle,
            "website": structure.website,
            "has_territory": structure.territory is not None,
        },
        "address": site.address,
        "postcode": site.postcode,
        "commune": {"insee": site.commune, "name": commune.name if commune else None},
        "department": commune.department if commune else None,
        "phone": site.phone,
        "email": site.email,
        "website": site.website,
        "opening_hours": site.opening_hours,
        "accessible": site.accessible,
        "modes": list(site.modes),
        "appointment": site.appointment,
        "levels": list(site.levels),
        "publics": {
            "age_min": site.age_min,
            "age_max": site.age_max,
            "statuses": list(site.statuses),
            "qualifications": list(site.qualifications),
        },
        "description": site.description,
        "date_maj": site.date_maj,
        "closures": [{"start": c.start, "end": c.end, "reason": c.reason} for c in site.closures],
    }


def feature(site: Site, properties: dict) -> dict:
    return {
        "type": "Feature",
        "id": site.id,
        "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
        "properties": properties,
    }


def dumps(obj) -> str:
    """Compact UTF-8 JSON, as every API answer is encoded."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def open_feature(site: Site, properties: dict) -> str:
    """A Feature's JSON without its two closing braces, so fields can be appended to properties."""
    text = dumps(feature(site, properties))
    assert text.endswith("}}")
    return text[:-2]
