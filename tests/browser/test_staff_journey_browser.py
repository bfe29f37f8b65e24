"""Field-staff pages of issue 14 in Debian's Chromium: age ranges, EPCI names, suggestions on a map and
in a CSV with their reasons, the bilan by département with whole, sorted labels and SVG/PNG downloads."""

from __future__ import annotations

import csv
import io
import struct

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_planning_suggestions_on_a_map_and_in_a_csv(page, live_server, tmp_path):
    page.goto(live_server.url + "/couverture/planification")
    page.select_option("#age_range", "16-25")
    page.select_option("#level", "2")
    page.select_option("#department", "15")
    page.click("button[type=submit]")
    page.wait_for_selector("#suggest-list")
    assert "16 à 25 ans" in page.inner_text(".staff-result")
    reasons = page.locator("#suggest-list li").all_inner_texts()
    assert reasons and all(r.startswith("Un lieu à ") for r in reasons)
    assert "glouton" not in page.inner_text("main")
    pins = page.locator(".leaflet-marker-pane .map-pin--suggestion")
    pins.first.wait_for()
    assert pins.count() == len(reasons)
    assert pins.first.get_attribute("title").startswith("Suggestion 1 : ")
    with page.expect_download() as info:
        page.click("#export-suggestions")
    path = tmp_path / "s.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Raison" and [r[-1] for r in rows[1:]] == reasons
    assert all(not r[4].isdigit() for r in rows[1:])  # EPCI names, not SIREN codes
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_bilan_labels_whole_sorted_and_downloadable(page, live_server, tmp_path):
    page.goto(live_server.url + "/bilan")
    chart = page.locator("#chart-reseaux-personnes svg")
    inside = chart.evaluate(
        """svg => { const box = svg.getBBox(); const labels = [...svg.querySelectorAll('.chart-label')];
                    return {left: Math.min(...labels.map(t => t.getBBox().x)), width: box.width}; }"""
    )
    assert inside["left"] >= 0  # no label runs off the chart (« onseil en évolution… » was cut)
    assert "Conseil en évolution professionnelle" in chart.evaluate("svg => svg.textContent")
    texts = chart.locator(".chart-value").evaluate_all("els => els.map(e => e.textContent)")
    values = [int(v.replace("\u202f", "").replace(" ", "")) for v in texts]
    assert values == sorted(values, reverse=True)
    assert page.locator("#chart-departements .chart-bar").count() == 12
    figure = page.locator("#chart-genre")
    with page.expect_download() as info:
        figure.locator("a", has_text="SVG").click()
    assert info.value.suggested_filename == "bilan-spro-2023-genre.svg"
    with page.expect_download() as info:
        figure.locator("button", has_text="PNG").click()
    path = tmp_path / "g.png"
    info.value.save_as(path)
    data = path.read_bytes()
    assert info.value.suggested_filename == "bilan-spro-2023-genre.png" and data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 2 * 760 and height > 100
    assert axe_violations(page) == []
    assert page.console_errors == []
