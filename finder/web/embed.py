"""Partner integration pages: the widget (/embed) and its configurator (/integrer).

The widget is the citizen search made compact for an iframe: server-rendered (it works
without JavaScript), cookie-less, preset by URL parameters (finder.service.widget). Loads
are counted per host origin (finder.service.usage), anonymously; a client's loads are
counted within a budget of its own (WIDGET_COUNT_PER_MINUTE, WIDGET_COUNT_BURST, kept
where the rate limit keeps its buckets) and a day admits WIDGET_NEW_ORIGINS_PER_DAY new origins.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from werkzeug.datastructures import MultiDict

from finder.domain import geography
from finder.service import forms, params, usage, widget
from finder.web import state
from finder.web.pages import search_context
from finder.web.ratelimit import client_key

bp = Blueprint("embed", __name__)
COUNTER = "spro_widget_counter"


@bp.record_once
def _counter(setup) -> None:
    """The per-client budget of counted loads, created with the app (before the fork: shared by workers)."""
    cfg = setup.app.config
    budgets = setup.app.extensions["spro_http"].budgets  # the rate limit's storage: shared memory or Redis
    setup.app.extensions[COUNTER] = budgets.budget("widget", cfg["WIDGET_COUNT_PER_MINUTE"], cfg["WIDGET_COUNT_BURST"])


@bp.get("/embed")
def widget_page():
    presets = widget.parse(request.args, state().geo)
    _count_load()
    args = MultiDict(widget.search_args(request.args, presets))
    ctx = search_context(args, limit=presets.limit, endpoint="embed.widget_page", keep=presets.params())
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
    counter = current_app.extensions[COUNTER]
    usage.count_load(
        state().store,
        request.referrer,
        request.args.get("partner"),
        request.host,
        max_new_origins=current_app.config["WIDGET_NEW_ORIGINS_PER_DAY"],
        allowed=lambda: counter.hit(client_key(request.remote_addr or "-")) == 0.0,
    )


@bp.get("/integrer")
def configurator():
    geo = state().geo
    errors: dict[str, str] = {}
    args = MultiDict(request.args)
    resolved = _resolve_commune(args, errors)
    params.CONFIGURATOR.parse(args, geo, errors)  # the form's fields, errors collected per field
    presets = widget.Presets() if errors else widget.parse(args, geo)  # with the commune resolved above
    base = request.url_root.rstrip("/")
    defaults = {"limit": widget.DEFAULT_LIMIT, "view": "list"}
    return render_template(
        "integrer.html",
        presets=presets,
        errors=errors,
        resolved=resolved,
        widget_form=forms.bind("widget", params.CONFIGURATOR, args, errors, geo, defaults),
        preview=widget.embed_url("", presets),
        loader=widget.loader_snippet(base, presets),
        iframe=widget.iframe_snippet(base, presets),
    ), (400 if errors else 200)


def _resolve_commune(args: MultiDict, errors: dict) -> dict | None:
    """The configurator accepts a commune name, postcode or INSEE code: turn it into the code.

    Communes of the ticked départements come first; the others of the same text are offered too.
    Returns {"label", "insee", "others": [(label, insee)]}, or None when nothing is typed or matches."""
    text = (args.get("commune_q") or "").strip()
    args.pop("commune", None)
    if not text:
        return None
    st = state()
    if text in st.geo.communes:
        args["commune"] = text
        c = st.geo.communes[text]
        return {"label": f"{c.name} ({st.geo.department_name(c.department)})", "insee": text, "others": []}
    places = [p for p in st.geocoder.search(text[:200], 20) if p.insee in st.geo.communes]
    if not places:
        errors["commune_q"] = f"Aucune commune {geography.of_region(st.geo.name)} ne correspond à « {text} »."
        return None
    chosen = {d.strip() for value in args.getlist("department") for d in value.split(",") if d.strip()}
    places.sort(key=lambda p: p.department not in chosen)  # stable: the geocoder's order otherwise
    args["commune"] = places[0].insee
    others = [(p.label, p.insee) for p in places[1:6]]
    return {"label": places[0].label, "insee": places[0].insee, "others": others}
