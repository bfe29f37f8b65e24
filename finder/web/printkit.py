"""The print and QR kit: a one-page A4 sheet per site, a poster per commune (A4, A3), a ZIP
of posters for a département or an EPCI, and the form where field staff and partners pick them.

Every QR code and link printed is absolute: PUBLIC_URL when configured (the address people
will type), else the host of the request. Sheets and posters are HTML with print CSS (inline
styles and SVG, no script, no tiles), so a poster saved from the ZIP prints the same offline.
The ZIPs are costly (one search per commune): they sit under ``/affiches/``, one of the
heavy pages of finder.web.http (lower per-client budget, bounded concurrency).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from flask import Blueprint, current_app, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from finder.directory import freshness
from finder.domain import vocab
from finder.present import cards, explain, printmap, qr
from finder.service import forms, params, posters
from finder.web import state
from finder.web.pages import paris_now

bp = Blueprint("printkit", __name__)
ZIP_MIME = "application/zip"
HOURS_LINES = 3  # lines of opening days a poster shows per place (the QR code leads to the rest)


def absolute(endpoint: str, **values) -> str:
    """An absolute URL for print: PUBLIC_URL, else the request's own scheme and host."""
    base = current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")
    return base + url_for(endpoint, **values)


def slug(text: str) -> str:
    """« Saint-Étienne » -> « saint-etienne »: a file name part."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


# -- the site sheet -------------------------------------------------------------------------
@bp.get("/lieux/<site_id>/fiche")
def site_sheet(site_id: str):
    st = state()
    engine = st.engine
    s = engine.site(site_id)  # NotFound -> French 404 page
    now = paris_now()
    card = cards.site_card(engine, s, now)
    structure = engine.structures[s.structure_id]
    page_url = absolute("pages.site", site_id=s.id)
    commune = st.geo.communes.get(s.commune)
    where = commune.name if commune else card["commune"]
    point = [{"lat": s.lat, "lon": s.lon, "mark": "", "kind": "site"}]
    polygon = st.geo.polygons.get(s.commune)
    return render_template(
        "print/fiche.html",
        site=s,
        card=card,
        structure=structure,
        network=vocab.NETWORKS_BY_CODE.get(structure.network),
        publics=explain.publics_text(s),
        usual=cards.usual_hours(s.opening_hours, now.date()),
        closures=freshness.current_or_upcoming(s, now.date()),
        modes=[vocab.label(vocab.MODES, m) for m in s.modes],
        page_url=page_url,
        qr=Markup(qr.svg(page_url, f"QR code vers la page de ce lieu : {page_url}")),
        map=Markup(printmap.svg(polygon, point, f"Plan : le lieu dans la commune de {where}")),
        today=now.date(),
        paper=params.A4,
        standalone=False,
    )


# -- the commune poster ---------------------------------------------------------------------
@bp.get("/affiche/<insee>")
def poster(insee: str):
    geo = state().geo
    commune = posters.commune(geo, insee)  # unknown commune: 404 before a bad format's 400
    parsed = posters.parse(request.args, geo)
    return render_poster(posters.poster(state().catalog, state().geocoder, commune.insee, parsed))


def render_poster(p: posters.Poster, standalone: bool = False) -> str:
    """A poster as a page (``standalone``: for the ZIP, without the screen toolbar)."""
    st = state()
    now = paris_now()
    out = p.outcome
    places = out.results or out.remote
    items = cards.result_cards(st.engine, places, out.criteria, now, out.origin)
    for item, r in zip(items, places):
        item["hours"] = open_hours(cards.usual_hours(r.site.opening_hours, now.date()))
    search_url = absolute("pages.index", **p.search_args)
    points = [{"lat": p.commune.ref_lat, "lon": p.commune.ref_lon, "mark": "", "kind": "origin"}]
    points += [{"lat": c["lat"], "lon": c["lon"], "mark": str(c["rank"]), "kind": "site"} for c in items]
    label = f"Plan : la commune de {p.commune.name} et les lieux numérotés comme dans la liste"
    return render_template(
        "print/affiche.html",
        commune=p.commune,
        department=st.geo.department_name(p.commune.department),
        profile=explain.summary("", out.criteria),
        items=items,
        remote=not out.results and bool(out.remote),
        search_url=search_url,
        qr=Markup(qr.svg(search_url, f"QR code vers la recherche en ligne pour {p.commune.name}")),
        map=Markup(printmap.svg(st.geo.polygons.get(p.commune.insee), points, label, 520, 260)),
        paper=p.paper,
        today=now.date(),
        standalone=standalone,
    )


def open_hours(lines: list[str]) -> list[str]:
    """The usual hours a poster has room for: the open days (closed ones go without saying)."""
    shown = [line for line in lines if not line.endswith(": fermé")]
    return shown[:HOURS_LINES] + (["…"] if len(shown) > HOURS_LINES else [])


# -- the ZIP of an area ---------------------------------------------------------------------
@bp.get("/affiches/departement/<code>.zip")
def department_zip(code: str):
    return area_zip(posters.DEPARTMENT, code)


@bp.get("/affiches/epci/<code>.zip")
def epci_zip(code: str):
    return area_zip(posters.EPCI, code)


def area_zip(kind: str, code: str):
    st = state()
    name, communes = posters.area(st.geo, kind, code)
    parsed = posters.parse(request.args, st.geo)
    paper = parsed["format"] or params.A4
    files = []
    for c in communes:
        page = render_poster(posters.poster(st.catalog, st.geocoder, c.insee, parsed), standalone=True)
        files.append((f"affiche-{c.insee}-{slug(c.name)}-{paper}.html", page, c.name))
    index = render_template("print/index.html", name=name, files=files, paper=paper, standalone=True)
    body = build_zip([("index.html", index)] + [(f, page) for f, page, _ in files])
    filename = f"affiches-{kind}-{code}-{paper}.zip"
    response = current_app.response_class(body, mimetype=ZIP_MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def build_zip(files: list[tuple[str, str]]) -> bytes:
    """A ZIP of UTF-8 text files, deflated, with a fixed date (same posters, same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


# -- the form -------------------------------------------------------------------------------
@bp.get("/kit-impression")
def kit():
    st = state()
    args = MultiDict(request.args)
    errors: dict[str, str] = {}
    parsed = params.KIT.parse(args, st.geo, errors)
    choice = None if errors else _commune_choice(parsed.get("commune_q"), errors)
    links = {} if errors else _kit_links(parsed, choice)
    defaults = {"format": params.A4, "limit": 5}
    return render_template(
        "print/kit.html",
        where=forms.bind("kit", params.KIT, args, errors, st.geo, defaults),
        profile=forms.bind("staff", params.KIT, args, errors, st.geo),
        errors=errors,
        choice=choice,
        links=links,
        submitted=any(v.strip() for v in request.args.values()),
    ), (400 if errors else 200)


def _commune_choice(text: str | None, errors: dict) -> dict | None:
    """The commune typed (name, postcode or INSEE code): the best match and the next ones."""
    text = (text or "").strip()
    if not text:
        return None
    st = state()
    if text in st.geo.communes:
        return {"insee": text, "label": st.geo.communes[text].name, "others": []}
    places = [p for p in st.geocoder.search(text, 20) if p.insee in st.geo.communes]
    if not places:
        errors["commune_q"] = f"Aucune commune ne correspond à « {text} »."
        return None
    return {"insee": places[0].insee, "label": places[0].label, "others": [(p.label, p.insee) for p in places[1:6]]}


def _kit_links(parsed, choice: dict | None) -> dict:
    """The documents the form asked for: posters of a commune, ZIPs of an area."""
    geo = state().geo
    query = {**posters.profile_query(parsed), "limit": parsed["limit"]}
    paper = parsed["format"] or params.A4
    links: dict = {"paper": paper}
    if choice:
        places = [(choice["label"], choice["insee"]), *choice["others"]]
        links["posters"] = [(label, url_for("printkit.poster", insee=i, format=paper, **query)) for label, i in places]
    for kind, endpoint in ((posters.DEPARTMENT, "printkit.department_zip"), (posters.EPCI, "printkit.epci_zip")):
        code = parsed.get("department" if kind == posters.DEPARTMENT else "epci")
        if code:
            name, communes = posters.area(geo, kind, code)
            links[kind] = (name, len(communes), url_for(endpoint, code=code, format=paper, **query))
    return links
