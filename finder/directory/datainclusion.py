"""The directory as open data in the data·inclusion schema v1, and back.

data·inclusion describes *structures* (one place each, with an address) and their *services*.
One site of ours is one data·inclusion structure (``<source>--<site id>``); each of its
levels of service is one service (``<source>--<site id>--niveau-<n>``): level 1 is an
``information`` service, level 2 an ``accompagnement`` one, both free (``gratuit``), with the
site's address, hours (OSM ``opening_hours``), ``modes_accueil``, ``publics``,
``zone_eligibilite`` (the structure's territory, else the region's départements) and
``date_maj``. Our network becomes ``reseaux_porteurs`` when the national list has a code for
it (``RESEAUX``; the others are listed in the README). What the national schema cannot hold
(ages, qualification levels, cercle, our structure, closures, languages…) is kept in an
``extension_spro`` object of each structure record — ignored by the schema — so that our
own files import back exactly.

``to_table`` reads such a pair of files (ours, or any producer's: then defaults apply) into
an import ``Table`` with the columns of the import format, so they go through the very same
validation, report and publication as a spreadsheet.
"""

from __future__ import annotations

import json
import re

from finder.directory import columns, export
from finder.directory.tablefile import FileProblem, Table
from finder.domain import vocab
from finder.domain.geography import Geography
from finder.domain.model import Directory, Site

LICENCE = "etalab-2.0"
EXTENSION = "extension_spro"
# Our networks -> data·inclusion reseaux_porteurs (v1); networks without a national code are absent.
RESEAUX = {
    "mission-locale": "mission-locale",
    "france-travail": "france-travail",
    "cap-emploi": "cap-emploi-reseau-cheops",
    "reseau-information-jeunesse": "reseau-information-jeunesse",
    "chambre-consulaire": "chambres-consulaires",
    "commune-labellisee": "communes",
    "maison-emploi": "maisons-de-l-emploi",
}
NETWORK_OF = {v: k for k, v in RESEAUX.items()}
DEFAULT_NETWORK = "relais-partenaire"  # a structure of another producer without a known network
# Our statuses -> data·inclusion publics
PUBLICS = {
    "demandeurs-emploi": "demandeurs-emploi",
    "etudiants": "etudiants",
    "personnes-en-situation-de-handicap": "personnes-en-situation-de-handicap",
    "salaries": "actifs",
    "cadres": "actifs",
    "independants": "actifs",
    "agents-publics": "actifs",
    "eleves": "jeunes",
    "apprentis": "jeunes",
}
STATUS_OF = {"demandeurs-emploi": "demandeurs-emploi", "etudiants": "etudiants"}
STATUS_OF["personnes-en-situation-de-handicap"] = "personnes-en-situation-de-handicap"
LEVELS = {
    1: {
        "nom": "Accueil et information sur les métiers et les formations",
        "type": "information",
        "description": "Accueil et information gratuits, objectifs et personnalisés sur les métiers, les formations, "
        "les certifications, les débouchés et les rémunérations (Service public régional de l'orientation).",
        "thematiques": [
            "choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite",
            "choisir-un-metier--connaitre-les-opportunites-demploi",
            "se-former--trouver-sa-formation",
        ],
    },
    2: {
        "nom": "Conseil et accompagnement personnalisé (dont conseil en évolution professionnelle)",
        "type": "accompagnement",
        "description": "Conseil et accompagnement personnalisés pour construire un projet d'orientation ou "
        "d'évolution professionnelle, dont le conseil en évolution professionnelle (Service public régional de "
        "l'orientation).",
        "thematiques": [
            "choisir-un-metier--confirmer-son-choix-de-metier",
            "choisir-un-metier--identifier-ses-points-forts-et-ses-competences",
            "se-former--monter-son-dossier-de-formation",
        ],
    },
}
TYPE_LEVEL = {"information": 1, "accompagnement": 2}
# Columns carried by the extension (the rest maps onto data·inclusion fields).
EXTENDED = (
    "structure_id", "structure_nom", "structure_reseau", "structure_cercle", "structure_departement",
    "structure_site_web", "structure_zone_eligibilite", "site_web", "source_coordonnees", "accessible_pmr",
    "sur_rendez_vous", "niveaux_service", "age_min", "age_max", "publics", "niveaux_qualification", "langues",
    "description", "fermetures", "modes_accueil",
)  # fmt: skip
ID = re.compile(r"[^A-Za-z0-9._:-]")


def _opt(text: str | None, minimum: int = 1, maximum: int = 10000) -> str | None:
    text = (text or "").strip()
    return text[:maximum] if len(text) >= minimum else None


def _name(site_name: str, structure_name: str) -> str:
    """The schema's 3 to 150 characters: a very short site name is completed by its structure's."""
    name = site_name if len(site_name.strip()) >= 3 else f"{structure_name} – {site_name}".strip(" –")
    return name[:150]


def _publics(site: Site) -> list[str] | None:
    found = {PUBLICS[s] for s in site.statuses if s in PUBLICS}
    if site.age_max is not None and site.age_max <= 30:
        found.add("jeunes")
    if site.age_min is not None and site.age_min >= 60:
        found.add("seniors")
    if found:
        return sorted(found)
    unrestricted = not site.statuses and site.age_min is None and site.age_max is None
    return ["tous-publics"] if unrestricted and not site.qualifications else None


def _precisions(site: Site) -> str | None:
    parts = []
    if site.age_min is not None or site.age_max is not None:
        lo, hi = site.age_min, site.age_max
        parts.append(f"de {lo} à {hi} ans" if lo is not None and hi is not None else f"à partir de {lo} ans"
                     if lo is not None else f"jusqu'à {hi} ans")  # fmt: skip
    if site.statuses:
        parts.append("situations : " + ", ".join(vocab.label(vocab.STATUSES, s) for s in site.statuses))
    if site.qualifications:
        parts.append("niveaux : " + ", ".join(vocab.label(vocab.QUALIFICATIONS, q) for q in site.qualifications))
    return ("Public : " + " ; ".join(parts) + ".") if parts else None


def _place(site: Site, geo: Geography) -> dict:
    commune = geo.communes.get(site.commune)
    return {
        "commune": commune.name if commune else None,
        "code_postal": site.postcode,
        "code_insee": site.commune,
        "adresse": site.address,
        "longitude": site.lon,
        "latitude": site.lat,
        "telephone": site.phone,
        "courriel": site.email,
    }


def records(directory: Directory, geo: Geography, source: str, public_url: str | None = None) -> tuple[list, list]:
    """(structures, services) of the directory as data·inclusion v1 records (plain dicts), by id."""
    structures, services = [], []
    zone_region = sorted(geo.departments)
    for site in sorted(directory.sites, key=lambda s: s.id):
        org = directory.structures[site.structure_id]
        sid = f"{source}--{site.id}"
        link = f"{public_url}/lieux/{site.id}" if public_url else None
        row = export.row(site, org, geo)
        reseau = RESEAUX.get(org.network)
        structures.append(
            {
                "source": source,
                "id": sid,
                "nom": _name(site.name, org.name),
                "date_maj": site.date_maj,
                "description": _opt(site.description, 5),
                "lien_source": link,
                **_place(site, geo),
                "site_web": site.website or org.website,
                "horaires_accueil": site.opening_hours,
                "reseaux_porteurs": [reseau] if reseau else None,
                EXTENSION: {c: row[c] for c in EXTENDED},
            }
        )
        for level in site.levels:
            text = LEVELS[level]
            services.append(
                {
                    "source": source,
                    "structure_id": sid,
                    "id": f"{sid}--niveau-{level}",
                    "nom": text["nom"],
                    "description": text["description"],
                    "lien_source": link,
                    "date_maj": site.date_maj,
                    "type": text["type"],
                    "thematiques": text["thematiques"],
                    "frais": "gratuit",
                    "publics": _publics(site),
                    "publics_precisions": _precisions(site),
                    "conditions_acces": "Sur rendez-vous." if site.appointment else None,
                    **_place(site, geo),
                    "modes_accueil": sorted(site.modes),
                    "zone_eligibilite": list(org.territory) if org.territory else zone_region,
                    "horaires_accueil": site.opening_hours,
                }
            )
    return structures, services


def dumps(items: list[dict]) -> bytes:
    """A JSON array, UTF-8, one stable text for the same records."""
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- import ------------------------------------------------------------------------------
def looks_like(data: bytes) -> bool:
    return data.lstrip()[:1] == b"["


def _load(data: bytes, name: str) -> list:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as err:
        raise FileProblem(f"Fichier data·inclusion {name} illisible : JSON invalide ({err}).") from None
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise FileProblem(f"Fichier data·inclusion {name} : un tableau JSON d'objets est attendu.")
    return items


def split(files: list[bytes]) -> tuple[list, list]:
    """(structures, services) from two JSON arrays in any order (services carry ``structure_id``)."""
    if len(files) != 2:
        raise FileProblem(
            "Format data·inclusion : donnez les deux fichiers ensemble, structures.json et services.json."
        )
    first, second = (_load(f, f"n° {i}") for i, f in enumerate(files, 1))
    kinds = [bool(items) and all("structure_id" in x for x in items) for items in (first, second)]
    if kinds == [True, False]:
        first, second = second, first
    elif kinds != [False, True] and not (kinds == [False, False] and not second):
        raise FileProblem("Format data·inclusion : l'un des fichiers doit être celui des services (structure_id).")
    return first, second


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return str(value)


def _row(record: dict, own: list[dict]) -> dict[str, str]:
    """Import cells of one data·inclusion structure and its services."""
    rid = ID.sub("-", str(record.get("id") or ""))[:100]
    site_id = rid.split("--", 1)[1] if "--" in rid else rid
    reseaux = [NETWORK_OF[r] for r in record.get("reseaux_porteurs") or () if r in NETWORK_OF]
    levels = sorted({TYPE_LEVEL.get(s.get("type"), 1) for s in own}) or [1]
    modes = sorted({m for s in own for m in s.get("modes_accueil") or ()})
    publics = sorted({STATUS_OF[p] for s in own for p in s.get("publics") or () if p in STATUS_OF})
    zones = next((s.get("zone_eligibilite") for s in own if s.get("zone_eligibilite")), None) or []
    zones = [z for z in zones if z != "france" and z != "99100"]
    address = " ".join(x for x in (record.get("adresse"), record.get("complement_adresse")) if x)
    row = {
        "id": site_id,
        "nom": _text(record.get("nom")),
        "structure_id": site_id,
        "structure_nom": _text(record.get("nom")),
        "structure_reseau": reseaux[0] if reseaux else DEFAULT_NETWORK,
        "structure_zone_eligibilite": ",".join(zones),
        "adresse": address,
        "code_postal": _text(record.get("code_postal")),
        "code_insee": _text(record.get("code_insee")),
        "commune": _text(record.get("commune")),
        "latitude": _text(record.get("latitude")),
        "longitude": _text(record.get("longitude")),
        "telephone": _text(record.get("telephone")),
        "courriel": _text(record.get("courriel")),
        "site_web": _text(record.get("site_web")),
        "horaires_accueil": _text(record.get("horaires_accueil")),
        "modes_accueil": ",".join(modes),
        "niveaux_service": ",".join(str(lv) for lv in levels),
        "publics": ",".join(publics),
        "description": _text(record.get("description")),
        "date_maj": _text(record.get("date_maj")),
    }
    extension = record.get(EXTENSION)
    if isinstance(extension, dict):
        row.update({k: _text(v) for k, v in extension.items() if k in EXTENDED})
    return row


def to_table(files: list[bytes], max_rows: int = 100_000) -> Table:
    """The two files as an import table (one line per structure: its position in structures.json + 1)."""
    structures, services = split(files)
    if len(structures) > max_rows:
        raise FileProblem(f"Trop de lignes : {max_rows} au plus par import.")
    by_structure: dict[str, list[dict]] = {}
    for s in services:
        by_structure.setdefault(str(s.get("structure_id")), []).append(s)
    rows = []
    for n, record in enumerate(structures, 2):
        cells = _row(record, by_structure.get(str(record.get("id")), []))
        rows.append((n, [cells.get(name, "") for name in columns.NAMES]))
    return Table(header=list(columns.NAMES), rows=rows, kind="data-inclusion", encoding="utf-8")
