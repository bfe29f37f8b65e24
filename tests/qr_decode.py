"""Test helper: read back the QR codes the pages serve (segno's inline SVG) with zxing-cpp.

The SVG is rasterised here from its own path (runs ``h`` of dark modules, moves ``M``/``m``,
one module per unit, row centred on y + 0.5), so what is decoded is the markup sent, not a
code made again from the expected URL.
"""

from __future__ import annotations

import re

import numpy as np
import zxingcpp

STEP = re.compile(r"([Mmh])\s*(-?\d+(?:\.\d+)?)(?:[\s,]+(-?\d+(?:\.\d+)?))?")
SCALE = 6  # pixels per module


def raster(svg: str) -> np.ndarray:
    """A grayscale image (0 dark, 255 light) of one segno SVG."""
    size = int(float(re.search(r'viewBox="0 0 (\d+(?:\.\d+)?) ', svg).group(1)))
    grid = np.full((size, size), 255, dtype=np.uint8)
    d = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg).group(1)
    x = y = 0.0
    for op, a, b in STEP.findall(d):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            n = float(a)
            grid[int(y), int(x) : int(x + n)] = 0
            x += n
    return np.kron(grid, np.ones((SCALE, SCALE), dtype=np.uint8))


def decode(svg: str) -> list[str]:
    """The texts of the QR codes found in a raster of ``svg``."""
    return [r.text for r in zxingcpp.read_barcodes(raster(svg)) if r.format == zxingcpp.BarcodeFormat.QRCode]


def qr_svgs(html: str) -> list[str]:
    """The inline QR SVGs of a page (class "qr")."""
    return re.findall(r'<svg[^>]*class="qr"[^>]*>.*?</svg>', html, flags=re.S)
