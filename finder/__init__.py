"""SPRO accueil-site finder: nearest lieux d'accueil of the Service public régional de l'orientation.

Layers, each a package whose docstring says what it owns and what it may import (checked by
tests/test_layers.py), from the bottom up:

- ``domain``: pure geometry, ranking, coverage, planning, bilan, hours, geocoding;
- ``storage``: the only code that speaks SQL;
- ``directory``: table files, validation, import/export, versions, edits;
- ``present``: what pages, maps and exports display;
- ``service``: parameter declarations and one core function per endpoint;
- ``cli`` and ``web``: adapters over the service.

``errors`` (errors carrying an HTTP status and a French message) and ``config`` (settings,
one loader) serve every layer.
"""

__version__ = "0.1.0"
