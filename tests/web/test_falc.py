"""Easy-to-read mode (FALC): results cards in plain words with pictograms, kept by cookie, and the page
« Le SPRO, c'est quoi ? » (short sentences, one idea per line, a pictogram beside each) linked everywhere."""

from __future__ import annotations

import html as htmllib
import re

import pytest

FALC_URL = "/le-spro-c-est-quoi"


def text(r) -> str:
    return re.sub(r"<style>.*?</style>", "", htmllib.unescape(r.get_data(as_text=True)), flags=re.S)


def lines(html: str) -> list[str]:
    """The text of each line of the FALC lists (pictogram then text)."""
    out = []
    for item in re.findall(r"<li>(.*?)</li>", html, flags=re.S):
        if 'class="picto"' in item:
            out.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip())
    return out


def test_falc_cards_say_what_when_and_how_to_get_there(app):
    client = app.test_client()
    r = client.get("/?commune=15014&falc=1")
    html = text(r)
    assert r.status_code == 200 and "falc=1" in r.headers["Set-Cookie"]
    cards = re.findall(r'<li class="card card-falc[^"]*".*?</ul>\s*</li>', html, flags=re.S)
    assert cards and '<li class="card"' not in html
    for card in cards:
        assert "Ici, " in card  # what the place does for me
        assert re.search(r"C'est (ouvert|fermé)|Téléphonez avant de venir", card)  # when it is open
        assert "L'adresse :" in card and "C'est à " in card  # how to get there
        assert '<use href="#p-clock"/>' in card and '<use href="#p-place"/>' in card
    assert html.count('<svg class="picto-sprite"') == 1
    kept = text(client.get("/?commune=15014"))
    assert "card-falc" in kept  # the cookie keeps the mode
    back = client.get("/?commune=15014&falc=0")
    assert "card-falc" not in text(back) and "falc=0" in back.headers["Set-Cookie"]


def test_falc_in_another_language(client):
    html = text(client.get("/?commune=15014&falc=1&lang=ar"))
    assert '<html lang="ar" dir="rtl">' in html and "الخدمة مجانية." in html


def test_falc_page_short_sentences_one_idea_per_line(client):
    r = client.get(FALC_URL)
    html = text(r)
    assert r.status_code == 200 and "<h1>Le SPRO, c'est quoi ?</h1>" in html
    found = lines(html)
    assert len(found) >= 12
    for line in found:
        sentences = [s for s in re.split(r"(?<=[.?!])\s+", line) if s]
        assert len(sentences) == 1, line  # one idea per line
        assert len(line.split()) <= 12, line  # short
        assert not re.search(r"\b[A-Z]{2,}\b", line.replace("SPRO", "")), line  # no abbreviation
    assert html.count('<svg class="picto"') == len(found)


@pytest.mark.parametrize("url", ["/", "/?commune=15014", "/lieux/nope", FALC_URL, "/embed?commune=15014"])
def test_falc_page_reachable_from_every_citizen_page(client, url):
    html = text(client.get(url))
    assert f'href="{FALC_URL}' in html or "/le-spro-c-est-quoi?lang=" in html


def test_widget_falc_preset_carried_without_cookie(client):
    r = client.get("/embed?commune=15014&falc=1")
    html = text(r)
    assert "card-falc" in html and "Set-Cookie" not in r.headers
    assert '<input type="hidden" name="falc" value="1">' in html
