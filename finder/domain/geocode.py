"""Geocoding: free text (commune, postcode, address) or a position to a place of the region.

Offline by default, from the reference geography; optionally the Base Adresse Nationale
(BAN) through geopy for street addresses, with a short timeout and offline fallback on any
failure. The only module that imports geopy's geocoders. Places are (lat, lon).
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from finder.domain.geography import Commune, Geography
from finder.domain.textnorm import normalise, tokens

log = logging.getLogger(__name__)

POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
CEDEX = re.compile(r"\bcedex\b(\s*\d{1,2})?", re.IGNORECASE)
STREET_WORDS = {
    "rue", "avenue", "av", "bd", "boulevard", "place", "chemin", "allee", "impasse", "route", "quai", "cours",
    "square", "passage", "montee", "lotissement", "lieu", "hameau", "voie", "faubourg", "rond", "esplanade",
}  # fmt: skip
ORDINALS = {1: ["1", "1e", "1er", "1ere", "premier"]}
ARRONDISSEMENT = re.compile(r"^(\D+?) (\d+)(?:er|e)? arrondissement$")
ARTICLES = ("le ", "la ", "les ", "l ", "aux ", "las ", "los ")
MAX_QUERY = 200


@dataclass(frozen=True)
class Place:
    label: str
    insee: str
    name: str
    department: str
    postcode: str | None
    lat: float
    lon: float
    kind: str  # "commune", "arrondissement", "postcode", "address"
    score: float

    def as_json(self) -> dict:
        return asdict(self)


class OfflineGeocoder:
    """Communes, the arrondissements of Paris, Lyon and Marseille, and postcodes of the region."""

    def __init__(self, geo: Geography):
        self.geo = geo
        self.names: dict[str, list[Commune]] = {}
        for c in geo.communes.values():
            for alias in _aliases(c):
                self.names.setdefault(alias, []).append(c)
        self.choices = list(self.names)
        self.by_postcode: dict[str, list[Commune]] = {}
        for c in geo.communes.values():
            if c.insee in geo.cities:
                continue  # a city's postcodes belong to its arrondissements
            for p in c.postcodes:
                self.by_postcode.setdefault(p, []).append(c)

    def search(self, q: str, limit: int = 5) -> list[Place]:
        text = CEDEX.sub(" ", q)
        postcodes = POSTCODE.findall(text)
        words = tokens(POSTCODE.sub(" ", text))
        postcode = postcodes[-1] if postcodes else None
        pool = self.by_postcode.get(postcode) if postcode else None
        if postcode and not pool:
            return []
        if not words:  # only a postcode, or only punctuation (", ")
            return self._rank([(c, 1.0, "postcode") for c in pool], postcode, limit) if pool else []
        found = self._match_words(words, pool)
        if not found and pool:  # a street without commune name: the postcode decides
            found = [(c, 0.8, "postcode") for c in pool]
        return self._rank(found, postcode, limit)

    def _match_words(self, words: list[str], pool) -> list[tuple[Commune, float, str]]:
        key = " ".join(words)
        # The commune name usually ends the text ("12 rue X 38000 Grenoble"): try suffixes, longest first.
        for start in range(len(words)):
            hits = self._exact(" ".join(words[start:]), pool)
            if hits:
                found = [(c, 1.0 if start == 0 else 0.95, _kind(c)) for c in hits]
                if start == 0 and pool is None:  # "Clermont" also starts "Clermont-Ferrand": offer both
                    found += self._prefix(key)
                return found
        prefix = self._prefix(key) if pool is None else []
        if prefix:
            return prefix
        choices = self.choices if pool is None else [a for a in self.choices if self._exact(a, pool)]
        typo = self._fuzzy(key, choices)
        if typo:
            return typo
        # Then the start of the text ("Grenoble centre").
        for end in range(len(words) - 1, 0, -1):
            hits = self._exact(" ".join(words[:end]), pool)
            if hits:
                return [(c, 0.9, _kind(c)) for c in hits]
        return []

    def _exact(self, key: str, pool) -> list[Commune]:
        """Communes named key, within pool when given ("69003 Lyon": Lyon's arrondissement in 69003)."""
        hits = self.names.get(key, [])
        if pool is None or not hits:
            return hits
        codes = {h.insee for h in hits}
        return [c for c in pool if c.insee in codes or c.parent in codes]

    def _prefix(self, key: str) -> list[tuple[Commune, float, str]]:
        if len(key) < 3:
            return []
        out = []
        for alias in self.choices:
            if alias.startswith(key) and alias != key:
                out += [(c, 0.85, _kind(c)) for c in self.names[alias]]
        return out

    def _fuzzy(self, key: str, choices: list[str]) -> list[tuple[Commune, float, str]]:
        """Names one typo away (two for long names): substitution, insertion, deletion, transposition."""
        if len(key) < 4 or not choices:
            return []
        budget = 1 if len(key) < 9 else 2
        out = []
        found = process.extract(key, choices, scorer=DamerauLevenshtein.distance, limit=8, score_cutoff=budget)
        for alias, dist, _ in found:
            out += [(c, round(0.8 - 0.1 * dist, 3), _kind(c)) for c in self.names[alias]]
        return out

    def _rank(self, found, postcode: str | None, limit: int) -> list[Place]:
        best: dict[str, tuple[Commune, float, str]] = {}
        for c, score, kind in found:
            if c.insee not in best or best[c.insee][1] < score:
                best[c.insee] = (c, score, kind)
        ordered = sorted(best.values(), key=lambda t: (-t[1], -t[0].population, t[0].insee))
        return [self._place(c, score, kind, postcode) for c, score, kind in ordered[:limit]]

    def _place(self, c: Commune, score: float, kind: str, postcode: str | None) -> Place:
        code = postcode if postcode in c.postcodes else (c.postcodes[0] if c.postcodes else None)
        dep = self.geo.department_name(c.department)
        label = f"{c.name} ({code}, {dep})" if code else f"{c.name} ({dep})"
        return Place(label, c.insee, c.name, c.department, code, c.ref_lat, c.ref_lon, kind, score)


class BanGeocoder:
    """Street addresses through the BAN search API (geopy's BANFrance), restricted to the region."""

    def __init__(self, url: str, timeout: float, geo: Geography):
        from geopy.geocoders import BANFrance

        parts = urlsplit(url)
        self.client = BANFrance(
            domain=parts.netloc + parts.path.rstrip("/"),
            scheme=parts.scheme or "https",
            timeout=timeout,
            user_agent="spro-finder",
        )
        self.geo = geo

    def search(self, q: str, limit: int) -> list[Place]:
        found = self.client.geocode(q, exactly_one=False, limit=limit) or []
        out = []
        for loc in found:
            props = (loc.raw or {}).get("properties", {})
            c = self.geo.communes.get(props.get("citycode", ""))
            if c is None:
                continue  # outside the region
            kind = "address" if props.get("type") in ("housenumber", "street", "locality") else "commune"
            out.append(
                Place(
                    props.get("label") or loc.address,
                    c.insee,
                    c.name,
                    c.department,
                    props.get("postcode"),
                    loc.latitude,
                    loc.longitude,
                    kind,
                    round(float(props.get("score", 0.5)), 3),
                )
            )
        return out


class Geocoder:
    """Offline first; the BAN for what looks like a street address when configured."""

    def __init__(self, geo: Geography, ban_url: str | None = None, ban_timeout: float = 2.0):
        self.geo = geo
        self.offline = OfflineGeocoder(geo)
        self.ban = BanGeocoder(ban_url, min(ban_timeout, 2.0), geo) if ban_url else None

    def search(self, q: str, limit: int = 5) -> list[Place]:
        q = (q or "").strip()[:MAX_QUERY]
        if not q:
            return []
        if self.ban is not None and looks_like_address(q):
            try:
                found = self.ban.search(q, limit)
                if found:
                    return found
            except Exception as err:  # any BAN failure falls back to offline
                log.warning("BAN geocoding failed, offline fallback: %s", err)
        return self.offline.search(q, limit)

    def reverse(self, lat: float, lon: float) -> Commune | None:
        """The commune at (lat, lon), an arrondissement in Lyon; None outside the region."""
        return self.geo.commune_at(lat, lon)


def is_fallback(q: str, place: Place) -> bool:
    """True when ``q`` reads as a street address but ``place`` is only a commune (offline geocoding, or
    the BAN did not find the street): distances then start from the commune's reference point."""
    return place.kind != "address" and looks_like_address(q)


def looks_like_address(q: str) -> bool:
    words = tokens(POSTCODE.sub(" ", q))
    return any(w in STREET_WORDS for w in words) or bool(re.match(r"^\s*\d{1,4}\s*(bis|ter)?\b", q))


def _kind(c: Commune) -> str:
    return "arrondissement" if c.kind == "ARM" else "commune"


def _aliases(c: Commune) -> set[str]:
    full = normalise(c.name)
    names = {full}
    for article in ARTICLES:  # "Puy-en-Velay" finds "Le Puy-en-Velay"
        if full.startswith(article):
            names.add(full[len(article) :])
    number = ARRONDISSEMENT.match(full) if c.kind == "ARM" else None
    if number:  # "Lyon 3e Arrondissement": also "lyon 3", "lyon 3e", "lyon 3eme", "paris 1er"…
        city, n = number.group(1), int(number.group(2))
        forms = [str(n), f"{n}e", f"{n}eme", f"{n}e arrondissement", f"{n}eme arrondissement"] + ORDINALS.get(n, [])
        names |= {f"{city} {f}" for f in forms}
        names |= {f"{city} {f} arrondissement" for f in ORDINALS.get(n, [])}
    return names
