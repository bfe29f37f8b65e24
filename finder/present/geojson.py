"""GeoJSON (RFC 7946) rendering of sites: geometry [lon, lat], properties as the API serves them."""

from __future__ import annotations

import json
import zlib

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
        "languages": list(site.languages),
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


def encode_all(engine) -> list[bytes]:
    """The open feature (``open_feature``, UTF-8) of every site of the engine, in index order."""
    structures, geo = engine.structures, engine.geo
    return [open_feature(s, site_properties(s, structures[s.structure_id], geo)).encode() for s in engine.sites]


class Features:
    """Every site of one engine as pre-encoded GeoJSON, for answers joined from bytes.

    Built once per directory version. Each feature is kept once, as UTF-8 bytes without its
    two closing braces (``open``), so a nearest answer appends distance and competence.
    """

    def __init__(self, engine, encoded=None):
        """``encoded``: the open features of the engine's sites already encoded (a sequence of bytes,
        read from a file by finder.service.catalog_cache); encoded here when not given."""
        self.engine = engine
        self.open = encoded if encoded is not None else encode_all(engine)
        self.dataset = dumps(engine.dataset_json()).encode()

    def feature(self, pos: int) -> bytes:
        return self.open[pos] + b"}}"

    def collection(self, positions, extra: dict | None = None) -> bytes:
        """A FeatureCollection of the sites at ``positions``; ``extra`` members go before the features."""
        return self._head(extra or {}) + b",".join(self.open[p] + b"}}" for p in positions) + b"]}"

    def _head(self, extra: dict) -> bytes:
        head = b'{"type":"FeatureCollection","dataset":%s' % self.dataset
        for key, value in extra.items():
            head += b',"%s":%s' % (key.encode(), dumps(value).encode())
        return head + b',"features":['

    def gzipped(self, level: int = 6) -> bytes:
        """Every site as one gzip-compressed FeatureCollection (the downloadable dump), compressed
        feature by feature: the uncompressed whole (about 100 MB at 100,000 sites) never exists."""
        packer = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 31: a gzip member
        parts = [packer.compress(self._head({}))]
        for i, feature in enumerate(self.open):
            parts.append(packer.compress((b"," if i else b"") + feature + b"}}"))
        parts.append(packer.compress(b"]}"))
        parts.append(packer.flush())
        return b"".join(parts)

    def nearest(self, origin_json: dict, filters: dict, hits, flags) -> bytes:
        """The nearest answer: ``hits`` (pos, distance_km) nearest first, ``flags`` their in_territory."""
        parts = []
        for h, flag in zip(hits, flags):
            tail = b"null" if flag is None else (b"true" if flag else b"false")
            parts.append(b'%s,"distance_km":%r,"in_territory":%s}}' % (self.open[h.pos], round(h.distance_km, 3), tail))
        head = b'{"type":"FeatureCollection","origin":%s,"filters":%s,"dataset":%s,"features":[' % (
            dumps(origin_json).encode(),
            dumps(filters).encode(),
            self.dataset,
        )
        return head + b",".join(parts) + b"]}"
