"""Field-staff pages: /couverture (coverage map, zones blanches, exports), /couverture/planification
(criticality, "Où labelliser ?") and /bilan (annual bilan, charts, CSV). Server-rendered; the
map complements the tables. Bad input re-renders the form with a French message (400).

Each view parses its declared parameters (finder.service.params), calls one core function
(finder.service.coverage / planning / bilan) and renders. These pages cost hundreds of
milliseconds each: the HTTP policy (finder.web.http) gives them their own per-client budget
and bounds how many are computed at once. The coverage exports (up to 4 MB, about a second
to build) are kept per worker, per directory version and parsed profile
(EXPORT_CACHE_SIZE): the page, then its CSV and GeoJSON, are usually asked in a row, and a
flood of one URL then costs nothing. They stay public: anonymous field staff use them.
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, current_app, render_template, request, url_for
from werkzeug.exceptions import NotFound

from finder.directory.spreadsheet import table_csv
from finder.domain import bilan as bilan_mod
from finder.domain import vocab
from finder.errors import FinderError
from finder.present import charts, coverage_map, explain
from finder.present import planning as planning_present
from finder.service import bilan, coverage, demand, forms, params, planning
from finder.service.coverage import CoverageAnswer
from finder.web import state
from finder.web.downloads import download
from finder.web.http import AnswerCache
from finder.web.staff_format import register_filters

bp = Blueprint("staff", __name__)
WHITE_ROWS = 100  # zones blanches listed on the page (the exports have them all)
CRITICAL_ROWS = 20
DEMAND_ROWS = 50


def register(app: Flask) -> None:
    """Register every field-staff blueprint (one call from create_app)."""
    from finder.web import coverage_api

    app.register_blueprint(coverage_api.bp)
    app.register_blueprint(bp)
    app.extensions["spro_exports"] = AnswerCache(app.config["EXPORT_CACHE_SIZE"])
    register_filters(app)


# -- coverage ----------------------------------------------------------------------
def _parse(endpoint: params.Endpoint):
    """(parsed, errors): the parsed parameters, or None with {field: French message}."""
    errors: dict[str, str] = {}
    parsed = endpoint.parse(request.args, state().geo, errors)
    return (None if errors else parsed), errors


def _form(endpoint: params.Endpoint, errors: dict) -> dict:
    defaults = {"max_km": f"{params.COVERAGE_MAX_KM.kind.default:g}", "k": params.SUGGESTIONS.kind.default}
    return {"staff_form": forms.bind("staff", endpoint, request.args, errors, state().geo, defaults), "errors": errors}


@bp.get("/couverture")
def coverage_page():
    parsed, errors = _parse(params.COVERAGE)
    ctx = _form(params.COVERAGE, errors)
    if parsed is None or not request.args:
        return render_template("couverture.html", result=None, **ctx), 400 if errors else 200
    catalog = state().catalog
    answer = coverage.answer(catalog, parsed)
    cov, mask, engine = answer.coverage, answer.mask, catalog.engine
    unmet = _demand(answer.department)
    rendered, sites = None, []
    if answer.mappable:
        sites = [engine.sites[int(p)] for p in answer.map_positions()]
        rendered = coverage_map.coverage_map(
            cov,
            mask,
            answer.department,
            sites,
            engine.geo,
            _tiles(),
            lambda sid: url_for("pages.site", site_id=sid),
            lambda s: _site_lines(engine, s),
            unmet,
        )
    result = {
        "query": answer,
        "summary": cov.summary(mask),
        "parts": _parts(cov, mask, answer.department, engine.geo),
        "white": [_white_row(cov, engine, int(i)) for i in cov.uncovered(mask)[:WHITE_ROWS]],
        "white_count": len(cov.uncovered(mask)),
        "legend": _legend(cov, mask),
        "sites": len(engine.index.positions(answer.criteria.replace(territory_only=False))),
        "map_sites": len(sites),
        "mappable": answer.mappable,
        "demand": unmet[:DEMAND_ROWS],
        "demand_count": len(unmet),
        "demand_window": current_app.config["DEMAND_WINDOW_DAYS"],
    }
    return render_template(
        "couverture.html",
        result=result,
        map=rendered,
        demand_outcomes=demand.OUTCOMES,
        **ctx,
        **_described(answer, engine.geo),
    )


def _demand(department: str | None) -> list:
    """Communes where people searched over DEMAND_WINDOW_DAYS, small counts suppressed (finder.service.demand)."""
    st = state()
    since, until = demand.window(current_app.config["DEMAND_WINDOW_DAYS"])
    return demand.table(st.store, st.geo, since, until, department=department)


def _described(answer: CoverageAnswer, geo) -> dict:
    """French description of the query, its name as a territory and the arguments to repeat it."""
    c = answer.criteria
    labels = [
        f"{c.age} ans" if c.age is not None else None,
        _age_range_text(c.age_range) if c.age_range else None,
        vocab.label(vocab.STATUSES, c.status) if c.status else None,
        vocab.label(vocab.QUALIFICATIONS, c.qualification) if c.qualification else None,
        f"niveau {c.level} · {vocab.label(vocab.LEVELS, c.level)}" if c.level else None,
        ", ".join(vocab.NETWORKS_BY_CODE[n].label for n in sorted(c.networks)) if c.networks else None,
        vocab.label(vocab.MODES, c.mode) if c.mode else None,
        "accessibles en fauteuil" if c.accessible else None,
        "lieux compétents seulement" if c.territory_only else None,
    ]
    profile = [x for x in labels if x] or ["Tous publics, tous lieux"]
    scope = geo.department_name(answer.department) if answer.department else f"Région {geo.name}"
    args = {**c.as_json(), "max_km": f"{answer.max_km:g}"}
    if answer.department:
        args["department"] = answer.department
    if c.networks:
        args["network"] = sorted(c.networks)
    if c.accessible:
        args["accessible"] = "true"
    return {"profile": profile, "scope_name": scope, "export_args": args}


def _age_range_text(span: tuple[int, int]) -> str:
    """« 16 à 25 ans », or the bilan's wording of a tranche (« 45 ans et plus »)."""
    named = dict(params.AGE_RANGES).get(params.AGE_RANGE.kind.strings(span)[0])
    return named[0].lower() + named[1:] if named else f"{span[0]} à {span[1]} ans"


def _parts(cov, mask, department, geo) -> list[dict]:
    """Summary lines: each département for the region (with its code, to link its own page), each
    EPCI for one département."""
    if department is None:
        return [{"name": geo.department_name(d), "code": d, "summary": s} for d, s in cov.by_department().items()]
    epcis = cov.by_epci(mask)
    lines = [{"name": geo.epcis.get(e, {}).get("name", e), "summary": s} for e, s in epcis.items()]
    return sorted(lines, key=lambda line: line["name"])


def _white_row(cov, engine, i: int) -> dict:
    c = cov.communes.items[i]
    pos = int(cov.site_pos[i])
    return {
        "commune": c,
        "department": engine.geo.department_name(c.department),
        "km": float(cov.km[i]),
        "site": engine.sites[pos] if pos >= 0 else None,
    }


def _legend(cov, mask) -> list[dict]:
    classes = [coverage_map.class_index(km) for km in cov.km[mask]]
    pops = cov.communes.population[mask]
    items = coverage_map.legend()
    for item in items:
        chosen = [p for c, p in zip(classes, pops) if c == item["class"]]
        item.update(communes=len(chosen), population=int(sum(chosen)))
    return items


def _coverage_answer() -> CoverageAnswer:
    catalog = state().catalog
    return coverage.answer(catalog, params.COVERAGE.parse(request.args, catalog.geo))  # errors: French page


def _export(answer: CoverageAnswer, fmt: str, build) -> str:
    """An export's text, from the per-worker cache when this version and profile were exported already."""
    profile = json.dumps(answer.filters_json(), sort_keys=True)
    return current_app.extensions["spro_exports"].get((answer.catalog.version, fmt, profile, answer.max_km), build)


@bp.get("/couverture/export.csv")
def coverage_csv():
    answer = _coverage_answer()
    return download(_export(answer, "csv", answer.csv), answer.filename("csv"), "text/csv")


@bp.get("/couverture/export.geojson")
def coverage_geojson():
    answer = _coverage_answer()
    return download(_export(answer, "geojson", answer.geojson), answer.filename("geojson"), "application/geo+json")


# -- planning ----------------------------------------------------------------------
@bp.get("/couverture/planification")
def planning_page():
    parsed, errors = _parse(params.PLANNING)
    ctx = _form(params.PLANNING, errors)
    k = parsed["k"] if parsed else params.SUGGESTIONS.kind.default
    if parsed is None or not request.args:
        return render_template("planification.html", result=None, k=k, **ctx), 400 if errors else 200
    catalog = state().catalog
    engine = catalog.engine
    answer = planning.answer(catalog, parsed, _demand_weights)
    cov = answer.coverage
    items = _suggestions(answer)
    sites = engine.matching(cov.criteria.replace(territory_only=False))
    site_url = lambda sid: url_for("pages.site", site_id=sid)  # noqa: E731
    rendered = planning_present.suggestions_map(items, sites, _tiles(), site_url, lambda s: _site_lines(engine, s))
    result = {
        "query": cov,
        "before": cov.coverage.summary(cov.mask),
        "suggestions": items,
        "critical": [
            {"item": c, "site": engine.sites[c.site_pos]} for c in answer.critical[:CRITICAL_ROWS] if c.population
        ],
        "network_label": lambda site: _network_label(engine, site),
        "who": explain.publics_text,
        "by_demand": answer.weights is not None,
    }
    described = _described(cov, engine.geo)
    return render_template("planification.html", result=result, k=k, map=rendered, **ctx, **described)


def _suggestions(answer) -> list:
    cov = answer.coverage
    geo = answer.coverage.catalog.geo
    return planning_present.suggestions(answer.steps, cov.analyser.communes, geo.department_name, cov.max_km)


def _tiles() -> tuple[str, str]:
    return current_app.config["TILES_URL"], current_app.config["TILES_ATTRIBUTION"]


def _site_lines(engine, site) -> list[str]:
    """Popup lines of a site on the staff maps: its network and who it is for (age bounds…)."""
    return [_network_label(engine, site), "Pour qui : " + explain.publics_text(site)]


@bp.get("/couverture/planification/export.csv")
def planning_csv():
    catalog = state().catalog
    answer = planning.answer(catalog, params.PLANNING.parse(request.args, catalog.geo))  # errors: French page
    name = answer.coverage.filename("csv").replace("couverture-", "suggestions-")
    return download(planning_present.to_csv(_suggestions(answer)), name, "text/csv")


def _demand_weights(communes):
    since, until = demand.window(current_app.config["DEMAND_WINDOW_DAYS"])
    return demand.weights(state().store, communes, since, until)


def _network_label(engine, site) -> str:
    network = vocab.NETWORKS_BY_CODE.get(engine.structures[site.structure_id].network)
    return network.label if network else ""


# -- bilan ---------------------------------------------------------------------------
def _activity() -> bilan_mod.Activity:
    return bilan.activity(current_app.config.get("ACTIVITY_FILE"))


@bp.get("/bilan")
def bilan_page():
    act = _activity()
    try:
        b = bilan.answer(state().catalog, act, params.BILAN.parse(request.args, act))
    except FinderError as err:
        if err.status != 400:
            raise
        ctx = {"b": None, "years": act.years(), "error": err.message, "year": None}
        return render_template("bilan.html", **ctx), 400
    return render_template("bilan.html", b=b, years=act.years(), year=b.year, error=None, charts=_charts(b))


def _charts(b: bilan_mod.Bilan) -> dict[str, charts.Chart]:
    """The bilan's bar charts: nominal series largest first, ordinal ones (cercles, ages, provenance) in order."""

    def series(table, column: int = 0):
        return [(label, cells[column]) for (_, label), cells in zip(table.rows, table.cells)]

    genre, age, provenance = b.breakdowns
    specs = [
        ("cercles", "Structures par cercle", series(b.by_cercle), True),
        ("reseaux-personnes", "Personnes accueillies par réseau", series(b.by_network, 2), False),
        ("reseaux-formes", "Professionnels formés par réseau", series(b.by_network, 3), False),
        ("genre", genre.title, series(genre), False),
        ("age", age.title, series(age), True),
        ("provenance", provenance.title, series(provenance), True),
        ("departements", b.people_by_department.title, series(b.people_by_department), False),
    ]
    return {name: charts.bar_chart(name, title, items, ordered) for name, title, items, ordered in specs}


@bp.get("/bilan/graphique/<name>.svg")
def bilan_chart(name: str):
    """One chart of the bilan as an SVG file (the page's PNG button draws this file)."""
    act = _activity()
    b = bilan.answer(state().catalog, act, params.BILAN.parse(request.args, act))
    chart = _charts(b).get(name)
    if chart is None:
        raise NotFound()
    svg = render_template("_chart.svg", chart=chart, standalone=True)
    return download(svg, f"bilan-spro-{b.year}-{name}.svg", "image/svg+xml")


@bp.get("/bilan/export.csv")
def bilan_csv():
    act = _activity()
    parsed = params.BILAN_EXPORT.parse(request.args, act)
    b = bilan.answer(state().catalog, act, parsed)
    name = parsed.get("tableau") or "structures"
    return download(table_csv(bilan.table(b, name)), f"bilan-spro-{b.year}-{name}.csv", "text/csv")
