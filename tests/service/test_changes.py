"""Self-service editing in the core: same validation as the import, policy per field, review, trail."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from finder import config
from finder.directory import site_edit
from finder.service import authz, changes
from finder.storage import site_changes
from tests.import_helpers import geo

TODAY = dt.date(2026, 11, 2)
POLICY = dict(config.EDIT_POLICY_DEFAULTS)
STAFF = authz.Principal("regine", "staff")
REFERENT = authz.Principal("rachid", "referent", "r@example.org", frozenset({"str-0001"}))


@pytest.fixture()
def store(demo_store):
    return demo_store


def site(store, site_id="lieu-0001"):
    return next(s for s in store.load().sites if s.id == site_id)


def test_hours_are_published_at_once_and_traced(store):
    out = changes.edit(store, geo(), REFERENT, "lieu-0001", {"horaires_accueil": "Mo-Th 09:00-12:00"}, POLICY, TODAY)
    assert out.published == ["horaires_accueil"] and out.queued == [] and out.version == 2
    assert store.published_version() == 2
    now = site(store)
    assert now.opening_hours == "Mo-Th 09:00-12:00" and now.date_maj == TODAY.isoformat()
    (row,) = site_changes.listing(store)
    assert (row["author"], row["status"], row["fields"], row["version"]) == (
        "rachid",
        "published",
        ["horaires_accueil"],
        2,
    )
    assert row["before"]["opening_hours"] == "Mo-Fr 08:30-12:30,13:30-17:30; PH off"
    assert row["after"]["opening_hours"] == "Mo-Th 09:00-12:00"


def test_a_mixed_form_publishes_some_fields_and_queues_the_others(store):
    values = {"telephone": "04 11 22 33 44", "niveaux_service": "1", "age_max": "29"}
    out = changes.edit(store, geo(), REFERENT, "lieu-0001", values, POLICY, TODAY)
    assert out.published == ["telephone"] and out.queued == ["niveaux_service", "age_max"]
    assert site(store).phone == "04 11 22 33 44" and site(store).levels == (1, 2)
    (pending,) = changes.queue(store, STAFF)
    assert pending["before"]["phone"] == "04 11 22 33 44"  # queued on top of what was published at once
    version = changes.accept(store, STAFF, pending["id"], TODAY)
    assert store.published_version() == version == 3
    assert site(store).levels == (1,) and site(store).age_max == 29
    assert site_changes.get(store, pending["id"])["status"] == "accepted"
    assert changes.queue(store, STAFF) == []


def test_validation_is_the_imports_with_a_french_message_per_field(store):
    values = {"telephone": "12", "horaires_accueil": "lundi matin", "courriel": "x@", "age_min": "30", "age_max": "20"}
    with pytest.raises(site_edit.Invalid) as err:
        changes.edit(store, geo(), REFERENT, "lieu-0001", values, POLICY, TODAY)
    errors = err.value.errors
    assert set(errors) == {"telephone", "horaires_accueil", "courriel", "age_max"}
    assert "Téléphone invalide" in errors["telephone"] and "opening_hours" in errors["horaires_accueil"]
    assert store.published_version() == 1 and site_changes.listing(store) == []


def test_a_position_outside_the_commune_is_refused_as_in_an_import(store):
    with pytest.raises(site_edit.Invalid) as err:
        changes.edit(store, geo(), STAFF, "lieu-0001", {"latitude": "45.19", "longitude": "5.72"}, POLICY, TODAY)
    assert "Bourg-en-Bresse" in err.value.errors["latitude"]


def test_another_structures_site_is_refused(store, caplog):
    caplog.set_level(logging.INFO, logger="spro.audit")
    with pytest.raises(authz.Forbidden):
        changes.edit(store, geo(), REFERENT, "lieu-0015", {"telephone": "0411223344"}, POLICY, TODAY)
    assert site(store, "lieu-0015").structure_id != "str-0001"
    assert store.published_version() == 1
    assert "access_refused" in [r.getMessage() for r in caplog.records]


def test_staff_changes_are_published_at_once(store):
    out = changes.edit(store, geo(), STAFF, "lieu-0015", {"niveaux_service": "2"}, POLICY, TODAY)
    assert out.published == ["niveaux_service"] and site(store, "lieu-0015").levels == (2,)


def test_refusal_needs_a_reason_and_changes_nothing(store):
    changes.edit(store, geo(), REFERENT, "lieu-0001", {"niveaux_service": "1"}, POLICY, TODAY)
    (pending,) = changes.queue(store, STAFF)
    with pytest.raises(Exception) as err:
        changes.refuse(store, STAFF, pending["id"], "  ")
    assert err.value.field == "reason"
    changes.refuse(store, STAFF, pending["id"], "Le niveau 2 est assuré sur ce lieu.")
    row = site_changes.get(store, pending["id"])
    assert (row["status"], row["reason"], row["decided_by"]) == (
        "refused",
        "Le niveau 2 est assuré sur ce lieu.",
        "regine",
    )
    assert site(store).levels == (1, 2) and store.published_version() == 1
    with pytest.raises(Exception) as err:
        changes.accept(store, STAFF, pending["id"])
    assert err.value.code == "already_decided"


def test_a_referent_cannot_decide(store):
    changes.edit(store, geo(), REFERENT, "lieu-0001", {"niveaux_service": "1"}, POLICY, TODAY)
    with pytest.raises(authz.Forbidden):
        changes.queue(store, REFERENT)
    pending = site_changes.listing(store, status="pending")[0]
    with pytest.raises(authz.Forbidden):
        changes.accept(store, REFERENT, pending["id"])


def test_an_accepted_change_keeps_what_was_published_meanwhile(store):
    changes.edit(store, geo(), REFERENT, "lieu-0001", {"niveaux_service": "1"}, POLICY, TODAY)
    changes.edit(store, geo(), REFERENT, "lieu-0001", {"telephone": "04 99 88 77 66"}, POLICY, TODAY)
    (pending,) = changes.queue(store, STAFF)
    changes.accept(store, STAFF, pending["id"], TODAY)
    assert site(store).phone == "04 99 88 77 66" and site(store).levels == (1,)


def test_add_and_close_a_site_through_review(store):
    values = {
        "nom": "Antenne de Péronnas",
        "adresse": "1 place de la Mairie",
        "code_postal": "01960",
        "code_insee": "01289",
        "latitude": "46.1783",
        "longitude": "5.2100",
        "niveaux_service": "1",
        "horaires_accueil": "Tu 14:00-17:00",
    }
    out = changes.add(store, geo(), REFERENT, "str-0001", values, POLICY, TODAY)
    assert out.queued == ["add"] and out.site_id == "str-0001-lieu-1"
    with pytest.raises(authz.Forbidden):
        changes.add(store, geo(), REFERENT, "str-0002", values, POLICY, TODAY)
    changes.accept(store, STAFF, changes.queue(store, STAFF)[0]["id"], TODAY)
    added = site(store, "str-0001-lieu-1")
    assert added.name == "Antenne de Péronnas" and added.structure_id == "str-0001"
    out = changes.close(store, REFERENT, "str-0001-lieu-1", "Permanence arrêtée", POLICY)
    assert out.queued == ["close"]
    (pending,) = changes.queue(store, STAFF)
    assert pending["reason"] == "Permanence arrêtée"
    changes.accept(store, STAFF, pending["id"], TODAY)
    assert all(s.id != "str-0001-lieu-1" for s in store.load().sites)
    assert site_changes.get(store, pending["id"])["reason"] == "Permanence arrêtée"


def test_confirmation_marks_every_site_of_the_structure_checked(store):
    version = changes.confirm(store, REFERENT, "str-0001", TODAY)
    mine = [s for s in store.load().sites if s.structure_id == "str-0001"]
    assert mine and all(s.date_maj == TODAY.isoformat() for s in mine)
    assert version == store.published_version()
    with pytest.raises(authz.Forbidden):
        changes.confirm(store, REFERENT, "str-0002", TODAY)


def test_the_trail_shows_a_referent_only_their_structures(store):
    changes.edit(store, geo(), STAFF, "lieu-0015", {"telephone": "0411223344"}, POLICY, TODAY)
    changes.edit(store, geo(), REFERENT, "lieu-0001", {"telephone": "0411223355"}, POLICY, TODAY)
    assert {c["site_id"] for c in changes.trail(store, STAFF)} == {"lieu-0001", "lieu-0015"}
    assert {c["site_id"] for c in changes.trail(store, REFERENT)} == {"lieu-0001"}
