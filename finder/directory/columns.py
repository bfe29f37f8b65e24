"""Columns of the directory import/export file: one row per site carrying its structure's columns.

This list is the single source of the Table Schema in geodata/schema/schema.json
(``scripts/build_schema.py`` writes it, a test checks it is up to date), of the
importer and of the exporter. Names follow the data·inclusion schema where it has one.
Lists inside a cell are comma-separated codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.domain import vocab

LIST_SEPARATOR = ","
CLOSURE_SEPARATOR = "|"
TRUE_VALUES = ("oui",)
FALSE_VALUES = ("non",)


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    description: str
    example: str
    type: str = "string"  # Table Schema type
    required: bool = False
    enum: tuple[str, ...] | None = None  # one code per cell
    codes: tuple[str, ...] | None = None  # comma-separated codes
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    format: str | None = None
    structure: bool = False  # the structure's column, repeated on each of its sites


def _codes(terms) -> tuple[str, ...]:
    return tuple(t.code for t in terms)


INSEE = r"^(\d{5}|2[AB]\d{3})$"

COLUMNS: tuple[Column, ...] = (
    Column("id", "Identifiant du lieu", "Identifiant unique et stable du lieu d'accueil.", "lieu-0001", required=True),
    Column(
        "nom", "Nom du lieu", "Nom du lieu d'accueil tel qu'affiché au public.", "Mission locale – siège", required=True
    ),
    Column(
        "structure_id",
        "Identifiant de la structure",
        "Identifiant de la structure qui porte le lieu ; les colonnes structure_* sont répétées sur chacun de ses "
        "lieux.",
        "str-0001",
        required=True,
        structure=True,
    ),
    Column(
        "structure_nom", "Nom de la structure", "Nom de la structure.", "Mission locale", required=True, structure=True
    ),
    Column(
        "structure_reseau",
        "Réseau de la structure",
        "Réseau porteur (équivalent de reseaux_porteurs dans data·inclusion), un seul code.",
        "mission-locale",
        required=True,
        enum=tuple(n.code for n in vocab.NETWORKS),
        structure=True,
    ),
    Column(
        "structure_cercle",
        "Cercle du SPRO",
        "1 : opérateur désigné par la loi ; 2 : structure labellisée ; 3 : relais partenaire. "
        "Vide : le cercle habituel du réseau.",
        "1",
        type="integer",
        enum=("1", "2", "3"),
        structure=True,
    ),
    Column(
        "structure_departement",
        "Département de la structure",
        "Code du département de rattachement. Vide : celui de la commune du premier lieu.",
        "01",
        pattern=r"^(0[1-9]|[1-8]\d|9[0-5]|2[AB])$",
        structure=True,
    ),
    Column(
        "structure_site_web",
        "Site web de la structure",
        "Adresse web commençant par http:// ou https://.",
        "https://www.example.org/",
        format="uri",
        structure=True,
    ),
    Column(
        "structure_zone_eligibilite",
        "Territoire de compétence",
        "Communes pour lesquelles la structure est compétente (comme zone_eligibilite dans data·inclusion) : codes "
        "INSEE de communes, codes SIREN d'EPCI ou codes de départements, séparés par des virgules. Vide : "
        "tout public, sans restriction territoriale. Un EPCI ou un département est remplacé par ses communes.",
        "01053,01004",
        pattern=r"^(\d{5}|2[AB]\d{3}|\d{9}|\d{2}|2[AB])(,(\d{5}|2[AB]\d{3}|\d{9}|\d{2}|2[AB]))*$",
        structure=True,
    ),
    Column("adresse", "Adresse", "Numéro et voie (et complément éventuel).", "120 rue de la Liberté", required=True),
    Column("code_postal", "Code postal", "Code postal à 5 chiffres.", "01000", required=True, pattern=r"^\d{5}$"),
    Column(
        "code_insee",
        "Code INSEE de la commune",
        "Code officiel géographique de la commune (à Lyon, celui de l'arrondissement, 69381 à 69389).",
        "01053",
        required=True,
        pattern=INSEE,
    ),
    Column("commune", "Nom de la commune", "Informatif : contrôlé avec le code INSEE.", "Bourg-en-Bresse"),
    Column(
        "latitude",
        "Latitude",
        "Latitude WGS84 en degrés décimaux (virgule décimale acceptée). Vide avec la longitude : le lieu est géocodé.",
        "46.200003",
        type="number",
        minimum=-90,
        maximum=90,
    ),
    Column(
        "longitude",
        "Longitude",
        "Longitude WGS84 en degrés décimaux (virgule décimale acceptée).",
        "5.266694",
        type="number",
        minimum=-180,
        maximum=180,
    ),
    Column(
        "source_coordonnees",
        "Origine des coordonnées",
        "Vide : fournies par la source ; ban : géocodées par la Base Adresse Nationale ; commune : point de "
        "référence de la commune (position approximative).",
        "",
        enum=("ban", "commune"),
    ),
    Column(
        "telephone",
        "Téléphone",
        "Un numéro : 10 chiffres commençant par 0, +33 suivi de 9 chiffres, ou numéro court 3xxx.",
        "04 65 71 00 01",
    ),
    Column("courriel", "Courriel", "Adresse électronique de contact.", "accueil@example.org", format="email"),
    Column("site_web", "Site web du lieu", "Adresse web commençant par http:// ou https://.", "", format="uri"),
    Column(
        "horaires_accueil",
        "Horaires d'accueil",
        "Horaires au format OpenStreetMap opening_hours (comme horaires_accueil dans data·inclusion).",
        "Mo-Fr 08:30-12:30,13:30-17:30; PH off",
    ),
    Column(
        "accessible_pmr",
        "Accessible en fauteuil roulant",
        "oui, non, ou vide si inconnu.",
        "oui",
        type="boolean",
    ),
    Column(
        "modes_accueil",
        "Modes d'accueil",
        "Codes data·inclusion séparés par des virgules. Vide : en-presentiel.",
        "en-presentiel,a-distance",
        codes=_codes(vocab.MODES),
    ),
    Column("sur_rendez_vous", "Sur rendez-vous", "oui ou non (vide : non).", "non", type="boolean"),
    Column(
        "niveaux_service",
        "Niveaux de service",
        "1 : accueil et information ; 2 : conseil et accompagnement personnalisé. Séparés par des virgules. Vide : 1.",
        "1,2",
        codes=_codes(vocab.LEVELS),
    ),
    Column(
        "age_min", "Âge minimum", "Âge minimum du public, vide si aucun.", "16", type="integer", minimum=0, maximum=120
    ),
    Column(
        "age_max", "Âge maximum", "Âge maximum du public, vide si aucun.", "25", type="integer", minimum=0, maximum=120
    ),
    Column(
        "publics",
        "Statuts des publics",
        "Statuts accueillis, séparés par des virgules. Vide : tous les publics.",
        "demandeurs-emploi,salaries",
        codes=_codes(vocab.STATUSES),
    ),
    Column(
        "niveaux_qualification",
        "Niveaux de qualification",
        "Niveaux accueillis, séparés par des virgules. Vide : tous niveaux.",
        "",
        codes=_codes(vocab.QUALIFICATIONS),
    ),
    Column(
        "langues",
        "Langues parlées",
        "Langues parlées à l'accueil (codes ISO 639-1, lsf pour la langue des signes), séparés par des virgules.",
        "fr,en",
        codes=_codes(vocab.LANGUAGES),
    ),
    Column("description", "Présentation", "Présentation du service rendu (texte libre).", "Accueil des jeunes."),
    Column(
        "date_maj",
        "Date de vérification",
        "Date à laquelle les informations ont été vérifiées pour la dernière fois (AAAA-MM-JJ ou JJ/MM/AAAA).",
        "2026-03-27",
        type="date",
        required=True,
    ),
    Column(
        "fermetures",
        "Fermetures temporaires",
        "Périodes de fermeture « AAAA-MM-JJ/AAAA-MM-JJ motif » (dates incluses), séparées par des barres "
        "verticales « | ».",
        "2026-12-24/2027-01-02 Congés de fin d'année",
    ),
)

BY_NAME = {c.name: c for c in COLUMNS}
NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
STRUCTURE_COLUMNS = tuple(c.name for c in COLUMNS if c.structure)
