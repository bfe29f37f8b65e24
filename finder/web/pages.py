"""Citizen pages: the search (/) and a site (/lieux/<id>). Server-rendered; the map is a complement."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template, request, url_for

from finder.directory import freshness
from finder.domain import hours, vocab
from finder.present import cards, explain, maps
from finder.service import forms, params, search
from finder.web import state

bp = Blueprint("pages", __name__)
WHERE_KEYS = ("q", "lat", "lon", "commune")


@bp.app_context_processor
def inject_dataset():
    return {"dataset": state().catalog.info}


def _tiles():
    cfg = current_app.config
    return cfg["TILES_URL"], cfg["TILES_ATTRIBUTION"]


def search_context(args, limit: int = 10, now: dt.datetime | None = None, endpoint: str = "pages.index") -> dict:
    """Everything the search templates need (shared with the partner widget)."""
    st = state()
    catalog = st.catalog
    engine = catalog.engine
    now = now or hours.now_paris()
    outcome = search.run(catalog, st.geocoder, args, limit)
    counter = current_app.extensions.get("spro_demand")
    if counter is not None:
        counter.record(outcome)
    result_cards = flag_unconfirmed(cards.result_cards(engine, outcome.results, outcome.criteria, now), now)
    remote = flag_unconfirmed(cards.result_cards(engine, outcome.remote, outcome.criteria, now), now)
    rendered = None
    if outcome.kind == "results":
        origin = {
            "lat": outcome.origin.lat,
            "lon": outcome.origin.lon,
            "name": "Point de départ : " + outcome.origin_label,
        }
        points = cards.map_points(result_cards, lambda sid: url_for("pages.site", site_id=sid))
        rendered = maps.results_map(origin, points, *_tiles())
    profile = profile_args(args)
    return {
        "outcome": outcome,
        "cards": result_cards,
        "remote": remote,
        "map": rendered,
        "form": {k: (args.getlist(k) or [""])[0] for k in WHERE_KEYS},
        "profile_form": forms.bind("search", params.SEARCH, args, outcome.errors, catalog.geo),
        "reach_km": int(search.REACH_KM),
        "choice_url": lambda place: url_for(endpoint, commune=place.insee, **profile),
        "department_name": engine.geo.department_name,
    }


def flag_unconfirmed(items: list[dict], now: dt.datetime) -> list[dict]:
    """Mark the cards of sites not confirmed for FRESHNESS_FLAG_DAYS (« informations à confirmer »)."""
    days = current_app.config["FRESHNESS_FLAG_DAYS"]
    for card in items:
        card["to_confirm"] = freshness.unconfirmed(card.get("date_maj"), now.date(), days)
    return items


def profile_args(args) -> dict:
    """The profile fields of the search form as typed, to carry them into a link."""
    keys = [p.name for p in params.PROFILE if p.form_field("search")]
    return {k: v for k in keys if (v := (args.getlist(k) or [""])[0])}


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
    card = flag_unconfirmed([cards.site_card(engine, s, now)], now)[0]
    structure = engine.structures[s.structure_id]
    point = cards.map_points([card], lambda sid: url_for("pages.site", site_id=sid))
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
