"""Every request parameter, declared once.

A ``Param`` gives a parameter's name (query key, form field name and ``--option`` of the
command line), its kind (parser, bounds and French error messages, OpenAPI schema), its
French label and description, the ``Criteria`` value it sets (profile filters) and how
forms render it. An ``Endpoint`` lists the parameters one answer accepts and parses them;
the OpenAPI document (finder.web.openapi), the page forms (finder.service.forms), the
widget presets and the command-line options are generated from these declarations.

``args`` is any mapping with ``getlist(name)`` (werkzeug's MultiDict, or ``Args``). Parsing
takes ``geo`` (the served Geography) for choices that come from the geography.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from finder.domain import filters, geodesy, vocab
from finder.domain.criteria import Criteria
from finder.domain.geocode import MAX_QUERY
from finder.errors import FinderError, InvalidParameter, MissingParameter
from finder.text import N_

TRUE_WORDS = frozenset({"1", "true", "oui", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "non", "no", "off", ""})
AGE_MAX = 120
LIMIT_MAX = 50
MAX_KM_MAX = 1000.0
PAGE_SIZE_DEFAULT = 800  # under 1 MB of GeoJSON per default page at national size (about 1 KB per site)
PAGE_SIZE_WHOLE = 2000  # without page_size, a directory of at most this many sites (a region's) comes whole
PAGE_SIZE_MAX = 5000
PAGE_MAX = 1_000_000


class Args(dict):
    """A plain dict of lists with MultiDict's getlist, for the CLI and tests."""

    def getlist(self, name: str) -> list[str]:
        value = self.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple)) else [value]


def fr_number(x: float) -> str:
    return f"{x:g}".replace(".", ",")


# -- kinds: parser, schema and string form of a value ----------------------------------------
Choices = Callable[[object], Sequence[tuple[str, str]]]  # geo -> [(code, label)]
_ALLOWED: dict = {}


def allowed_codes(choices: Choices, context) -> frozenset[str]:
    """The codes of a choice list for one context (the geography), computed once per pair."""
    key = (id(choices), id(context))
    hit = _ALLOWED.get(key)
    if hit is None or hit[0] is not context:
        hit = _ALLOWED[key] = (context, frozenset(c for c, _ in choices(context)))
    return hit[1]


class Kind(ABC):
    """How a parameter's text becomes a value, and how OpenAPI describes it."""

    repeatable = False
    cli_flag = False  # an option without a value (--accessible)

    @abstractmethod
    def parse(self, raw: str, name: str, geo): ...

    def empty(self, name: str):
        """The value of a parameter given blank (``age=``)."""
        return None

    def absent(self, name: str):
        """The value of a parameter not given at all."""
        return self.empty(name)

    @abstractmethod
    def schema(self, geo) -> dict: ...

    def strings(self, value) -> list[str]:
        """The value as query-string values (for links and forms)."""
        return [] if value is None else [str(value)]


@dataclass(frozen=True)
class Integer(Kind):
    lo: int
    hi: int
    default: int | None = None

    def parse(self, raw, name, geo):
        try:
            value = int(raw)
        except ValueError:
            raise InvalidParameter(
                N_("« %(name)s » doit être un nombre entier (reçu : « %(raw)s »).", name=name, raw=raw), field=name
            ) from None
        if not self.lo <= value <= self.hi:
            raise InvalidParameter(
                N_(
                    "« %(name)s » doit être compris entre %(lo)s et %(hi)s (reçu : %(raw)s).",
                    name=name,
                    lo=self.lo,
                    hi=self.hi,
                    raw=value,
                ),
                field=name,
            )
        return value

    def empty(self, name):
        return self.default

    def schema(self, geo) -> dict:
        out = {"type": "integer", "minimum": self.lo, "maximum": self.hi}
        if self.default is not None:
            out["default"] = self.default
        return out


@dataclass(frozen=True)
class Decimal(Kind):
    """A finite number in [lo, hi]; ``positive``: strictly above 0. Bounds may depend on the geography."""

    lo: float | Callable = 0.0
    hi: float | Callable = 0.0
    positive: bool = False
    default: float | None = None

    def bounds(self, geo) -> tuple[float, float]:
        lo = self.lo(geo) if callable(self.lo) else self.lo
        hi = self.hi(geo) if callable(self.hi) else self.hi
        return lo, hi

    def parse(self, raw, name, geo):
        lo, hi = self.bounds(geo)
        try:
            value = float(raw)
        except ValueError:
            raise InvalidParameter(
                N_("« %(name)s » doit être un nombre décimal (reçu : « %(raw)s »).", name=name, raw=raw), field=name
            ) from None
        if not math.isfinite(value) or not lo <= value <= hi:
            raise InvalidParameter(
                N_(
                    "« %(name)s » doit être compris entre %(lo)s et %(hi)s (reçu : « %(raw)s »).",
                    name=name,
                    lo=fr_number(lo),
                    hi=fr_number(hi),
                    raw=raw,
                ),
                field=name,
            )
        if self.positive and value <= 0:
            raise InvalidParameter(
                N_("« %(name)s » doit être strictement positif (reçu : %(raw)s).", name=name, raw=fr_number(value)),
                field=name,
            )
        return value

    def empty(self, name):
        return self.default

    def schema(self, geo) -> dict:
        lo, hi = self.bounds(geo)
        out = {"type": "number", ("exclusiveMinimum" if self.positive else "minimum"): lo, "maximum": hi}
        if self.default is not None:
            out["default"] = self.default
        return out


@dataclass(frozen=True)
class IntRange(Kind):
    """Two integers « lo-hi » (``16-25``; an en dash or « à » too), lo ≤ hi, both in [lo_max, hi_max]."""

    lo: int
    hi: int

    def parse(self, raw, name, geo):
        text = raw.replace("–", "-").replace(" à ", "-").replace(" ", "")
        parts = text.split("-")
        try:
            a, b = (int(x) for x in parts)
        except ValueError:
            raise InvalidParameter(
                N_("« %(name)s » doit être une tranche comme 16-25 (reçu : « %(raw)s »).", name=name, raw=raw),
                field=name,
            ) from None
        if not (self.lo <= a <= b <= self.hi):
            raise InvalidParameter(
                N_(
                    "« %(name)s » : deux âges de %(lo)s à %(hi)s, le premier au plus égal au second "
                    "(reçu : « %(raw)s »).",
                    name=name,
                    lo=self.lo,
                    hi=self.hi,
                    raw=raw,
                ),
                field=name,
            )
        return (a, b)

    def schema(self, geo) -> dict:
        return {"type": "string", "pattern": "^[0-9]{1,3}-[0-9]{1,3}$"}

    def strings(self, value) -> list[str]:
        return [] if value is None else [f"{value[0]}-{value[1]}"]


@dataclass(frozen=True)
class Code(Kind):
    """One code of a vocabulary (or of the geography); ``integer``: the codes are numbers."""

    choices: Choices
    integer: bool = False

    def parse(self, raw, name, geo):
        allowed = allowed_codes(self.choices, geo)
        if raw not in allowed:
            raise InvalidParameter(
                N_("Valeur inconnue pour « %(name)s » : « %(raw)s ».", name=name, raw=raw),
                field=name,
                allowed=sorted(allowed),
                code="unknown_code",
            )
        return int(raw) if self.integer else raw

    def schema(self, geo) -> dict:
        codes = [c for c, _ in self.choices(geo)]
        if self.integer:
            return {"type": "integer", "enum": sorted(int(c) for c in codes)}
        return {"type": "string", "enum": codes}


@dataclass(frozen=True)
class Codes(Kind):
    """Codes, repeatable or comma-separated (``network=cio&network=apec``, ``network=cio,apec``)."""

    choices: Choices
    what: str  # "Réseau": the error says « Réseau inconnu : … »
    repeatable = True

    def parse_all(self, raws: list[str], name: str, geo):
        allowed = allowed_codes(self.choices, geo)
        codes = []
        for raw in raws:
            for code in (x.strip() for x in raw.split(",")):
                if code not in allowed:
                    raise InvalidParameter(
                        N_("%(what)s inconnu : « %(raw)s ».", what=self.what, raw=code),
                        field=name,
                        allowed=sorted(allowed),
                        code="unknown_code",
                    )
                codes.append(code)
        return frozenset(codes) or None

    def parse(self, raw, name, geo):
        return self.parse_all([raw], name, geo)

    def schema(self, geo) -> dict:
        return {"type": "array", "items": {"type": "string", "enum": [c for c, _ in self.choices(geo)]}}

    def strings(self, value) -> list[str]:
        return [",".join(sorted(value))] if value else []


@dataclass(frozen=True)
class Flag(Kind):
    """true/false (oui/non, 1/0, on/off); blank is false, absent is ``when_absent``."""

    when_absent: bool = False  # also the value of a blank parameter (``profile=``)
    cli_flag = True

    def parse(self, raw, name, geo):
        low = raw.lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        raise InvalidParameter(
            N_("« %(name)s » doit valoir true ou false (reçu : « %(raw)s »).", name=name, raw=raw),
            field=name,
            allowed=["true", "false"],
        )

    def empty(self, name):
        return self.when_absent

    def schema(self, geo) -> dict:
        return {"type": "boolean"}

    def strings(self, value) -> list[str]:
        return ["true"] if value else []


@dataclass(frozen=True)
class Text(Kind):
    max_length: int
    required: str | None = None  # the French message when it is missing
    truncate: bool = False  # cut a longer text (what a person typed) instead of refusing it

    def parse(self, raw, name, geo):
        if self.truncate:
            return raw[: self.max_length]
        if len(raw) > self.max_length:
            raise InvalidParameter(
                N_("« %(name)s » ne doit pas dépasser %(max)s caractères.", name=name, max=self.max_length), field=name
            )
        return raw

    def empty(self, name):
        if self.required:
            raise MissingParameter(self.required, field=name)
        return None

    def schema(self, geo) -> dict:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length}


@dataclass(frozen=True)
class CommuneCode(Kind):
    """An INSEE code of a commune (or arrondissement) of the served geography."""

    def parse(self, raw, name, geo):
        if raw not in geo.communes:
            raise InvalidParameter(
                _unknown_commune(geo, raw),
                field=name,
                code="unknown_commune",
            )
        return raw

    def schema(self, geo) -> dict:
        return {"type": "string"}


@dataclass(frozen=True)
class BBox(Kind):
    """``minlon,minlat,maxlon,maxlat`` (WGS84 degrees, the order of GeoJSON and OGC API), min ≤ max."""

    def parse(self, raw, name, geo):
        parts = raw.split(",")
        try:
            values = tuple(float(x) for x in parts)
        except ValueError:
            values = ()
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise InvalidParameter(
                f"« {name} » doit être quatre nombres minlon,minlat,maxlon,maxlat (reçu : « {raw} »).", field=name
            )
        minlon, minlat, maxlon, maxlat = values
        if not (-180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90):
            raise InvalidParameter(
                f"« {name} » : longitudes entre -180 et 180, latitudes entre -90 et 90, chaque minimum au plus égal "
                f"à son maximum (reçu : « {raw} »).",
                field=name,
            )
        return values

    def absent(self, name):
        return None

    def empty(self, name):
        raise InvalidParameter(f"« {name} » est vide : donnez minlon,minlat,maxlon,maxlat ou retirez-le.", field=name)

    def schema(self, geo) -> dict:
        number = r"-?[0-9]+(\.[0-9]+)?"
        return {"type": "string", "pattern": f"^{number},{number},{number},{number}$"}

    def strings(self, value) -> list[str]:
        return [] if value is None else [",".join(f"{v:g}" for v in value)]


def _unknown_commune(geo, raw: str) -> str:
    """« Code commune INSEE inconnu en Corse : « 2A999 ». » (the region left out when it has no name)."""
    name = getattr(geo, "name", None)
    if name:
        return N_("Code commune INSEE inconnu en %(region)s : « %(raw)s ».", region=name, raw=raw)
    return N_("Code commune INSEE inconnu : « %(raw)s ».", raw=raw)


# -- form rendering ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """How one form shows a parameter, in which of its sections.

    ``widget``: ``number``, ``select``, ``radios``, ``checkbox``, ``checkboxes``, ``text`` or
    ``color``; ``empty``: the label of the "no value" option; ``value``: what a checkbox sends;
    ``options``: (code, label) pairs replacing the kind's choices; ``label``: replaces the
    parameter's label in this form.
    """

    widget: str
    section: str
    label: str | None = None
    hint: str | None = None
    empty: str | None = None
    value: str = "true"
    options: Callable | None = None
    attrs: tuple[tuple[str, str], ...] = ()


# -- parameters -------------------------------------------------------------------------------
_REQUIRED = object()  # marks a parameter without a value when absent (it must be given)


def _required(p: Param) -> bool:
    try:
        p.absent_value()
    except FinderError:
        return True
    return False


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    label: str  # short French label: forms, command-line help
    doc: str  # OpenAPI description
    criterion: str | None = None  # the Criteria keyword it sets
    to_criterion: Callable | None = None  # value -> Criteria value (default: the value itself)
    fields: dict = field(default_factory=dict)  # form name ("search", "staff", "widget") -> Field
    examples: tuple = ()
    empty_allowed: bool = True  # OpenAPI allowEmptyValue

    def parse(self, args, geo, blank_is_absent: bool = False):
        values = args.getlist(self.name)
        if blank_is_absent:
            values = [v for v in values if v.strip()]
        if isinstance(self.kind, Codes):
            return self.kind.parse_all(values, self.name, geo) if values else None
        if not values:
            return self.kind.absent(self.name)
        if len(values) > 1 and not getattr(self.kind, "truncate", False):
            raise InvalidParameter(
                N_("Le paramètre « %(name)s » ne peut être donné qu'une fois.", name=self.name),
                field=self.name,
                code="repeated_parameter",
            )
        raw = values[0].strip()
        if raw == "":
            return self.kind.empty(self.name)
        return self.kind.parse(raw, self.name, geo)

    def absent_value(self):
        """The value when the parameter is not given (a required one raises its French message)."""
        return self.kind.absent(self.name)

    def form_field(self, form: str) -> Field | None:
        return self.fields.get(form)

    def openapi(self, geo) -> dict:
        out = {
            "name": self.name,
            "in": "query",
            "required": isinstance(self.kind, Text) and bool(self.kind.required),
            "schema": self.kind.schema(geo),
            "description": self.doc,
        }
        if self.examples:
            out["schema"]["examples"] = list(self.examples)
        if isinstance(self.kind, Codes):
            out.update(style="form", explode=True)
        out["allowEmptyValue"] = self.empty_allowed and not isinstance(self.kind, Codes)
        return out


def _terms(terms) -> Choices:
    pairs = tuple((t.code, t.label) for t in terms)
    return lambda geo: pairs


def _departments(geo) -> list[tuple[str, str]]:
    return sorted(geo.departments.items())


LEVEL_TEXTS = (
    ("1", N_("M'informer (accueil et information)")),
    ("2", N_("Être conseillé·e et accompagné·e (dont conseil en évolution professionnelle)")),
)
AGE_ATTRS = (("inputmode", "numeric"), ("min", "0"), ("max", str(AGE_MAX)))


AGE = Param(
    "age",
    Integer(0, AGE_MAX),
    N_("Âge"),
    "Âge de la personne (années).",
    criterion="age",
    fields={
        "search": Field("number", "profile", attrs=AGE_ATTRS),
        "staff": Field("number", "profile", attrs=AGE_ATTRS),
        "widget": Field("number", "public", attrs=AGE_ATTRS),
    },
)
AGE_RANGES = (
    ("0-15", "Moins de 16 ans"),
    ("16-25", "16 à 25 ans"),
    ("26-44", "26 à 44 ans"),
    ("45-120", "45 ans et plus"),
)
AGE_RANGE = Param(
    "age_range",
    IntRange(0, AGE_MAX),
    "Tranche d'âge",
    "Tranche d'âge « min-max » (ex. 16-25) : lieux qui reçoivent toute la tranche (âge minimal du lieu ≤ min, "
    "âge maximal ≥ max). Les tranches du bilan : 0-15, 16-25, 26-44, 45-120.",
    criterion="age_range",
    fields={
        "staff": Field(
            "select",
            "profile",
            empty="— Toutes —",
            hint="(lieux recevant toute la tranche)",
            options=lambda g: AGE_RANGES,
        )
    },
    examples=("16-25",),
)
STATUS = Param(
    "status",
    Code(_terms(vocab.STATUSES)),
    N_("Situation"),
    "Statut de la personne.",
    criterion="status",
    fields={
        "search": Field("select", "profile", empty=N_("— Toutes situations —")),
        "staff": Field("select", "profile", empty="— Toutes situations —"),
        "widget": Field("select", "public", empty="— Toutes —"),
    },
)
QUALIFICATION = Param(
    "qualification",
    Code(_terms(vocab.QUALIFICATIONS)),
    N_("Niveau de qualification"),
    "Niveau de qualification.",
    criterion="qualification",
    fields={
        "search": Field("select", "profile", empty=N_("— Tous niveaux —")),
        "staff": Field("select", "profile", empty="— Tous niveaux —"),
        "widget": Field("select", "public", empty="— Tous —"),
    },
)
LEVEL = Param(
    "level",
    Code(_terms(vocab.LEVELS), integer=True),
    "Niveau de service",
    "Niveau de service : 1 = accueil et information, 2 = conseil et accompagnement personnalisé.",
    criterion="level",
    fields={
        "search": Field(
            "radios", "need", label=N_("Votre besoin"), empty=N_("Je ne sais pas encore"), options=lambda g: LEVEL_TEXTS
        ),
        "staff": Field(
            "select",
            "profile",
            empty="— Les deux niveaux —",
            options=lambda g: [(t.code, f"{t.code} · {t.label}") for t in vocab.LEVELS],
        ),
        "widget": Field("select", "public", empty="— Tous —"),
    },
)
NETWORK = Param(
    "network",
    Codes(lambda geo: [(n.code, n.label) for n in vocab.NETWORKS], N_("Réseau")),
    "Réseau",
    "Réseaux à garder (paramètre répétable, ou valeurs séparées par des virgules).",
    criterion="networks",
    fields={
        "staff": Field("select", "profile", empty="— Tous réseaux —"),
        "widget": Field("checkboxes", "start", label="Réseaux", hint="(aucun coché : tous)"),
    },
    empty_allowed=False,
)
MODE = Param(
    "mode",
    Code(_terms(vocab.MODES)),
    "Mode d'accueil",
    "Mode d'accueil.",
    criterion="mode",
    fields={
        "search": Field("checkbox", "options", label=N_("Possible à distance (téléphone, visio)"), value="a-distance"),
        "staff": Field("select", "profile", empty="— Tous modes —"),
    },
)
ACCESSIBLE = Param(
    "accessible",
    Flag(),
    "Lieux accessibles en fauteuil roulant seulement",
    "true : lieux accessibles en fauteuil roulant seulement.",
    criterion="accessible",
    fields={
        "search": Field("checkbox", "options", label=N_("Uniquement les lieux accessibles en fauteuil roulant")),
        "staff": Field("checkbox", "flags"),
    },
)
LANGUAGE = Param(
    "langue",
    Code(_terms(vocab.LANGUAGES)),
    "Langue parlée à l'accueil",
    "Code ISO 639-1 d'une langue parlée à l'accueil (lsf : langue des signes française). Le français est "
    "parlé partout : langue=fr garde tous les lieux.",
    criterion="language",
    fields={
        "search": Field("select", "options", label=N_("On m'accueille dans ma langue"), empty=N_("— Indifférent —")),
        "staff": Field("select", "profile", empty="— Toutes langues —"),
        "widget": Field("select", "public", label="Langue parlée à l'accueil", empty="— Indifférent —"),
    },
    examples=("en",),
)
TERRITORY = Param(
    "territory",
    Code(lambda geo: (("only", "Compétentes seulement"), ("all", "Toutes"))),
    "Compétence territoriale",
    "only : structures compétentes pour la commune d'origine, ou sans territoire défini.",
    criterion="territory_only",
    to_criterion=lambda v: v == "only",
    fields={
        "staff": Field(
            "checkbox",
            "flags",
            label="Lieux compétents pour la commune seulement (structures à territoire, comme les Missions locales)",
            value="only",
        )
    },
)
DEPARTMENTS = Param(
    "department",
    Codes(_departments, N_("Département")),
    "Départements",
    "Départements à garder (code INSEE ; paramètre répétable, ou valeurs séparées par des virgules).",
    criterion="departments",
    fields={
        "widget": Field(
            "checkboxes",
            "start",
            label="Départements",
            hint="(aucun coché : toute la région)",
            options=lambda geo: [(c, f"{n} ({c})") for c, n in _departments(geo)],
        )
    },
    empty_allowed=False,
)

# The person's profile: the filters every search form and endpoint offers. Declaring a new
# profile filter = one domain filter (finder.domain.filters) + one Param appended here.
PROFILE: list[Param] = [AGE, AGE_RANGE, STATUS, QUALIFICATION, LEVEL, NETWORK, MODE, ACCESSIBLE, LANGUAGE, TERRITORY]


@contextmanager
def declared(param: Param, site_filter=None):
    """Add a profile parameter (and its domain filter) for the duration of a block: tests, experiments.

    A permanent filter is one ``register(...)`` line in finder.domain.filters and one ``Param``
    in ``PROFILE`` above; this does the same at run time and undoes it.
    """
    global _GENERATION
    with filters.registered(site_filter) if site_filter is not None else nullcontext():
        PROFILE.append(param)
        _GENERATION += 1
        try:
            yield param
        finally:
            PROFILE.remove(param)
            _GENERATION += 1


_GENERATION = 0  # bumped when PROFILE changes: endpoints recompute their parameter lists


def _lat_range(geo):
    return getattr(geo, "lat_range", geodesy.LAT_RANGE)


def _lon_range(geo):
    return getattr(geo, "lon_range", geodesy.LON_RANGE)


LAT = Param(
    "lat",
    Decimal(lambda geo: _lat_range(geo)[0], lambda geo: _lat_range(geo)[1]),
    "Latitude",
    "Latitude d'origine (WGS84).",
)
LON = Param(
    "lon",
    Decimal(lambda geo: _lon_range(geo)[0], lambda geo: _lon_range(geo)[1]),
    "Longitude",
    "Longitude d'origine (WGS84).",
)
COMMUNE = Param(
    "commune",
    CommuneCode(),
    "Commune (code INSEE)",
    "Commune d'origine (code INSEE) ; son point de référence sert d'origine. Exclusif de lat/lon.",
    examples=("69123", "15014"),
)
LIMIT = Param("limit", Integer(1, LIMIT_MAX, 10), "Nombre de résultats", "Nombre de résultats.")
MAX_KM = Param(
    "max_km",
    Decimal(0.0, MAX_KM_MAX, positive=True),
    "Distance maximale (km)",
    "Distance maximale (km).",
)
Q = Param(
    "q",
    Text(MAX_QUERY, required="Le paramètre « q » (adresse, commune ou code postal) est requis."),
    "Adresse, commune ou code postal",
    "Commune, code postal ou adresse.",
    empty_allowed=False,
)
DISTANCE, COMPETENT = "distance", "competent"
ORDER = Param(
    "order",
    Code(lambda geo: ((DISTANCE, "Par distance"), (COMPETENT, "Structures compétentes pour la commune d'abord"))),
    "Ordre des résultats",
    "distance (par défaut) : par distance géodésique croissante. competent : d'abord, pour chaque structure "
    "dont le territoire couvre la commune d'origine (Mission locale, CIO, Cap emploi…), son lieu le plus proche "
    "dont le profil donné confirme le public (âge, situation, qualification donnés quand le lieu les restreint), "
    "puis les autres lieux par distance. L'ordre choisi est rappelé dans « filters ».",
    examples=(COMPETENT,),
)
GEOCODE_LIMIT = Param("limit", Integer(1, 20, 5), "Nombre maximal", "Nombre maximal.")

# Field-staff analyses: ``department`` restricts the communes analysed, never the sites.
COVERAGE_MAX_KM = Param(
    "max_km",
    Decimal(0.0, MAX_KM_MAX, positive=True, default=20.0),
    "Seuil de distance",
    "Seuil de distance en km.",
    fields={
        "staff": Field(
            "number",
            "analysis",
            hint="(km, géodésique)",
            attrs=(("inputmode", "decimal"), ("min", "0.5"), ("max", "1000"), ("step", "0.5")),
        )
    },
)
AREA = Param(
    "department",
    Code(_departments),
    "Territoire",
    "Code du département analysé (les lieux des départements voisins comptent aussi).",
    fields={
        "staff": Field(
            "select",
            "analysis",
            empty="Toute la région",
            options=lambda geo: [(c, f"{c} · {n}") for c, n in _departments(geo)],
        )
    },
    examples=("15",),
)
SUGGESTIONS = Param(
    "k",
    Integer(1, 20, 5),
    "Nombre de suggestions",
    "Nombre de communes suggérées.",
    fields={
        "staff": Field(
            "number", "analysis", hint="(1 à 20)", attrs=(("inputmode", "numeric"), ("min", "1"), ("max", "20"))
        )
    },
)


WEIGHT = Param(
    "weight",
    Code(lambda geo: (("population", "La population"), ("demande", "Les recherches observées (demande)"))),
    "Pondérer par",
    "population : la population des communes ; demande : les recherches de lieux observées depuis chaque commune "
    "(comptées anonymement, moins de 5 ignorées).",
    fields={
        "staff": Field(
            "select", "analysis", empty="La population", options=lambda geo: [("demande", "Les recherches observées")]
        )
    },
)


@dataclass(frozen=True)
class Year(Kind):
    """A year of the activity table (the context is the ``Activity``); the latest by default."""

    def parse(self, raw, name, activity):
        years = activity.years()
        if not years:
            return 0
        return Integer(min(years), max(years)).parse(raw, name, activity)

    def empty(self, name):
        return None

    def schema(self, activity) -> dict:
        years = activity.years() if activity is not None else []
        return {"type": "integer", **({"minimum": min(years), "maximum": max(years)} if years else {})}


BILAN_TABLES = (
    ("structures", "Structures par réseau et département"),
    ("lieux", "Lieux d'accueil par réseau et département"),
    ("cercles", "Par cercle"),
    ("reseaux", "Par réseau"),
    ("genre", "Personnes reçues par genre"),
    ("age", "Personnes reçues par tranche d'âge"),
    ("provenance", "Personnes reçues par provenance"),
    ("departements", "Personnes reçues par département"),
)
YEAR = Param("annee", Year(), "Année", "Année du bilan (la dernière par défaut).")
TABLE = Param("tableau", Code(lambda ctx: BILAN_TABLES), "Tableau", "Tableau exporté (CSV).")


_PLANS: dict = {}  # endpoint name -> (generation, endpoint, (params, criteria params))


@dataclass(frozen=True)
class Endpoint:
    """The parameters one answer accepts. ``groups`` may hold lists (``PROFILE``) read at parse time."""

    name: str
    groups: tuple
    blank_is_absent: bool = False  # HTML forms send every empty field (``network=``)
    check: Callable | None = None  # cross-parameter rule, on the parsed values

    @property
    def params(self) -> list[Param]:
        return self._plan()[0]

    @property
    def criteria_params(self) -> list[Param]:
        """The parameters that set a ``Criteria`` value."""
        return self._plan()[1]

    @property
    def names(self) -> frozenset[str]:
        """The query keys this answer accepts."""
        return self._plan()[3]

    def check_known(self, args, also: tuple[Param, ...] = ()) -> None:
        """InvalidParameter (400, the key named) on the first query key this answer does not declare
        (``also``: parameters the web layer reads for every page of a kind, like ``lang``).

        Strict on purpose: a misspelt filter (``netwrok=cio``) must not silently widen an answer,
        so tracking or cache-busting keys (``utm_source``, ``_``) are refused too."""
        names = self._plan()[3] | {p.name for p in also}
        for key in args:
            if key not in names:
                allowed = sorted(names)
                listed = ", ".join(allowed) if allowed else N_("aucun")
                raise InvalidParameter(
                    N_(
                        "Paramètre inconnu : « %(key)s » (paramètres acceptés : %(listed)s).",
                        key=key[:50],
                        listed=listed,
                    ),
                    field=key[:50],
                    allowed=allowed,
                    code="unknown_parameter",
                )

    def _plan(self) -> tuple[list[Param], list[Param], list, frozenset[str]]:
        cached = _PLANS.get(self.name)
        if cached is not None and cached[0] == _GENERATION and cached[1] is self:
            return cached[2]
        out: dict[str, Param] = {}
        for g in self.groups:
            for p in g if isinstance(g, list) else [g]:
                if out.setdefault(p.name, p) is not p:
                    raise ValueError(f"{self.name}: two parameters named {p.name!r}")
        plan = (
            list(out.values()),
            [p for p in out.values() if p.criterion],
            [p.absent_value() if not _required(p) else _REQUIRED for p in out.values()],
            frozenset(out),
        )
        _PLANS[self.name] = (_GENERATION, self, plan)
        return plan

    def parse(self, args, geo, errors: dict | None = None) -> Parsed:
        """Parsed values by name; a FinderError on the first bad one, or collected in ``errors``."""
        values = {}
        params, _, absent, _ = self._plan()
        for p, when_absent in zip(params, absent):
            if when_absent is not _REQUIRED and p.name not in args:  # most parameters are not given
                values[p.name] = when_absent
                continue
            try:
                values[p.name] = p.parse(args, geo, self.blank_is_absent)
            except FinderError as err:
                if errors is None:
                    raise
                errors.setdefault(err.field or p.name, err.message)
                values[p.name] = None
        parsed = Parsed(values, self)
        if self.check is not None:
            try:
                self.check(parsed)
            except FinderError as err:
                if errors is None:
                    raise
                errors.setdefault(err.field or "q", err.message)
        return parsed


class Parsed(dict):
    """Parsed parameter values by name, and the ``Criteria`` their profile filters make."""

    def __init__(self, values: dict, endpoint: Endpoint):
        super().__init__(values)
        self.endpoint = endpoint

    @property
    def criteria(self) -> Criteria:
        kwargs = {}
        for p in self.endpoint.criteria_params:
            value = self.get(p.name)
            if p.criterion and value is not None:
                kwargs[p.criterion] = p.to_criterion(value) if p.to_criterion else value
        return Criteria(**kwargs)

    def query(self, names: Sequence[str] | None = None) -> dict[str, list[str]]:
        """The values as query-string values (to repeat a search in a link)."""
        out = {}
        for p in self.endpoint.params:
            if names is not None and p.name not in names:
                continue
            strings = p.kind.strings(self.get(p.name))
            if strings:
                out[p.name] = strings
        return out


def check_origin(parsed: Parsed) -> None:
    """Exactly one origin: lat and lon together, or a commune INSEE code."""
    lat, lon, commune = parsed.get("lat"), parsed.get("lon"), parsed.get("commune")
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise MissingParameter(
            N_("« lat » et « lon » vont ensemble : « %(name)s » manque.", name=missing), field=missing
        )
    if lat is not None and commune:
        raise InvalidParameter(
            N_("Donnez une seule origine : soit « lat » et « lon », soit « commune »."),
            field="commune",
            code="two_origins",
        )
    if lat is None and not commune:
        raise MissingParameter(
            N_("Une origine est nécessaire : « lat » et « lon », ou « commune » (code INSEE)."),
            field="lat",
            code="missing_origin",
        )


def check_origin_if_given(parsed: Parsed) -> None:
    """The search page: an origin is optional (free text may replace it), but must be whole."""
    if any(parsed.get(k) is not None for k in ("lat", "lon", "commune")):
        check_origin(parsed)


@dataclass(frozen=True)
class Accent(Kind):
    """A colour ``#rrggbb`` (the leading # optional), lower-cased."""

    def parse(self, raw, name, geo):
        text = raw[1:] if raw.startswith("#") else raw
        if len(text) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
            raise InvalidParameter(
                N_("« %(name)s » doit être une couleur #rrggbb (reçu : « %(raw)s »).", name=name, raw=raw),
                field=name,
                code="invalid_parameter",
            )
        return "#" + text.lower()

    def schema(self, geo) -> dict:
        return {"type": "string", "pattern": "^#?[0-9a-fA-F]{6}$"}


# The search page and the partner widget.
SEARCH_Q = Param(
    "q",
    Text(200, truncate=True),
    "Où ?",
    "Adresse, commune ou code postal.",
)
WIDGET_COMMUNE_TEXT = Param(
    "commune_q",
    Text(200, truncate=True),
    "Commune de départ",
    "Commune de départ du widget : nom, code postal ou code INSEE.",
    fields={"widget": Field("text", "start", hint="(nom, code postal ou code INSEE ; facultatif)")},
)
SHOW_PROFILE = Param(
    "profile",
    Flag(when_absent=True),
    "Formulaire « Votre situation »",
    "0 : masquer le formulaire « Votre situation » (le public préréglé s'applique d'office).",
    fields={
        "widget": Field(
            "checkbox",
            "display",
            label="Masquer le formulaire « Votre situation » (le public ci-dessus s'applique d'office)",
            value="0",
        )
    },
)
WIDGET_LIMIT = Param(
    "limit",
    Integer(1, 20, 5),
    "Nombre de résultats",
    "Nombre de résultats affichés.",
    fields={"widget": Field("number", "display", attrs=(("min", "1"), ("max", "20")))},
)
VIEW = Param(
    "view",
    Code(lambda geo: (("list", "La liste"), ("map", "La carte"))),
    "En premier",
    "list : la liste d'abord ; map : la carte d'abord.",
    fields={"widget": Field("radios", "display")},
)
ACCENT = Param(
    "accent",
    Accent(),
    "Couleur d'accent",
    "Couleur d'accent #rrggbb (le texte posé dessus est noir ou blanc, le plus lisible).",
    fields={"widget": Field("color", "display", value="#004a8f")},
)

# Languages of the citizen pages, the widget and the API's error messages (French first: the
# source language). Each name is written in its own language: what its reader looks for.
LANGUAGES = (
    ("fr", "Français"),
    ("en", "English"),
    ("ar", "العربية"),
    ("uk", "Українська"),
    ("es", "Español"),
    ("pt", "Português"),
)
LANG = Param(
    "lang",
    Code(lambda geo: LANGUAGES),
    "Langue",
    "Langue des textes et des messages d'erreur : fr (par défaut), en, ar, uk, es, pt. Sans ce paramètre, "
    "l'en-tête Accept-Language est suivi.",
    fields={"widget": Field("select", "display", label="Langue du widget", empty="Celle du navigateur du visiteur")},
)
FALC = Param(
    "falc",
    Flag(),
    "Facile à lire",
    "true : version facile à lire et à comprendre (FALC) des textes de la recherche et des résultats.",
    fields={"widget": Field("checkbox", "display", label="Version facile à lire et à comprendre (FALC)")},
)

ORIGIN = [LAT, LON, COMMUNE]
NEAREST = Endpoint("nearest", (LAT, LON, COMMUNE, LIMIT, MAX_KM, ORDER, PROFILE, DEPARTMENTS, LANG), check=check_origin)
PAGE = Param("page", Integer(1, PAGE_MAX, 1), "Page", "Numéro de la page (1 par défaut).")
PAGE_SIZE = Param(
    "page_size",
    Integer(1, PAGE_SIZE_MAX),
    "Lieux par page",
    f"Nombre de lieux par page (au plus {PAGE_SIZE_MAX}). Sans ce paramètre, un annuaire d'au plus "
    f"{PAGE_SIZE_WHOLE} lieux (celui d'une région) vient en une seule page, un annuaire plus grand par pages de "
    f"{PAGE_SIZE_DEFAULT} lieux (moins de 1 Mo). L'annuaire entier se télécharge d'un bloc : "
    "/api/v1/sites.geojson.gz.",
)
BBOX = Param(
    "bbox",
    BBox(),
    "Emprise",
    "Emprise « minlon,minlat,maxlon,maxlat » (degrés WGS84, bords compris) : lieux situés dedans.",
    examples=("4.7,45.6,5.0,45.9",),
    empty_allowed=False,
)
SITES = Endpoint("sites", (PROFILE, DEPARTMENTS, BBOX, PAGE, PAGE_SIZE, LANG))
GEOCODE = Endpoint("geocode", (Q, GEOCODE_LIMIT, LANG))
COVERAGE = Endpoint("coverage", (PROFILE, COVERAGE_MAX_KM, AREA), blank_is_absent=True)
PLANNING = Endpoint("planning", (PROFILE, COVERAGE_MAX_KM, AREA, SUGGESTIONS, WEIGHT), blank_is_absent=True)
SITE = Endpoint("site", (LAT, LON), check=check_origin_if_given)  # the start of the directions link
SEARCH = Endpoint("search", (SEARCH_Q, LAT, LON, COMMUNE, PROFILE, DEPARTMENTS), check=check_origin_if_given)
WIDGET = Endpoint("widget", (COMMUNE, DEPARTMENTS, PROFILE, SHOW_PROFILE, WIDGET_LIMIT, VIEW, ACCENT, LANG, FALC))
CONFIGURATOR = Endpoint(
    "configurator", (WIDGET_COMMUNE_TEXT, DEPARTMENTS, PROFILE, SHOW_PROFILE, WIDGET_LIMIT, VIEW, ACCENT, LANG, FALC)
)
CRITICAL_LIMIT = Param("limit", Integer(1, 1000, 10), "Nombre de lieux affichés", "Nombre de lieux affichés.")
CRITICAL = Endpoint("critical", (PROFILE, COVERAGE_MAX_KM, AREA, CRITICAL_LIMIT), blank_is_absent=True)
BILAN = Endpoint("bilan", (YEAR,))
BILAN_EXPORT = Endpoint("bilan_export", (YEAR, TABLE))

# The print kit (finder.service.posters, finder.web.printkit): a poster per commune, a ZIP per area.
A4, A3 = "A4", "A3"
PAPERS = ((A4, "A4 (21 × 29,7 cm)"), (A3, "A3 (29,7 × 42 cm)"))
POSTER_FORMAT = Param(
    "format",
    Code(lambda geo: PAPERS),
    "Format de papier",
    "Format de papier de l'affiche : A4 (par défaut) ou A3.",
    fields={"kit": Field("radios", "paper", empty=None)},
)
POSTER_LIMIT = Param(
    "limit",
    Integer(1, 8, 5),
    "Nombre de lieux sur l'affiche",
    "Nombre de lieux listés sur l'affiche (1 à 8, 5 par défaut).",
    fields={"kit": Field("number", "paper", hint="(1 à 8)", attrs=(("min", "1"), ("max", "8")))},
)


def _epcis(geo) -> list[tuple[str, str]]:
    """The EPCI with at least one commune in the served geography, by name."""
    used = {c.epci for c in geo.communes.values() if c.epci}
    return sorted(((code, e["name"]) for code, e in geo.epcis.items() if code in used), key=lambda x: x[1])


KIT_COMMUNE = Param(
    "commune_q",
    Text(200, truncate=True),
    "Commune",
    "Commune de l'affiche : nom, code postal ou code INSEE.",
    fields={"kit": Field("text", "where", hint="(nom, code postal ou code INSEE)")},
)
KIT_DEPARTMENT = Param(
    "department",
    Code(_departments),
    "Département",
    "Toutes les affiches d'un département (archive ZIP).",
    fields={
        "kit": Field(
            "select", "where", empty="— Aucun —", options=lambda geo: [(c, f"{c} · {n}") for c, n in _departments(geo)]
        )
    },
)
KIT_EPCI = Param(
    "epci",
    Code(_epcis),
    "Intercommunalité (EPCI)",
    "Toutes les affiches d'une intercommunalité (archive ZIP), par son numéro SIREN.",
    fields={"kit": Field("select", "where", empty="— Aucune —")},
)
POSTER = Endpoint("poster", (POSTER_FORMAT, POSTER_LIMIT, PROFILE), blank_is_absent=True)
KIT = Endpoint(
    "kit", (KIT_COMMUNE, KIT_DEPARTMENT, KIT_EPCI, POSTER_FORMAT, POSTER_LIMIT, PROFILE), blank_is_absent=True
)
# The partner widget page: its presets, the citizen search inside it, and the origin embed.js declares.
PARTNER = Param(
    "partner",
    Text(500, truncate=True),
    "Site partenaire",
    "Origine de la page qui intègre le widget (posée par embed.js, pour compter les chargements par site).",
)
EMBED = Endpoint(
    "embed",
    (SEARCH_Q, LAT, LON, COMMUNE, DEPARTMENTS, PROFILE, SHOW_PROFILE, WIDGET_LIMIT, VIEW, ACCENT, PARTNER),
    check=check_origin_if_given,
)
NO_PARAMETERS = Endpoint("no_parameters", ())  # answers that take no query parameter (a 400 names any given)
