"""Partner integration pages: the widget (/embed) and its configurator (/integrer).

The widget is the citizen search made compact for an iframe: server-rendered (it works
without JavaScript), cookie-less, preset by URL parameters (finder.widget). Loads are
counted per host origin (finder.usage), anonymously.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from finder.domain import vocab
from finder.errors import FinderError
from finder.service import usage, widget
from finder.web import state
from finder.web.pages import search_context

bp = Blueprint("embed", __name__)


def _presets(args) -> widget.Presets:
    geo = state().geo
    return widget.parse(args, geo.communes, geo.departments)


@bp.get("/embed")
def widget_page():
    presets = _presets(request.args)
    _count_load()
    args = MultiDict(widget.search_args(request.args, presets))
    ctx = search_context(args, limit=presets.limit, endpoint="embed.widget_page")
    base = presets.params()

    def choice_url(place):
        profile = {k: v for k in widget.PROFILE_KEYS if (v := (args.getlist(k) or [""])[0])}
        return url_for("embed.widget_page", **{**base, **profile, "commune": place.insee})

    ctx["choice_url"] = choice_url
    status = 400 if ctx["outcome"].errors else 200
    html = render_template(
        "embed.html",
        presets=presets,
        hidden=presets.hidden_fields(),
        show_profile=presets.show_profile,
        on_accent=widget.text_on(presets.accent) if presets.accent else None,
        **ctx,
    )
    return html, status


def _count_load() -> None:
    """A load is a request from another site's page (or declared by embed.js), not a search inside."""
    usage.count_load(state().store, request.referrer, request.args.get("partner"), request.host)


@bp.get("/integrer")
def configurator():
    errors: dict[str, str] = {}
    args = MultiDict(request.args)
    resolved = _resolve_commune(args, errors)
    try:
        presets = _presets(args)
    except FinderError as err:
        errors[err.field or "commune"] = err.message
        presets = widget.Presets()
    base = request.url_root.rstrip("/")
    return render_template(
        "integrer.html",
        presets=presets,
        errors=errors,
        resolved=resolved,
        form={k: args.get(k, "") for k in ("commune_q", "age", "status", "qualification", "level")},
        networks=vocab.NETWORKS,
        statuses=vocab.STATUSES,
        qualifications=vocab.QUALIFICATIONS,
        levels=vocab.LEVELS,
        departments=sorted(state().geo.departments.items()),
        preview=widget.embed_url("", presets),
        loader=widget.loader_snippet(base, presets),
        iframe=widget.iframe_snippet(base, presets),
        limit_max=widget.LIMIT_MAX,
    ), (400 if errors else 200)


def _resolve_commune(args: MultiDict, errors: dict) -> str | None:
    """The configurator accepts a commune name, postcode or INSEE code: turn it into the code."""
    text = (args.get("commune_q") or "").strip()
    args.pop("commune", None)
    if not text:
        return None
    st = state()
    if text in st.geo.communes:
        args["commune"] = text
        return st.geo.communes[text].name
    places = [p for p in st.geocoder.search(text[:200], 5) if p.insee in st.geo.communes]
    if not places:
        errors["commune"] = f"Aucune commune d'Auvergne-Rhône-Alpes ne correspond à « {text} »."
        return None
    args["commune"] = places[0].insee
    return f"{places[0].label} — code INSEE {places[0].insee}"
