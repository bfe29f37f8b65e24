"""Partner widget: presets, the page in an iframe, load counting, the configurator."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from finder.config import ConfigError, frame_ancestors
from finder.errors import InvalidParameter
from finder.service import usage, widget
from finder.service.params import Args
from finder.storage import widget_loads
from finder.storage.store import Store
from tests.conftest import make_app

GEO = SimpleNamespace(departments={"69": "Rhône", "15": "Cantal"}, communes={"69123": object(), "15014": object()})


def presets(**args):
    return widget.parse(Args(args), GEO)


def test_presets_round_trip_to_url_parameters():
    p = presets(commune="69123", network="mission-locale,cio", department="69,15", age="19", level="2", profile="0",
                limit="8", view="map", accent="AA0000")  # fmt: skip
    assert p.networks == ("cio", "mission-locale") and p.accent == "#aa0000" and not p.show_profile
    assert p.params() == {
        "commune": "69123",
        "network": "cio,mission-locale",
        "department": "15,69",
        "age": "19",
        "level": "2",
        "profile": "0",
        "limit": "8",
        "view": "map",
        "accent": "#aa0000",
    }
    assert presets(**p.params()) == p


def test_hidden_fields_carry_the_profile_only_when_its_form_is_hidden():
    shown = presets(commune="69123", age="19")
    assert "age" not in shown.hidden_fields() and shown.hidden_fields()["commune"] == "69123"
    hidden = presets(commune="69123", age="19", profile="0")
    assert hidden.hidden_fields()["age"] == "19"


@pytest.mark.parametrize(
    "args, field",
    [
        ({"commune": "99999"}, "commune"),
        ({"network": "pole-emploi"}, "network"),
        ({"department": "75"}, "department"),
        ({"age": "-3"}, "age"),
        ({"limit": "21"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"view": "grid"}, "view"),
        ({"accent": "red"}, "accent"),
        ({"accent": "#12345"}, "accent"),
        ({"profile": "maybe"}, "profile"),
        ({"level": "3"}, "level"),
    ],
)
def test_bad_presets_name_the_field(args, field):
    with pytest.raises(InvalidParameter) as err:
        presets(**args)
    assert err.value.field == field and "«" in err.value.message


def test_typed_place_replaces_the_preset_commune():
    p = presets(commune="69123")
    assert widget.search_args(Args({"commune": "69123"}), p)["commune"] == ["69123"]
    assert "commune" not in widget.search_args(Args({"commune": "69123", "q": "Aurillac"}), p)
    assert "commune" not in widget.search_args(Args({"commune": "69123", "lat": "45", "lon": "5"}), p)


@pytest.mark.parametrize("accent, text", [("#ffee00", "#000000"), ("#004a8f", "#ffffff"), ("#ffffff", "#000000")])
def test_text_colour_readable_on_the_accent(accent, text):
    assert widget.text_on(accent) == text


def test_snippets():
    p = presets(commune="69123", network="cio")
    loader = widget.loader_snippet("https://spro.example", p)
    assert '<div data-spro-widget data-commune="69123" data-network="cio">' in loader
    assert '<script src="https://spro.example/static/embed.js" async></script>' in loader
    assert "<noscript><iframe" in loader
    iframe = widget.iframe_snippet("https://spro.example", p)
    assert 'src="https://spro.example/embed?commune=69123&amp;network=cio"' in iframe and 'title="' in iframe


# -- the page -----------------------------------------------------------------------------
def test_widget_shows_results_for_the_preset_commune(client):
    r = client.get("/embed?commune=15014&network=mission-locale&limit=2&view=map&accent=%23aa0000")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert html.count('<li class="card') == 2 and "Mission locale" in html
    assert '<base target="_blank">' in html and 'target="_self"' in html  # results open a tab, searches stay
    assert "embed-map-first" in html and "--brand: #aa0000" in html
    assert 'name="commune" value="15014"' in html and 'name="network" value="mission-locale"' in html
    assert re.search(r"/static/js/embed-frame\.[0-9a-f]{10}\.js", html) and "Démonstration" in html
    assert 'class="site-header"' not in html


def test_widget_profile_form_can_be_hidden(client):
    shown = client.get("/embed?commune=69123").get_data(as_text=True)
    hidden = client.get("/embed?commune=69123&profile=0&age=18").get_data(as_text=True)
    assert 'id="status"' in shown and 'id="status"' not in hidden
    assert 'type="hidden" name="age" value="18"' in hidden


def test_widget_search_inside_keeps_presets(client):
    r = client.get("/embed?commune=69123&network=cio&q=Aurillac")
    html = r.get_data(as_text=True)
    assert "Aurillac" in html and 'name="network" value="cio"' in html
    assert "CIO" in html or "Centre d" in html


def test_widget_bad_preset_is_a_400_in_french(client):
    r = client.get("/embed?commune=99999")
    assert r.status_code == 400 and "99999" in r.get_data(as_text=True)


def test_widget_sets_no_cookie(client):
    r = client.get("/embed?commune=69123", headers={"Referer": "https://www.lycee-exemple.fr/"})
    assert "Set-Cookie" not in r.headers


def test_loads_are_counted_per_partner_origin(tmp_path):
    app = make_app(tmp_path)
    c = app.test_client()
    c.get("/embed", headers={"Referer": "https://www.lycee-exemple.fr/orientation/"})
    c.get("/embed?commune=69123", headers={"Referer": "https://www.lycee-exemple.fr/autre"})
    c.get("/embed?partner=https://ml.example.org")  # no Referer: embed.js's declaration
    c.get("/embed?q=Lyon", headers={"Referer": "http://localhost/embed?commune=69123"})  # a search inside
    c.get("/embed")  # opened directly
    rows = widget_loads.counts(Store(app.config["DATABASE"]))
    today = dt.date.today().isoformat()
    assert {(r["origin"], r["count"]) for r in rows} == {
        ("https://www.lycee-exemple.fr", 2),
        ("https://ml.example.org", 1),
        ("inconnu", 1),
    }
    assert {r["day"] for r in rows} == {today}
    assert widget_loads.totals(Store(app.config["DATABASE"]))[0] == {
        "origin": "https://www.lycee-exemple.fr",
        "count": 2,
        "first_day": today,
        "last_day": today,
    }


# -- counting (pure) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://www.Mairie.fr/page?x=1", "https://www.mairie.fr"),
        ("http://example.org:8080/a", "http://example.org:8080"),
        ("https://example.org:443/", "https://example.org"),
        ("http://[::1]:8000/x", "http://[::1]:8000"),
        ("ftp://example.org/", None),
        ("javascript:alert(1)", None),
        ("https:///nohost", None),
        ("http://example.org:99999/", None),
        ("", None),
        (None, None),
    ],
)
def test_origin_of(url, origin):
    assert usage.origin_of(url) == origin


def test_counting_never_breaks_the_page(tmp_path):
    assert widget_loads.record(Store(tmp_path / "missing-dir" / "x.sqlite3"), "https://a.fr") is None
    store = Store(tmp_path / "u.sqlite3")
    store.migrate()
    assert widget_loads.counts(store) == []
    day = dt.date(2026, 1, 2)
    assert widget_loads.record(store, "https://a.fr", day) and widget_loads.record(store, "https://a.fr", day)
    assert widget_loads.counts(store) == [{"origin": "https://a.fr", "day": "2026-01-02", "count": 2}]


# -- configurator -------------------------------------------------------------------------
def test_configurator_builds_snippets_and_preview(client):
    r = client.get("/integrer?commune_q=Aurillac&network=mission-locale&view=map&accent=%23004a8f&profile=0")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Commune retenue : <strong>Aurillac (15000, Cantal)</strong> — code INSEE 15014" in html
    assert "data-commune=&#34;15014&#34;" in html or 'data-commune="15014"' in html.replace("&#34;", '"')
    assert "/static/embed.js" in html and "&lt;iframe" in html
    assert 'class="preview" src="/embed?commune=15014&amp;network=mission-locale' in html


def test_configurator_prefers_the_ticked_departements_and_shows_homonyms(client):
    html = client.get("/integrer?commune_q=Saint-Julien&department=74").get_data(as_text=True)
    assert "Commune retenue : <strong>Saint-Julien-en-Genevois" in html and "code INSEE 74243" in html
    assert "Autres communes possibles" in html and "Saint-Julien (69" in html  # the Rhône one, offered
    assert 'class="preview" src="/embed?commune=74243' in html
    rhone = client.get("/integrer?commune_q=Saint-Julien").get_data(as_text=True)
    assert "Commune retenue : <strong>Saint-Julien (69" in rhone  # nothing ticked: the exact name
    by_code = client.get("/integrer?commune_q=74243").get_data(as_text=True)
    assert "Commune retenue : <strong>Saint-Julien-en-Genevois (Haute-Savoie)</strong> — code INSEE 74243" in by_code


def test_configurator_reports_bad_input_in_french(client):
    r = client.get("/integrer?commune_q=zzzzzz&limit=99")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "zzzzzz" in html and 'aria-invalid="true"' in html


def test_frame_ancestors_setting_is_checked():
    assert frame_ancestors("*") == ("*",)
    assert frame_ancestors("https://a.fr, http://b.fr:8080") == ("https://a.fr", "http://b.fr:8080")
    for bad in ("", "a.fr", "https://a.fr/path", "javascript:x"):
        with pytest.raises(ConfigError):
            frame_ancestors(bad)


# -- issue 15: forged counts ----------------------------------------------------------------------
def test_one_client_cannot_inflate_the_counts(tmp_path):
    app = make_app(tmp_path, WIDGET_COUNT_BURST=10, WIDGET_COUNT_PER_MINUTE=1)
    c = app.test_client()
    env = {"REMOTE_ADDR": "198.51.100.30"}
    for _ in range(100):  # a forged Referer, 100 times
        assert c.get("/embed", headers={"Referer": "https://victime.example/"}, environ_base=env).status_code == 200
    for i in range(20):  # or ?partner=, from addresses of one IPv6 /64
        c.get("/embed?partner=https://victime.example", environ_base={"REMOTE_ADDR": f"2001:db8:5::{i}"})
    counted = {r["origin"]: r["count"] for r in widget_loads.counts(Store(app.config["DATABASE"]))}
    assert counted == {"https://victime.example": 10 + 10}, "each client's loads are counted within its budget"
    c.get("/embed", headers={"Referer": "https://autre.example/"}, environ_base={"REMOTE_ADDR": "198.51.100.31"})
    assert len(widget_loads.counts(Store(app.config["DATABASE"]))) == 2, "another client is counted"


def test_new_origins_per_day_are_capped(tmp_path):
    app = make_app(tmp_path, WIDGET_NEW_ORIGINS_PER_DAY=5)
    c = app.test_client()
    for i in range(400):  # 400 random origins, each from its own client (issue 15: 400 rows in 0.9 s)
        env = {"REMOTE_ADDR": f"10.{i // 250}.{i % 250}.1"}
        c.get("/embed", headers={"Referer": f"https://site{i}.example/"}, environ_base=env)
    rows = widget_loads.totals(Store(app.config["DATABASE"]))
    assert len(rows) == 6 and rows[0] == {
        "origin": usage.OVERFLOW,
        "count": 395,
        "first_day": dt.date.today().isoformat(),
        "last_day": dt.date.today().isoformat(),
    }
    known = c.get("/embed", headers={"Referer": "https://site0.example/"}, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert known.status_code == 200
    totals = {r["origin"]: r["count"] for r in widget_loads.totals(Store(app.config["DATABASE"]))}
    assert totals["https://site0.example"] == 2


def test_the_cap_counts_origins_first_seen_that_day(tmp_path):
    store = Store(tmp_path / "u.sqlite3")
    store.migrate()
    yesterday, today = dt.date(2026, 1, 1), dt.date(2026, 1, 2)
    for origin in ("https://a.fr", "https://b.fr"):
        assert widget_loads.record(store, origin, yesterday, max_new_origins=2, overflow="autres") == origin
    assert widget_loads.record(store, "https://c.fr", yesterday, max_new_origins=2, overflow="autres") == "autres"
    assert widget_loads.record(store, "https://a.fr", today, max_new_origins=0, overflow="autres") == "https://a.fr"
    assert widget_loads.record(store, "https://c.fr", today, max_new_origins=1, overflow="autres") == "https://c.fr"
