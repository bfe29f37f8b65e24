"""Presentation: what pages, maps and exports display, as plain data or text.

Owns the result cards of the citizen pages, the "why this place" lines, the GeoJSON
encoding of sites, the Folium maps (vendored assets only), the coverage map and the
coverage exports (CSV, GeoJSON), the QR codes (segno SVG) and the static SVG maps of the
print kit. French labels; no request, no Flask.

May import: ``finder.domain``, ``finder.directory`` (spreadsheet helpers), ``finder.errors``,
``finder.config``.
"""
