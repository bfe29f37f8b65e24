"""Plain French about a site for a person: who it is for, competence, CEP, appointments."""

from dataclasses import replace

import pytest

from finder.domain import vocab
from finder.domain.criteria import Criteria
from finder.domain.model import Site
from finder.present import explain

SITE = Site("s", "st", "Lieu", "1 rue", "15000", "15014", 44.9, 2.4, phone="04 71 00 00 00")


@pytest.mark.parametrize(
    "changes, text",
    [
        ({}, "Pour qui : tout public"),
        ({"age_min": 16, "age_max": 25}, "Pour qui : 16 à 25 ans seulement"),
        ({"age_min": 16, "statuses": ("personnes-en-situation-de-handicap",)},
         "Pour qui : dès 16 ans · personne en situation de handicap (RQTH) seulement"),
        ({"qualifications": ("niveau-5", "niveau-6", "niveau-7", "niveau-8")}, "Pour qui : niveau 5 ou plus seulement"),
        ({"qualifications": ("sans-diplome", "niveau-3")}, "Pour qui : sans diplôme, niveau 3 seulement"),
    ],
)  # fmt: skip
def test_who_always_says_the_conditions(changes, text):
    assert explain.who(replace(SITE, **changes)) == text


@pytest.mark.parametrize(
    "status, age, networks",
    [
        (None, 30, ()),
        ("eleves", 15, ()),
        ("salaries", 45, ("cep",)),
        ("cadres", 45, ("apec",)),
        ("demandeurs-emploi", 45, ("france-travail",)),
        ("demandeurs-emploi", 19, ("mission-locale", "france-travail")),
        ("demandeurs-emploi", None, ("france-travail",)),
        ("personnes-en-situation-de-handicap", 19, ("cap-emploi",)),
    ],
)
def test_who_gives_the_cep(status, age, networks):
    assert vocab.cep_networks(status, age) == networks
    note = explain.cep(Criteria(level=2, status=status, age=age))
    assert note["networks"] == networks
    assert explain.cep(Criteria(level=1, status=status, age=age)) is None


def test_appointment_lists_the_ways_to_ask():
    assert explain.appointment(SITE, None) is None
    booked = replace(SITE, appointment=True, email="a@b.fr")
    assert explain.appointment(booked, "https://x.fr") == (
        "Sur rendez-vous : appelez le 04 71 00 00 00, écrivez à a@b.fr ou prenez rendez-vous sur https://x.fr."
    )
    assert explain.appointment(replace(booked, phone=None, email=None), None) == (
        "Sur rendez-vous : contactez la structure avant de vous déplacer."
    )


def test_sector_wording():
    assert explain.sector(True, "La Clusaz") == "Compétente pour La Clusaz"
    assert explain.sector(False, "La Clusaz") == explain.OTHER_SECTOR
    assert explain.sector(None, "La Clusaz") is None
    assert explain.yours("mission-locale") == "Votre Mission locale"


def test_every_language_has_its_name_inside_a_sentence():
    """« accueil en anglais »: one text per language of the vocabulary, the label lower-cased in French."""
    assert set(explain.IN_SENTENCE) == vocab.LANGUAGE_CODES
    for term in vocab.LANGUAGES:
        assert explain.IN_SENTENCE[term.code] == term.label[:1].lower() + term.label[1:]
