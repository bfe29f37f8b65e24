"""Web addresses: the plain ones, recognised without parsing, get exactly the answer of the full check."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finder.directory import checks
from finder.directory.checks import Problem


def answer(check, raw: str):
    try:
        return "ok", check(raw)
    except Problem as p:
        return p.code, p.message


CASES = [
    "https://nstr-00001.example.org/",
    "http://example.fr",
    "HTTPS://EXAMPLE.FR/",
    "https://Example.FR/a/b-c_d.e~f",
    " https://example.fr/ ",
    "https://example.fr/?q=1",
    "https://example.fr/#x",
    "https://user@example.fr/",
    "https://example.fr:8080/",
    "https://localhost/",
    "https://[::1]/",
    "https://exa mple.fr/",
    "ftp://example.fr/",
    "https://example/",
    "https://example.f/",
    "https://example.fr/a b",
    "https://example.fr/<script>",
    "https://ex\u00e4mple.fr/",
    "https://example.fr/" + "a" * 1990,
    "https://example.fr/" + "a" * 1981,
    "https://example.fr/\x01",
    "example.fr",
    "https://",
    "https://.fr",
    "https://-.fr/",
]


@pytest.mark.parametrize("raw", CASES)
def test_same_answer_as_the_full_check(raw):
    assert answer(checks.url.__wrapped__, raw) == answer(checks._url, raw)


def test_the_plain_path_is_taken_and_refusals_still_come():
    assert checks.PLAIN_URL.fullmatch("https://nstr-00001.example.org/")
    assert answer(checks.url, "https://example.fr/" + "a" * 1990)[0] == "invalid_url"
    assert answer(checks.url, "https://ex ample.fr/")[0] == "invalid_url"


URLISH = st.text(alphabet='htps:/.-_~aZ09 <>"{}|^`@[]?#%\t\n\u00e4', max_size=40)


@settings(max_examples=400, deadline=None)
@given(st.one_of(URLISH, st.from_regex(checks.PLAIN_URL, fullmatch=True), st.builds("https://{}".format, URLISH)))
def test_any_text_gets_the_answer_of_the_full_check(raw):
    assert answer(checks.url.__wrapped__, raw) == answer(checks._url, raw)
