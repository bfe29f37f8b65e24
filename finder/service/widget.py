"""Partner widget presets: parsing, the fields a widget form carries along, and snippets.

Pure: takes plain mappings (``getlist``), returns plain data. A partner presets the
widget by URL parameters: ``commune`` (default origin, INSEE code), ``network``
(repeatable or comma-separated), ``department`` (idem), ``level``, ``age``, ``status``,
``qualification``, ``profile`` (0 hides the profile form), ``limit``, ``view``
(``list`` or ``map`` first) and ``accent`` (``#rrggbb``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from finder.domain import vocab
from finder.errors import InvalidParameter
from finder.service import query

DEFAULT_LIMIT = 5
LIMIT_MAX = 20
VIEWS = ("list", "map")
ACCENT = re.compile(r"#?([0-9a-fA-F]{6})")
PROFILE_KEYS = ("age", "status", "qualification", "level")
DEFAULT_HEIGHT = 640


@dataclass(frozen=True)
class Presets:
    commune: str | None = None
    networks: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    profile: dict = field(default_factory=dict)  # age, status, qualification, level as given (validated)
    show_profile: bool = True
    limit: int = DEFAULT_LIMIT
    view: str = "list"
    accent: str | None = None  # "#rrggbb"

    def params(self) -> dict:
        """URL parameters reproducing these presets (defaults left out)."""
        out: dict = {}
        if self.commune:
            out["commune"] = self.commune
        if self.networks:
            out["network"] = ",".join(self.networks)
        if self.departments:
            out["department"] = ",".join(self.departments)
        out.update(self.profile)
        if not self.show_profile:
            out["profile"] = "0"
        if self.limit != DEFAULT_LIMIT:
            out["limit"] = str(self.limit)
        if self.view != "list":
            out["view"] = self.view
        if self.accent:
            out["accent"] = self.accent
        return out

    def hidden_fields(self) -> dict:
        """What the widget's search form must carry along (its visible fields excepted)."""
        fields = {k: v for k, v in self.params().items() if self.show_profile is False or k not in PROFILE_KEYS}
        return fields


def parse(args, communes, departments) -> Presets:
    """Presets from URL parameters; InvalidParameter (400, field named) on a bad one."""
    commune = query.single_or_none(args, "commune")
    if commune is not None and commune not in communes:
        raise InvalidParameter(
            f"Code commune INSEE inconnu en Auvergne-Rhône-Alpes : « {commune} ».",
            field="commune",
            code="unknown_commune",
        )
    criteria = query.parse_criteria(args, departments=departments)
    age = query.parse_int(args, "age", 0, query.AGE_MAX)
    profile = {
        k: str(v)
        for k, v in (
            ("age", age),
            ("status", criteria.status),
            ("qualification", criteria.qualification),
            ("level", criteria.level),
        )
        if v is not None
    }
    return Presets(
        commune=commune,
        networks=tuple(sorted(criteria.networks or ())),
        departments=tuple(sorted(criteria.departments or ())),
        profile=profile,
        show_profile=not _is_false(args, "profile"),
        limit=query.parse_int(args, "limit", 1, LIMIT_MAX, DEFAULT_LIMIT),
        view=query.parse_code(args, "view", set(VIEWS)) or "list",
        accent=parse_accent(query.single_or_none(args, "accent")),
    )


def _is_false(args, name: str) -> bool:
    raw = query.single_or_none(args, name)
    if raw is None:
        return False
    return not query.parse_bool(args, name)


def parse_accent(raw: str | None) -> str | None:
    if raw is None:
        return None
    m = ACCENT.fullmatch(raw)
    if not m:
        raise InvalidParameter(
            f"« accent » doit être une couleur #rrggbb (reçu : « {raw} »).", field="accent", code="invalid_parameter"
        )
    return "#" + m.group(1).lower()


def search_args(args, presets: Presets) -> dict[str, list[str]]:
    """Arguments for the citizen search: the preset commune is only the default origin.

    A place typed (``q``) or a position (``lat``/``lon``) replaces it.
    """
    out = {k: list(args.getlist(k)) for k in args.keys()}
    typed = query.single_or_none(args, "q") or query.single_or_none(args, "lat")
    if typed:
        out.pop("commune", None)
    if presets.networks:
        out["network"] = [",".join(presets.networks)]
    return out


# -- colours ------------------------------------------------------------------------------
def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def text_on(accent: str) -> str:
    """Black or white, whichever reads better on the accent colour (WCAG contrast)."""
    lum = _luminance(accent)
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else "#000000"


# -- snippets -----------------------------------------------------------------------------
def embed_url(base: str, presets: Presets) -> str:
    qs = urlencode(presets.params())
    return f"{base}/embed" + (f"?{qs}" if qs else "")


def loader_snippet(base: str, presets: Presets) -> str:
    """The recommended snippet: a div read by embed.js, with a plain iframe for browsers without JS."""
    attrs = "".join(f' data-{k}="{html.escape(v)}"' for k, v in presets.params().items())
    return (
        f"<div data-spro-widget{attrs}>\n"
        f"  <noscript>{iframe_snippet(base, presets)}</noscript>\n"
        f"</div>\n"
        f'<script src="{base}/static/embed.js" async></script>'
    )


def iframe_snippet(base: str, presets: Presets, height: int = DEFAULT_HEIGHT) -> str:
    """A plain iframe (fixed height): for sites that do not allow external scripts."""
    return (
        f'<iframe src="{html.escape(embed_url(base, presets))}" title="Trouver un lieu d\'accueil '
        f'(SPRO Auvergne-Rhône-Alpes)" width="100%" height="{height}" style="border:0" '
        f'allow="geolocation" loading="lazy"></iframe>'
    )


def network_choices() -> list[vocab.Network]:
    return list(vocab.NETWORKS)
