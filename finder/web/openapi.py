"""The OpenAPI 3.1 document of the public API v1, generated from the parameter declarations.

Pure: ``build(geo)`` returns a dict. Every query parameter comes from its declaration in
finder.service.params (name, schema with the enumerations of the vocabularies and the
geography, bounds, description), so the document never drifts from what the API accepts.
The web layer keeps only the paths the app actually serves (finder/web/docs.py).
"""

from __future__ import annotations

from finder import __version__
from finder.domain import vocab
from finder.service import params
from finder.service.params import Endpoint

REF = "#/components/schemas/"
GEOJSON = "application/geo+json"
JSON = "application/json"


def ref(name: str) -> dict:
    return {"$ref": REF + name}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def codes(terms) -> list[str]:
    return [t.code for t in terms]


# -- schemas ------------------------------------------------------------------------------
def schemas(geo) -> dict:
    departments = sorted(geo.departments)
    string, integer, number, boolean = ({"type": t} for t in ("string", "integer", "number", "boolean"))
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "field", "message"],
                    "properties": {
                        "code": {**string, "examples": ["invalid_parameter", "unknown_code", "not_found"]},
                        "field": {**nullable(string), "description": "Paramètre en cause (null si aucun)."},
                        "message": {**string, "description": "Message en français, avec la valeur reçue."},
                        "allowed": {"type": "array", "items": {"type": ["string", "integer"]}},
                    },
                }
            },
        },
        "Dataset": {
            "type": "object",
            "required": ["version", "demo", "sites", "structures"],
            "properties": {
                "version": integer,
                "demo": {**boolean, "description": "true : annuaire de démonstration (structures fictives)."},
                "sites": integer,
                "structures": integer,
            },
        },
        "Point": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": {"const": "Point"},
                "coordinates": {
                    "type": "array",
                    "description": "[longitude, latitude] en degrés décimaux WGS84 (RFC 7946).",
                    "prefixItems": [number, number],
                    "minItems": 2,
                    "maxItems": 2,
                },
            },
        },
        "Structure": _structure_schema(),
        "SiteProperties": _site_properties_schema(departments),
        "Site": _feature_schema("SiteProperties"),
        "NearestProperties": {
            "allOf": [
                ref("SiteProperties"),
                {
                    "type": "object",
                    "required": ["distance_km", "in_territory"],
                    "properties": {
                        "distance_km": {**number, "minimum": 0, "description": "Distance géodésique WGS84 (km)."},
                        "in_territory": {
                            **nullable(boolean),
                            "description": "La structure est-elle compétente pour la commune d'origine ? "
                            "null : origine hors commune connue, ou structure sans territoire déclaré.",
                        },
                    },
                },
            ]
        },
        "NearestSite": _feature_schema("NearestProperties"),
        "Filters": _filters_schema(geo),
        "SiteCollection": _collection_schema("Site", nearest=False),
        "NearestCollection": _collection_schema("NearestSite", nearest=True),
        "Origin": _origin_schema(),
        "Term": {
            "type": "object",
            "required": ["code", "label"],
            "properties": {"code": {"type": ["string", "integer"]}, "label": string},
        },
        "Vocabularies": _vocabularies_schema(),
        "Health": {
            "type": "object",
            "required": ["status", "dataset"],
            "properties": {"status": {"const": "ok"}, "dataset": ref("Dataset")},
        },
        "Readiness": {
            "type": "object",
            "required": ["status", "database", "reload", "version"],
            "properties": {
                "status": {"type": "string", "enum": ["ready", "unavailable"]},
                "database": {"type": "string", "enum": ["ok", "unreachable"]},
                "reload": {"type": "string", "enum": ["ok", "failed"]},
                "version": {"type": "integer", "description": "Version de l'annuaire servie (en mémoire)."},
            },
        },
        "GeocodeResults": _geocode_schema(),
        **_coverage_schemas(),
        "DataInclusionRecords": {
            "type": "array",
            "description": "Enregistrements du schéma data·inclusion v1 (https://github.com/gip-inclusion/"
            "data-inclusion-schema), licence etalab-2.0.",
            "items": {
                "type": "object",
                "required": ["source", "id", "nom", "date_maj"],
                "properties": {
                    "source": {"type": "string"},
                    "id": {"type": "string"},
                    "structure_id": {"type": "string"},
                    "nom": {"type": "string", "minLength": 3, "maxLength": 150},
                    "date_maj": {"type": "string", "format": "date"},
                },
            },
        },
    }


def _structure_schema() -> dict:
    return {
        "type": "object",
        "required": ["id", "name", "network", "network_label", "cercle", "has_territory"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "network": {"type": "string", "enum": codes(vocab.NETWORKS)},
            "network_label": {"type": "string"},
            "cercle": {"type": "integer", "enum": sorted(vocab.CERCLES)},
            "website": nullable({"type": "string"}),
            "has_territory": {"type": "boolean", "description": "La structure sert un territoire défini."},
        },
    }


def _site_properties_schema(departments: list[str]) -> dict:
    text = nullable({"type": "string"})
    return {
        "type": "object",
        "required": ["id", "name", "structure", "address", "postcode", "commune", "department", "levels", "publics"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "structure": ref("Structure"),
            "address": {"type": "string"},
            "postcode": {"type": "string"},
            "commune": {
                "type": "object",
                "required": ["insee", "name"],
                "properties": {"insee": {"type": "string"}, "name": text},
            },
            "department": nullable({"type": "string", "enum": departments}),
            "phone": text,
            "email": text,
            "website": text,
            "opening_hours": {**text, "description": "Horaires, syntaxe OpenStreetMap opening_hours."},
            "accessible": {**nullable({"type": "boolean"}), "description": "Accessible en fauteuil roulant."},
            "modes": {"type": "array", "items": {"type": "string", "enum": codes(vocab.MODES)}},
            "languages": {
                "type": "array",
                "items": {"type": "string", "enum": codes(vocab.LANGUAGES)},
                "description": "Langues parlées à l'accueil (ISO 639-1) en plus du français, parlé partout.",
            },
            "appointment": {"type": "boolean", "description": "Sur rendez-vous."},
            "levels": {"type": "array", "items": {"type": "integer", "enum": sorted(vocab.LEVEL_CODES)}},
            "publics": {
                "type": "object",
                "required": ["age_min", "age_max", "statuses", "qualifications"],
                "properties": {
                    "age_min": nullable({"type": "integer"}),
                    "age_max": nullable({"type": "integer"}),
                    "statuses": {"type": "array", "items": {"type": "string", "enum": codes(vocab.STATUSES)}},
                    "qualifications": {
                        "type": "array",
                        "items": {"type": "string", "enum": codes(vocab.QUALIFICATIONS)},
                    },
                },
            },
            "description": {"type": "string"},
            "date_maj": {**text, "description": "Date de dernière vérification (ISO 8601)."},
            "closures": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["start", "end"],
                    "properties": {k: {"type": "string"} for k in ("start", "end", "reason")},
                },
            },
        },
    }


def _feature_schema(properties: str) -> dict:
    return {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "id": {"type": "string"},
            "geometry": ref("Point"),
            "properties": ref(properties),
        },
    }


def _filters_schema(geo) -> dict:
    """The filters echoed by an answer: the profile parameters and the départements, then max_km and limit."""
    props = {p.name: p.kind.schema(geo) for p in [*params.PROFILE, params.DEPARTMENTS]}
    props["max_km"] = {"type": "number"}
    props["limit"] = {"type": "integer"}
    props["order"] = params.ORDER.kind.schema(geo)
    props["bbox"] = {
        "type": "array",
        "items": {"type": "number"},
        "minItems": 4,
        "maxItems": 4,
        "description": "[minlon, minlat, maxlon, maxlat]",
    }
    return {"type": "object", "description": "Filtres appliqués, normalisés (seuls ceux donnés).", "properties": props}


def _collection_schema(item: str, nearest: bool) -> dict:
    required = ["type", "dataset", "features"] + (["origin", "filters"] if nearest else [])
    props = {
        "type": {"const": "FeatureCollection"},
        "dataset": ref("Dataset"),
        "filters": ref("Filters"),
        "features": {"type": "array", "items": ref(item)},
    }
    if nearest:
        props["origin"] = ref("Origin")
        props["explanation"] = _explanation_schema()
    else:
        required += ["total", "page", "page_size", "next"]
        props["total"] = {"type": "integer", "minimum": 0, "description": "Nombre de lieux correspondants."}
        props["page"] = {"type": "integer", "minimum": 1}
        props["page_size"] = {"type": "integer", "minimum": 1, "maximum": params.PAGE_SIZE_MAX}
        props["next"] = {
            **nullable({"type": "string", "format": "uri"}),
            "description": "Adresse absolue de la page suivante (mêmes paramètres) ; null sur la dernière page.",
        }
    return {"type": "object", "required": required, "properties": props}


def _explanation_schema() -> dict:
    """Given only when no site answers: why, and what each filter dropped alone would give."""
    relaxation = {
        "type": "object",
        "required": ["filter", "text", "keeps", "count_without"],
        "properties": {
            "filter": {"type": "string", "description": "Paramètre du filtre."},
            "text": {"type": "string"},
            "keeps": {"type": "integer", "description": "Lieux du rayon que ce filtre garde à lui seul."},
            "count_without": {"type": "integer", "description": "Lieux du rayon sans ce filtre (les autres gardés)."},
        },
    }
    return {
        "type": "object",
        "description": "Seulement quand aucun lieu ne répond : pourquoi, et ce que donnerait chaque filtre retiré.",
        "required": ["text", "radius_km", "nearby", "relaxations"],
        "properties": {
            "text": {"type": "string"},
            "radius_km": {"type": ["number", "null"], "description": "max_km ; null : tout l'annuaire."},
            "nearby": {"type": "integer", "description": "Lieux dans le rayon, quel que soit le profil."},
            "relaxations": {"type": "array", "items": relaxation},
        },
    }


def _origin_schema() -> dict:
    return {
        "type": "object",
        "required": ["kind", "lat", "lon", "commune"],
        "properties": {
            "kind": {"type": "string", "enum": ["point", "commune"]},
            "lat": {"type": "number"},
            "lon": {"type": "number"},
            "commune": nullable(
                {
                    "type": "object",
                    "required": ["insee", "name", "department"],
                    "properties": {
                        "insee": {"type": "string"},
                        "name": {"type": "string"},
                        "department": {"type": "string"},
                    },
                }
            ),
        },
    }


def _vocabularies_schema() -> dict:
    terms = {"type": "array", "items": ref("Term")}
    network = {
        "type": "object",
        "required": ["code", "label", "cercle"],
        "properties": {"code": {"type": "string"}, "label": {"type": "string"}, "cercle": {"type": "integer"}},
    }
    keys = ["statuses", "qualifications", "levels", "networks", "modes", "cercles", "languages"]
    props = {k: terms for k in keys}
    props["networks"] = {"type": "array", "items": network}
    return {"type": "object", "required": keys, "properties": props}


def _geocode_schema() -> dict:
    text = {"type": "string"}
    place = {
        "type": "object",
        "required": ["label", "insee", "name", "department", "postcode", "lat", "lon", "kind", "score"],
        "properties": {
            "label": {**text, "description": "Libellé à afficher."},
            "insee": {**text, "description": "Code INSEE de la commune (ou de l'arrondissement)."},
            "name": text,
            "department": text,
            "postcode": nullable(text),
            "lat": {"type": "number", "description": "Latitude WGS84."},
            "lon": {"type": "number", "description": "Longitude WGS84."},
            "kind": {"type": "string", "enum": ["commune", "arrondissement", "postcode", "address"]},
            "score": {"type": "number"},
        },
    }
    return {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": place}}}


# -- parameters ---------------------------------------------------------------------------
def parameters(endpoint: Endpoint, geo) -> list[dict]:
    """The query parameters of an endpoint, from their declarations."""
    return [p.openapi(geo) for p in endpoint.params]


IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETag d'une réponse précédente : 304 sans corps si elle est toujours valable.",
}


# -- responses ----------------------------------------------------------------------------
def _error(description: str, **headers) -> dict:
    out = {"description": description, "content": {JSON: {"schema": ref("Error")}}}
    if headers:
        out["headers"] = headers
    return out


def _ok(schema: str, media: str = JSON, cacheable: bool = False) -> dict:
    out = {"description": "Succès.", "content": {media: {"schema": ref(schema)}}}
    if cacheable:
        out["headers"] = {
            "ETag": {"schema": {"type": "string"}, "required": True, "description": "Version de la réponse."},
            "Cache-Control": {"schema": {"type": "string"}, "required": True},
        }
    return out


RESPONSES = {
    "BadRequest": _error(
        "Paramètre invalide, ou inconnu (code `unknown_parameter` : chaque opération n'accepte que les "
        "paramètres qu'elle déclare, sans exception pour des paramètres de suivi ou d'anti-cache) : le message "
        "et « field » nomment le paramètre en cause."
    ),
    "NotFound": _error("Ressource introuvable."),
    "TooManyRequests": _error(
        "Trop de requêtes depuis cette adresse.",
        **{"Retry-After": {"schema": {"type": "integer"}, "required": True, "description": "Secondes à attendre."}},
    ),
    "NotModified": {"description": "Inchangé depuis l'ETag donné dans If-None-Match."},
}


def _operation(summary: str, description: str, params: list[dict], ok: dict, *errors: str, tag="lieux") -> dict:
    responses = {"200": ok}
    for code in errors:
        name = {"304": "NotModified", "400": "BadRequest", "404": "NotFound", "429": "TooManyRequests"}[code]
        responses[code] = {"$ref": f"#/components/responses/{name}"}
    return {
        "tags": [tag],
        "summary": summary,
        "description": description,
        "operationId": _operation_id(summary),
        "parameters": params,
        "responses": responses,
    }


def _operation_id(summary: str) -> str:
    return "".join(ch for ch in summary.title() if ch.isalnum())


def paths(geo) -> dict:
    return {
        "/api/v1/sites": {
            "get": _operation(
                "List sites",
                "Les lieux d'accueil (GeoJSON FeatureCollection), page par page, filtrables par profil, réseau, "
                f"département et emprise (`bbox`). `page_size` : au plus {params.PAGE_SIZE_MAX} ; sans lui, "
                f"l'annuaire entier s'il compte au plus {params.PAGE_SIZE_WHOLE} lieux, sinon des pages de "
                f"{params.PAGE_SIZE_DEFAULT} lieux (moins de 1 Mo) ; `total` compte les lieux correspondants et "
                "`next` donne l'adresse de la page suivante (null sur la dernière). L'annuaire entier : "
                "`/api/v1/sites.geojson.gz`.",
                parameters(params.SITES, geo) + [IF_NONE_MATCH],
                _ok("SiteCollection", GEOJSON, cacheable=True),
                "304",
                "400",
                "429",
            )
        },
        "/api/v1/sites.geojson.gz": {
            "get": _operation(
                "Download all sites",
                "Tous les lieux de la version publiée en un fichier GeoJSON compressé (gzip, à décompresser : "
                "ce n'est pas un encodage de transfert), construit une fois par version. ETag : 304 sur "
                "If-None-Match tant que la version ne change pas.",
                [IF_NONE_MATCH],
                {
                    "description": "Succès : une FeatureCollection (schéma SiteCollection sans pagination), gzip.",
                    "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
                    "headers": {
                        "ETag": {"schema": {"type": "string"}, "required": True, "description": "Version."},
                        "Content-Disposition": {"schema": {"type": "string"}, "required": True},
                    },
                },
                "304",
                "400",
                "429",
            )
        },
        "/api/v1/sites/nearest": {
            "get": _operation(
                "Nearest sites",
                "Lieux d'accueil triés par distance géodésique (WGS84) depuis une origine : lat et lon, ou commune.",
                parameters(params.NEAREST, geo),
                _ok("NearestCollection", GEOJSON),
                "400",
                "429",
            )
        },
        "/api/v1/sites/{id}": {
            "get": _operation(
                "Get site",
                "Un lieu d'accueil (GeoJSON Feature).",
                [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}},
                    IF_NONE_MATCH,
                ],
                _ok("Site", GEOJSON, cacheable=True),
                "304",
                "400",
                "404",
                "429",
            )
        },
        "/api/v1/geocode": {
            "get": _operation(
                "Geocode",
                "Communes (et adresses lorsque le service national est configuré) correspondant à un texte.",
                parameters(params.GEOCODE, geo),
                _ok("GeocodeResults"),
                "400",
                "429",
                tag="géocodage",
            )
        },
        "/api/v1/vocabularies": {
            "get": _operation(
                "Vocabularies",
                "Codes et libellés : statuts, qualifications, niveaux de service, réseaux, modes, cercles.",
                [IF_NONE_MATCH],
                _ok("Vocabularies", cacheable=True),
                "304",
                "429",
                tag="référentiels",
            )
        },
        "/api/v1/openapi.json": {
            "get": _operation(
                "OpenAPI document",
                "Ce document (OpenAPI 3.1).",
                [IF_NONE_MATCH],
                {"description": "Succès.", "content": {JSON: {"schema": {"type": "object"}}}},
                "304",
                "429",
                tag="référentiels",
            )
        },
        "/api/v1/coverage": {
            "get": _operation(
                "Coverage",
                "Pour chaque commune de la région (Lyon par ses 9 arrondissements), le lieu d'accueil adapté "
                "au profil le plus proche du point de référence de la commune, la distance géodésique et si elle "
                "est dans le seuil `max_km`. `department` restreint les communes analysées, pas les lieux. "
                "`territory=only` : les lieux d'une structure à territoire ne comptent que pour les communes "
                "de ce territoire.",
                parameters(params.COVERAGE, geo),
                _ok("CoverageResult"),
                "400",
                "429",
                tag="couverture",
            )
        },
        "/api/v1/opendata/data-inclusion/structures.json": {
            "get": _operation(
                "Open data structures",
                "Les lieux d'accueil au format data·inclusion v1 (un lieu = une structure au sens du schéma), "
                "tableau JSON, licence etalab-2.0. Identifiants stables `<source>--<id du lieu>`. Les informations "
                "que le schéma national ne prévoit pas sont dans l'objet `extension_spro` de chaque enregistrement.",
                [IF_NONE_MATCH],
                _ok("DataInclusionRecords", cacheable=True),
                "304",
                "429",
                tag="données ouvertes",
            )
        },
        "/api/v1/opendata/data-inclusion/services.json": {
            "get": _operation(
                "Open data services",
                "Les services au format data·inclusion v1 : un service par lieu et niveau de service "
                "(`<source>--<id du lieu>--niveau-<n>` ; 1 = information, 2 = accompagnement), gratuits, avec "
                "publics, modes d'accueil, zone d'éligibilité et horaires OpenStreetMap. Licence etalab-2.0.",
                [IF_NONE_MATCH],
                _ok("DataInclusionRecords", cacheable=True),
                "304",
                "429",
                tag="données ouvertes",
            )
        },
        "/healthz": {
            "get": _operation(
                "Health", "État du service et version de l'annuaire servi.", [], _ok("Health"), tag="service"
            )
        },
        "/readyz": {"get": _readiness()},
    }


def _readiness() -> dict:
    op = _operation(
        "Readiness",
        "Prêt à recevoir du trafic : 200 quand la base répond et que le dernier rechargement a réussi, sinon 503 "
        "(le serveur continue de répondre aux recherches avec la version en mémoire). Jamais mis en cache.",
        [],
        _ok("Readiness"),
        tag="service",
    )
    op["responses"]["503"] = {
        "description": "Pas prêt : base injoignable ou rechargement de la version publiée en échec.",
        "content": {JSON: {"schema": ref("Readiness")}},
    }
    return op


def info(geo) -> dict:
    """The document's info: title and description name the served region (``geo.name``)."""
    return {
        "title": f"SPRO {geo.name} — lieux d'accueil",
        "description": (
            "API publique et gratuite des lieux d'accueil du Service public régional de l'orientation "
            f"({geo.name}). Lecture seule (GET), CORS ouvert, réponses JSON et GeoJSON (RFC 7946, "
            "coordonnées [lon, lat]). Limite de débit par adresse : 429 avec Retry-After au-delà. Chaque "
            "opération n'accepte que les paramètres qu'elle déclare (400 `unknown_parameter` sinon)."
        ),
        "license": {"name": "MIT (code) ; données : voir la documentation", "identifier": "MIT"},
    }


def build(geo) -> dict:
    """The whole document for the served geography (départements, bounds)."""
    doc_paths = {path: _with_rate_limit(path, item) for path, item in paths(geo).items()}
    return {
        "openapi": "3.1.0",
        "info": {**info(geo), "version": __version__},
        "servers": [{"url": "/", "description": "Ce serveur"}],
        "tags": [
            {"name": "lieux", "description": "Lieux d'accueil du SPRO."},
            {"name": "géocodage", "description": "Trouver une commune ou une adresse."},
            {"name": "couverture", "description": "Couverture territoriale (personnel de terrain)."},
            {"name": "données ouvertes", "description": "L'annuaire au format data·inclusion, licence etalab-2.0."},
            {"name": "référentiels", "description": "Vocabulaires et documentation."},
            {"name": "service", "description": "Supervision."},
        ],
        "paths": doc_paths,
        "components": {"schemas": schemas(geo), "responses": RESPONSES},
    }


def _with_rate_limit(path: str, item: dict) -> dict:
    """Every /api/ operation may answer 429 (the limit applies to the whole API)."""
    if not path.startswith("/api/"):
        return item
    out = {}
    for method, op in item.items():
        if isinstance(op, dict) and "responses" in op:
            responses = {"429": {"$ref": "#/components/responses/TooManyRequests"}, **op["responses"]}
            op = {**op, "responses": responses}
        out[method] = op
    return out


def served(document: dict, serves) -> dict:
    """The document restricted to the paths for which ``serves(sample_path)`` is true."""
    kept = {p: item for p, item in document["paths"].items() if serves(sample_path(p))}
    return {**document, "paths": kept}


def sample_path(template: str) -> str:
    """A concrete path for an OpenAPI path template: ``/sites/{id}`` -> ``/sites/x``."""
    out, depth = [], 0
    for ch in template:
        if ch == "{":
            depth += 1
            out.append("x")
        elif ch == "}":
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def _coverage_schemas() -> dict:
    summary = {
        "type": "object",
        "required": ["communes", "population", "population_covered", "share_covered"],
        "properties": {
            "communes": {"type": "integer"},
            "population": {"type": "integer"},
            "population_covered": {"type": "integer"},
            "share_covered": {"type": "number", "minimum": 0, "maximum": 1},
            "median_km": {
                "type": ["number", "null"],
                "description": "Médiane des distances pondérée par la population",
            },
            "p90_km": {
                "type": ["number", "null"],
                "description": "90e centile des distances pondéré par la population",
            },
        },
    }
    commune = {
        "type": "object",
        "required": ["insee", "name", "department", "population", "point", "nearest_site_id", "distance_km", "covered"],
        "properties": {
            "insee": {"type": "string", "example": "15014"},
            "name": {"type": "string"},
            "department": {"type": "string"},
            "epci": {"type": ["string", "null"], "description": "Code SIREN de l'EPCI"},
            "epci_name": {"type": ["string", "null"], "description": "Nom de l'EPCI"},
            "population": {"type": "integer"},
            "point": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
                "description": "Point de référence de la commune, [lon, lat] (WGS84)",
            },
            "nearest_site_id": {"type": ["string", "null"]},
            "distance_km": {"type": ["number", "null"], "description": "Distance géodésique WGS84"},
            "covered": {"type": "boolean", "description": "distance_km <= max_km"},
        },
    }
    result = {
        "type": "object",
        "required": ["filters", "max_km", "summary", "communes"],
        "properties": {
            "filters": {"type": "object"},
            "max_km": {"type": "number"},
            "dataset": ref("Dataset"),
            "summary": ref("CoverageSummary"),
            "communes": {"type": "array", "items": ref("CoverageCommune")},
        },
    }
    return {"CoverageSummary": summary, "CoverageCommune": commune, "CoverageResult": result}
