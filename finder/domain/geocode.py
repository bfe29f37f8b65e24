"""Geocoding: free text (commune, postcode, address) or a position to a place of the region.

Offline by default, from the reference geography, names found even when spelled as people write
them (typos, phonetic spellings, missing articles: ``phonetic.Spelling``); optionally the Base
Adresse Nationale (BAN) through geopy for street addresses, with a short timeout and offline
fallback on any failure. The only module that imports geopy's geocoders. Places are (lat, lon).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import logging
import os
import pickle
import re
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from finder.domain.geography import Commune, Geography
from finder.domain.phonetic import Spelling, name_sounds
from finder.domain.textnorm import fold, normalise, tokens, words

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
    """Communes, the arrondissements of Paris, Lyon and Marseille, and postcodes, found despite spelling mistakes.

    The name index (aliases, phonetic keys) takes seconds at national size: with ``cache_dir`` it is
    kept in a file keyed by the geography's source and this code (``names_file``), read back when
    valid and built again (then rewritten) when missing, stale or unreadable.
    """

    def __init__(self, geo: Geography, cache_dir: Path | None = None):
        self.geo = geo
        file = names_file(cache_dir, geo)
        tables = _read_names(file) if file is not None else None
        if tables is None:
            tables = _name_tables(geo)
            if file is not None:
                _write_names(file, tables)
        names, self.aliases_of, self.full_name, self.spelling = tables
        self.names: dict[str, list[Commune]] = {a: [geo.communes[i] for i in codes] for a, codes in names.items()}
        self.choices = list(self.names)
        self.by_postcode: dict[str, list[Commune]] = {}
        for c in geo.communes.values():
            if c.insee in geo.cities:
                continue  # a city's postcodes belong to its arrondissements
            for p in c.postcodes:
                self.by_postcode.setdefault(p, []).append(c)
        self.sorted_names = sorted(self.choices)

    def search(self, q: str, limit: int = 5) -> list[Place]:
        text = CEDEX.sub(" ", q)
        postcodes = POSTCODE.findall(text)
        text = POSTCODE.sub(" ", text)
        words = tokens(text)
        postcode = postcodes[-1] if postcodes else None
        pool = self.by_postcode.get(postcode) if postcode else None
        if postcode and not pool:
            return []
        if not words:  # only a postcode, or only punctuation (", ")
            return self._rank([(c, 1.0, "postcode", 0.0) for c in pool], postcode, limit) if pool else []
        found = self._match_words(words, pool, _spoken(text, words))
        if not found and pool:  # a street without commune name: the postcode decides
            found = [(c, 0.8, "postcode", 0.0) for c in pool]
        return self._rank(found, postcode, limit)

    def _match_words(self, words: list[str], pool, spoken: list[str]) -> list[tuple[Commune, float, str, float]]:
        """(commune, score, kind, tie): exact names score 1.0, prefixes 0.85, spelling mistakes at most 0.8.

        Within a score, the lower tie first, then the bigger population.
        """
        key = " ".join(words)
        return (
            self._named(key, pool)
            or self._started(key, pool)
            or self._misspelt(words, spoken, pool)
            or self._within(words, pool)
        )

    def _named(self, key: str, pool) -> list[tuple[Commune, float, str, float]]:
        """Communes named key; « Chalon » before « Le Chalon »."""
        hits = self._exact(key, pool)
        found = [(c, 1.0, _kind(c), 0.0 if self.full_name[c.insee] == key else 1.0) for c in hits]
        if hits and pool is None:  # "Clermont" also starts "Clermont-Ferrand": offer both
            found += [(c, 0.85, kind, 0.0) for c, kind in self._prefix(key)]
        return found

    def _started(self, key: str, pool) -> list[tuple[Commune, float, str, float]]:
        """Names starting with key, as typed so far: « Saint-Genis » starts « Saint-Genis-Laval »."""
        if pool is not None:
            return []
        return [(c, 0.85, kind, 0.0) for c, kind in self._prefix(key)]

    def _misspelt(self, words: list[str], spoken: list[str], pool) -> list[tuple[Commune, float, str, float]]:
        """Names misspelt: typos, swapped letters, phonetic spellings, missing words; tie: edits in letters."""
        allowed = None if pool is None else self._pool_names(pool)
        found = []
        for alias, distance, letters in self.spelling.near(words, spoken, allowed):
            found += [(c, _score(distance), _kind(c), letters) for c in self._exact(alias, pool)]
        if pool is None:  # « Sinte-Foi »: the first words of a name, heard; as one mistake
            found += [(c, _score(1.0), _kind(c), 1.5) for a in self.spelling.starting(spoken) for c in self.names[a]]
        return found

    def _within(self, words: list[str], pool) -> list[tuple[Commune, float, str, float]]:
        """A name ending the text ("12 rue X 38000 Grenoble"), else starting it ("Grenoble centre")."""
        for start in range(1, len(words)):
            hits = self._exact(" ".join(words[start:]), pool)
            if hits:
                return [(c, 0.95, _kind(c), 0.0) for c in hits]
        for end in range(len(words) - 1, 0, -1):
            hits = self._exact(" ".join(words[:end]), pool)
            if hits:
                return [(c, 0.9, _kind(c), 0.0) for c in hits]
        return []

    def _exact(self, key: str, pool) -> list[Commune]:
        """Communes named key, within pool when given ("69003 Lyon": Lyon's arrondissement in 69003)."""
        hits = self.names.get(key, [])
        if pool is None or not hits:
            return hits
        codes = {h.insee for h in hits}
        return [c for c in pool if c.insee in codes or c.parent in codes]

    def _prefix(self, key: str) -> list[tuple[Commune, str]]:
        """Communes whose name starts with key (3 letters at least)."""
        if len(key) < 3:
            return []
        out = []
        i = bisect.bisect_right(self.sorted_names, key)
        while i < len(self.sorted_names) and self.sorted_names[i].startswith(key):
            out += [(c, _kind(c)) for c in self.names[self.sorted_names[i]]]
            i += 1
        return out

    def _pool_names(self, pool) -> list[str]:
        """Names of the communes in pool, and of their parent (Lyon for its arrondissements)."""
        codes = {code for c in pool for code in (c.insee, c.parent) if code}
        return [a for code in codes for a in self.aliases_of.get(code, ())]

    def _rank(self, found, postcode: str | None, limit: int) -> list[Place]:
        best: dict[str, tuple] = {}
        for c, score, kind, tie in found:
            if c.insee not in best or (-best[c.insee][1], best[c.insee][3]) > (-score, tie):
                best[c.insee] = (c, score, kind, tie)
        ordered = sorted(best.values(), key=lambda t: (-t[1], t[3], -t[0].population, t[0].insee))
        return [self._place(c, score, kind, postcode) for c, score, kind, _ in ordered[:limit]]

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

    def __init__(
        self, geo: Geography, ban_url: str | None = None, ban_timeout: float = 2.0, cache_dir: Path | None = None
    ):
        self.geo = geo
        self.offline = OfflineGeocoder(geo, cache_dir)
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


NAMES_FORMAT = 1
_SHAPING = ("geocode.py", "phonetic.py", "textnorm.py")


def names_file(cache_dir: Path | None, geo: Geography) -> Path | None:
    """The file of the name index of ``geo`` (None: no cache folder, or a geography of unknown source)."""
    if cache_dir is None or not geo.source_key:
        return None
    digest = hashlib.sha256(f"{NAMES_FORMAT}|{geo.source_key}".encode())
    for name in _SHAPING:
        digest.update((Path(__file__).parent / name).read_bytes())
    return Path(cache_dir) / f"geocoder-{digest.hexdigest()[:32]}.pickle"


def _name_tables(geo: Geography) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, str], Spelling]:
    """(alias -> INSEE codes, INSEE code -> aliases, INSEE code -> folded full name, spelling index)."""
    names: dict[str, list[str]] = {}
    aliases_of: dict[str, list[str]] = {}
    full_name: dict[str, str] = {}
    sounds: dict[str, set[str]] = {}
    for c in geo.communes.values():
        spoken = words(c.name)
        folded = [fold(w) for w in spoken]
        full_name[c.insee] = " ".join(folded)
        for alias in _aliases(c):
            names.setdefault(alias, []).append(c.insee)
            aliases_of.setdefault(c.insee, []).append(alias)
            sounds.setdefault(alias, set()).update(name_sounds(alias, spoken, folded))
    return names, aliases_of, full_name, Spelling(sounds)


def _read_names(file: Path):
    """The tables in ``file``, or None when it is missing or unreadable (its checksum fails)."""
    try:
        data = file.read_bytes()
        if len(data) < 4 or zlib.crc32(data[4:]) != int.from_bytes(data[:4], "little"):
            return None
        return pickle.loads(data[4:])  # our own file, checked: see finder.service.catalog_cache
    except Exception:  # a missing or unreadable file: build the index again
        return None


def _write_names(file: Path, tables) -> None:
    body = pickle.dumps(tables, protocol=5)
    tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(zlib.crc32(body).to_bytes(4, "little") + body)
        os.replace(tmp, file)
    except OSError:
        log.warning("geocoder index not kept in %s", file.parent)  # a read-only folder: built at each start
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def is_fallback(q: str, place: Place) -> bool:
    """True when ``q`` reads as a street address but ``place`` is only a commune (offline geocoding, or
    the BAN did not find the street): distances then start from the commune's reference point."""
    return place.kind != "address" and looks_like_address(q)


def looks_like_address(q: str) -> bool:
    words = tokens(POSTCODE.sub(" ", q))
    return any(w in STREET_WORDS for w in words) or bool(re.match(r"^\s*\d{1,4}\s*(bis|ter)?\b", q))


def _kind(c: Commune) -> str:
    return "arrondissement" if c.kind == "ARM" else "commune"


def _score(distance: float) -> float:
    """Scores of misspellings stay below those of exact names (1.0, 0.95, 0.9) and prefixes (0.85)."""
    return round(0.8 - 0.1 * distance, 3)


def _spoken(text: str, folded: list[str]) -> list[str]:
    """The query's words with their accents, when they match its folded words one for one."""
    spoken = words(text)
    return spoken if [fold(w) for w in spoken] == folded else folded


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
