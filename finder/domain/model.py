"""Directory model: structures, their sites (lieux d'accueil) and the dataset.

Plain dataclasses with dict round-trips; the store keeps them as JSON.
Coordinates of a site are ``lat``/``lon`` in WGS84 decimal degrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache


@dataclass(frozen=True)
class Structure:
    id: str
    name: str
    network: str
    cercle: int
    department: str
    website: str | None = None
    territory: tuple[str, ...] | None = None  # INSEE codes it is competent for; None = unrestricted

    @classmethod
    def from_dict(cls, d: dict) -> Structure:
        d = _known(cls, d)
        if d.get("territory") is not None:
            d["territory"] = tuple(d["territory"])
        return cls(**d)

    def to_dict(self) -> dict:
        d = _plain(self)
        d["territory"] = list(self.territory) if self.territory is not None else None
        return d


@dataclass(frozen=True)
class Closure:
    start: str  # ISO date, inclusive
    end: str  # ISO date, inclusive
    reason: str = ""


@dataclass(frozen=True)
class Site:
    id: str
    structure_id: str
    name: str
    address: str
    postcode: str
    commune: str  # INSEE code (an arrondissement code in Lyon)
    lat: float
    lon: float
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    opening_hours: str | None = None  # OpenStreetMap opening_hours syntax
    accessible: bool | None = None  # wheelchair accessible
    modes: tuple[str, ...] = ("en-presentiel",)
    appointment: bool = False  # "sur rendez-vous"
    levels: tuple[int, ...] = (1,)
    age_min: int | None = None
    age_max: int | None = None
    statuses: tuple[str, ...] = ()  # empty = everyone
    qualifications: tuple[str, ...] = ()  # empty = everyone
    description: str = ""
    date_maj: str | None = None  # ISO date the information was last checked
    closures: tuple[Closure, ...] = ()
    position_source: str | None = None  # None: given by the source; "ban": geocoded; "commune": reference point
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of the languages spoken at the desk (empty: not given)

    @classmethod
    def from_dict(cls, d: dict) -> Site:
        d = _known(cls, d)
        for key in ("modes", "statuses", "qualifications", "languages"):
            if key in d:
                d[key] = tuple(d[key] or ())
        if "levels" in d:
            d["levels"] = tuple(int(x) for x in d["levels"])
        if "closures" in d:
            d["closures"] = tuple(Closure(**c) for c in d["closures"] or ())
        return cls(**d)

    def to_dict(self) -> dict:
        d = _plain(self)
        for key in ("modes", "statuses", "qualifications", "levels", "languages"):
            d[key] = list(d[key])
        d["closures"] = [_plain(c) for c in self.closures]
        return d


@dataclass(frozen=True)
class DatasetInfo:
    version: int
    demo: bool
    loaded_at: str
    source: str = ""


@dataclass
class Directory:
    info: DatasetInfo
    structures: dict[str, Structure]
    sites: list[Site] = field(default_factory=list)

    def structure_of(self, site: Site) -> Structure:
        return self.structures[site.structure_id]


@cache
def _names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@cache
def _name_set(cls) -> frozenset[str]:
    return frozenset(_names(cls))


def _known(cls, d: dict) -> dict:
    names = _name_set(cls)
    if names.issuperset(d):  # the usual case: a copy, nothing to leave out
        return dict(d)
    return {k: v for k, v in d.items() if k in names}


def _plain(obj) -> dict:
    """Shallow field dict, in declaration order (dataclasses.asdict deep-copies, which is slow on large
    directories). A dataclass's ``__init__`` sets every field in that order, so its ``__dict__`` is that
    dict unless something else was stored on the object: then the fields are read one by one."""
    names = _names(type(obj))
    attributes = getattr(obj, "__dict__", None)
    if attributes is not None and len(attributes) == len(names):
        return dict(attributes)
    return {name: getattr(obj, name) for name in names}
