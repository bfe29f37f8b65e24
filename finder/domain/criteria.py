"""Search criteria (the person's public and needs) and their exact semantics.

``matches`` is the reference definition; the index computes the same thing with
precomputed columns and is tested against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.domain.model import Site, Structure


@dataclass(frozen=True)
class Criteria:
    age: int | None = None
    status: str | None = None
    qualification: str | None = None
    level: int | None = None
    networks: frozenset[str] | None = None
    mode: str | None = None
    accessible: bool = False  # True: wheelchair-accessible sites only
    departments: frozenset[str] | None = None  # the site's département is one of these
    territory_only: bool = False  # keep sites competent for the origin commune or unrestricted

    def as_json(self) -> dict:
        """Normalised filters as echoed by the API (only those set)."""
        out: dict = {}
        for key in ("age", "status", "qualification", "level", "mode"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.networks:
            out["network"] = sorted(self.networks)
        if self.departments:
            out["department"] = sorted(self.departments)
        if self.accessible:
            out["accessible"] = True
        if self.territory_only:
            out["territory"] = "only"
        return out


def matches(
    site: Site, structure: Structure, c: Criteria, site_department: str | None = None, origin_keys: tuple[str, ...] = ()
) -> bool:
    """Whether a site suits the criteria (pure, one site at a time)."""
    if c.age is not None:
        if site.age_min is not None and c.age < site.age_min:
            return False
        if site.age_max is not None and c.age > site.age_max:
            return False
    if c.status is not None and site.statuses and c.status not in site.statuses:
        return False
    if c.qualification is not None and site.qualifications and c.qualification not in site.qualifications:
        return False
    if c.level is not None and c.level not in site.levels:
        return False
    if c.networks and structure.network not in c.networks:
        return False
    if c.mode is not None and c.mode not in site.modes:
        return False
    if c.accessible and site.accessible is not True:
        return False
    if c.departments and site_department not in c.departments:
        return False
    if c.territory_only and structure.territory is not None:
        if not any(k in structure.territory for k in origin_keys):
            return False
    return True


def competence(structure: Structure, origin_keys: tuple[str, ...]) -> bool | None:
    """True/False when the structure declares a territory and the origin commune is known."""
    if structure.territory is None or not origin_keys:
        return None
    return any(k in structure.territory for k in origin_keys)
