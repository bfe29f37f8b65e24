"""The domain: pure geometry, ranking and analysis of a directory, with no I/O of its own.

Owns the vocabularies (publics, levels, networks, modes), the directory model (structures,
sites, closures), search criteria and their exact semantics, WGS84 geodesy and the lower
bounds of the index (territory frames, chords), the reference geography (communes, polygons, reference points),
the spatial index and filtered k-nearest search, the engine of one directory version,
coverage, planning, the bilan, opening hours (OpenStreetMap syntax said in French) and the
French public holidays (computed: Easter Monday, Ascension, Whit Monday…; on a holiday the
hours do not state, a site is never "open now" but « jour férié : appelez avant »), and the
offline geocoder (with an optional client of the Base Adresse Nationale).

Takes and returns plain data (dataclasses, numpy arrays); tested without Flask or a database.
Coordinates: (lat, lon) in function arguments, [lon, lat] only in GeoJSON.

May import: the standard library, numpy/shapely/pyproj/rtree, ``finder.errors``. Nothing else
of ``finder``: every other package builds on this one.
"""
