"""Model objects as plain dicts: every field, in declaration order, nothing else."""

from __future__ import annotations

import dataclasses

from finder.domain.model import Site, Structure
from tests.import_helpers import demo_directory


def by_fields(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def test_to_dict_holds_every_field_in_declaration_order():
    directory = demo_directory()
    for site in directory.sites[:50]:
        d = site.to_dict()
        assert list(d) == [f.name for f in dataclasses.fields(Site)]
        assert Site.from_dict(d) == site
    structure = next(iter(directory.structures.values()))
    assert structure.to_dict() == dict(by_fields(structure), territory=structure.to_dict()["territory"])
    assert list(structure.to_dict()) == [f.name for f in dataclasses.fields(Structure)]


def test_an_attribute_stored_beside_the_fields_stays_out():
    site = dataclasses.replace(demo_directory().sites[0])
    object.__setattr__(site, "cached", 42)
    assert "cached" not in site.to_dict() and list(site.to_dict()) == [f.name for f in dataclasses.fields(Site)]
