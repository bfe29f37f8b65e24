"""The print kit in Debian's Chromium: one printed page per sheet and poster (PDF read with pypdf),
the QR code as Chromium draws it decodes to the live search, keyboard only, axe-core."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import zxingcpp
from pypdf import PdfReader

from finder.present import cards
from finder.web import state
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
POINTS_PER_MM = 72 / 25.4
PAPER_MM = {"A4": (210, 297), "A3": (297, 420)}

# The fullest posters of the demo: eight places in the cities (long names, arrondissements).
DENSE = ["15014", "38185", "42218", "63113", "73065", "74010"] + [f"6938{i}" for i in range(1, 10)]
POSTERS = [f"/affiche/{insee}?limit=8" for insee in DENSE] + [
    "/affiche/15014?limit=8&format=A3",
    "/affiche/69381?limit=8&level=2",
    "/affiche/69381?limit=8&level=2&format=A3",
    "/affiche/15001?limit=8&mode=a-distance",
]


def pdf_pages(page) -> list:
    """The pages of the current page printed to PDF by Chromium (its @page size and margins)."""
    return PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages


def assert_one_page(page, paper: str):
    pages = pdf_pages(page)
    assert len(pages) == 1, f"{page.url}: {len(pages)} pages"
    box = pages[0].mediabox
    w, h = PAPER_MM[paper]
    assert float(box.width) == pytest.approx(w * POINTS_PER_MM, abs=2)
    assert float(box.height) == pytest.approx(h * POINTS_PER_MM, abs=2)


@pytest.mark.parametrize("path", POSTERS)
def test_a_poster_prints_on_one_page_of_its_paper(page, live_server, path):
    page.goto(live_server.url + path)
    assert_one_page(page, "A3" if "format=A3" in path else "A4")


def _fullest_site(app) -> str:
    """The demo site whose sheet has the most to say (description, hours lines, name)."""
    with app.app_context():
        engine = state(app).engine
        day = dt.date(2026, 3, 2)

        def weight(s):
            return len(s.description or "") + 80 * len(cards.usual_hours(s.opening_hours, day)) + len(s.name)

        return max(engine.sites, key=weight).id


def test_the_fullest_site_sheet_prints_on_one_a4_page(page, live_server):
    site_id = _fullest_site(live_server.server.app)
    page.goto(f"{live_server.url}/lieux/{site_id}/fiche")
    assert_one_page(page, "A4")


def test_the_page_count_check_can_fail(page, live_server):
    page.goto(live_server.url + POSTERS[0])
    page.evaluate(
        "document.querySelector('.places').insertAdjacentHTML('beforeend', '<li style=\"height:120mm\"></li>')"
    )
    assert len(pdf_pages(page)) == 2


QR_PIXELS = """async () => {
  const svg = document.querySelector('svg.qr');
  const xml = new XMLSerializer().serializeToString(svg);
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(xml);
  await img.decode();
  const size = 330, canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, size, size);
  ctx.drawImage(img, 0, 0, size, size);
  const rgba = ctx.getImageData(0, 0, size, size).data;
  const grey = [];
  for (let i = 0; i < rgba.length; i += 4) grey.push(rgba[i]);
  return grey;
}"""


def qr_in_chromium(page) -> list[str]:
    """The QR code of the page as Chromium draws it, decoded by zxing-cpp."""
    grey = np.array(page.evaluate(QR_PIXELS), dtype=np.uint8).reshape(330, 330)
    return [r.text for r in zxingcpp.read_barcodes(grey)]


def test_the_qr_code_chromium_draws_opens_the_live_search(page, live_server):
    page.goto(live_server.url + "/affiche/15014?age=19&level=2&format=A3")
    printed = page.locator(".place h3").all_inner_texts()
    (url,) = qr_in_chromium(page)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == live_server.url and parts.path == "/"
    assert parse_qs(parts.query) == {"commune": ["15014"], "age": ["19"], "level": ["2"]}
    page.goto(url)  # and it opens the search listing the same places
    listed = page.locator("li.card h3 a").all_inner_texts()
    assert [t.split(" ", 1)[1] for t in printed] == listed[: len(printed)] and printed


def test_the_site_sheet_qr_code_opens_the_site_page(page, live_server):
    site_id = _fullest_site(live_server.server.app)
    page.goto(f"{live_server.url}/lieux/{site_id}/fiche")
    assert qr_in_chromium(page) == [f"{live_server.url}/lieux/{site_id}"]


SPY_PRINT = "() => { window.printed = 0; window.print = () => { window.printed += 1; }; }"


def test_keyboard_only_from_the_kit_to_a_printed_poster(page, live_server):
    page.goto(live_server.url + "/kit-impression")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "commune_q":
            break
    else:
        pytest.fail("the commune field is not reachable with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type("Aurillac")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form
    assert "Vos documents" in page.content()
    for _ in range(40):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement.textContent")
        if text.startswith("Affiche A4 : Aurillac"):
            break
    else:
        pytest.fail("the poster link is not reachable with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/affiche/15014"
    page.evaluate(SPY_PRINT)
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.print !== undefined"):
            break
    else:
        pytest.fail("the print button is not reachable with Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("window.printed") == 1


@pytest.mark.parametrize(
    "path",
    [
        "/kit-impression",
        "/kit-impression?commune_q=Aurillac&department=15&epci=200066660",
        "/kit-impression?commune_q=zzqxw&format=A5",
        "/affiche/15014?limit=8",
        "/affiche/15014?format=A3",
        "SITE",
    ],
)
def test_axe_no_serious_or_critical_violation(page, live_server, path):
    if path == "SITE":
        path = f"/lieux/{_fullest_site(live_server.server.app)}/fiche"
    page.goto(live_server.url + path)
    assert axe_violations(page) == []
    assert [e for e in page.console_errors if "status of 400" not in e] == []  # a 400 page is logged as such
