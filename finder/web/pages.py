"""Citizen pages: the search (/) and a site (/lieux/<id>). Server-rendered; the map is a complement."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template, request, url_for

from finder.directory import freshness
from finder.domain import hours, vocab
from finder.domain.criteria import Criteria
from finder.present import cards, explain, maps
from finder.service import forms, params, search
from finder.text import N_
from finder.web import state
from finder.web.i18n import translate

bp = Blueprint("pages", __name__)
WHERE_KEYS = ("q", "lat", "lon", "commune")


@bp.app_context_processor
def inject_dataset():
    st = state()
    name = st.region_name
    return {
        "dataset": st.catalog.info,
        "region": name,
        "directory_empty": st.empty,
    }


def paris_now() -> dt.datetime:
    """Paris time now, or the configured FIXED_NOW (tests and demonstrations of a given day)."""
    fixed = current_app.config.get("FIXED_NOW")
    return dt.datetime.fromisoformat(fixed) if fixed else hours.now_paris()


@bp.app_template_filter("date_fr")
def date_fr(value) -> str:
    """An ISO date (or a date) in words: '22 mars 2026'."""
    if not value:
        return ""
    return translate(hours.format_date(value if isinstance(value, dt.date) else dt.date.fromisoformat(value)))


@bp.app_template_filter("sentence")
def sentence(text: str) -> str:
    """First letter upper-cased, the rest kept (Jinja's capitalize would lower « Noël »)."""
    text = translate(text)
    return text[:1].upper() + text[1:] if text else ""


def _tiles():
    cfg = current_app.config
    return cfg["TILES_URL"], cfg["TILES_ATTRIBUTION"]


def search_context(
    args, limit: int = 10, now: dt.datetime | None = None, endpoint: str = "pages.index", keep: dict | None = None
) -> dict:
    """Everything the search templates need (shared with the partner widget, whose presets ``keep`` are
    carried into every link)."""
    keep = keep or {}
    st = state()
    catalog = st.catalog
    engine = catalog.engine
    now = now or paris_now()
    outcome = search.run(catalog, st.geocoder, args, limit)
    counter = current_app.extensions.get("spro_demand")
    if counter is not None:
        counter.record(outcome)
    directions = current_app.config["DIRECTIONS_URL"]
    start = (outcome.origin, directions, outcome.origin_label)
    result_cards = flag_unconfirmed(cards.result_cards(engine, outcome.results, outcome.criteria, now, *start), now)
    remote_for = Criteria(mode="a-distance") if outcome.remote_for_all else outcome.criteria
    remote = flag_unconfirmed(cards.result_cards(engine, outcome.remote, remote_for, now, *start), now)
    profile = profile_args(args)
    link = {**keep, **where_args(args), **profile}  # repeats the search in a link
    place = outcome.origin_label if outcome.kind == "results" else f"« {outcome.q} »"
    return {
        "outcome": outcome,
        "summary": explain.summary(place, outcome.criteria),
        "addresses": st.geocoder.ban is not None,
        "cep": _cep(outcome, lambda **more: url_for(endpoint, **{**link, **more})),
        "directions_provider": current_app.config["DIRECTIONS_PROVIDER"],
        "site_args": {"lat": f"{outcome.origin.lat:.5f}", "lon": f"{outcome.origin.lon:.5f}"} if outcome.origin else {},
        "cards": result_cards,
        "relaxed": relaxed(outcome, lambda **more: url_for(endpoint, **more), {**link, **every_profile_arg(args)}),
        "remote": remote,
        "map": _results_map(outcome, result_cards),
        "form": {k: (args.getlist(k) or [""])[0] for k in WHERE_KEYS},
        "profile_form": forms.bind("search", params.SEARCH, args, outcome.errors, catalog.geo),
        "reach_km": int(search.REACH_KM),
        "choice_url": lambda place: url_for(endpoint, **{**keep, **profile, "commune": place.insee}),
        "department_name": engine.geo.department_name,
    }


def _results_map(outcome, result_cards):
    """The Folium map of a results outcome: the origin and the ranked sites (None otherwise)."""
    if outcome.kind != "results":
        return None
    start = N_("Point de départ : %(place)s", place=outcome.origin_label)
    origin = {"lat": outcome.origin.lat, "lon": outcome.origin.lon, "name": translate(start)}
    points = cards.map_points(result_cards, lambda sid: url_for("pages.site", site_id=sid))
    return maps.results_map(origin, in_language(points), *_tiles())


def in_language(points: list[dict]) -> list[dict]:
    """Map points with their texts (marker title, popup lines) in the reader's language."""
    return [{**p, "title": translate(p["title"]), "lines": [translate(line) for line in p["lines"]]} for p in points]


def every_profile_arg(args) -> dict:
    """Every profile parameter given (the search form's and others, like ``network``), one string each."""
    out = {}
    for p in params.PROFILE:
        values = [v for v in args.getlist(p.name) if v.strip()]
        if values:
            out[p.name] = ",".join(values)
    return out


def relaxed(outcome, search_url, link: dict) -> list[dict]:
    """The searches with one filter dropped (the rest of the search kept), most places first."""
    if outcome.nothing is None:
        return []
    out = []
    for r, exclusion in zip(outcome.nothing.relaxations, outcome.nothing.exclusions()):
        url = search_url(**{k: v for k, v in link.items() if k != r.param}) if r.param in link else None
        out.append({"text": r.text, "count": r.count, "exclusion": exclusion, "url": url})
    return sorted(out, key=lambda r: -r["count"])


def _cep(outcome, search_url) -> dict | None:
    """Who gives the CEP to the person (level 2), with a link keeping only those networks."""
    cep = explain.cep(outcome.criteria) if outcome.kind == "results" else None
    if cep and cep["networks"] and not outcome.criteria.networks:
        cep["url"] = search_url(network=",".join(cep["networks"]))
    return cep


def where_args(args) -> dict:
    """The place fields of the search as typed, to repeat the search in a link."""
    return {k: v for k in WHERE_KEYS if (v := (args.getlist(k) or [""])[0])}


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


@bp.get("/le-spro-c-est-quoi")
def falc():
    """« Le SPRO, c'est quoi ? » in easy-to-read French (and its translations), linked from every page."""
    return render_template("falc.html", falc_page=True)


@bp.get("/lieux/<site_id>")
def site(site_id: str):
    engine = state().engine
    s = engine.site(site_id)  # NotFound -> French 404 page
    today = paris_now()
    card = flag_unconfirmed([cards.site_card(engine, s, today)], today)[0]
    structure = engine.structures[s.structure_id]
    point = cards.map_points([card], lambda sid: url_for("pages.site", site_id=sid))
    rendered = maps.results_map(None, in_language(point), *_tiles(), zoom=15)
    errors: dict[str, str] = {}
    start = params.SITE.parse(request.args, state().geo, errors)
    start = None if errors or start.get("lat") is None else (start["lat"], start["lon"])
    start_commune = state().geo.commune_at(*start) if start else None
    return render_template(
        "site.html",
        site=s,
        card=card,
        structure=structure,
        network=vocab.NETWORKS_BY_CODE.get(structure.network),
        cercle=vocab.CERCLES.get(structure.cercle, ""),
        publics=explain.publics_text(s),
        week=hours.week_days(s.opening_hours, today.date(), s.closures),
        usual=cards.usual_hours(s.opening_hours, today.date()),
        closures=[c for c in freshness.current_or_upcoming(s, today.date()) if c != card["closure"]],
        today=today.date(),
        territory_size=len(structure.territory) if structure.territory is not None else None,
        map=rendered,
        modes=[vocab.label(vocab.MODES, m) for m in s.modes],
        directions=cards.directions_url(current_app.config["DIRECTIONS_URL"], (s.lat, s.lon), start),
        directions_provider=current_app.config["DIRECTIONS_PROVIDER"],
        directions_from=(start_commune.name if start_commune else N_("votre point de départ")) if start else None,
        start_error=next(iter(errors.values()), None),
    )
