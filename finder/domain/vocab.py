"""Every code of the directory with its French label.

Codes follow the data·inclusion schema v1 where it has one (publics, modes_accueil,
reseaux_porteurs); the others are ours, in the same kebab-case style.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.text import N_


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
    Term("eleves", N_("Élève (collège, lycée)")),
    Term("etudiants", N_("Étudiant·e")),
    Term("apprentis", N_("Apprenti·e")),
    Term("demandeurs-emploi", N_("Demandeur·se d'emploi")),
    Term("salaries", N_("Salarié·e")),
    Term("cadres", N_("Cadre")),
    Term("independants", N_("Indépendant·e, chef·fe d'entreprise")),
    Term("agents-publics", N_("Agent·e public·que")),
    Term("sans-activite", N_("Sans activité")),
    Term("personnes-en-situation-de-handicap", N_("Personne en situation de handicap (RQTH)")),
)

QUALIFICATIONS = (
    Term("sans-diplome", N_("Sans diplôme")),
    Term("niveau-3", N_("Niveau 3 (CAP, BEP)")),
    Term("niveau-4", N_("Niveau 4 (baccalauréat)")),
    Term("niveau-5", N_("Niveau 5 (bac+2 : BTS, DUT)")),
    Term("niveau-6", N_("Niveau 6 (licence, bachelor, BUT)")),
    Term("niveau-7", N_("Niveau 7 (master, ingénieur)")),
    Term("niveau-8", N_("Niveau 8 (doctorat)")),
)

LEVELS = (
    Term("1", N_("Accueil et information")),
    Term("2", N_("Conseil et accompagnement personnalisé (dont CEP)")),
)

MODES = (
    Term("en-presentiel", N_("Accueil sur place")),
    Term("a-distance", N_("À distance (téléphone, visio)")),
)

NETWORKS = (
    Network("mission-locale", N_("Mission locale"), 1),
    Network("cio", N_("Centre d'information et d'orientation (CIO)"), 1),
    Network("france-travail", N_("France Travail"), 1),
    Network("cap-emploi", N_("Cap emploi"), 1),
    Network("apec", N_("Apec"), 1),
    Network("reseau-information-jeunesse", N_("Information Jeunesse"), 1),
    Network("cep", N_("Conseil en évolution professionnelle (opérateur CEP)"), 1),
    Network("chambre-consulaire", N_("Chambre consulaire (CCI, CMA, Chambre d'agriculture)"), 1),
    Network("universite", N_("Service universitaire d'orientation"), 1),
    Network("commune-labellisee", N_("Commune labellisée SPRO"), 2),
    Network("association-labellisee", N_("Association labellisée SPRO"), 2),
    Network("maison-emploi", N_("Maison de l'emploi"), 2),
    Network("relais-partenaire", N_("Relais partenaire (France services, tiers-lieu…)"), 3),
)

# Languages spoken at the desk (ISO 639-1), the ones most asked for in the region.
LANGUAGES = (
    Term("fr", N_("Français")),
    Term("en", N_("Anglais")),
    Term("es", N_("Espagnol")),
    Term("it", N_("Italien")),
    Term("de", N_("Allemand")),
    Term("pt", N_("Portugais")),
    Term("ar", N_("Arabe")),
    Term("tr", N_("Turc")),
    Term("ru", N_("Russe")),
    Term("uk", N_("Ukrainien")),
    Term("ro", N_("Roumain")),
    Term("pl", N_("Polonais")),
    Term("zh", N_("Chinois")),
    Term("fa", N_("Persan")),
    Term("ps", N_("Pachto")),
    Term("ta", N_("Tamoul")),
    Term("sq", N_("Albanais")),
    Term("sw", N_("Swahili")),
    Term("lsf", N_("Langue des signes française (LSF)")),
)

CERCLES = {
    1: N_("Cercle 1 : opérateurs désignés par la loi"),
    2: N_("Cercle 2 : structures labellisées"),
    3: N_("Cercle 3 : relais partenaires"),
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
