"""Parsing and validation of query parameters, shared by the API, the pages and the CLI.

Each parser takes ``args``: a mapping whose ``getlist(name)`` gives every value of a
parameter (werkzeug's MultiDict, or ``Args`` below). Errors name the field and the bad
value in French.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from finder.domain import geodesy, vocab
from finder.domain.criteria import Criteria
from finder.errors import InvalidParameter, MissingParameter

LIMIT_MAX = 50
MAX_KM_MAX = 1000.0
AGE_MAX = 120
TRUE_WORDS = {"1", "true", "oui", "yes", "on"}
FALSE_WORDS = {"0", "false", "non", "no", "off", ""}


class Args(dict):
    """A plain dict of lists with MultiDict's getlist, for the CLI and tests."""

    def getlist(self, name: str) -> list[str]:
        value = self.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple)) else [value]


def single(args, name: str) -> str | None:
    values = args.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise InvalidParameter(
            f"Le paramètre « {name} » ne peut être donné qu'une fois.", field=name, code="repeated_parameter"
        )
    return values[0].strip()


def single_or_none(args, name: str) -> str | None:
    """The first value of a parameter, stripped; None when absent or blank."""
    values = args.getlist(name)
    return (values[0].strip() or None) if values else None


def parse_int(args, name: str, lo: int, hi: int, default: int | None = None) -> int | None:
    raw = single(args, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"« {name} » doit être un nombre entier (reçu : « {raw} »).", field=name) from None
    if not lo <= value <= hi:
        raise InvalidParameter(f"« {name} » doit être compris entre {lo} et {hi} (reçu : {value}).", field=name)
    return value


def parse_float(args, name: str, lo: float, hi: float) -> float | None:
    raw = single(args, name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidParameter(f"« {name} » doit être un nombre décimal (reçu : « {raw} »).", field=name) from None
    if not math.isfinite(value) or not lo <= value <= hi:
        raise InvalidParameter(
            f"« {name} » doit être compris entre {_fr(lo)} et {_fr(hi)} (reçu : « {raw} »).", field=name
        )
    return value


def parse_code(args, name: str, allowed) -> str | None:
    raw = single(args, name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise InvalidParameter(
            f"Valeur inconnue pour « {name} » : « {raw} ».", field=name, allowed=sorted(allowed), code="unknown_code"
        )
    return raw


def parse_bool(args, name: str) -> bool:
    raw = single(args, name)
    if raw is None:
        return False
    low = raw.lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise InvalidParameter(
        f"« {name} » doit valoir true ou false (reçu : « {raw} »).", field=name, allowed=["true", "false"]
    )


def parse_codes(args, name: str, allowed, what: str) -> frozenset[str] | None:
    """A repeatable, comma-separated list of codes ("network=cio&network=apec", "network=cio,apec")."""
    codes = []
    for raw in args.getlist(name):
        for code in (x.strip() for x in raw.split(",")):
            if code not in allowed:
                raise InvalidParameter(
                    f"{what} inconnu : « {code} ».", field=name, allowed=sorted(allowed), code="unknown_code"
                )
            codes.append(code)
    return frozenset(codes) or None


def parse_criteria(args, departments=None) -> Criteria:
    """The person's profile and needs; ``departments`` (the known codes) enables the département filter."""
    level = parse_code(args, "level", {str(x) for x in vocab.LEVEL_CODES})
    territory = parse_code(args, "territory", {"only", "all"})
    return Criteria(
        age=parse_int(args, "age", 0, AGE_MAX),
        status=parse_code(args, "status", vocab.STATUS_CODES),
        qualification=parse_code(args, "qualification", vocab.QUALIFICATION_CODES),
        level=int(level) if level else None,
        networks=parse_codes(args, "network", vocab.NETWORK_CODES, "Réseau"),
        mode=parse_code(args, "mode", vocab.MODE_CODES),
        accessible=parse_bool(args, "accessible"),
        departments=parse_codes(args, "department", departments, "Département") if departments is not None else None,
        territory_only=territory == "only",
    )


@dataclass(frozen=True)
class OriginQuery:
    lat: float | None = None
    lon: float | None = None
    commune: str | None = None


def parse_origin(args) -> OriginQuery:
    """Exactly one origin: lat and lon together, or a commune INSEE code."""
    lat = parse_float(args, "lat", *geodesy.LAT_RANGE)
    lon = parse_float(args, "lon", *geodesy.LON_RANGE)
    commune = single(args, "commune") or None
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise MissingParameter(f"« lat » et « lon » vont ensemble : « {missing} » manque.", field=missing)
    if lat is not None and commune:
        raise InvalidParameter(
            "Donnez une seule origine : soit « lat » et « lon », soit « commune ».", field="commune", code="two_origins"
        )
    if lat is None and not commune:
        raise MissingParameter(
            "Une origine est nécessaire : « lat » et « lon », ou « commune » (code INSEE).",
            field="lat",
            code="missing_origin",
        )
    return OriginQuery(lat, lon, commune)


def parse_limit(args, default: int = 10) -> int:
    return parse_int(args, "limit", 1, LIMIT_MAX, default)


def parse_max_km(args) -> float | None:
    value = parse_float(args, "max_km", 0.0, MAX_KM_MAX)
    if value is not None and value <= 0:
        raise InvalidParameter(f"« max_km » doit être strictement positif (reçu : {_fr(value)}).", field="max_km")
    return value


def _fr(x: float) -> str:
    return f"{x:g}".replace(".", ",")
