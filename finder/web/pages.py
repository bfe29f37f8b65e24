"""Citizen pages: the search (/) and a site (/lieux/<id>). Server-rendered; the map is a complement."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template, request, url_for

from finder.domain import hours, vocab
from finder.present import cards as present
from finder.present import explain, maps
from finder.service import search
from finder.web import state

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def inject_dataset():
    return {"dataset": state().engine.info}


def _tiles():
    cfg = current_app.config
    return cfg["TILES_URL"], cfg["TILES_ATTRIBUTION"]


PROFILE_KEYS = ("age", "status", "qualification", "level", "mode", "accessible")


def search_context(args, limit: int = 10, now: dt.datetime | None = None, endpoint: str = "pages.index") -> dict:
    """Everything the search templates need (shared with the partner widget)."""
    st = state()
    engine = st.engine
    now = now or hours.now_paris()
    outcome = search.run(engine, st.geocoder, args, limit)
    cards = present.result_cards(engine, outcome.results, outcome.criteria, now)
    remote = present.result_cards(engine, outcome.remote, outcome.criteria, now)
    rendered = None
    if outcome.kind == "results":
        origin = {
            "lat": outcome.origin.lat,
            "lon": outcome.origin.lon,
            "name": "Point de départ : " + outcome.origin_label,
        }
        points = present.map_points(cards, lambda sid: url_for("pages.site", site_id=sid))
        rendered = maps.results_map(origin, points, *_tiles())
    return {
        "outcome": outcome,
        "cards": cards,
        "remote": remote,
        "map": rendered,
        "form": _form_values(args),
        "options": present.profile_options(),
        "reach_km": int(search.REACH_KM),
        "choice_url": lambda place: url_for(endpoint, commune=place.insee, **_profile_args(args)),
        "department_name": engine.geo.department_name,
    }


def _profile_args(args) -> dict:
    return {k: v for k in PROFILE_KEYS if (v := (args.getlist(k) or [""])[0])}


def _form_values(args) -> dict:
    keys = ("q", "age", "status", "qualification", "level", "mode", "accessible", "lat", "lon", "commune")
    return {k: (args.getlist(k) or [""])[0] for k in keys}


@bp.get("/")
def index():
    ctx = search_context(request.args)
    status = 400 if ctx["outcome"].errors else 200
    return render_template("search.html", **ctx), status


@bp.get("/lieux/<site_id>")
def site(site_id: str):
    engine = state().engine
    s = engine.site(site_id)  # NotFound -> French 404 page
    now = hours.now_paris()
    card = present.site_card(engine, s, now)
    structure = engine.structures[s.structure_id]
    point = present.map_points([card], lambda sid: url_for("pages.site", site_id=sid))
    rendered = maps.results_map(None, point, *_tiles(), zoom=15)
    return render_template(
        "site.html",
        site=s,
        card=card,
        structure=structure,
        network=vocab.NETWORKS_BY_CODE.get(structure.network),
        cercle=vocab.CERCLES.get(structure.cercle, ""),
        publics=explain.publics_text(s),
        week=hours.week(s.opening_hours, now.date()),
        today=now.date(),
        territory_size=len(structure.territory) if structure.territory is not None else None,
        map=rendered,
        modes=[vocab.label(vocab.MODES, m) for m in s.modes],
    )
