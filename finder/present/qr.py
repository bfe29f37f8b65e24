"""QR codes as inline SVG (segno), for the printed sheets and posters.

The SVG is a single ``<path>`` of horizontal runs, scaled by the page's CSS (``width`` in
millimetres on print), with a quiet zone of four modules as the QR standard asks. Error
correction M (15 % of the symbol may be lost: a poster pinned up, scratched or folded).
"""

from __future__ import annotations

import functools
from html import escape

import segno

QUIET_ZONE = 4  # modules of light margin around the symbol (ISO/IEC 18004)
ERROR = "m"
CACHED = 4096  # QR codes kept (a few kB each): a ZIP asked again reuses them


@functools.lru_cache(maxsize=CACHED)
def svg(url: str, label: str) -> str:
    """An inline ``<svg role="img">`` encoding ``url``, named ``label`` for assistive technologies.

    The label says what the code opens; the URL itself is printed beside it on the page.
    Segno tries the eight masks of the standard and keeps the best (most of the cost, about
    10 ms a code): results are memoised per (url, label).
    """
    code = segno.make(url, error=ERROR, micro=False)
    size = code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    body = code.svg_inline(
        scale=1,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        omitsize=True,  # a viewBox only: the CSS sets the printed size
        svgclass="qr",
        lineclass=None,
    )
    named = f'<svg role="img" aria-label="{escape(label)}" '
    if "viewBox" not in body:
        named += f'viewBox="0 0 {size} {size}" '
    return body.replace("<svg ", named, 1)
