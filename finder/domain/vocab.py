"""Every code of the directory with its French label.

Codes follow the data·inclusion schema v1 where it has one (publics, modes_accueil,
reseaux_porteurs); the others are ours, in the same kebab-case style.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    label: str


@dataclass(frozen=True)
class Network:
    code: str
    label: str
    cercle: int


STATUSES = (
    Term("eleves", "Élève (collège, lycée)"),
    Term("etudiants", "Étudiant·e"),
    Term("apprentis", "Apprenti·e"),
    Term("demandeurs-emploi", "Demandeur·se d'emploi"),
    Term("salaries", "Salarié·e"),
    Term("cadres", "Cadre"),
    Term("independants", "Indépendant·e, chef·fe d'entreprise"),
    Term("agents-publics", "Agent·e public·que"),
    Term("sans-activite", "Sans activité"),
    Term("personnes-en-situation-de-handicap", "Personne en situation de handicap (RQTH)"),
)

QUALIFICATIONS = (
    Term("sans-diplome", "Sans diplôme"),
    Term("niveau-3", "Niveau 3 (CAP, BEP)"),
    Term("niveau-4", "Niveau 4 (baccalauréat)"),
    Term("niveau-5", "Niveau 5 (bac+2 : BTS, DUT)"),
    Term("niveau-6", "Niveau 6 (licence, bachelor, BUT)"),
    Term("niveau-7", "Niveau 7 (master, ingénieur)"),
    Term("niveau-8", "Niveau 8 (doctorat)"),
)

LEVELS = (
    Term("1", "Accueil et information"),
    Term("2", "Conseil et accompagnement personnalisé (dont CEP)"),
)

MODES = (
    Term("en-presentiel", "Accueil sur place"),
    Term("a-distance", "À distance (téléphone, visio)"),
)

NETWORKS = (
    Network("mission-locale", "Mission locale", 1),
    Network("cio", "Centre d'information et d'orientation (CIO)", 1),
    Network("france-travail", "France Travail", 1),
    Network("cap-emploi", "Cap emploi", 1),
    Network("apec", "Apec", 1),
    Network("reseau-information-jeunesse", "Information Jeunesse", 1),
    Network("cep", "Conseil en évolution professionnelle (opérateur CEP)", 1),
    Network("chambre-consulaire", "Chambre consulaire (CCI, CMA, Chambre d'agriculture)", 1),
    Network("universite", "Service universitaire d'orientation", 1),
    Network("commune-labellisee", "Commune labellisée SPRO", 2),
    Network("association-labellisee", "Association labellisée SPRO", 2),
    Network("maison-emploi", "Maison de l'emploi", 2),
    Network("relais-partenaire", "Relais partenaire (France services, tiers-lieu…)", 3),
)

# Languages spoken at the desk (ISO 639-1), the ones most asked for in the region.
LANGUAGES = (
    Term("fr", "Français"),
    Term("en", "Anglais"),
    Term("es", "Espagnol"),
    Term("it", "Italien"),
    Term("de", "Allemand"),
    Term("pt", "Portugais"),
    Term("ar", "Arabe"),
    Term("tr", "Turc"),
    Term("ru", "Russe"),
    Term("uk", "Ukrainien"),
    Term("ro", "Roumain"),
    Term("pl", "Polonais"),
    Term("zh", "Chinois"),
    Term("fa", "Persan"),
    Term("ps", "Pachto"),
    Term("ta", "Tamoul"),
    Term("sq", "Albanais"),
    Term("sw", "Swahili"),
    Term("lsf", "Langue des signes française (LSF)"),
)

CERCLES = {
    1: "Cercle 1 : opérateurs désignés par la loi",
    2: "Cercle 2 : structures labellisées",
    3: "Cercle 3 : relais partenaires",
}

STATUS_CODES = frozenset(t.code for t in STATUSES)
QUALIFICATION_CODES = frozenset(t.code for t in QUALIFICATIONS)
LEVEL_CODES = frozenset(int(t.code) for t in LEVELS)
MODE_CODES = frozenset(t.code for t in MODES)
NETWORK_CODES = frozenset(n.code for n in NETWORKS)
NETWORKS_BY_CODE = {n.code: n for n in NETWORKS}
LANGUAGE_CODES = frozenset(t.code for t in LANGUAGES)


def label(terms, code) -> str:
    """French label of a code in one vocabulary (the code itself when unknown)."""
    for t in terms:
        if t.code == str(code):
            return t.label
    return str(code)


def as_json() -> dict:
    """The vocabularies as served by GET /api/v1/vocabularies."""
    return {
        "statuses": [{"code": t.code, "label": t.label} for t in STATUSES],
        "qualifications": [{"code": t.code, "label": t.label} for t in QUALIFICATIONS],
        "levels": [{"code": int(t.code), "label": t.label} for t in LEVELS],
        "networks": [{"code": n.code, "label": n.label, "cercle": n.cercle} for n in NETWORKS],
        "modes": [{"code": t.code, "label": t.label} for t in MODES],
        "cercles": [{"code": k, "label": v} for k, v in CERCLES.items()],
        "languages": [{"code": t.code, "label": t.label} for t in LANGUAGES],
    }


# Who gives the conseil en évolution professionnelle (CEP), by the person's situation (Code du travail,
# art. L6111-6): France Travail, Apec, Cap emploi, Missions locales and, for people in work, the regional
# operators. The first matching rule of CEP_RULES applies; ``young`` rules need an age of 16 to 25.
@dataclass(frozen=True)
class CepRule:
    statuses: frozenset[str]  # empty: any situation
    networks: tuple[str, ...]
    young: bool = False


CEP_RULES = (
    CepRule(frozenset({"personnes-en-situation-de-handicap"}), ("cap-emploi",)),
    CepRule(frozenset({"demandeurs-emploi", "sans-activite"}), ("mission-locale", "france-travail"), young=True),
    CepRule(frozenset({"cadres"}), ("apec",)),
    CepRule(frozenset({"demandeurs-emploi"}), ("france-travail",)),
    CepRule(frozenset({"salaries", "independants", "agents-publics", "apprentis"}), ("cep",)),
)
YOUNG = (16, 25)


def cep_networks(status: str | None, age: int | None) -> tuple[str, ...]:
    """The networks giving the CEP to a person of this situation and age; () when the situation is not
    given or does not call for a CEP (pupils and students go to a CIO or their university's service)."""
    if not status:
        return ()
    young = age is not None and YOUNG[0] <= age <= YOUNG[1]
    for rule in CEP_RULES:
        if status in rule.statuses and (young or not rule.young):
            return rule.networks
    return ()
