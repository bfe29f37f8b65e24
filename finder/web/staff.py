"""Field-staff pages: /couverture (coverage map, zones blanches, exports), /couverture/planification
(criticality, "Où labelliser ?") and /bilan (annual bilan, charts, CSV). Server-rendered; the
map complements the tables. Bad input re-renders the form with a French message (400).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template, request, url_for

from finder.directory.spreadsheet import table_csv
from finder.domain import bilan, coverage, planning, vocab
from finder.errors import FinderError
from finder.present import cards as present
from finder.present import coverage_map
from finder.present.coverage_export import to_csv, to_geojson
from finder.service import staff_query
from finder.service.query import parse_code
from finder.web import downloads, state
from finder.web.staff_format import register_filters

bp = Blueprint("staff", __name__)
DEFAULT_ACTIVITY = Path(__file__).resolve().parents[2] / "geodata" / "demo" / "activity.csv"
WHITE_ROWS = 100  # zones blanches listed on the page (the exports have them all)
CRITICAL_ROWS = 20
FORM_KEYS = ("age", "status", "qualification", "level", "network", "mode", "accessible", "territory")
FORM_KEYS += ("max_km", "department", "k")


def register(app: Flask) -> None:
    """Register every field-staff blueprint (one call from create_app)."""
    from finder.web import coverage_api

    app.register_blueprint(coverage_api.bp)
    app.register_blueprint(bp)
    register_filters(app)


# -- coverage ----------------------------------------------------------------------
def _parse(args):
    """(query, errors): the coverage query, or None with {field: French message}."""
    engine = state().engine
    try:
        return staff_query.parse_coverage(args, engine.geo.departments), {}
    except FinderError as err:
        return None, {err.field or "form": err.message}


def _form_context(args, errors: dict) -> dict:
    engine = state().engine
    return {
        "form": {k: (args.getlist(k) or [""])[0] for k in FORM_KEYS},
        "errors": errors,
        "options": present.profile_options(),
        "levels": vocab.LEVELS,
        "modes": vocab.MODES,
        "networks": vocab.NETWORKS,
        "departments": sorted(engine.geo.departments.items()),
        "default_max_km": staff_query.DEFAULT_MAX_KM,
    }


@bp.get("/couverture")
def coverage_page():
    q, errors = _parse(request.args)
    ctx = _form_context(request.args, errors)
    if q is None or not request.args:
        return render_template("couverture.html", result=None, **ctx), 400 if errors else 200
    engine = state().engine
    analyser = coverage.analyser(engine)
    cov = analyser.coverage(q.criteria, q.max_km)
    mask = analyser.communes.mask(q.department)
    sites = engine.matching(replace(q.criteria, territory_only=False))
    tiles = (current_app.config["TILES_URL"], current_app.config["TILES_ATTRIBUTION"])
    rendered = coverage_map.coverage_map(
        cov, mask, sites, engine.geo, tiles, lambda sid: url_for("pages.site", site_id=sid)
    )
    result = {
        "query": q,
        "summary": cov.summary(mask),
        "parts": _parts(cov, mask, q.department, engine.geo),
        "white": [_white_row(cov, engine, int(i)) for i in cov.uncovered(mask)[:WHITE_ROWS]],
        "white_count": len(cov.uncovered(mask)),
        "legend": _legend(cov, mask),
        "sites": len(sites),
    }
    return render_template("couverture.html", result=result, map=rendered, **ctx, **_described(q, engine.geo))


def _described(q: staff_query.CoverageQuery, geo) -> dict:
    """French description of the query, its name as a territory and the arguments to repeat it."""
    c = q.criteria
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
    scope = geo.department_name(q.department) if q.department else "Région Auvergne-Rhône-Alpes"
    args = {**c.as_json(), "max_km": f"{q.max_km:g}"}
    if q.department:
        args["department"] = q.department
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


@bp.get("/couverture/export.csv")
def coverage_csv():
    return _export("csv")


@bp.get("/couverture/export.geojson")
def coverage_geojson():
    return _export("geojson")


def _export(kind: str):
    engine = state().engine
    q = staff_query.parse_coverage(request.args, engine.geo.departments)  # errors -> French error page
    analyser = coverage.analyser(engine)
    cov = analyser.coverage(q.criteria, q.max_km)
    mask = analyser.communes.mask(q.department)
    name = f"couverture-{q.department or 'region'}-{q.max_km:g}km".replace(".", "_")
    if kind == "csv":
        body, mimetype = to_csv(cov, engine.sites, mask), "text/csv"
    else:
        head = {"filters": q.filters_json(), "max_km": q.max_km, "dataset": engine.dataset_json()}
        body, mimetype = to_geojson(cov, engine.sites, mask, engine.geo.polygons, head), "application/geo+json"
    return _download(body, mimetype, f"{name}.{kind}")


def _download(body: str, mimetype: str, filename: str):
    return downloads.download(body, filename, mimetype)


# -- planning ----------------------------------------------------------------------
@bp.get("/couverture/planification")
def planning_page():
    q, errors = _parse(request.args)
    k = staff_query.DEFAULT_SUGGEST
    if q is not None:
        try:
            k = staff_query.parse_k(request.args)
        except FinderError as err:
            q, errors = None, {err.field: err.message}
    ctx = _form_context(request.args, errors)
    if q is None or not request.args:
        return render_template("planification.html", result=None, k=k, **ctx), 400 if errors else 200
    engine = state().engine
    analyser = coverage.analyser(engine)
    mask = analyser.communes.mask(q.department)
    steps = planning.suggest(analyser, q.criteria, q.max_km, k, mask)
    ranked = planning.criticality(analyser, q.criteria, q.max_km, mask)
    result = {
        "query": q,
        "before": analyser.coverage(q.criteria, q.max_km).summary(mask),
        "steps": [{"step": s, "commune": analyser.communes.items[s.commune]} for s in steps],
        "critical": [{"item": c, "site": engine.sites[c.site_pos]} for c in ranked[:CRITICAL_ROWS] if c.population],
        "department_name": engine.geo.department_name,
        "network_label": lambda site: _network_label(engine, site),
    }
    return render_template("planification.html", result=result, k=k, **ctx, **_described(q, engine.geo))


def _network_label(engine, site) -> str:
    network = vocab.NETWORKS_BY_CODE.get(engine.structures[site.structure_id].network)
    return network.label if network else ""


# -- bilan ---------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _activity(path: str, mtime: float) -> bilan.Activity:
    return bilan.load_activity(path)


def activity() -> bilan.Activity:
    """The activity table (config ACTIVITY_FILE, default the demo one), reloaded when it changes."""
    path = Path(current_app.config.get("ACTIVITY_FILE") or DEFAULT_ACTIVITY)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise bilan.ActivityError(f"Tableau d'activité introuvable : {path.name}.") from None
    return _activity(str(path), mtime)


def _bilan():
    engine = state().engine
    act = activity()
    year = staff_query.parse_year(request.args, act.years())
    return bilan.compute(engine.directory, engine.geo, act, year), act


@bp.get("/bilan")
def bilan_page():
    try:
        b, act = _bilan()
    except FinderError as err:
        if err.status != 400:
            raise
        years = activity().years()
        ctx = {"b": None, "years": years, "error": err.message, "year": None}
        return render_template("bilan.html", **ctx), 400
    return render_template("bilan.html", b=b, years=act.years(), year=b.year, error=None, charts=_charts(b))


def _charts(b: bilan.Bilan) -> dict[str, list[tuple[str, int]]]:
    """(label, value) series of the bilan's bar charts."""

    def series(table, column: int = 0):
        return [(label, cells[column]) for (_, label), cells in zip(table.rows, table.cells)]

    charts = {"cercles": series(b.by_cercle), "people": series(b.by_network, 2), "trained": series(b.by_network, 3)}
    for name, table in zip(("genre", "age", "provenance"), b.breakdowns):
        charts[name] = series(table)
    return charts


EXPORTS = {
    "structures": lambda b: b.structures_by_network,
    "lieux": lambda b: b.sites_by_network,
    "cercles": lambda b: b.by_cercle,
    "reseaux": lambda b: b.by_network,
    "genre": lambda b: b.breakdowns[0],
    "age": lambda b: b.breakdowns[1],
    "provenance": lambda b: b.breakdowns[2],
}


@bp.get("/bilan/export.csv")
def bilan_csv():
    b, _ = _bilan()
    table = parse_code(request.args, "tableau", EXPORTS) or "structures"
    return _download(table_csv(EXPORTS[table](b)), "text/csv", f"bilan-spro-{b.year}-{table}.csv")
