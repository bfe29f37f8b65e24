"""The one download helper of the web layer (staff exports, admin reports and exports)."""

from __future__ import annotations

import pytest

from finder.web.downloads import download


@pytest.mark.parametrize(
    "body, mimetype, content_type, data",
    [
        ("é;1\n", "text/csv", "text/csv; charset=utf-8", "é;1\n".encode()),
        (b"\xef\xbb\xbfa;b\n", "text/csv", "text/csv; charset=utf-8", b"\xef\xbb\xbfa;b\n"),
        ('{"type": "Éa"}', "application/geo+json", "application/geo+json", '{"type": "Éa"}'.encode()),
        (b"PK\x03\x04", "application/vnd.ms-excel", "application/vnd.ms-excel", b"PK\x03\x04"),
    ],
)
def test_a_download_is_an_attachment_with_its_encoding(app, body, mimetype, content_type, data):
    with app.test_request_context():
        r = download(body, "fichier.ext", mimetype)
    assert r.headers["Content-Type"] == content_type and r.get_data() == data
    assert r.headers["Content-Disposition"] == 'attachment; filename="fichier.ext"'
