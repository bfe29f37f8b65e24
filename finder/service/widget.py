"""Partner widget presets: parsing, the fields a widget form carries along, and snippets.

Pure: takes plain mappings (``getlist``), returns plain data. A partner presets the widget by
URL parameters, declared in finder.service.params (``WIDGET``): ``commune`` (default origin,
INSEE code), ``network`` and ``department`` (repeatable or comma-separated), the public
(every profile parameter with a field in the "widget" form: ``age``, ``status``,
``qualification``, ``level``), ``profile`` (0 hides the profile form), ``limit``, ``view``
(``list`` or ``map`` first), ``accent`` (``#rrggbb``), ``lang`` (the widget's language) and
``falc`` (easy-to-read mode).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from urllib.parse import urlencode

from finder.service import params
from finder.service.params import Parsed

DEFAULT_LIMIT = 5
LIMIT_MAX = 20
DEFAULT_HEIGHT = 640


def profile_params() -> list[params.Param]:
    """The public a partner may preset: the profile parameters the configurator shows."""
    return [p for p in params.PROFILE if p.form_field("widget") and p.form_field("widget").section == "public"]


@dataclass(frozen=True)
class Presets:
    commune: str | None = None
    networks: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    profile: dict = field(default_factory=dict)  # the public preset, as given (validated): {"age": "19"}
    show_profile: bool = True
    limit: int = DEFAULT_LIMIT
    view: str = "list"
    accent: str | None = None  # "#rrggbb"
    lang: str | None = None  # None: the visitor's browser language (Accept-Language)
    falc: bool = False  # the easy-to-read mode

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
        if self.lang:
            out["lang"] = self.lang
        if self.falc:
            out["falc"] = "1"
        return out

    def hidden_fields(self) -> dict:
        """What the widget's search form must carry along (its visible fields excepted)."""
        keys = {p.name for p in profile_params()}
        return {k: v for k, v in self.params().items() if self.show_profile is False or k not in keys}


def parse(args, geo) -> Presets:
    """Presets from URL parameters; InvalidParameter (400, field named) on a bad one."""
    return from_parsed(params.WIDGET.parse(args, geo))


def from_parsed(parsed: Parsed) -> Presets:
    profile = {}
    for p in profile_params():
        strings = p.kind.strings(parsed.get(p.name))
        if strings:
            profile[p.name] = strings[0]
    return Presets(
        commune=parsed.get("commune"),
        networks=tuple(sorted(parsed.get("network") or ())),
        departments=tuple(sorted(parsed.get("department") or ())),
        profile=profile,
        show_profile=parsed["profile"],
        limit=parsed["limit"],
        view=parsed.get("view") or "list",
        accent=parsed.get("accent"),
        lang=parsed.get("lang"),
        falc=bool(parsed.get("falc")),
    )


def search_args(args, presets: Presets) -> dict[str, list[str]]:
    """Arguments for the citizen search: the preset commune is only the default origin.

    A place typed (``q``) or a position (``lat``/``lon``) replaces it.
    """
    out = {k: list(args.getlist(k)) for k in args.keys()}
    typed = _first(args, "q") or _first(args, "lat")
    if typed:
        out.pop("commune", None)
    if presets.networks:
        out["network"] = [",".join(presets.networks)]
    return out


def _first(args, name: str) -> str | None:
    values = args.getlist(name)
    return (values[0].strip() or None) if values else None


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
