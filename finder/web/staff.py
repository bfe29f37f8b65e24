"""Field-staff pages: /couverture (coverage map, zones blanches, exports), /couverture/planification
(criticality, "Où labelliser ?") and /bilan (annual bilan, charts, CSV). Server-rendered; the
map complements the tables. Bad input re-renders the form with a French message (400).

Each view parses its declared parameters (finder.service.params), calls one core function
(finder.service.coverage / planning / bilan) and renders.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request, url_for

from finder.directory.spreadsheet import table_csv
from finder.domain import bilan as bilan_mod
from finder.domain import vocab
from finder.errors import FinderError
from finder.present import coverage_map
from finder.service import bilan, coverage, demand, forms, params, planning
from finder.service.coverage import CoverageAnswer
from finder.web import state
from finder.web.downloads import download
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
    sites = engine.matching(answer.criteria.replace(territory_only=False))
    tiles = (current_app.config["TILES_URL"], current_app.config["TILES_ATTRIBUTION"])
    unmet = _demand(answer.department)
    rendered = coverage_map.coverage_map(
        cov, mask, sites, engine.geo, tiles, lambda sid: url_for("pages.site", site_id=sid), unmet
    )
    result = {
        "query": answer,
        "summary": cov.summary(mask),
        "parts": _parts(cov, mask, answer.department, engine.geo),
        "white": [_white_row(cov, engine, int(i)) for i in cov.uncovered(mask)[:WHITE_ROWS]],
        "white_count": len(cov.uncovered(mask)),
        "legend": _legend(cov, mask),
        "sites": len(sites),
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
        vocab.label(vocab.STATUSES, c.status) if c.status else None,
        vocab.label(vocab.QUALIFICATIONS, c.qualification) if c.qualification else None,
        f"niveau {c.level} · {vocab.label(vocab.LEVELS, c.level)}" if c.level else None,
        ", ".join(vocab.NETWORKS_BY_CODE[n].label for n in sorted(c.networks)) if c.networks else None,
        vocab.label(vocab.MODES, c.mode) if c.mode else None,
        "accessibles en fauteuil" if c.accessible else None,
        "lieux compétents seulement" if c.territory_only else None,
    ]
    profile = [x for x in labels if x] or ["Tous publics, tous lieux"]
    scope = geo.department_name(answer.department) if answer.department else "Région Auvergne-Rhône-Alpes"
    args = {**c.as_json(), "max_km": f"{answer.max_km:g}"}
    if answer.department:
        args["department"] = answer.department
    if c.networks:
        args["network"] = sorted(c.networks)
    if c.accessible:
        args["accessible"] = "true"
    return {"profile": profile, "scope_name": scope, "export_args": args}


def _parts(cov, mask, department, geo) -> list[dict]:
    """Summary lines: each département for the region, each EPCI for one département."""
    if department is None:
        return [{"name": geo.department_name(d), "summary": s} for d, s in cov.by_department().items()]
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


@bp.get("/couverture/export.csv")
def coverage_csv():
    answer = _coverage_answer()
    return download(answer.csv(), answer.filename("csv"), "text/csv")


@bp.get("/couverture/export.geojson")
def coverage_geojson():
    answer = _coverage_answer()
    return download(answer.geojson(), answer.filename("geojson"), "application/geo+json")


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
    communes = cov.analyser.communes
    result = {
        "query": cov,
        "before": cov.coverage.summary(cov.mask),
        "steps": [{"step": s, "commune": communes.items[s.commune]} for s in answer.steps],
        "critical": [
            {"item": c, "site": engine.sites[c.site_pos]} for c in answer.critical[:CRITICAL_ROWS] if c.population
        ],
        "department_name": engine.geo.department_name,
        "network_label": lambda site: _network_label(engine, site),
        "by_demand": answer.weights is not None,
    }
    return render_template("planification.html", result=result, k=k, **ctx, **_described(cov, engine.geo))


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


def _charts(b: bilan_mod.Bilan) -> dict[str, list[tuple[str, int]]]:
    """(label, value) series of the bilan's bar charts."""

    def series(table, column: int = 0):
        return [(label, cells[column]) for (_, label), cells in zip(table.rows, table.cells)]

    charts = {"cercles": series(b.by_cercle), "people": series(b.by_network, 2), "trained": series(b.by_network, 3)}
    for name, table in zip(("genre", "age", "provenance"), b.breakdowns):
        charts[name] = series(table)
    return charts


@bp.get("/bilan/export.csv")
def bilan_csv():
    act = _activity()
    parsed = params.BILAN_EXPORT.parse(request.args, act)
    b = bilan.answer(state().catalog, act, parsed)
    name = parsed.get("tableau") or "structures"
    return download(table_csv(bilan.table(b, name)), f"bilan-spro-{b.year}-{name}.csv", "text/csv")
