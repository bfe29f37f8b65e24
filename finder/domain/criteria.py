"""Search criteria (the person's public and needs) and their exact semantics.

``Criteria`` holds a value for each site filter asked for (``finder.domain.filters``) and
whether only competent structures are kept (``territory_only``). ``matches`` is the reference
definition; the index computes the same thing with precomputed columns and is tested
against it. ``confirms`` says whether the profile given is enough to know the person is in a
site's public (what competent-first ordering requires before putting "your" office first).
"""

from __future__ import annotations

from finder.domain.filters import FILTERS, Facts
from finder.domain.model import Site, Structure


class Criteria:
    """Immutable and hashable; unknown names are refused, unset filters read as their default.

    ``Criteria(age=22, level=2, networks={"mission-locale"}, territory_only=True)``
    """

    __slots__ = ("values", "territory_only", "_asked", "_hash")

    def __init__(self, territory_only: bool = False, **values):
        for name in values:
            if name not in FILTERS:
                raise TypeError(f"unknown filter {name!r}")
        kept = []
        for name, f in FILTERS.items():  # declaration order: equal criteria compare and hash equal
            if name in values and (value := f.normalise(values[name])) is not None:
                kept.append((name, value))
        object.__setattr__(self, "values", tuple(kept))
        object.__setattr__(self, "_asked", dict(kept))
        object.__setattr__(self, "territory_only", bool(territory_only))
        object.__setattr__(self, "_hash", hash((self.values, self.territory_only)))

    def __getattr__(self, name: str):
        f = FILTERS.get(name)
        if f is None:
            raise AttributeError(name)
        return self._asked.get(name, f.default)

    def __setattr__(self, name, value):
        raise AttributeError("Criteria is immutable")

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Criteria) and self.values == other.values and self.territory_only == other.territory_only
        )

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        parts = [f"{k}={v!r}" for k, v in self.values] + (["territory_only=True"] if self.territory_only else [])
        return f"Criteria({', '.join(parts)})"

    def replace(self, **changes) -> Criteria:
        """A copy with some values changed (None removes a filter)."""
        territory = changes.pop("territory_only", self.territory_only)
        return Criteria(territory_only=territory, **{**dict(self.values), **changes})

    def as_json(self) -> dict:
        """Normalised filters as echoed by the API (only those set)."""
        out = {FILTERS[name].echo: FILTERS[name].to_json(value) for name, value in self.values}
        if self.territory_only:
            out["territory"] = "only"
        return out


def matches(
    site: Site, structure: Structure, c: Criteria, site_department: str | None = None, origin_keys: tuple[str, ...] = ()
) -> bool:
    """Whether a site suits the criteria (pure, one site at a time)."""
    facts = Facts(site, structure, site_department)
    for name, value in c.values:
        if not FILTERS[name].matches(facts, value):
            return False
    if c.territory_only and structure.territory is not None:
        if not any(k in structure.territory for k in origin_keys):
            return False
    return True


def confirms(site: Site, structure: Structure, c: Criteria) -> bool:
    """Whether the profile shows the person is in the site's public: every public filter the site
    restricts (an age range, a list of situations or qualifications) was given in ``c``.

    (That the given values match is ``matches``'s business.)"""
    facts = Facts(site, structure, None)
    asked = dict(c.values)
    return all(name in asked or not f.restricts(facts) for name, f in FILTERS.items() if f.describes_public)


def competence(structure: Structure, origin_keys: tuple[str, ...]) -> bool | None:
    """True/False when the structure declares a territory and the origin commune is known."""
    if structure.territory is None or not origin_keys:
        return None
    return any(k in structure.territory for k in origin_keys)
